"""Timer workers in parallel with each other and with clerks: no deadlock, no doubled timer, no worker lost.

Two timers of one case due at once made two workers each lock one timer row and then wait for the
case (a lock cycle on PostgreSQL); a clerk completing a step whose boundary timer fired at that moment
got a deadlock error. Every process here runs the real use cases on the test database.
"""
from __future__ import annotations

import multiprocessing
from datetime import datetime, timedelta
from pathlib import Path

from engine.accounts.users import Actor
from engine.cases import lifecycle as cases, timers
from engine.catalog import versions as catalog
from engine.context import EngineContext
from engine.errors import Conflict
from engine.runtime.clock import SimulatedClock

MODELS = Path(__file__).resolve().parent / "models"
CASES = 200
POLICE = Actor("li.police", "clerk", "police")


def _worker(url: str, now: str, queue) -> None:
    """Fire until nothing is due; report what was fired, or the error that would have ended the worker."""
    ctx = EngineContext.from_url(url, clock=SimulatedClock(datetime.fromisoformat(now)))
    fired = 0
    try:
        while (moved := timers.fire_due_timers(ctx, limit=20)) > 0:
            fired += moved
        queue.put(("worker", fired, None))
    except Exception as error:  # noqa: BLE001 - reported to the test, which fails on it
        queue.put(("worker", fired, f"{type(error).__name__}: {error}"))
    finally:
        ctx.engine.dispose()


def _clerk(url: str, now: str, numbers: list[str], queue) -> None:
    """Complete `review` on every case, in the given order; conflicts are expected, anything else is not."""
    ctx = EngineContext.from_url(url, clock=SimulatedClock(datetime.fromisoformat(now)))
    done, conflicts, errors = 0, 0, []
    for number in numbers:
        try:
            cases.complete_step(ctx, number, "review", POLICE, {})
            done += 1
        except Conflict:
            conflicts += 1
        except Exception as error:  # noqa: BLE001 - reported to the test, which fails on it
            errors.append(f"{number}: {type(error).__name__}: {error}")
    ctx.engine.dispose()
    queue.put(("clerk", (done, conflicts), errors or None))


def _run(processes: list) -> None:
    for process in processes:
        process.start()
    for process in processes:
        process.join(300)
        assert process.exitcode == 0, process.exitcode


def test_workers_and_clerks_racing_on_parallel_and_boundary_timers(ctx, db_url, clock):
    catalog.deploy_path(ctx, MODELS / "timers.bpmn")
    numbers = []
    for _ in range(CASES):
        view = cases.start_case(ctx, "models", "timers")
        cases.complete_step(ctx, view.number, "apply", Actor.applicant(), {})
        numbers.append(view.number)
    assert all(len(cases.get_case(ctx, n).timers) == 2 for n in numbers[:3])  # two timers, due together
    spawn = multiprocessing.get_context("spawn")

    # Three workers fire the parallel timers: every case moves on once, its two timers fired exactly once each.
    clock.advance(timedelta(days=1, hours=1))
    queue = spawn.Queue()
    _run([spawn.Process(target=_worker, args=(db_url, clock.now().isoformat(), queue)) for _ in range(3)])
    reports = [queue.get(timeout=10) for _ in range(3)]
    assert [error for *_, error in reports if error] == []
    assert sum(fired for _, fired, _ in reports) == CASES  # a firing advances a case past every timer due
    for number in numbers:
        view = cases.get_case(ctx, number)
        assert (view.trail.count("wait_a"), view.trail.count("wait_b")) == (1, 1), number
        assert [s.step_id for s in view.ready_steps] == ["review"] and len(view.timers) == 1

    # The boundary timers fall due while two clerks complete `review` on every case, in opposite orders.
    clock.advance(timedelta(days=1, hours=1))
    now = clock.now().isoformat()
    queue = spawn.Queue()
    _run([spawn.Process(target=_worker, args=(db_url, now, queue)) for _ in range(3)]
         + [spawn.Process(target=_clerk, args=(db_url, now, order, queue)) for order in (numbers, numbers[::-1])])
    reports = [queue.get(timeout=10) for _ in range(5)]
    assert [error for *_, error in reports if error] == []
    fired = sum(n for kind, n, _ in reports if kind == "worker")
    reviewed = sum(n[0] for kind, n, _ in reports if kind == "clerk")
    assert fired + reviewed == CASES  # each case went one way, once
    for number in numbers:
        view = cases.get_case(ctx, number)
        completed = [e.step_id for e in cases.step_log(ctx, number) if e.event == "completed"]
        if view.status == "completed":
            assert completed.count("review") == 1 and "escalate" not in view.trail
        else:
            assert completed.count("review") == 0 and [s.step_id for s in view.ready_steps] == ["escalate"]
        assert view.timers == ()
    print(f"timer workers on {db_url.split(':')[0]}: {CASES} cases x 2 parallel timers fired once each by 3 workers "
          f"({2 * CASES} timers, 0 doubled, 0 workers lost); then {fired} boundary timers fired while clerks "
          f"completed {reviewed} reviews, each case one way once")
