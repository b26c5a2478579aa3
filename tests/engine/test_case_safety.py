"""Bad model code and bad data never break the engine: sandbox in cases, form validation, state size."""
from __future__ import annotations

import time

import pytest

from engine.accounts.users import Actor
from engine.cases import lifecycle as cases
from engine.catalog import versions as catalog
from engine.errors import CaseClosed, InputError
from engine.runtime.sandbox import make_script_engine
from engine.runtime.workflow import CaseRuntime
from tests.conftest import PROCESSES

from .conftest import MODELS

RUNAWAY = (MODELS / "parallel.bpmn").read_text(encoding="utf-8").replace(
    "summary = {'child': child, 'checked': delivery == 'home'}", "n = 0\nwhile True:\n    n += 1")

HEALTH_CLERK = Actor("wang.health", "clerk", "health")


def test_runaway_script_puts_the_case_in_error_and_the_engine_survives(ctx, tmp_path, clock):
    folder = tmp_path / "runaway"
    folder.mkdir()
    (folder / "after.bpmn").write_text(RUNAWAY, encoding="utf-8")
    catalog.deploy_path(ctx, folder)
    health = Actor("wang.health", "clerk", "health")
    view = cases.start_case(ctx, "runaway", "after")
    view = cases.complete_step(ctx, view.number, "apply", Actor.applicant(), {"delivery": "hospital", "child": "A"})
    cases.complete_step(ctx, view.number, "certify", health, {})
    cases.send_message(ctx, view.number, "health_result", {}, actor=HEALTH_CLERK)
    from datetime import timedelta

    from engine.cases import timers

    clock.advance(timedelta(days=3))
    started = time.monotonic()
    timers.fire_due_timers(ctx)
    assert time.monotonic() - started < 5
    view = cases.get_case(ctx, view.number)
    assert view.status == "error" and "time limit" in view.error and "summarize" in view.error
    with pytest.raises(CaseClosed, match="error"):
        cases.complete_step(ctx, view.number, "register", Actor("li.police", "clerk", "police"), {})
    other = cases.start_case(ctx, "runaway", "after")
    assert other.status == "running"


def test_form_data_is_validated_before_anything_changes(ctx):
    catalog.deploy_path(ctx, PROCESSES / "newborn")
    view = cases.start_case(ctx, "newborn", "after")
    step = view.ready_steps[0]
    with pytest.raises(InputError) as caught:
        cases.complete_step(ctx, view.number, step.task_id, Actor.applicant(), {"mother_id": "110105194912310021"})
    assert caught.value.fields
    assert cases.get_case(ctx, view.number).version == view.version
    assert cases.step_log(ctx, view.number) == []


def test_state_stays_small_however_long_the_case_runs():
    """A loop run 300 times: the saved state does not grow with the history."""
    from engine.model.loading import load_model

    loop = (MODELS / "loop.bpmn").read_bytes()
    model = load_model(loop, "loop.bpmn")
    engine = make_script_engine()
    runtime = CaseRuntime.start(model, engine)
    sizes = []
    for i in range(300):
        runtime = CaseRuntime.load(model, runtime.dump(), engine)
        step = runtime.ready_steps()[0]
        runtime.complete(step.task_id, {"again": i < 299, "note": f"round {i}"})
        sizes.append(len(runtime.dump()))
    assert runtime.is_completed()
    assert max(sizes[10:299]) <= sizes[10] * 1.2, (sizes[10], max(sizes[10:299]))


def test_a_looping_case_row_stays_the_size_of_its_model(ctx, tmp_path):
    """200 rounds of review through the use cases: state, trail and flows do not grow with the rounds."""
    from engine.store.tables import Case

    folder = tmp_path / "looping"
    folder.mkdir()
    (folder / "after.bpmn").write_bytes((MODELS / "loop.bpmn").read_bytes())
    catalog.deploy_path(ctx, folder)
    clerk = Actor("li.police", "clerk", "police")
    number = cases.start_case(ctx, "looping", "after").number
    sizes = []
    for i in range(200):
        view = cases.complete_step(ctx, number, "review", clerk, {"again": i < 199, "note": f"round {i}"})
        with ctx.read() as session:
            row = session.query(Case).filter_by(number=number).one()
            sizes.append((len(row.state), len(row.trail), len(row.flows)))
    assert view.status == "completed"
    assert max(s[0] for s in sizes[10:199]) <= sizes[10][0] * 1.2
    assert max(s[1] for s in sizes) <= 6 and max(s[2] for s in sizes) <= 6
    assert len([e for e in cases.step_log(ctx, number) if e.event == "completed"]) == 200


def test_a_case_may_not_grow_past_its_state_limit_and_nothing_is_saved(ctx, deployed):
    """Step data that would make the case's saved state more than MAX_STATE_BYTES is refused; the case is as it was."""
    from engine.cases.persistence import MAX_STATE_BYTES

    view = cases.start_case(ctx, deployed.matter_id, deployed.variant)
    with pytest.raises(InputError, match="MB a case may hold; nothing was saved"):
        cases.complete_step(ctx, view.number, "apply", Actor.applicant(),
                            {"delivery": "hospital", "child": "A", "scan": "x" * MAX_STATE_BYTES})
    after = cases.get_case(ctx, view.number)
    assert after.version == view.version and [s.step_id for s in after.ready_steps] == ["apply"]
    done = cases.complete_step(ctx, view.number, "apply", Actor.applicant(),
                               {"delivery": "hospital", "child": "A", "scan": "x" * 100_000})
    assert done.version == view.version + 1
