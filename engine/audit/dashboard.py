"""What the auditor's matter page shows: static vs measured, before vs after, forecast vs measured, outliers.

One use case for the page, so the view only translates; every figure here is defined in docs/metrics.md.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from engine.audit.comparison import MatterComparison, comparison_in
from engine.audit.drilldown import (
    CaseFilter,
    FinishedCaseRow,
    buckets,
    find_cases,
    slowest_step,
    working_days_distribution,
)
from engine.audit.measured import measured_in
from engine.context import EngineContext
from engine.errors import require_choice
from engine.vocabulary import SOURCES, VARIANTS

OUTLIERS = 10


@dataclass(frozen=True)
class Outlier:
    """A case slower than p90 of its variant, and the step that held it longest."""

    case: FinishedCaseRow
    slowest: dict[str, Any] | None


@dataclass(frozen=True)
class MatterDashboard:
    """Static and measured figures of one matter for one source, with the forecast beside the measured."""

    comparison: MatterComparison
    source: str
    measured: dict[str, dict[str, Any]]  # variant -> measured_metrics figures of `source`
    forecast: dict[str, dict[str, Any]] | None  # variant -> figures of the simulated cases (None when source is it)
    distribution: dict[str, list[tuple[str, int]]]  # variant -> (working days bucket, completed cases)
    outliers: dict[str, list[Outlier]]  # variant -> slowest cases above p90


def matter_dashboard(ctx: EngineContext, matter_id: str, source: str = "real") -> MatterDashboard:
    """The auditor's page of one matter (MatterNotFound for a matter never deployed)."""
    require_choice(source, SOURCES, "source")
    with ctx.read() as session:  # the static and measured figures from one snapshot, each computed once
        comparison = comparison_in(ctx, session, matter_id, measured=False)
        measured = measured_in(session, matter_id, source=source)
        forecast = measured_in(session, matter_id, source="simulated") if source != "simulated" else None
    counts = working_days_distribution(ctx, matter_id, source)
    distribution = {variant: buckets(counts.get(variant, {})) for variant in VARIANTS}
    outliers = {variant: _outliers(ctx, matter_id, variant, source, measured.get(variant, {})) for variant in VARIANTS}
    return MatterDashboard(comparison, source, measured, forecast, distribution, outliers)


def _outliers(ctx: EngineContext, matter_id: str, variant: str, source: str,
              figures: dict[str, Any]) -> list[Outlier]:
    p90 = (figures.get("working_days") or {}).get("p90")
    if p90 is None:
        return []
    above = CaseFilter(matter_id, variant=variant, source=source, status="completed", min_workdays=math.floor(p90) + 1)
    slow = find_cases(ctx, above, sort="working_days", page_size=OUTLIERS)  # working days > p90
    return [Outlier(row, slowest_step(ctx, row.number)) for row in slow.rows]
