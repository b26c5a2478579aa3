"""Which regions' cases an actor reads and works, as a set a query filters on (None: every region).

The rule itself is `engine.accounts.access.in_region` (one case); this is its form for lists (worklists, the case
list, what a clerk has done, exports): a clerk's own region, an auditor's region and everything below it; an
admin (or anyone unbound) may narrow a list to one region and everything below it. `coverage` is its form for
the auditor's figures: whose cases they are over, and which versions the pages show beside them.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from engine.accounts.access import region_bound
from engine.accounts.users import Actor
from engine.matters.files import Names
from engine.regions.tree import check_region, subtree
from engine.store.tables import Case
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
    row = session.get(Region, reader.region)
    names = Names(row.name_zh, row.name_en) if row is not None else Names(reader.region, reader.region)
    return Coverage(reader.region, regions, names)
