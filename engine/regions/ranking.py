"""The regions ranked on one matter (issue #13 item 3): what each region runs, how its cases went, how far it took
the reform up, on one table an auditor sorts.

Per region: the static steps, trips and materials of the version it runs (of `after` when it runs one, else of
`before`: that is the row's variant), the measured working days (median, p90), on-time rate and applicants'
rating of its own finished cases of that variant and of one source, the share of its finished cases on `after`,
and its adoption state (engine/regions/adoption.py). An auditor sees the regions of their own subtree only.
Definitions: docs/metrics.md, "Regions".
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit.figures import rate
from engine.audit.measured import window
from engine.audit.regional import Finished, finished_by_region
from engine.catalog import versions as catalog
from engine.context import EngineContext
from engine.errors import MatterNotFound, require_choice
from engine.matters.files import Names
from engine.regions.adoption import ADOPTION_STATES, region_states
from engine.regions.running import running_versions, scoped, static_of
from engine.store.tables import ModelVersion
from engine.store.tables_regions import Region
from engine.text import Text
from engine.vocabulary import ROOT_REGION, SOURCES, VARIANTS

NOTHING = Finished(0, 0, None, None, None, None, 0)
STATIC = ("steps", "trips", "materials")


@dataclass(frozen=True)
class RegionRow:
    """One region's line of the ranking."""

    region: str
    names: Names
    level: str
    parent_id: str | None
    depth: int  # in the tree, the root 0
    adoption: str  # engine.regions.adoption.ADOPTION_STATES
    variant: str | None  # whose static and measured figures the row shows: after when the region runs it
    version: int | None  # the number of that version on its line
    line: str | None  # the region whose version line that is (itself, or the ancestor it inherits from)
    static: dict[str, Any]  # steps, trips, materials of that version
    measured: dict[str, Finished]  # variant -> its finished cases' figures (both variants)
    cases: int  # finished cases of both variants
    after_share: float | int | None  # of those, the share on `after`
    rank: int = 0

    @property
    def shown(self) -> Finished:
        """The measured figures of the row's variant."""
        return self.measured.get(self.variant or "before", NOTHING)


@dataclass(frozen=True)
class RegionRanking:
    """Every region of the reader's subtree on one matter, sorted."""

    matter_id: str
    names: Names
    source: str
    since: date | None
    until: date | None
    sort: str
    descending: bool
    rows: list[RegionRow] = field(default_factory=list)


def _measure(name: str) -> Callable[[RegionRow], Any]:
    return lambda row: getattr(row.shown, name)


def _static(key: str) -> Callable[[RegionRow], Any]:
    return lambda row: row.static.get(key)


# sort key -> (the row's value, whether more is better); rows without the value go last either way
SORTS: dict[str, tuple[Callable[[RegionRow], Any], bool]] = {
    "median_days": (_measure("median_days"), False), "p90_days": (_measure("p90_days"), False),
    "on_time_rate": (_measure("on_time_rate"), True), "rating": (_measure("rating"), True),
    "after_share": (lambda row: row.after_share, True), "cases": (lambda row: row.cases, True),
    "adoption": (lambda row: ADOPTION_STATES.index(row.adoption), True),
    **{key: (_static(key), False) for key in STATIC},
    "region": (lambda row: None, False),  # the tree's order
}


def region_ranking(ctx: EngineContext, matter_id: str, *, scope: str = ROOT_REGION, source: str = "real",
                   since: date | None = None, until: date | None = None, sort: str = "median_days",
                   order: str | None = None) -> RegionRanking:
    """The regions of `scope`'s subtree ranked on `matter_id`: best first by `sort` unless `order` (asc, desc)
    says otherwise. `since`/`until` (China dates, both included) select the cases by their finishing day."""
    require_choice(source, SOURCES, "source")
    require_choice(sort, tuple(SORTS), "sort")
    if order is not None:
        require_choice(order, ("asc", "desc"), "order")
    start, end = window(since, until)
    with ctx.read() as session:
        tree, regions = scoped(session, scope)
        runs = running_versions(session, [matter_id], tree, regions)[matter_id]
        names = matter_names(ctx, session, matter_id)
        states = region_states(session, matter_id)
        figures = finished_by_region(session, matter_id, source, start, end, None if scope == ROOT_REGION else regions)
        memo: dict[int, dict[str, Any]] = {}
        rows = [_row(ctx, session, memo, info, states.get(info.id, "before"), runs.get(info.id, {}), figures)
                for info in tree_order(session, regions)]
    value, more_is_better = SORTS[sort]
    descending = more_is_better if order is None else order == "desc"
    if sort == "region":
        rows = rows[::-1] if descending else rows
    else:
        known = sorted((r for r in rows if value(r) is not None), key=value, reverse=descending)
        rows = known + [r for r in rows if value(r) is None]  # stable: ties and the unknown keep the tree's order
    rows = [_ranked(row, index + 1) for index, row in enumerate(rows)]
    return RegionRanking(matter_id, names, source, since, until, sort, descending, rows)


def matter_names(ctx: EngineContext, session: Session, matter_id: str) -> Names:
    """A deployed matter's names, from its newest version in any region (MatterNotFound for one never deployed)."""
    newest = session.scalar(select(ModelVersion.id).where(ModelVersion.matter_id == matter_id)
                            .order_by(ModelVersion.deployed_at.desc(), ModelVersion.id.desc()).limit(1))
    if newest is None:
        raise MatterNotFound(Text("no deployed matter '%(matter)s'", matter=matter_id))
    _model, matter = catalog.loaded_version(ctx, session, newest)
    return matter.names if matter is not None else Names(matter_id, matter_id)


@dataclass(frozen=True)
class RegionLine:
    """A region as a table lists it."""

    id: str
    names: Names
    level: str
    parent_id: str | None
    depth: int


def tree_order(session: Session, regions: set[str]) -> list[RegionLine]:
    """The regions depth first from the top, children by id (as `onething region list`)."""
    rows = {row.id: row for row in session.scalars(select(Region).where(Region.id.in_(sorted(regions))))}
    children: dict[str | None, list[Region]] = {}
    for row in sorted(rows.values(), key=lambda r: r.id):
        children.setdefault(row.parent_id if row.parent_id in rows else None, []).append(row)
    found: list[RegionLine] = []

    def walk(parent: str | None, depth: int) -> None:
        for row in children.get(parent, ()):
            found.append(RegionLine(row.id, Names(row.name_zh, row.name_en), row.level, row.parent_id, depth))
            walk(row.id, depth + 1)

    walk(None, 0)
    return found


def _row(ctx: EngineContext, session: Session, memo: dict[int, Any], info: RegionLine, state: str,
         runs: dict[str, Any], figures: dict[tuple[str, str], Finished]) -> RegionRow:
    variant = "after" if "after" in runs else "before" if "before" in runs else None
    static = static_of(ctx, session, {variant: runs[variant]}, memo).get(variant, {}) if variant else {}
    measured = {v: figures.get((info.id, v), NOTHING) for v in VARIANTS}
    cases = sum(m.cases for m in measured.values())
    share = rate(measured["after"].cases, cases)
    return RegionRow(info.id, info.names, info.level, info.parent_id, info.depth, state, variant,
                     runs[variant].number if variant else None, runs[variant].line if variant else None,
                     {key: static.get(key) for key in STATIC}, measured, cases, share)


def _ranked(row: RegionRow, rank: int) -> RegionRow:
    return replace(row, rank=rank)
