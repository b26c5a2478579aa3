"""Measured figures of every region at once: one grouped statement each, over case_summaries and cases.

The region ranking and the province view (engine/regions/ranking.py, province.py) read these instead of asking
engine/audit/measured.py once per region: the figures are the same definitions (docs/metrics.md) with the
region (and the matter) in the window functions' partition, so a hundred regions cost one sort of the
selected rows, not a hundred statements. No workflow is loaded; the same SQL runs on SQLite and PostgreSQL.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Float, case, cast, func, select
from sqlalchemy.orm import Session

from engine.audit.figures import figure, rate
from engine.store.sqlstats import MEDIAN, P90, counted, percentile, ranked
from engine.store.tables import Case
from engine.store.tables_audit import FinishedCase
from engine.store.tables_citizen import CaseRating


@dataclass(frozen=True)
class Finished:
    """What the ranking shows of one region's finished cases of one variant (measured_metrics' definitions)."""

    cases: int
    completed: int
    median_days: float | int | None  # working days, over every finished case
    p90_days: float | int | None
    on_time_rate: float | int | None
    rating: float | int | None  # mean score of the rated cases
    rated: int


@dataclass(frozen=True)
class Completed:
    """One region's completed cases of one variant: what the province's savings are measured with."""

    cases: int
    median_days: float  # working days
    trips_per_case: float


def _selected(source: str, start: datetime | None, end: datetime | None,
              regions: Collection[str] | None) -> list[Any]:
    summary = FinishedCase
    where = [summary.source == source]
    if start is not None:
        where.append(summary.finished_at >= start)
    if end is not None:
        where.append(summary.finished_at < end)
    if regions is not None:
        where.append(summary.region.in_(sorted(regions)))
    return where


def finished_by_region(session: Session, matter_id: str, source: str, start: datetime | None, end: datetime | None,
                       regions: Collection[str] | None) -> dict[tuple[str, str], Finished]:
    """(region, variant) -> its finished cases' figures, for the cases finished in [start, end) (None: open)."""
    summary = FinishedCase
    where = [summary.matter_id == matter_id, *_selected(source, start, end, regions)]
    by = (summary.region, summary.variant)
    days = cast(summary.elapsed_workdays, Float)
    rows = select(*by, summary.status, summary.on_time, *ranked("days", days, by), counted(by, order_by=days)) \
        .where(*where).subquery()
    n = rows.c.n
    figures = session.execute(select(
        rows.c.region, rows.c.variant, func.count(), func.sum(case((rows.c.status == "completed", 1), else_=0)),
        percentile(rows.c.days, rows.c.days_rank, n, MEDIAN), percentile(rows.c.days, rows.c.days_rank, n, P90),
        func.sum(case((rows.c.on_time.is_(True), 1), else_=0)), func.count(rows.c.on_time),
    ).group_by(rows.c.region, rows.c.variant)).all()
    ratings = {(region, variant): (mean, count) for region, variant, mean, count in session.execute(
        select(*by, func.avg(cast(CaseRating.score, Float)), func.count())
        .join(CaseRating, CaseRating.case_id == summary.case_id).where(*where).group_by(*by))}
    found = {}
    for region, variant, cases, completed, median, p90, on_time, judged in figures:
        mean, rated = ratings.get((region, variant), (None, 0))
        found[(region, variant)] = Finished(cases, completed or 0, figure(median), figure(p90),
                                            rate(on_time or 0, judged), figure(mean), rated)
    return found


def completed_by_region(session: Session, source: str,
                        regions: Collection[str] | None) -> dict[tuple[str, str, str], Completed]:
    """(matter, region, variant) -> median working days and mean trips of its completed cases (every finishing
    date: the basis of a saving per case, as engine/audit/volume.py's median_workdays)."""
    summary = FinishedCase
    by = (summary.matter_id, summary.region, summary.variant)
    days = cast(summary.elapsed_workdays, Float)
    rows = select(*by, summary.trips, *ranked("days", days, by), counted(by, order_by=days)).where(
        *_selected(source, None, None, regions), summary.status == "completed").subquery()
    query = select(rows.c.matter_id, rows.c.region, rows.c.variant, func.count(),
                   percentile(rows.c.days, rows.c.days_rank, rows.c.n, MEDIAN), func.avg(cast(rows.c.trips, Float))) \
        .group_by(rows.c.matter_id, rows.c.region, rows.c.variant)
    return {(matter_id, region, variant): Completed(cases, float(median), float(trips))
            for matter_id, region, variant, cases, median, trips in session.execute(query)}


def started_by_region(session: Session, source: str, since: datetime,
                      regions: Collection[str] | None) -> dict[tuple[str, str, str], int]:
    """(matter, region, variant) -> cases of `source` started since `since` (the case volume, as volume.py's)."""
    where = [Case.source == source, Case.started_at >= since]
    if regions is not None:
        where.append(Case.region.in_(sorted(regions)))
    rows = session.execute(select(Case.matter_id, Case.region, Case.variant, func.count()).where(*where)
                           .group_by(Case.matter_id, Case.region, Case.variant))
    return {(matter_id, region, variant): count for matter_id, region, variant, count in rows}
