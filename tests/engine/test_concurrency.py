"""Two clerks at once: exactly one completion wins, the other gets a clear conflict; nothing doubles."""
from __future__ import annotations

import multiprocessing
import threading
from datetime import timedelta

from engine.accounts.users import Actor
from engine.cases import lifecycle as cases, timers
from engine.context import EngineContext
from engine.errors import Conflict
from engine.runtime.clock import SimulatedClock

POLICE = Actor("li.police", "clerk", "police")
HEALTH = Actor("wang.health", "clerk", "health")

HEALTH_CLERK = Actor("wang.health", "clerk", "health")


def _case_at_register(ctx, deployed):
    view = cases.start_case(ctx, deployed.matter_id, deployed.variant)
    return cases.complete_step(ctx, view.number, "apply", Actor.applicant(), {"delivery": "hospital", "child": "A"})


def _completed(ctx, number, step_id):
    return [e for e in cases.step_log(ctx, number) if e.event == "completed" and e.step_id == step_id]


def test_threads_completing_one_step_give_one_success(ctx, deployed):
    view = _case_at_register(ctx, deployed)
    outcomes: list[str] = []
    barrier = threading.Barrier(6)

    def attempt(i: int) -> None:
        barrier.wait()
        try:
            cases.complete_step(ctx, view.number, "register", POLICE, {"attempt": i})
            outcomes.append("ok")
        except Conflict as exc:
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1, outcomes
    assert len(outcomes) == 6 and set(outcomes) - {"ok"} <= {"StaleCase", "StepNotReady"}
    assert len(_completed(ctx, view.number, "register")) == 1
    after = cases.get_case(ctx, view.number)
    assert after.version == view.version + 1 and [s.step_id for s in after.ready_steps] == ["certify"]


def test_threads_on_different_steps_of_one_case_lose_nothing(ctx, deployed):
    """Parallel branches completed at the same moment: each either lands or is told to retry."""
    view = _case_at_register(ctx, deployed)
    results: dict[str, str] = {}
    barrier = threading.Barrier(2)

    def attempt(step: str, actor: Actor) -> None:
        barrier.wait()
        for _ in range(5):  # what a person does on a conflict: reload and try again
            try:
                cases.complete_step(ctx, view.number, step, actor, {})
                results[step] = "ok"
                return
            except Conflict as exc:
                results[step] = type(exc).__name__

    threads = [threading.Thread(target=attempt, args=a) for a in (("register", POLICE), ("certify", HEALTH))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {"register": "ok", "certify": "ok"}
    assert len(_completed(ctx, view.number, "register")) == 1 and len(_completed(ctx, view.number, "certify")) == 1
    assert cases.get_case(ctx, view.number).waiting_messages == ("health_result",)


def _process_attempt(url: str, number: str, queue) -> None:
    ctx = EngineContext.from_url(url)
    try:
        cases.complete_step(ctx, number, "register", POLICE, {})
        queue.put("ok")
    except Conflict as exc:
        queue.put(type(exc).__name__)
    finally:
        ctx.engine.dispose()


def test_processes_completing_one_step_give_one_success(ctx, deployed, db_url):
    view = _case_at_register(ctx, deployed)
    spawn = multiprocessing.get_context("spawn")
    queue = spawn.Queue()
    procs = [spawn.Process(target=_process_attempt, args=(db_url, view.number, queue)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    outcomes = [queue.get(timeout=5) for _ in procs]
    assert outcomes.count("ok") == 1, outcomes
    assert len(_completed(ctx, view.number, "register")) == 1


def _process_worker(url: str, now_iso: str, queue) -> None:
    from datetime import datetime

    ctx = EngineContext.from_url(url, clock=SimulatedClock(datetime.fromisoformat(now_iso)))
    queue.put(timers.fire_due_timers(ctx))
    ctx.engine.dispose()


def test_several_workers_fire_each_timer_once(ctx, deployed, db_url, clock):
    numbers = []
    for _ in range(6):
        view = _case_at_register(ctx, deployed)
        cases.complete_step(ctx, view.number, "certify", HEALTH, {})
        cases.send_message(ctx, view.number, "health_result", {}, actor=HEALTH_CLERK)
        numbers.append(view.number)
    clock.advance(timedelta(days=3))
    spawn = multiprocessing.get_context("spawn")
    queue = spawn.Queue()
    procs = [spawn.Process(target=_process_worker, args=(db_url, clock.now().isoformat(), queue)) for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    fired = [queue.get(timeout=5) for _ in procs]
    assert sum(fired) == 6, fired
    for number in numbers:
        view = cases.get_case(ctx, number)
        assert view.timers == () and view.trail.count("summarize") == 1
