"""The province view (issue #13 item 4): per matter, how many regions took the reform up and what it saved.

Per matter, over the regions of the reader's subtree: the leaf regions (those nothing is below) by adoption state,
and how many of them adopted the reform (adopted, adopted_changed, published or own); then, per region, the trips
and working days one case saves (before minus after: measured over the region's completed cases when both variants
have some there, else the static figures of the versions the region runs) times the region's cases on `after`
in the last 365 days, summed. Matters with the most cases a year come first. Definitions: docs/metrics.md,
"Regions".
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from engine.audit.regional import Completed, completed_by_region, started_by_region
from engine.catalog import designer
from engine.context import EngineContext
from engine.errors import require_choice
from engine.matters.files import Names
from engine.model.metrics import rounded
from engine.regions.adoption import ADOPTION_STATES, region_states
from engine.regions.ranking import RegionLine, matter_names, tree_order
from engine.regions.running import Running, running_versions, scoped, static_of
from engine.regions.tree import leaves
from engine.vocabulary import ROOT_REGION, SOURCES

ADOPTED = ("adopted", "adopted_changed", "published", "own")
YEAR = timedelta(days=365)


@dataclass(frozen=True)
class RegionSaving:
    """One region's part of a matter's savings."""

    region: str
    names: Names
    leaf: bool
    adoption: str
    cases_per_year: int  # cases started in the last 365 days, both variants
    after_cases_per_year: int
    trips_saved_per_case: float | None
    days_saved_per_case: float | None
    basis: str  # measured | model | none
    trips_saved_per_year: float | None  # per case times the cases on `after`
    days_saved_per_year: float | None


@dataclass(frozen=True)
class MatterProvince:
    """One matter across the province (or the reader's subtree)."""

    matter_id: str
    names: Names
    leaves: int
    adopted: int  # leaf regions in an ADOPTED state
    states: dict[str, int]  # adoption state -> leaf regions
    cases_per_year: int
    after_cases_per_year: int
    trips_saved_per_year: float | int
    days_saved_per_year: float | int
    trips_saved_per_case: float | None  # the year's saving per case on `after`
    days_saved_per_case: float | None
    regions: list[RegionSaving] = field(default_factory=list)


@dataclass(frozen=True)
class ProvinceView:
    scope: str
    source: str
    matters: list[MatterProvince]


def province_view(ctx: EngineContext, *, scope: str = ROOT_REGION, source: str = "real") -> ProvinceView:
    """Every deployed matter across the regions of `scope`'s subtree, the most demanded first."""
    require_choice(source, SOURCES, "source")
    with ctx.read() as session:
        tree, regions = scoped(session, scope)
        only = None if scope == ROOT_REGION else regions
        matter_ids = designer.deployed_matter_ids(session)
        runs = running_versions(session, matter_ids, tree, regions)
        volume = started_by_region(session, source, ctx.clock.now() - YEAR, only)
        completed = completed_by_region(session, source, only)
        lines = tree_order(session, regions)
        ends = leaves(tree) & regions
        memo: dict[int, dict[str, Any]] = {}
        found = [_matter(ctx, session, matter_id, lines, ends, runs[matter_id], volume, completed, memo)
                 for matter_id in matter_ids]
    return ProvinceView(scope, source, sorted(found, key=lambda m: (-m.cases_per_year, m.matter_id)))


def _matter(ctx: EngineContext, session: Session, matter_id: str, lines: list[RegionLine], ends: set[str],
            runs: dict[str, dict[str, Running]], volume: dict[tuple[str, str, str], int],
            completed: dict[tuple[str, str, str], Completed], memo: dict[int, Any]) -> MatterProvince:
    states = region_states(session, matter_id)
    rows = [_region(ctx, session, memo, line, line.id in ends, states.get(line.id, "before"),
                    runs.get(line.id, {}), [volume.get((matter_id, line.id, v), 0) for v in ("before", "after")],
                    [completed.get((matter_id, line.id, v)) for v in ("before", "after")]) for line in lines]
    counts = {state: sum(1 for r in rows if r.leaf and r.adoption == state) for state in ADOPTION_STATES}
    after = [r for r in rows if r.days_saved_per_case is not None or r.trips_saved_per_case is not None]
    trips = sum(r.trips_saved_per_year or 0 for r in rows)
    days = sum(r.days_saved_per_year or 0 for r in rows)
    weight_trips = sum(r.after_cases_per_year for r in after if r.trips_saved_per_case is not None)
    weight_days = sum(r.after_cases_per_year for r in after if r.days_saved_per_case is not None)
    return MatterProvince(
        matter_id, matter_names(ctx, session, matter_id), len(ends), sum(counts[s] for s in ADOPTED), counts,
        sum(r.cases_per_year for r in rows), sum(r.after_cases_per_year for r in rows), rounded(trips),
        rounded(days), rounded(trips / weight_trips) if weight_trips else None,
        rounded(days / weight_days) if weight_days else None, rows)


def _region(ctx: EngineContext, session: Session, memo: dict[int, Any], line: RegionLine, leaf: bool,
            state: str, runs: dict[str, Running], started: list[int],
            completed: list[Completed | None]) -> RegionSaving:
    before, after = completed
    if before is not None and after is not None:
        trips: float | None = before.trips_per_case - after.trips_per_case
        days: float | None = before.median_days - after.median_days
        basis = "measured"
    else:
        static = static_of(ctx, session, runs, memo)
        trips, days = (_less(static, key) for key in ("trips", "expected_days"))
        basis = "none" if trips is None and days is None else "model"
    a_year = started[1]
    return RegionSaving(line.id, line.names, leaf, state, sum(started), a_year,
                        None if trips is None else rounded(trips), None if days is None else rounded(days), basis,
                        None if trips is None else rounded(trips * a_year),
                        None if days is None else rounded(days * a_year))


def _less(static: dict[str, dict[str, Any]], key: str) -> float | None:
    old, new = static.get("before", {}).get(key), static.get("after", {}).get(key)
    return None if old is None or new is None else float(old) - float(new)
