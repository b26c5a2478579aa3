"""What auditors compare: before vs after per deployed matter, and totals across matters."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.catalog import designer
from engine.context import EngineContext
from engine.errors import MatterNotFound
from engine.matters.files import Names, Source
from engine.model.metrics import METRIC_KEYS, compare, rounded, static_metrics

# Metrics whose sum over matters means something (a total of steps, trips...); expected_days and
# time_limit_days are per case, so across matters they are reported as means, not sums.
SUMMED = ("steps", "applicant_steps", "trips", "materials", "submissions", "forms", "departments", "handoffs")
AVERAGED = ("expected_days", "time_limit_days")


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
    # TODO(measured metrics): a later issue adds metrics measured from the step log here
    # (cases, completed, elapsed working days, on-time rate...); `measured_hook` is where they plug in.
    measured: dict[str, Any] = field(default_factory=dict)


def measured_hook(ctx: EngineContext, matter_id: str) -> dict[str, Any]:
    """Measured metrics of a matter (none yet: the measured-metrics issue fills this in)."""
    return {}


def matter_comparison(ctx: EngineContext, matter_id: str) -> MatterComparison:
    """Static before vs after of one deployed matter."""
    info = designer.get_matter(ctx, matter_id)
    loaded = designer.current_models(ctx, matter_id)
    metrics: dict[str, dict[str, Any]] = {}
    sources: tuple[Source, ...] = ()
    for variant in ("before", "after"):
        if variant in loaded:
            model, matter = loaded[variant]
            metrics[variant] = _cached_metrics(ctx, model, matter, variant)
            if matter is not None:
                sources = matter.sources
    if not metrics:
        raise MatterNotFound(f"no deployed matter {matter_id!r}")
    before, after = metrics.get("before", {}), metrics.get("after", {})
    return MatterComparison(matter_id, info.names, info.variants.get("before"), info.variants.get("after"),
                            before, after, compare(before, after), sources, measured_hook(ctx, matter_id))


def _cached_metrics(ctx: EngineContext, model: Any, matter: Any, variant: str) -> dict[str, Any]:
    key = (model.content_hash, variant, matter.raw.decode("utf-8") if matter is not None else "")
    return ctx.caches.static_metrics.get_or_compute(key, lambda: static_metrics(model, matter, variant))


def matter_comparisons(ctx: EngineContext) -> list[MatterComparison]:
    """One comparison per deployed matter, by matter id."""
    return [matter_comparison(ctx, info.id) for info in designer.list_matters(ctx)]


def portfolio(ctx: EngineContext) -> dict[str, Any]:
    """Totals over every matter with both variants: {matters, metrics: {key: {before, after, change, change_pct, how}}}."""
    rows = [c for c in matter_comparisons(ctx) if c.before and c.after]
    totals: dict[str, dict[str, Any]] = {}
    for key in METRIC_KEYS:
        pairs = [(c.before.get(key), c.after.get(key)) for c in rows]
        pairs = [(b, a) for b, a in pairs if b is not None and a is not None]
        if not pairs:
            continue
        how = "sum" if key in SUMMED else "mean"
        before, after = sum(b for b, _ in pairs), sum(a for _, a in pairs)
        if how == "mean":
            before, after = before / len(pairs), after / len(pairs)
        one = compare({key: rounded(before)}, {key: rounded(after)})[key]
        totals[key] = {**one, "how": how, "matters": len(pairs)}
    return {"matters": [c.matter_id for c in rows], "metrics": totals}
