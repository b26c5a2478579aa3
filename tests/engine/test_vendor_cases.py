"""Cases of models from other modelers (issue #14, items 3 and 7), through the real engine and database:
a generated form validates a clerk's data, flows without ids run their steps, a script's print reaches the log."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from engine.accounts.users import Actor
from engine.cases import lifecycle as cases
from engine.catalog import versions as catalog
from engine.errors import InputError
from engine.store.tables import StepLogEntry

VENDOR = Path(__file__).resolve().parent / "vendor_models"
HEALTH_CLERK = Actor("wang.health", "clerk", "health")
POLICE_CLERK = Actor("li.police", "clerk", "police")


def log_of(ctx, event: str) -> list[tuple[str, str, dict | None]]:
    """(step id, step name, data) of the step-log rows of `event`, oldest first."""
    with ctx.read() as session:
        rows = session.scalars(select(StepLogEntry).where(StepLogEntry.event == event).order_by(StepLogEntry.id))
        return [(e.step_id, e.step_name, e.data) for e in rows]


def test_a_camunda_form_validates_the_clerks_data_and_a_print_goes_to_the_case_log(ctx) -> None:
    deployed = catalog.deploy_path(ctx, VENDOR / "camunda_review.bpmn")[0]
    view = cases.start_case(ctx, deployed.matter_id, deployed.variant)
    assert [(s.step_id, s.department) for s in view.ready_steps] == [("review", "health")]
    with pytest.raises(InputError) as missing:
        cases.complete_step(ctx, view.number, "review", HEALTH_CLERK, {"outcome": "approve"})
    assert "applicant_name" in missing.value.fields
    with pytest.raises(InputError) as wrong:
        cases.complete_step(ctx, view.number, "review", HEALTH_CLERK,
                            {"applicant_name": "Li", "outcome": "maybe", "age": "old"})
    assert set(wrong.value.fields) == {"outcome", "age"}
    done = cases.complete_step(ctx, view.number, "review", HEALTH_CLERK,
                               {"applicant_name": "Li", "outcome": "approve", "age": "42"})
    assert done.status == "completed" and done.data["age"] == 42 and done.data["summary"] == "Li: approve"
    printed = log_of(ctx, "script_output")
    assert printed == [("note", "记录", {"output": "reviewed Li approve\n"})]
    assert "_printed_" not in done.data


def test_a_model_whose_flows_have_no_id_runs_its_steps(ctx) -> None:
    deployed = catalog.deploy_path(ctx, VENDOR / "flows_without_ids.bpmn")[0]
    view = cases.start_case(ctx, deployed.matter_id, deployed.variant)
    assert view.status == "running"
    assert [(s.step_id, s.department) for s in view.ready_steps] == [("apply", "Applicant")]
    view = cases.complete_step(ctx, view.number, "apply", Actor.applicant(), {})
    assert [(s.step_id, s.department) for s in view.ready_steps] == [("register", "police")]
    view = cases.complete_step(ctx, view.number, "register", POLICE_CLERK, {})
    assert view.status == "completed"
    assert [step for step, _, _ in log_of(ctx, "completed")] == ["apply", "register"]
