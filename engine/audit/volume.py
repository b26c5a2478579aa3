"""Savings weighted by demand: what a reform saves per case, times how many cases a year the matter has.

Definitions (docs/metrics.md, "Savings weighted by case volume"): cases per year are the real cases
started in the 365 days before now; trips saved per case come from the models (static trips before
minus after); working days saved per case are measured (median working days of real completed cases,
before minus after, one statement over the case summaries) when both variants have some, else the
models' expected days (the basis says which).
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Float, cast, func, select
from sqlalchemy.orm import Session

from engine.audit.comparison import MatterComparison
from engine.matters.files import Names
from engine.model.metrics import rounded
from engine.store.sqlstats import MEDIAN, counted, percentile, ranked
from engine.store.tables import Case
from engine.store.tables_audit import FinishedCase


@dataclass(frozen=True)
class WeightedSaving:
    """One matter's savings per case and per year."""

    matter_id: str
    names: Names
    cases_per_year: int
    trips_saved_per_case: float | None
    days_saved_per_case: float | None
    days_basis: str  # measured | model | none
    trips_saved_per_year: float | None
    days_saved_per_year: float | None


def weighted_savings(session: Session, now: Any, comparisons: list[MatterComparison],
                     regions: Collection[str] | None = None) -> list[WeightedSaving]:
    """Savings of every matter with both variants, the most demanded first; the cases (volume and measured
    medians) of `regions` only when given (an auditor's region and those below it)."""
    since = now - timedelta(days=365)
    where = [Case.source == "real", Case.started_at >= since]
    if regions is not None:
        where.append(Case.region.in_(sorted(regions)))
    rows = session.execute(select(Case.matter_id, func.count()).where(*where).group_by(Case.matter_id)).all()
    volume: dict[str, int] = {matter_id: count for matter_id, count in rows}
    found = []
    medians = median_workdays(session, regions)
    for c in comparisons:
        if not (c.before and c.after):
            continue
        trips = _less(c.before.get("trips"), c.after.get("trips"))
        days, basis = _days_saved(c, medians.get(c.matter_id, {}))
        cases = int(volume.get(c.matter_id, 0))
        found.append(WeightedSaving(c.matter_id, c.names, cases, trips, days, basis,
                                    None if trips is None else rounded(trips * cases),
                                    None if days is None else rounded(days * cases)))
    return sorted(found, key=lambda s: (-s.cases_per_year, s.matter_id))


def _less(before: Any, after: Any) -> float | None:
    return None if before is None or after is None else rounded(float(before) - float(after))


def median_workdays(session: Session, regions: Collection[str] | None = None) -> dict[str, dict[str, float]]:
    """Median working days of real completed cases (of `regions` when given) per matter and variant, in one
    statement."""
    partition = (FinishedCase.matter_id, FinishedCase.variant)
    days = cast(FinishedCase.elapsed_workdays, Float)
    where = [FinishedCase.source == "real", FinishedCase.status == "completed"]
    if regions is not None:
        where.append(FinishedCase.region.in_(sorted(regions)))
    rows = select(*partition, *ranked("days", days, partition), counted(partition, order_by=days)).where(
        *where).subquery()
    query = select(rows.c.matter_id, rows.c.variant, percentile(rows.c.days, rows.c.days_rank, rows.c.n, MEDIAN)) \
        .group_by(rows.c.matter_id, rows.c.variant)
    found: dict[str, dict[str, float]] = {}
    for matter_id, variant, median in session.execute(query):
        found.setdefault(matter_id, {})[variant] = float(median)
    return found


def _days_saved(c: MatterComparison, medians: dict[str, float]) -> tuple[float | None, str]:
    measured = [medians.get(v) for v in ("before", "after")]
    if all(m is not None for m in measured):
        return _less(*measured), "measured"
    saved = _less(c.before.get("expected_days"), c.after.get("expected_days"))
    return saved, "model" if saved is not None else "none"
