"""What the auditor's matter page shows: static vs measured, before vs after, forecast vs measured, outliers.

One use case for the page, so the view only translates; every figure here is defined in docs/metrics.md. A reader
below the root sees the versions their region runs and the cases of their region and the regions below it
(engine/regions/scope.py's Coverage, on `comparison.coverage`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from engine.accounts.users import Actor
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
from engine.catalog.designer import current_models
from engine.context import EngineContext
from engine.errors import require_choice
from engine.matters.files import Names
from engine.model.reading import department_names, named_step
from engine.regions.scope import Coverage, coverage
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
    step_names: dict[str, Names] = field(default_factory=dict)  # step id -> names, over both current models
    department_names: dict[str, Names] = field(default_factory=dict)  # department id -> names


def matter_dashboard(ctx: EngineContext, matter_id: str, source: str = "real",
                     reader: Actor | None = None) -> MatterDashboard:
    """The auditor's page of one matter (MatterNotFound for a matter never deployed), as `reader` reads it."""
    require_choice(source, SOURCES, "source")
    with ctx.read() as session:  # the static and measured figures from one snapshot, each computed once
        cover = coverage(session, reader)
        comparison = comparison_in(ctx, session, matter_id, measured=False, cover=cover)
        measured = measured_in(session, matter_id, source=source, regions=cover.regions)
        forecast = measured_in(session, matter_id, source="simulated",
                               regions=cover.regions) if source != "simulated" else None
        steps, departments = _names(ctx, session, matter_id, comparison.version_region or cover.region)
    counts = working_days_distribution(ctx, matter_id, source, cover.regions)
    distribution = {variant: buckets(counts.get(variant, {})) for variant in VARIANTS}
    outliers = {variant: _outliers(ctx, matter_id, variant, source, measured.get(variant, {}), cover)
                for variant in VARIANTS}
    return MatterDashboard(comparison, source, measured, forecast, distribution, outliers, steps, departments)


def _names(ctx: EngineContext, session: Any, matter_id: str,
           region: str) -> tuple[dict[str, Names], dict[str, Names]]:
    """The names of the steps and departments of a matter's current models (as `region` runs it), so that the page
    shows the path variants and the outliers' steps and departments by name in its language, never by id."""
    steps: dict[str, Names] = {}
    departments: dict[str, Names] = {}
    for model, matter in current_models(ctx, session, matter_id, region).values():
        for step_id, info in model.steps.items():
            steps.setdefault(step_id, named_step(model, step_id).names)
            if info.department:
                departments.setdefault(info.department, department_names(model, matter, info.department))
    return steps, departments


def _outliers(ctx: EngineContext, matter_id: str, variant: str, source: str,
              figures: dict[str, Any], cover: Coverage) -> list[Outlier]:
    p90 = (figures.get("working_days") or {}).get("p90")
    if p90 is None:
        return []
    above = CaseFilter(matter_id, variant=variant, source=source, status="completed", min_workdays=math.floor(p90) + 1,
                       regions=cover.regions)
    slow = find_cases(ctx, above, sort="working_days", page_size=OUTLIERS)  # working days > p90
    return [Outlier(row, slowest_step(ctx, row.number)) for row in slow.rows]
