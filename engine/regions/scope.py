"""Which regions' cases an actor reads and works, as a set a query filters on (None: every region).

The rule itself is `engine.accounts.access.in_region` (one case); this is its form for lists (worklists, the case
list, what a clerk has done, exports): a clerk's own region, an auditor's region and everything below it; an
admin (or anyone unbound) may narrow a list to one region and everything below it. `coverage` is its form for
the auditor's figures: whose cases they are over, and which versions the pages show beside them; `version_region`
names the region below whose versions stand for a matter the reader's own region does not run.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from engine.accounts.access import region_bound
from engine.accounts.users import Actor
from engine.matters.files import Names
from engine.regions.tree import below, chain, check_region, depth_first, parents, subtree
from engine.store.tables import Case, ModelVersion
from engine.store.tables_regions import ROOT_REGION, Region


@dataclass(frozen=True)
class Coverage:
    """Whose cases a reader's measured figures are over, and as which region the static figures are read."""

    region: str = ROOT_REGION  # the versions shown are those this region runs (its own, else inherited)
    regions: frozenset[str] | None = None  # the cases' regions: the reader's and those below it; None: every region
    names: Names | None = None  # the reader's region's names when `regions` narrows the figures (pages say so)


EVERYWHERE = Coverage()


def readable_regions(session: Session, actor: Actor | None, wanted: str | None = None) -> frozenset[str] | None:
    """The regions whose cases `actor` may see, narrowed to `wanted` and below it when given (InputError for an
    unknown `wanted`); None when nothing narrows it (every region)."""
    scope: frozenset[str] | None = None
    if actor is not None and region_bound(actor):
        scope = frozenset({actor.region}) if actor.role == "clerk" else frozenset(subtree(session, actor.region))
    if wanted:
        chosen = frozenset(subtree(session, check_region(session, wanted)))
        scope = chosen if scope is None else scope & chosen
    return scope


def region_conditions(session: Session, reader: Actor | None, region: str | None) -> list[ColumnElement[bool]]:
    """The cases' regions a list may show, as a WHERE condition on `cases.region`: none for every region."""
    regions = readable_regions(session, reader, region)
    return [] if regions is None else [Case.region.in_(sorted(regions))]


def coverage(session: Session, reader: Actor | None) -> Coverage:
    """What `reader`'s audit figures cover: an auditor below the root their region and everything below it (the
    versions their region runs); anyone else (a root auditor, admins, the CLI's None) every region and the root's
    versions, so that the running totals serve them."""
    regions = readable_regions(session, reader)
    if regions is None or reader is None:
        return EVERYWHERE
    return Coverage(reader.region, regions, region_names(session, reader.region))


def region_names(session: Session, region: str) -> Names:
    """A region's names (its id in both languages for a region not in the tree)."""
    row = session.get(Region, region)
    return Names(row.name_zh, row.name_en) if row is not None else Names(region, region)


def versions_region(session: Session, matter_id: str, cover: Coverage) -> str | None:
    """The region whose versions of a matter `cover`'s figures show: `cover.region` when it runs the matter (a line
    of its own or of an ancestor), else `version_region`'s; None when no region of `cover` runs it."""
    lines = _lines(session, matter_id)
    if lines & set(chain(session, cover.region)):
        return cover.region
    return version_region(session, matter_id, cover, lines)


def _lines(session: Session, matter_id: str) -> set[str]:
    """The regions with a version line of their own of the matter."""
    return set(session.scalars(select(ModelVersion.region).where(ModelVersion.matter_id == matter_id).distinct()))


def version_region(session: Session, matter_id: str, cover: Coverage, lines: set[str] | None = None) -> str | None:
    """The region within `cover` whose versions of a matter stand for it when `cover.region` runs none of them (only
    lines below it have the matter): of the regions that run it, the one with the most real cases of the matter,
    ties to the first in tree order; None when no region of `cover` runs it."""
    tree = parents(session)
    order = [r for r in depth_first(tree, cover.region) if cover.regions is None or r in cover.regions]
    lines = _lines(session, matter_id) if lines is None else lines
    running: set[str] = set()
    for line in lines & set(order):  # a region runs a line of its own or of the nearest ancestor that has one
        running |= below(tree, line)
    candidates = [r for r in order if r in running]
    if not candidates:
        return None
    counts = dict(session.execute(select(Case.region, func.count()).where(
        Case.matter_id == matter_id, Case.source == "real", Case.region.in_(candidates)).group_by(Case.region))
        .tuples().all())
    return max(candidates, key=lambda r: counts.get(r, 0))  # max keeps the first of equals: tree order
