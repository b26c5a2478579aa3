"""Which regions' cases an actor reads and works, as a set a query filters on (None: every region).

The rule itself is `engine.accounts.access.in_region` (one case); this is its form for lists (worklists, the case
list, what a clerk has done, exports): a clerk's own region, an auditor's region and everything below it; an
admin (or anyone unbound) may narrow a list to one region and everything below it.
"""
from __future__ import annotations

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from engine.accounts.access import region_bound
from engine.accounts.users import Actor
from engine.regions.tree import check_region, subtree
from engine.store.tables import Case


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
