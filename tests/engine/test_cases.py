"""Case use cases through the real engine and database (SQLite and PostgreSQL)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine.accounts.users import Actor
from engine.cases import lifecycle as cases, timers
from engine.cases.numbers import PATTERN
from engine.cases.worklist import work_items
from engine.errors import (
    CaseClosed,
    CaseNotFound,
    InputError,
    NotYourDepartment,
    StaleCase,
    StepClaimed,
    StepNotFound,
    StepNotReady,
)
from engine.store.tables import StepLogEntry

HEALTH_CLERK = Actor("wang.health", "clerk", "health")


def ready_items(ctx, department=None):
    """The READY steps on the worklists (of one department when given)."""
    return [entry.item for entry in work_items(ctx, department)]


def start(ctx, deployed, **data):
    return cases.start_case(ctx, deployed.matter_id, deployed.variant, data or None)


def applied(ctx, deployed, applicant, delivery="hospital", child="A"):
    """A new case after its applicant completed `apply`."""
    number = start(ctx, deployed).number
    return cases.complete_step(ctx, number, "apply", applicant, {"delivery": delivery, "child": child})


def ready_ids(view):
    return sorted(s.step_id for s in view.ready_steps)


def test_start_case_gives_a_readable_number_and_the_first_step(ctx, deployed):
    view = start(ctx, deployed)
    assert PATTERN.match(view.number)
    assert view.status == "running"
    assert ready_ids(view) == ["apply"]
    assert view.ready_steps[0].department == "Applicant"


def test_unknown_matter_is_a_clear_error(ctx, deployed):
    with pytest.raises(Exception, match="no deployed 'after' variant of matter 'nope'"):
        cases.start_case(ctx, "nope", "after")


def test_parallel_steps_reach_each_department_queue(ctx, deployed, applicant):
    view = start(ctx, deployed)
    view = cases.complete_step(ctx, view.number, "apply", applicant, {"delivery": "hospital", "child": "A"})
    assert ready_ids(view) == ["certify", "register"]
    police = ready_items(ctx, "police")
    assert [(i.case_number, i.step_id) for i in police] == [(view.number, "register")]
    assert [i.step_id for i in ready_items(ctx, "health")] == ["certify"]


def test_wrong_department_is_refused_and_changes_nothing(ctx, deployed, applicant, clerks):
    view = applied(ctx, deployed, applicant)
    with pytest.raises(NotYourDepartment):
        cases.complete_step(ctx, view.number, "certify", clerks["police"], {})
    with pytest.raises(NotYourDepartment):
        cases.complete_step(ctx, view.number, "register", applicant, {})
    after = cases.get_case(ctx, view.number)
    assert after.version == view.version and ready_ids(after) == ["certify", "register"]


def test_step_errors_are_precise(ctx, deployed, applicant, clerks):
    view = start(ctx, deployed)
    with pytest.raises(StepNotReady, match="not ready"):
        cases.complete_step(ctx, view.number, "register", clerks["police"], {})
    with pytest.raises(StepNotFound):
        cases.complete_step(ctx, view.number, "no_such_step", clerks["police"], {})
    with pytest.raises(CaseNotFound):
        cases.complete_step(ctx, "20260101-XXXXX", "apply", applicant, {})
    with pytest.raises(InputError):
        cases.complete_step(ctx, view.number, "apply", applicant, ["not", "a", "dict"])


def test_stale_version_is_a_conflict(ctx, deployed, applicant, clerks):
    view = applied(ctx, deployed, applicant)
    cases.complete_step(ctx, view.number, "certify", clerks["health"], {}, expected_version=view.version)
    with pytest.raises(StaleCase):
        cases.complete_step(ctx, view.number, "register", clerks["police"], {}, expected_version=view.version)


def test_claimed_step_belongs_to_its_claimant_until_released(ctx, deployed, applicant, clerks):
    view = applied(ctx, deployed, applicant)
    item = cases.claim_step(ctx, view.number, "register", clerks["police"])
    assert item.claimed_by == "li.police"
    with pytest.raises(StepClaimed):
        cases.claim_step(ctx, view.number, "register", clerks["police2"])
    with pytest.raises(StepClaimed):
        cases.complete_step(ctx, view.number, "register", clerks["police2"], {})
    cases.release_step(ctx, view.number, "register", clerks["police"])
    view = cases.complete_step(ctx, view.number, "register", clerks["police2"], {})
    assert "register" not in ready_ids(view)


def test_step_log_records_times_actor_and_a_snapshot(ctx, deployed, applicant, clerks, clock):
    view = start(ctx, deployed)
    clock.advance(timedelta(hours=1))
    view = cases.complete_step(ctx, view.number, "apply", applicant, {"delivery": "hospital", "child": "A"})
    clock.advance(timedelta(hours=2))
    cases.claim_step(ctx, view.number, "register", clerks["police"])
    clock.advance(timedelta(hours=3))
    cases.complete_step(ctx, view.number, "register", clerks["police"], {"note": {"nested": "v1"}})
    log = cases.step_log(ctx, view.number)
    done = [e for e in log if e.event == "completed"]
    assert [e.step_id for e in done] == ["apply", "register"]
    register = done[1]
    assert register.actor == "li.police" and register.department == "police"
    assert register.claimed_at - register.ready_at == timedelta(hours=2)
    assert register.at - register.claimed_at == timedelta(hours=3)
    assert register.data == {"note": {"nested": "v1"}}
    assert [e.event for e in log] == ["completed", "claimed", "completed"]


def test_message_moves_the_case_and_unknown_messages_are_refused(ctx, deployed, applicant, clerks):
    view = applied(ctx, deployed, applicant)
    view = cases.complete_step(ctx, view.number, "certify", clerks["health"], {})
    assert view.waiting_messages == ("health_result",)
    with pytest.raises(StepNotReady, match="not waiting for message 'wrong'"):
        cases.send_message(ctx, view.number, "wrong", {}, actor=HEALTH_CLERK)
    view = cases.send_message(ctx, view.number, "health_result", {"ok": True}, actor=HEALTH_CLERK)
    assert view.waiting_messages == () and len(view.timers) == 1


def test_timer_fires_in_simulated_time(ctx, deployed, applicant, clerks, clock):
    view = applied(ctx, deployed, applicant)
    cases.complete_step(ctx, view.number, "certify", clerks["health"], {})
    view = cases.send_message(ctx, view.number, "health_result", {}, actor=HEALTH_CLERK)
    assert view.timers[0] == clock.now() + timedelta(days=2)
    assert timers.fire_due_timers(ctx) == 0
    clock.advance(timedelta(days=1))
    assert timers.fire_due_timers(ctx) == 0
    clock.advance(timedelta(days=1, seconds=1))
    assert timers.fire_due_timers(ctx) == 1
    view = cases.get_case(ctx, view.number)
    assert view.timers == () and "summarize" in view.trail
    assert view.data["summary"] == {"child": "A", "checked": False}
    assert timers.fire_due_timers(ctx) == 0


def test_whole_case_runs_to_completion_on_the_home_branch(ctx, deployed, applicant, clerks, clock):
    view = applied(ctx, deployed, applicant, delivery="home", child="B")
    assert ready_ids(view) == ["certify", "check_home"]
    cases.complete_step(ctx, view.number, "check_home", clerks["police"], {})
    cases.complete_step(ctx, view.number, "register", clerks["police"], {})
    cases.complete_step(ctx, view.number, "certify", clerks["health"], {})
    cases.send_message(ctx, view.number, "health_result", {}, actor=HEALTH_CLERK)
    clock.advance(timedelta(days=3))
    timers.fire_due_timers(ctx)
    view = cases.complete_step(ctx, view.number, "collect", applicant, {})
    assert view.status == "completed" and view.completed_at == clock.now()
    assert view.data["summary"] == {"child": "B", "checked": True}
    assert view.trail[0] == "start" and view.trail[-1] == "end"
    with pytest.raises(CaseClosed):
        cases.complete_step(ctx, view.number, "collect", applicant, {})


def test_cancel_logs_open_steps_as_cancelled(ctx, deployed, applicant, clerks):
    view = applied(ctx, deployed, applicant)
    view = cases.cancel_case(ctx, view.number, clerks["police"], "applicant withdrew")
    assert view.status == "cancelled"
    assert ready_items(ctx) == []
    cancelled = sorted(e.step_id for e in cases.step_log(ctx, view.number) if e.event == "cancelled")
    assert cancelled == ["certify", "register"]
    with pytest.raises(CaseClosed):
        cases.complete_step(ctx, view.number, "register", clerks["police"], {})


def test_refused_completion_writes_nothing(ctx, deployed, applicant, clerks):
    view = start(ctx, deployed)
    with ctx.read() as session:
        before = session.scalar(select(func.count()).select_from(StepLogEntry))
    with pytest.raises(NotYourDepartment):
        cases.complete_step(ctx, view.number, "apply", clerks["police"], {"x": 1})
    with ctx.read() as session:
        assert session.scalar(select(func.count()).select_from(StepLogEntry)) == before
    assert cases.get_case(ctx, view.number).version == view.version


def test_only_the_department_the_message_belongs_to_may_deliver_it(ctx, deployed, applicant, clerks):
    view = applied(ctx, deployed, applicant)
    cases.complete_step(ctx, view.number, "certify", clerks["health"], {})
    with pytest.raises(NotYourDepartment, match="health_result"):
        cases.send_message(ctx, view.number, "health_result", {}, actor=clerks["police"])
    assert cases.get_case(ctx, view.number).waiting_messages == ("health_result",)
    assert cases.send_message(ctx, view.number, "health_result", {}, actor=Actor.system()).waiting_messages == ()
