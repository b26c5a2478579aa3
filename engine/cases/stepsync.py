"""What a save writes besides the case row: the worklist rows (open steps) made to match the workflow's READY
steps, a step-log row for every step that left it, what scripts printed, and the timers.

On every clerk action, so it is written in SQLAlchemy Core with statements built once: no unit of work, one
executemany per table (issue #10). The case row itself stays with the ORM, whose version check is the guard
against two changes at once.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, insert, select
from sqlalchemy.orm import Session

from engine.cases.deadlines import step_due, step_time_limit
from engine.runtime.workflow import CaseRuntime
from engine.store.tables import Case, OpenStep, StepLogEntry, Timer

SCRIPT_OUTPUT = "script_output"  # step-log event: what a script task printed (data {"output": text})

_OPEN, _LOG, _TIMERS = (cast(Table, model.__table__) for model in (OpenStep, StepLogEntry, Timer))
_LOG_ROW = insert(_LOG)
_OPEN_ROW = insert(_OPEN)
_TIMER_ROW = insert(_TIMERS)
_GONE = delete(_OPEN).where(_OPEN.c.task_id == bindparam("gone"))
_NO_TIMERS = delete(_TIMERS).where(_TIMERS.c.case_id == bindparam("case"))
_OPEN_OF = select(OpenStep).where(OpenStep.case_id == bindparam("case"))


def open_steps_of(session: Session, case_id: int) -> list[OpenStep]:
    """The case's open-step rows (read once per transaction: `sync_steps` reuses what a use case read)."""
    rows = session.info.pop(("open_steps", case_id), None)
    return list(rows) if rows is not None else list(session.scalars(_OPEN_OF, {"case": case_id}))


def remember_open_steps(session: Session, case_id: int, rows: list[OpenStep]) -> None:
    """Hand the open-step rows a use case read to the save later in its transaction."""
    session.info[("open_steps", case_id)] = rows


def sync_steps(session: Session, case: Case, runtime: CaseRuntime, now: datetime,
               completed: dict[str, tuple[str, dict]] | None = None, cancelled_by: str | None = None,
               timers: list[tuple[str, datetime]] | None = None) -> list[OpenStep]:
    """Make open_steps match the READY steps, log the steps that left, store the timers; return the open steps,
    oldest first. `timers` None means the case had and has none, so the timers table is left alone."""
    completed = completed or {}
    ready = {s.task_id: s for s in runtime.ready_steps()} if case.status == "running" else {}
    rows = {r.task_id: r for r in open_steps_of(session, case.id)}
    left = [row for task_id, row in rows.items() if task_id not in ready]
    if left:
        session.execute(_LOG_ROW, [_left_row(case.id, row, completed, cancelled_by, now) for row in left])
        session.execute(_GONE, [{"gone": row.task_id} for row in left])
    kept = [row for task_id, row in rows.items() if task_id in ready]
    new = [OpenStep(task_id=task_id, case_id=case.id, step_id=step.step_id, step_name=step.name,
                    department=step.department, ready_at=now, claimed_by=None, claimed_at=None,
                    due_at=step_due(step_time_limit(runtime.model, step.step_id), now))
           for task_id, step in ready.items() if task_id not in rows]
    if new:
        session.execute(_OPEN_ROW, [_columns(row) for row in new])
    if timers is not None:
        session.execute(_NO_TIMERS, {"case": case.id})
        if timers:
            session.execute(_TIMER_ROW, [{"case_id": case.id, "task_id": t, "due_at": due} for t, due in timers])
    return sorted(kept + new, key=lambda r: (r.ready_at, r.task_id))


def _left_row(case_id: int, row: OpenStep, completed: dict[str, tuple[str, dict]], cancelled_by: str | None,
              now: datetime) -> dict[str, Any]:
    actor, data = completed.get(row.task_id, (cancelled_by, None))
    return {"case_id": case_id, "task_id": row.task_id, "step_id": row.step_id, "step_name": row.step_name,
            "department": row.department, "event": "completed" if row.task_id in completed else "cancelled",
            "actor": actor, "ready_at": row.ready_at, "claimed_at": row.claimed_at, "at": now, "data": data}


def _columns(row: OpenStep) -> dict[str, Any]:
    return {column.key: getattr(row, column.key) for column in _OPEN.columns}


def log_printed(session: Session, case: Case, runtime: CaseRuntime, now: datetime) -> None:
    """What scripts printed, one step-log row each (event `script_output`, data {"output": text})."""
    if runtime.printed:
        session.execute(_LOG_ROW, [{"case_id": case.id, **printed_row(output, now)} for output in runtime.printed])
    runtime.printed = []


def printed_row(output: Any, now: datetime) -> dict[str, Any]:
    """The step-log row (without its case) of one script's printed output."""
    return {"task_id": output.task_id, "step_id": output.step_id, "step_name": output.step_name[:255],
            "department": None, "event": SCRIPT_OUTPUT, "actor": None, "ready_at": now, "claimed_at": None, "at": now,
            "data": {"output": output.text}}
