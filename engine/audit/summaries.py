"""One summary row per finished case, written in the transaction that ends it; rebuilt from the step log on demand.

Both paths go through `summarize`, so a rebuild gives exactly the rows the engine wrote as cases ended.
Definitions (docs/metrics.md): a case's elapsed time runs from its first step's ready time (or its start)
to its last step's completion (or, for a cancelled case or one in error, to when it ended); working days
elapsed count the working days d of China's calendar with start date < d <= end date (Asia/Shanghai).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from engine.audit.rollups import add_case, rebuild_totals, remove_cases
from engine.catalog import versions as catalog
from engine.context import EngineContext
from engine.model.annotations import parse_step
from engine.model.metrics import static_metrics
from engine.model.reading import next_steps
from engine.runtime.workdays import WorkCalendar, china_date, default_calendar
from engine.store.tables import ROOT, Case, ModelVersion, StepLogEntry
from engine.store.tables_audit import FinishedCase

FINISHED = ("completed", "cancelled", "error")


@dataclass(frozen=True)
class VersionFacts:
    """What summaries need of a model version: trips, departments, step order, the case time limit."""

    trips: frozenset[str]
    departments: dict[str, str | None]
    previous: dict[str, frozenset[str]]  # step -> steps directly before it (through gateways and events)
    time_limit_days: float | None


@dataclass(frozen=True)
class LoggedStep:
    """One completed step as the summary reads it."""

    step_id: str
    department: str | None
    ready_at: datetime
    at: datetime


def version_facts(ctx: EngineContext, session: Session, version_id: int) -> VersionFacts:
    """The facts of a deployed version (computed once per process)."""
    def compute() -> VersionFacts:
        model, matter = catalog.loaded_version(ctx, session, version_id)
        previous: dict[str, set[str]] = {}
        for step_id in model.steps:
            for later in next_steps(model, step_id):
                previous.setdefault(later, set()).add(step_id)
        variant = session.scalar(select(ModelVersion.variant).where(ModelVersion.id == version_id))
        limit = static_metrics(model, matter, variant)["time_limit_days"]
        return VersionFacts(
            trips=frozenset(s for s, info in model.steps.items() if parse_step(info).trip),
            departments={s: info.department for s, info in model.steps.items()},
            previous={s: frozenset(p) for s, p in previous.items()},
            time_limit_days=float(limit) if limit is not None else None)

    return ctx.caches.version_facts.get_or_compute(version_id, compute)


def summarize(case: Case, steps: Sequence[LoggedStep], facts: VersionFacts, ended_at: datetime,
              calendar: WorkCalendar | None = None) -> dict[str, Any]:
    """The summary row of a finished case from its completed steps (in completion order)."""
    calendar = calendar or default_calendar()
    start = min((s.ready_at for s in steps), default=case.started_at)
    end = max((s.at for s in steps), default=ended_at) if case.status == "completed" else ended_at
    end = max(end, start)
    workdays = calendar.workdays_between(china_date(start), china_date(end))
    limit = facts.time_limit_days
    return {
        "case_id": case.id, "matter_id": case.matter_id, "variant": case.variant,
        "model_version_id": case.model_version_id, "source": case.source or "real", "status": case.status,
        "started_at": start, "finished_at": end,
        "elapsed_hours": round((end - start).total_seconds() / 3600, 4), "elapsed_workdays": workdays,
        "steps": len(steps), "trips": sum(1 for s in steps if s.step_id in facts.trips),
        "handoffs": _handoffs(steps, facts),
        "time_limit_days": limit,
        "on_time": None if limit is None or case.status != "completed" else workdays <= limit,
        "path": path_of(s.step_id for s in steps), "region": case.region or ROOT,
    }


def _handoffs(steps: Sequence[LoggedStep], facts: VersionFacts) -> int:
    """Pairs (earlier step, later step) that follow each other in the model and belong to different departments."""
    done_at: dict[str, datetime] = {}
    pairs: set[tuple[str, str]] = set()
    for step in steps:
        for before in facts.previous.get(step.step_id, ()):
            earlier = before in done_at and done_at[before] <= step.at
            if earlier and facts.departments.get(before) != step.department:
                pairs.add((before, step.step_id))
        done_at.setdefault(step.step_id, step.at)
    return len(pairs)


def path_of(step_ids: Iterable[str]) -> str:
    """A case's path variant: its completed steps as a sorted multiset, so parallel orderings count as one."""
    counted = Counter(step_ids)
    return ",".join(f"{s}*{n}" if n > 1 else s for s, n in sorted(counted.items()))


def _completed_steps(session: Session, case_id: int) -> list[LoggedStep]:
    rows = session.execute(select(StepLogEntry.step_id, StepLogEntry.department, StepLogEntry.ready_at,
                                  StepLogEntry.at)
                           .where(StepLogEntry.case_id == case_id, StepLogEntry.event == "completed")
                           .order_by(StepLogEntry.at, StepLogEntry.id)).all()
    return [LoggedStep(*row) for row in rows]


def record_finished(ctx: EngineContext, session: Session, case: Case) -> None:
    """Write (or replace) the summary of a case that has just ended, and count it in the running totals,
    in the caller's transaction."""
    if session.scalar(select(FinishedCase.case_id).where(FinishedCase.case_id == case.id)) is not None:
        remove_cases(session, [case.id])  # replaced (e.g. a case in error retried): its old figures come off
        session.execute(delete(FinishedCase).where(FinishedCase.case_id == case.id))
    if case.status not in FINISHED:
        return
    add_case(session, _summary(ctx, session, case))


def _summary(ctx: EngineContext, session: Session, case: Case) -> dict[str, Any]:
    facts = version_facts(ctx, session, case.model_version_id)
    ended = case.completed_at or case.updated_at
    return summarize(case, _completed_steps(session, case.id), facts, ended)


def _write_summary(ctx: EngineContext, session: Session, case: Case) -> None:
    session.execute(insert(FinishedCase).values(**_summary(ctx, session, case)))


def rebuild_summaries(ctx: EngineContext, batch: int = 500) -> int:
    """Recompute every finished case's summary from the step log, then the running totals
    (`onething audit rebuild`); how many."""
    written = 0
    with ctx.write() as session:
        session.execute(delete(FinishedCase))
        ids = session.scalars(select(Case.id).where(Case.status.in_(FINISHED)).order_by(Case.id)).all()
        for start in range(0, len(ids), batch):
            for case in session.scalars(select(Case).where(Case.id.in_(ids[start:start + batch]))):
                _write_summary(ctx, session, case)
                written += 1
        rebuild_totals(session)
    return written
