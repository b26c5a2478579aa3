"""From a figure to its cases: the finished cases behind a measured metric, filtered, sorted and paginated.

Also the two reads the auditor's charts need beyond the metrics: the distribution of working days per
variant, and the outliers (cases above p90) with the step that held each of them longest.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, func, select
from sqlalchemy.sql.elements import ColumnElement

from engine.accounts.users import Actor
from engine.context import EngineContext
from engine.errors import require_choice
from engine.regions.scope import readable_regions
from engine.store.tables import Case, StepLogEntry
from engine.store.tables_audit import FinishedCase
from engine.vocabulary import SOURCES, VARIANTS

SORTS = {"finished": FinishedCase.finished_at, "started": FinishedCase.started_at,
         "working_days": FinishedCase.elapsed_workdays, "hours": FinishedCase.elapsed_hours,
         "steps": FinishedCase.steps}
STATUSES = ("completed", "cancelled", "error")
PAGE_SIZE = 50


@dataclass(frozen=True)
class CaseFilter:
    """Which finished cases: every field optional except the matter; `overdue` means completed late."""

    matter_id: str
    variant: str | None = None
    source: str = "real"
    status: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    department: str | None = None
    overdue: bool = False
    min_workdays: int | None = None
    regions: frozenset[str] | None = None  # cases handled in one of these regions (None: every region)


@dataclass(frozen=True)
class FinishedCaseRow:
    """One finished case in a drill-down list."""

    number: str
    variant: str
    source: str
    status: str
    started_at: datetime
    finished_at: datetime
    elapsed_hours: float
    working_days: int
    steps: int
    trips: int
    on_time: bool | None


@dataclass(frozen=True)
class CasePage:
    """A page of a drill-down list, with the total so the page can say 'n of N'."""

    rows: list[FinishedCaseRow]
    total: int
    page: int
    pages: int


def _conditions(f: CaseFilter) -> list[ColumnElement[bool]]:
    require_choice(f.source, SOURCES, "source")
    for value, choices, name in ((f.variant, VARIANTS, "variant"), (f.status, STATUSES, "status")):
        if value is not None:
            require_choice(value, choices, name)
    found: list[ColumnElement[bool]] = [FinishedCase.matter_id == f.matter_id, FinishedCase.source == f.source]
    if f.variant:
        found.append(FinishedCase.variant == f.variant)
    if f.status:
        found.append(FinishedCase.status == f.status)
    if f.since:
        found.append(FinishedCase.finished_at >= f.since)
    if f.until:
        found.append(FinishedCase.finished_at < f.until)
    if f.overdue:
        found.append(FinishedCase.on_time.is_(False))
    if f.min_workdays is not None:
        found.append(FinishedCase.elapsed_workdays >= f.min_workdays)
    if f.regions is not None:
        found.append(FinishedCase.region.in_(sorted(f.regions)))
    if f.department:
        found.append(exists().where(and_(StepLogEntry.case_id == FinishedCase.case_id,
                                         StepLogEntry.event == "completed", StepLogEntry.department == f.department)))
    return found


def find_cases(ctx: EngineContext, f: CaseFilter, sort: str = "finished", descending: bool = True,
               page: int = 1, page_size: int = PAGE_SIZE, reader: Actor | None = None) -> CasePage:
    """The finished cases matching `f`, sorted by `sort` (see SORTS) and cut into pages (1-based); of the regions
    `reader` reads when given (an auditor below the root: their region and below)."""
    require_choice(sort, tuple(SORTS), "sort")
    page, page_size = max(1, page), max(1, min(page_size, 500))
    order = SORTS[sort].desc() if descending else SORTS[sort].asc()
    where = _conditions(f)
    with ctx.read() as session:
        regions = readable_regions(session, reader)
        if regions is not None:
            where.append(FinishedCase.region.in_(sorted(regions)))
        total = session.scalar(select(func.count()).select_from(FinishedCase).where(*where)) or 0
        rows = session.execute(
            select(Case.number, FinishedCase.variant, FinishedCase.source, FinishedCase.status,
                   FinishedCase.started_at, FinishedCase.finished_at, FinishedCase.elapsed_hours,
                   FinishedCase.elapsed_workdays, FinishedCase.steps, FinishedCase.trips, FinishedCase.on_time)
            .join(Case, Case.id == FinishedCase.case_id).where(*where)
            .order_by(order, FinishedCase.case_id.desc()).offset((page - 1) * page_size).limit(page_size)).all()
    return CasePage([FinishedCaseRow(*row) for row in rows], total, page, max(1, -(-total // page_size)))


def working_days_distribution(ctx: EngineContext, matter_id: str, source: str = "real",
                              regions: frozenset[str] | None = None) -> dict[str, dict[int, int]]:
    """Completed cases (of `regions` when given) per elapsed working days, per variant: {variant: {working days:
    cases}}."""
    found: dict[str, dict[int, int]] = {}
    with ctx.read() as session:
        for variant in VARIANTS:  # one index range a variant (ix_case_summaries_workdays)
            where = _conditions(CaseFilter(matter_id, variant=variant, source=source, status="completed",
                                           regions=regions))
            rows = session.execute(select(FinishedCase.elapsed_workdays, func.count()).where(*where)
                                   .group_by(FinishedCase.elapsed_workdays)).all()
            found[variant] = {int(days): int(count) for days, count in rows}
    return found


def buckets(counts: dict[int, int], edges: tuple[int, ...] = (0, 1, 3, 5, 10, 20, 40)) -> list[tuple[str, int]]:
    """Counts per working day folded into labelled buckets: 0, 1-2, 3-4, ... and the last open one."""
    labelled = []
    for i, low in enumerate(edges):
        high = edges[i + 1] - 1 if i + 1 < len(edges) else None
        label = str(low) if high == low else f"{low}-{high}" if high is not None else f"{low}+"
        total = sum(n for days, n in counts.items() if days >= low and (high is None or days <= high))
        labelled.append((label, total))
    return labelled


def slowest_step(ctx: EngineContext, number: str) -> dict[str, Any] | None:
    """The completed step of a case that took longest from ready to completion: what held it."""
    with ctx.read() as session:
        row = session.execute(
            select(StepLogEntry.step_id, StepLogEntry.step_name, StepLogEntry.department, StepLogEntry.ready_at,
                   StepLogEntry.at)
            .join(Case, Case.id == StepLogEntry.case_id)
            .where(Case.number == number, StepLogEntry.event == "completed")).all()
    if not row:
        return None
    step_id, name, department, ready, done = max(row, key=lambda r: r.at - r.ready_at)
    return {"step_id": step_id, "step_name": name, "department": department,
            "hours": round((done - ready).total_seconds() / 3600, 2)}
