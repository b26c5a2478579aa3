"""What auditors compare: before vs after per deployed matter, and totals across matters.

A reader (`reader=`, an Actor) below the root reads the versions their region runs and the measured figures of the
cases of their region and the regions below it (engine/regions/scope.py's Coverage); without one, or for a root
auditor or an admin, the root's versions and every case, as before. A matter the reader's region does not run but
a region below it does (a county's own or adopted line) is compared as the region below with the most real cases of
it runs it (`version_region`; engine/regions/scope.py), so that no matter of the reader's cases is left out.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from engine.accounts.users import Actor
from engine.audit.measured import measured_in
from engine.catalog import designer, versions as catalog
from engine.catalog.designer import MatterInfo, ModelFile
from engine.context import EngineContext
from engine.errors import MatterNotFound
from engine.matters.files import Names, Source
from engine.model.metrics import METRIC_KEYS, compare, rounded, static_metrics
from engine.regions.scope import EVERYWHERE, Coverage, coverage, region_names, version_region
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
    coverage: Coverage = EVERYWHERE  # whose versions and cases these are
    version_region: str | None = None  # the region below whose versions these are (the coverage's region runs none)
    version_region_names: Names | None = None

    @property
    def region(self) -> str | None:
        """The region whose cases, with those of the regions below it, the measured figures are; None: every one."""
        return self.coverage.region if self.coverage.regions is not None else None


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
    coverage: Coverage = EVERYWHERE  # whose versions and cases these are


def measured_hook(ctx: EngineContext, session: Session, matter_id: str,
                  cover: Coverage = EVERYWHERE) -> dict[str, Any]:
    """Measured metrics of a matter's real cases (of `cover`'s regions), {"before": {...}, "after": {...}}
    (engine/audit/measured.py)."""
    return measured_in(session, matter_id, source="real", regions=cover.regions)


def matter_comparison(ctx: EngineContext, matter_id: str, reader: Actor | None = None) -> MatterComparison:
    """Static before vs after of one deployed matter (as `reader`'s region runs it, with its cases)."""
    with ctx.read() as session:
        return comparison_in(ctx, session, matter_id, cover=coverage(session, reader))


def matter_detail(ctx: EngineContext, matter_id: str, reader: Actor | None = None) -> MatterDetail:
    """A deployed matter with its static before vs after comparison (one transaction): as the root runs it (the
    public page), or, with a `reader`, as that auditor's figures show it (their region's versions, else those of the
    region below that `version_region` names)."""
    with ctx.read() as session:
        if reader is None:
            return MatterDetail(designer.matter_info(ctx, session, matter_id),
                                comparison_in(ctx, session, matter_id, beneath=False))
        comparison = comparison_in(ctx, session, matter_id, measured=False, cover=coverage(session, reader))
        region = comparison.version_region or comparison.coverage.region
        return MatterDetail(designer.matter_info(ctx, session, matter_id, region), comparison)


def comparison_in(ctx: EngineContext, session: Session, matter_id: str, measured: bool = True,
                  cover: Coverage = EVERYWHERE, beneath: bool = True) -> MatterComparison:
    """Static before vs after of one deployed matter in the caller's transaction (`measured`: real cases too), of
    the versions `cover.region` runs and the cases of `cover.regions`; when `cover.region` runs none (and
    `beneath`), of the versions the region of `cover` with the most real cases of the matter runs (MatterNotFound
    when no region of `cover` runs it)."""
    version_ids = designer.current_version_ids(session, matter_id, cover.region)
    shown_by = version_region(session, matter_id, cover) if beneath and not version_ids else None
    if shown_by is not None:
        version_ids = designer.current_version_ids(session, matter_id, shown_by)
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
                            measured_hook(ctx, session, matter_id, cover) if measured else {}, files, cover,
                            shown_by, region_names(session, shown_by) if shown_by is not None else None)


def cached_static_metrics(ctx: EngineContext, model: Any, matter: Any, variant: str) -> dict[str, Any]:
    """A deployed version's static metrics, computed once per model, matter and variant (ctx.caches)."""
    key = (model.calls_key, variant, matter.raw.decode("utf-8") if matter is not None else "")
    return ctx.caches.static_metrics.get_or_compute(key, lambda: static_metrics(model, matter, variant))


def matter_comparisons(ctx: EngineContext, measured: bool = True,
                       reader: Actor | None = None) -> list[MatterComparison]:
    """One comparison per deployed matter `reader`'s region runs, by matter id (one transaction)."""
    with ctx.read() as session:
        return _comparisons(ctx, session, measured, coverage(session, reader))


def _comparisons(ctx: EngineContext, session: Session, measured: bool, cover: Coverage) -> list[MatterComparison]:
    found = []
    for matter_id in designer.deployed_matter_ids(session):
        try:
            found.append(comparison_in(ctx, session, matter_id, measured, cover))
        except MatterNotFound:  # only lines outside the coverage have it: no region of the reader's runs it
            continue
    return found


def portfolio(ctx: EngineContext, reader: Actor | None = None) -> dict[str, Any]:
    """Totals over matters with both variants (as `reader`'s region runs them): {matters, metrics: {key: {before,
    after, change, change_pct, how, matters (how many have the figure in both variants), over (their ids)}},
    version_regions: {matter: the region below whose versions stand for it, for those `reader`'s region runs not}}."""
    return _portfolio(matter_comparisons(ctx, measured=False, reader=reader))  # static totals: no measured queries


def audit_overview(ctx: EngineContext, reader: Actor | None = None) -> AuditOverview:
    """What the auditor's first page shows: every matter's comparison and the portfolio over them, the savings
    weighted by the volume of `reader`'s regions' cases."""
    from engine.audit.volume import weighted_savings

    with ctx.read() as session:
        cover = coverage(session, reader)
        comparisons = _comparisons(ctx, session, False, cover)  # the first page shows no measured details
        savings = weighted_savings(session, ctx.clock.now(), comparisons, cover.regions)
    return AuditOverview(comparisons, _portfolio(comparisons), savings, cover)


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
    return {"matters": [c.matter_id for c in rows], "metrics": totals,
            "version_regions": {c.matter_id: c.version_region for c in rows if c.version_region is not None}}
