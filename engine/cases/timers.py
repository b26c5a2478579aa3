"""The worker's use case: fire the timers that are due, one case per transaction.

On PostgreSQL the due timer row is locked with FOR UPDATE SKIP LOCKED for the whole transaction,
so several workers never fire the same timer twice; the case's version check guards the rest.
"""
from __future__ import annotations

from sqlalchemy import select

from engine.cases.persistence import load_runtime, save_case
from engine.context import EngineContext
from engine.runtime.clock import using_clock
from engine.runtime.workflow import CaseError
from engine.store.tables import Case, Timer


def fire_due_timers(ctx: EngineContext, limit: int = 1000) -> int:
    """Fire what is due by ctx.clock; return how many cases moved on."""
    fired = 0
    while fired < limit:
        if not _fire_one(ctx):
            break
        fired += 1
    return fired


def _fire_one(ctx: EngineContext) -> bool:
    with ctx.write() as session, using_clock(ctx.clock):
        now = ctx.clock.now()
        query = select(Timer).where(Timer.due_at <= now).order_by(Timer.due_at, Timer.id).limit(1)
        if ctx.dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        timer = session.scalar(query)
        if timer is None:
            return False
        case = session.get_one(Case, timer.case_id)
        if case.status != "running":
            session.delete(timer)
            return True
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
        return True
