"""Naming a step by BPMN id or task id, initial case data, a cancelled case's timer (SQLite and PostgreSQL)."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from engine.accounts.users import Actor
from engine.cases import lifecycle as cases, timers
from engine.errors import StepNotFound, StepNotReady

HEALTH = Actor("wang.health", "clerk", "health")
HOSPITAL = {"delivery": "hospital", "child": "A"}


@pytest.fixture
def applied(ctx, deployed, applicant):
    """A case of the test model past its applicant step: register (police) and certify (health) are ready."""
    view = cases.start_case(ctx, deployed.matter_id, deployed.variant)
    return cases.complete_step(ctx, view.number, "apply", applicant, HOSPITAL)


def test_initial_data_is_part_of_the_case_from_the_start(ctx, deployed):
    view = cases.start_case(ctx, deployed.matter_id, deployed.variant, {"channel": "window", "child": "Z"})
    assert view.data["channel"] == "window" and view.data["child"] == "Z"


def test_a_step_done_already_is_not_ready(ctx, applied, applicant):
    with pytest.raises(StepNotReady, match="step 'apply' is not ready in this case"):
        cases.complete_step(ctx, applied.number, "apply", applicant, HOSPITAL)


def test_an_automatic_step_is_never_completed_by_hand(ctx, applied, clerks):
    with pytest.raises(StepNotReady, match="automatic; nobody completes it by hand"):
        cases.complete_step(ctx, applied.number, "split", clerks["police"], {})


def test_a_task_id_from_no_case_is_no_step(ctx, applied, clerks):
    """SpiffWorkflow's TaskNotFoundException used to escape the engine here (a 500 in the API)."""
    with pytest.raises(StepNotFound):
        cases.complete_step(ctx, applied.number, str(uuid.uuid4()), clerks["police"], {})


def test_a_ready_step_named_by_its_task_id_is_completed(ctx, applied, clerks):
    task_id = next(s.task_id for s in applied.ready_steps if s.step_id == "register")
    view = cases.complete_step(ctx, applied.number, task_id, clerks["police"], {})
    assert [s.step_id for s in view.ready_steps] == ["certify"]


def test_a_cancelled_case_fires_no_timer(ctx, applied, clerks, clock):
    cases.complete_step(ctx, applied.number, "certify", clerks["health"], {})
    view = cases.send_message(ctx, applied.number, "health_result", {}, actor=HEALTH)
    assert len(view.timers) == 1
    cases.cancel_case(ctx, applied.number, clerks["police"], "withdrawn")
    clock.advance(timedelta(days=3))
    assert timers.fire_due_timers(ctx) == 0
    after = cases.get_case(ctx, applied.number)
    assert after.status == "cancelled" and "summarize" not in after.trail and after.timers == ()


def test_a_colleagues_claim_says_since_when_in_utc_and_keeps_the_time_for_pages(ctx, applied, clerks, clock):
    from datetime import UTC

    from engine.errors import StepClaimed

    cases.claim_step(ctx, applied.number, "register", clerks["police"])
    claimed = clock.now()
    with pytest.raises(StepClaimed) as refused:
        cases.claim_step(ctx, applied.number, "register", clerks["police2"])
    since = refused.value.message.values["since"]
    assert str(refused.value.message).endswith(f"since {claimed.astimezone(UTC):%Y-%m-%d %H:%M} UTC")
    assert abs((since.at - claimed).total_seconds()) < 1 and since.at.utcoffset() is not None


def test_a_task_id_no_case_has_is_never_repeated_in_the_message(ctx, applied, clerks):
    ghost = str(uuid.uuid4())
    for act in (lambda: cases.complete_step(ctx, applied.number, ghost, clerks["police"], {}),
                lambda: cases.claim_step(ctx, applied.number, ghost, clerks["police"])):
        with pytest.raises((StepNotFound, StepNotReady)) as refused:
            act()
        assert ghost not in str(refused.value.message)
        assert refused.value.message == "this step is not part of this case any more"
