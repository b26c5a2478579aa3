"""What auditors compare: before vs after per deployed matter, and totals across matters."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from engine.audit.measured import measured_in
from engine.catalog import designer, versions as catalog
from engine.catalog.designer import MatterInfo, ModelFile
from engine.context import EngineContext
from engine.errors import MatterNotFound
from engine.matters.files import Names, Source
from engine.model.metrics import METRIC_KEYS, compare, rounded, static_metrics
from engine.text import Text
from engine.vocabulary import VARIANTS

# Metrics whose sum over matters means something (a total of steps, trips...); expected_days and
# time_limit_days are per case, so across matters they are reported as means, not sums.
SUMMED = ("steps", "applicant_steps", "trips", "materials", "submissions", "forms", "departments", "handoffs")


@dataclass(frozen=True)
class MatterComparison:
    """Before vs after of one matter: static metrics of each variant, their comparison, published sources."""

    matter_id: str
    names: Names
    before_version: int | None
    after_version: int | None
    before: dict[str, Any]
    after: dict[str, Any]
    comparison: dict[str, dict[str, Any]]
    sources: tuple[Source, ...]
    measured: dict[str, Any] = field(default_factory=dict)
    files: dict[str, ModelFile] = field(default_factory=dict)  # variant -> current BPMN file, for drawings


@dataclass(frozen=True)
class MatterDetail:
    """A deployed matter and its comparison, as the public matter page and API show them."""

    matter: MatterInfo
    comparison: MatterComparison


@dataclass(frozen=True)
class AuditOverview:
    """Every deployed matter's comparison and the totals over the matters that have both variants."""

    comparisons: list[MatterComparison]
    portfolio: dict[str, Any]
    savings: list[Any] = field(default_factory=list)  # engine.audit.volume.WeightedSaving, most demanded first


def measured_hook(ctx: EngineContext, session: Session, matter_id: str) -> dict[str, Any]:
    """Measured metrics of a matter's real cases, {"before": {...}, "after": {...}} (engine/audit/measured.py)."""
    return measured_in(session, matter_id, source="real")


def matter_comparison(ctx: EngineContext, matter_id: str) -> MatterComparison:
    """Static before vs after of one deployed matter."""
    with ctx.read() as session:
        return comparison_in(ctx, session, matter_id)


def matter_detail(ctx: EngineContext, matter_id: str) -> MatterDetail:
    """A deployed matter with its static before vs after comparison (one transaction)."""
    with ctx.read() as session:
        return MatterDetail(designer.matter_info(ctx, session, matter_id), comparison_in(ctx, session, matter_id))


def comparison_in(ctx: EngineContext, session: Session, matter_id: str, measured: bool = True) -> MatterComparison:
    """Static before vs after of one deployed matter in the caller's transaction (`measured`: real cases too)."""
    version_ids = designer.current_version_ids(session, matter_id)
    metrics: dict[str, dict[str, Any]] = {}
    files: dict[str, ModelFile] = {}
    names, sources = Names(matter_id, matter_id), ()
    for variant in VARIANTS:
        if variant in version_ids:
            model, matter = catalog.loaded_version(ctx, session, version_ids[variant])
            metrics[variant] = cached_static_metrics(ctx, model, matter, variant)
            files[variant] = ModelFile(model.data, model.filename)
            if matter is not None:
                names, sources = matter.names, matter.sources
    if not metrics:
        raise MatterNotFound(Text("no deployed matter '%(matter)s'", matter=matter_id))
    numbers = {v: catalog.version_number(ctx, session, vid) for v, vid in version_ids.items()}
    before, after = metrics.get("before", {}), metrics.get("after", {})
    return MatterComparison(matter_id, names, numbers.get("before"), numbers.get("after"),
                            before, after, compare(before, after), sources,
                            measured_hook(ctx, session, matter_id) if measured else {}, files)


def cached_static_metrics(ctx: EngineContext, model: Any, matter: Any, variant: str) -> dict[str, Any]:
    """A deployed version's static metrics, computed once per model, matter and variant (ctx.caches)."""
    key = (model.calls_key, variant, matter.raw.decode("utf-8") if matter is not None else "")
    return ctx.caches.static_metrics.get_or_compute(key, lambda: static_metrics(model, matter, variant))


def matter_comparisons(ctx: EngineContext, measured: bool = True) -> list[MatterComparison]:
    """One comparison per deployed matter, by matter id (one transaction)."""
    with ctx.read() as session:
        return [comparison_in(ctx, session, matter_id, measured)
                for matter_id in designer.deployed_matter_ids(session)]


def portfolio(ctx: EngineContext) -> dict[str, Any]:
    """Totals over matters with both variants: {matters, metrics: {key: {before, after, change, change_pct, how,
    matters (how many have the figure in both variants), over (their ids)}}}."""
    return _portfolio(matter_comparisons(ctx, measured=False))  # static totals: no measured queries


def audit_overview(ctx: EngineContext) -> AuditOverview:
    """What the auditor's first page shows: every matter's comparison and the portfolio over them."""
    from engine.audit.volume import weighted_savings

    with ctx.read() as session:
        comparisons = [comparison_in(ctx, session, matter_id, measured=False)  # the first page shows no details
                       for matter_id in designer.deployed_matter_ids(session)]
        savings = weighted_savings(session, ctx.clock.now(), comparisons)
    return AuditOverview(comparisons, _portfolio(comparisons), savings)


def _portfolio(comparisons: list[MatterComparison]) -> dict[str, Any]:
    rows = [c for c in comparisons if c.before and c.after]
    totals: dict[str, dict[str, Any]] = {}
    for key in METRIC_KEYS:
        values = [(c.matter_id, c.before.get(key), c.after.get(key)) for c in rows]
        over = [m for m, b, a in values if b is not None and a is not None]  # matters with the figure in both
        pairs: list[tuple[float, float]] = [(b, a) for _, b, a in values if b is not None and a is not None]
        if not pairs:
            continue
        how = "sum" if key in SUMMED else "mean"
        before: float = sum(b for b, _ in pairs)
        after: float = sum(a for _, a in pairs)
        if how == "mean":
            before, after = before / len(pairs), after / len(pairs)
        one = compare({key: rounded(before)}, {key: rounded(after)})[key]
        totals[key] = {**one, "how": how, "matters": len(pairs), "over": over}
    return {"matters": [c.matter_id for c in rows], "metrics": totals}
