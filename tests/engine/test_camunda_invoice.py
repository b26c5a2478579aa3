"""Issue #14's done-when: a Camunda 7 invoice-style model (JUEL conditions, candidate groups, form fields, a plain
ISO timer, a DMN table beside it) checks, deploys as a matter and runs to its end through the clerks' worklists.

The model is tests/engine/invoice_camunda (after.bpmn, approver.dmn, matter.yaml), written for this test in
the camunda: dialect as Camunda Modeler 5 saves it.
"""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.accounts.users import Actor
from engine.cases import lifecycle as cases, timers
from engine.cases.worklist import work_items
from engine.catalog import versions as catalog
from engine.errors import InputError
from web.cli import cli

INVOICE = Path(__file__).resolve().parent / "invoice_camunda"
CLERKS = {"accounting": Actor("zhao.accounting", "clerk", "accounting"),
          "management": Actor("qian.management", "clerk", "management")}


def test_check_accepts_the_model_with_only_the_extensions_it_ignores_as_warnings() -> None:
    result = CliRunner().invoke(cli, ["check", str(INVOICE)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[-1] == "1 file(s) OK"
    ignored = sorted(line.split(": warning: ")[1].split(" ")[0] for line in lines[:-1])
    assert ignored == ["camunda:formKey", "camunda:historyTimeToLive"]  # candidateGroups, formData, decisionRef: used


def _complete_from_worklist(ctx, number: str, department: str, data: dict) -> object:
    """The department's clerk takes the case's step from their worklist and completes it with `data`."""
    mine = [entry.item for entry in work_items(ctx, department) if entry.item.case_number == number]
    assert len(mine) == 1, f"{department} worklist: {[(i.case_number, i.step_id) for i in mine]}"
    assert all(entry.item.case_number != number for other in CLERKS if other != department
               for entry in work_items(ctx, other))
    return cases.complete_step(ctx, number, mine[0].task_id, CLERKS[department], data)


@pytest.mark.parametrize(("amount", "category", "approver", "approval_department"), [
    (4500, "Software License Costs", "management-it", "management"),
    (180, "Travel Expenses", "accounting", "accounting"),
])
def test_an_invoice_runs_through_the_candidate_groups_worklists_the_dmn_and_the_timer(
        ctx, clock, amount, category, approver, approval_department) -> None:
    deployed = catalog.deploy_path(ctx, INVOICE)
    assert [(d.matter_id, d.variant) for d in deployed] == [("invoice_camunda", "after")]
    view = cases.start_case(ctx, "invoice_camunda", "after")
    number = view.number
    assert [(s.step_id, s.department) for s in view.ready_steps] == [("registerInvoice", "accounting")]

    with pytest.raises(InputError) as refused:  # the camunda:formField types, enum and required constraints
        _complete_from_worklist(ctx, number, "accounting", {"amount": "a lot", "invoiceCategory": "Food"})
    assert set(refused.value.fields) == {"creditor", "amount", "invoiceCategory"}

    view = _complete_from_worklist(ctx, number, "accounting", {
        "creditor": "Great Pizza for Everyone Inc.", "amount": str(amount), "invoiceCategory": category,
        "invoiceNumber": "GPFE-23232323"})
    assert view.data["approverGroup"] == approver  # approver.dmn, mapDecisionResult singleEntry
    assert [(s.step_id, s.department) for s in view.ready_steps] == [
        (f"{approval_department}Approval", approval_department)]  # the JUEL ${amount > 1000} chose the branch

    view = _complete_from_worklist(ctx, number, approval_department, {"approved": True})
    assert [(s.step_id, s.department) for s in view.ready_steps] == [("prepareTransfer", "accounting")]
    view = _complete_from_worklist(ctx, number, "accounting", {"transferReference": "TR-2026-001"})

    assert view.status == "running" and not view.ready_steps and len(view.timers) == 1
    started = clock.now()
    assert view.timers[0] - started == timedelta(hours=2)  # PT2H, from when the transfer was prepared
    clock.set(started + timedelta(hours=1))
    timers.fire_due_timers(ctx)
    assert cases.get_case(ctx, number).status == "running"  # not yet due
    clock.set(view.timers[0] + timedelta(seconds=1))
    timers.fire_due_timers(ctx)
    done = cases.get_case(ctx, number)
    assert done.status == "completed"
    assert done.data["approverGroup"] == approver and done.data["amount"] == amount
    assert done.data["approved"] is True and done.data["transferReference"] == "TR-2026-001"


def test_a_rejected_invoice_ends_without_a_transfer(ctx) -> None:
    catalog.deploy_path(ctx, INVOICE)
    number = cases.start_case(ctx, "invoice_camunda", "after").number
    _complete_from_worklist(ctx, number, "accounting", {"creditor": "Cheap Chairs Ltd.", "amount": 2400,
                                                        "invoiceCategory": "Misc"})
    view = _complete_from_worklist(ctx, number, "management", {"approved": False})
    assert view.status == "completed" and view.data["approverGroup"] == "management" and not view.timers
