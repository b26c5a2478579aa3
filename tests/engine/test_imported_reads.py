"""Imported cases have no workflow state: every read shows their log and nothing to do; every action refuses."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from engine.accounts.users import Actor
from engine.audit.importing import import_log
from engine.cases import lifecycle as cases
from engine.cases.insight import case_overlay, step_durations
from engine.cases.worklist import case_summary, step_detail, work_items
from engine.catalog import versions as catalog
from engine.errors import CaseClosed, StepNotReady
from engine.store.tables import Case

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
LOG = ("case_id,activity,department,start,end\n"
       "old-1,apply_birth_certificate,,2019-03-04T09:00+08:00,2019-03-04T10:00+08:00\n"
       "old-1,签发出生医学证明,卫生健康委,,2019-03-06T10:00+08:00\n"
       "old-1,register_birth,,2019-03-11T09:00+08:00,2019-03-11T11:00+08:00\n")
POLICE = Actor("li.police", "clerk", "police")


@pytest.fixture
def number(ctx) -> str:
    """The number of a case imported into newborn/before (three steps, one of them the police's)."""
    catalog.deploy_path(ctx, PROCESSES / "newborn")
    import_log(ctx, LOG.encode(), "old.csv", "newborn", "before")
    with ctx.read() as session:
        return session.scalar(select(Case.number).where(Case.external_id == "old-1"))


@pytest.mark.parametrize("actor", [Actor.system(), Actor("auditor", "auditor"), POLICE])
def test_the_case_summary_shows_the_log_and_nothing_to_do(ctx, number, actor):
    summary = case_summary(ctx, number, actor)
    view = summary.case
    assert (view.status, view.ready_steps, view.waiting_messages, view.timers, view.data) == ("completed", (), (),
                                                                                              (), {})
    assert [(e.step_id, e.event, e.actor) for e in summary.log] == [
        ("apply_birth_certificate", "completed", "import"), ("issue_birth_certificate", "completed", "import"),
        ("register_birth", "completed", "import")]
    assert view.trail == tuple(e.step_id for e in summary.log) and summary.open_steps == []
    assert summary.steps_done == 3 < summary.steps_expected
    assert summary.step_names["register_birth"].en == "Review and register the birth (hukou)"
    assert cases.get_case(ctx, number) == view and cases.step_log(ctx, number) == summary.log


def test_the_drawing_overlay_marks_the_logged_steps_done_and_nothing_waiting(ctx, number):
    overlay = case_overlay(ctx, number)
    done = {s for s, state in overlay.step_states.items() if state == "completed"}
    assert done == {"apply_birth_certificate", "issue_birth_certificate", "register_birth"}
    assert set(overlay.step_states.values()) == {"completed", "not_reached"} and overlay.taken == []
    assert overlay.data.startswith(b"<?xml") and overlay.filename.endswith("before.bpmn")


def test_an_imported_case_is_on_no_worklist_and_takes_no_action(ctx, number):
    assert all(entry.item.case_number != number for entry in work_items(ctx))
    with pytest.raises(StepNotReady):
        step_detail(ctx, number, "register_birth", POLICE)
    for act in (lambda: cases.claim_step(ctx, number, "register_birth", POLICE),
                lambda: cases.complete_step(ctx, number, "register_birth", POLICE, {}),
                lambda: cases.send_message(ctx, number, "hukou_registered", actor=Actor.system()),
                lambda: cases.cancel_case(ctx, number, Actor.system(), "no")):
        with pytest.raises(CaseClosed, match="is completed"):
            act()


def test_measured_step_durations_read_the_imported_log(ctx, number):
    expected = {"apply_birth_certificate": 1.0, "issue_birth_certificate": 48.0, "register_birth": 2.0}
    assert step_durations(ctx, "newborn", "before", source="imported") == expected
    assert step_durations(ctx, "newborn", "before") == {}  # imported records are never counted as real cases
