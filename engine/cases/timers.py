"""The worker's use case: fire the timers that are due, one case per transaction.

Lock order, the same as every use case that changes a case: the case row first, then its rows
(timers, worklist, log). A worker takes a case with a due timer with FOR UPDATE SKIP LOCKED
(PostgreSQL), so several workers never fire the same case's timers at once and never hold a timer
row while they wait for its case (the deadlock of two timers of one case due together). A deadlock
or serialization failure that still happens (e.g. against a concurrent use case) is retried.
"""
from __future__ import annotations

import time

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from engine.cases.persistence import load_runtime, save_case
from engine.context import EngineContext
from engine.runtime.clock import using_clock
from engine.runtime.workflow import CaseError
from engine.store.tables import Case, Timer

CANDIDATES = 50  # cases with the earliest due timers a worker chooses among
RETRIES = 5
TRANSIENT = ("40P01", "40001")  # PostgreSQL: deadlock detected, serialization failure


def fire_due_timers(ctx: EngineContext, limit: int = 1000) -> int:
    """Fire what is due by ctx.clock; return how many cases moved on."""
    fired = tries = 0
    while fired < limit and tries < 2 * limit:
        outcome = _retrying(ctx)
        if outcome is None:
            break
        fired += outcome
        tries += 1
    return fired


def transient(error: DBAPIError) -> bool:
    """A failure that trying the same transaction again can cure."""
    return getattr(error.orig, "sqlstate", None) in TRANSIENT


def _retrying(ctx: EngineContext) -> int | None:
    for attempt in range(RETRIES):
        try:
            return _fire_one(ctx)
        except DBAPIError as error:
            if not transient(error) or attempt == RETRIES - 1:
                raise
            time.sleep(0.01 * 2 ** attempt)
    return None  # not reached


def _fire_one(ctx: EngineContext) -> int | None:
    """1: a case moved on; 0: its timers went to another worker meanwhile; None: nothing is due."""
    with ctx.write() as session, using_clock(ctx.clock):
        now = ctx.clock.now()
        due = (select(Timer.case_id).where(Timer.due_at <= now).order_by(Timer.due_at, Timer.id)
               .limit(CANDIDATES).scalar_subquery())
        query = select(Case).where(Case.id.in_(due)).order_by(Case.id).limit(1)
        if ctx.dialect == "postgresql":
            query = query.with_for_update(skip_locked=True, of=Case)
        case = session.scalar(query)
        if case is None:
            return None
        timer = session.scalar(select(Timer).where(Timer.case_id == case.id, Timer.due_at <= now)
                               .order_by(Timer.due_at, Timer.id).limit(1))
        if timer is None:  # fired by another worker between the choice and the lock
            return 0
        if case.status != "running":
            for left in session.scalars(select(Timer).where(Timer.case_id == case.id)):
                session.delete(left)
            return 1
        runtime, _ = load_runtime(ctx, session, case)
        try:
            runtime.advance()
        except CaseError as exc:
            case.status, case.error = "error", str(exc)
        save_case(ctx, session, case, runtime, now)
        # A timer the engine still reports as due (e.g. fired but not consumed) must not loop forever.
        for left in session.scalars(select(Timer).where(Timer.case_id == case.id, Timer.due_at <= now)):
            if left.task_id == timer.task_id:
                session.delete(left)
        return 1
