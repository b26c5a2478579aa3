"""Deployed matters across the regions, for the lists that are not the root's alone (issue #13).

`designer.list_matters(ctx, region)` lists what one region runs; a matter only a county runs (its own line, or a
reform it adopted that its city never took up) is missing from the root's. The case list's matter filter offers
the matters of the regions whose cases the reader may read (engine/regions/scope.py: a clerk's own region, an
auditor's region and everything below it, every region for an admin or a root auditor), each as the auditor's
figures show it (`scope.versions_region`: the reader's region's versions, else those of the region below with the
most real cases of it); the library of reforms names every deployed matter, whoever runs it.
"""
from __future__ import annotations

from engine.accounts.users import Actor
from engine.catalog import designer
from engine.catalog.designer import MatterInfo
from engine.context import EngineContext
from engine.matters.files import Names
from engine.regions.ranking import matter_names
from engine.regions.scope import coverage, versions_region


def readable_matters(ctx: EngineContext, reader: Actor | None) -> list[MatterInfo]:
    """Every deployed matter a region whose cases `reader` may read runs (None: every region), by id."""
    with ctx.read() as session:
        cover = coverage(session, reader)
        found = []
        for matter_id in designer.deployed_matter_ids(session):
            region = versions_region(session, matter_id, cover)
            if region is not None:
                found.append(designer.matter_info(ctx, session, matter_id, region))
    return found


def deployed_matter_names(ctx: EngineContext) -> dict[str, Names]:
    """matter -> its names (from its newest version in any region), for every deployed matter."""
    with ctx.read() as session:
        return {matter_id: matter_names(ctx, session, matter_id)
                for matter_id in designer.deployed_matter_ids(session)}
