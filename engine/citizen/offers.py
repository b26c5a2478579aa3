"""What the applicants' portal offers, across the regions (issue #13): the matters and the counties that handle them.

Applications are handled by a region nothing is below (a county or district; the root while it is the only region),
on the version that region runs (`engine.catalog.versions.current_version`: its own line, else its nearest
ancestor's). A matter is open for applications when at least one such region runs its `after` variant: a county's
own matter, or a reform a county adopted that its city and the province did not, is offered as well as the
province's. The portal shows a matter by the versions the root runs when the root runs its `after` variant, else by
those of the first region in tree order that handles it (depth first, children by id: as `onething region list`).
"""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.catalog import designer
from engine.catalog.designer import MatterInfo
from engine.context import EngineContext
from engine.errors import MatterNotFound
from engine.regions.tree import RegionInfo, below, depth_first, leaves, list_regions, parents
from engine.store.tables import ModelVersion
from engine.store.tables_regions import ROOT_REGION
from engine.text import Text

APPLIED_VARIANT = "after"


def handling_regions(session: Session, matter_id: str, variant: str = APPLIED_VARIANT) -> list[str]:
    """The regions nothing is below that run `variant` of the matter (a line of their own or of an ancestor), in
    tree order; empty when none does."""
    lines = set(session.scalars(select(ModelVersion.region).distinct().where(
        ModelVersion.matter_id == matter_id, ModelVersion.variant == variant)))
    return _handling(parents(session), lines)


def _handling(tree: dict[str, str | None], lines: set[str]) -> list[str]:
    """`handling_regions` of a matter whose variant has version lines in the regions `lines`."""
    running: set[str] = set()
    for line in lines & set(tree):
        running |= below(tree, line)
    ends = leaves(tree)
    return [region for region in depth_first(tree, ROOT_REGION) if region in ends and region in running]


def open_matters(ctx: EngineContext) -> list[MatterInfo]:
    """Every matter at least one county or district (the root alone without a tree) runs the `after` variant of,
    by id, each by the versions of the root when it runs the `after` variant (it has a line of it), else of the first
    region that handles it."""
    with ctx.read() as session:
        tree = parents(session)  # the tree and every matter's lines, read once
        lines: defaultdict[str, set[str]] = defaultdict(set)
        for matter_id, region in session.execute(select(ModelVersion.matter_id, ModelVersion.region).distinct()
                                                 .where(ModelVersion.variant == APPLIED_VARIANT)):
            lines[matter_id].add(region)
        found = []
        for matter_id in designer.deployed_matter_ids(session):
            handling = _handling(tree, lines[matter_id])
            if handling:
                region = ROOT_REGION if ROOT_REGION in lines[matter_id] else handling[0]
                found.append(designer.matter_info(ctx, session, matter_id, region))
    return found


def offered_regions(ctx: EngineContext, matter_id: str) -> list[RegionInfo]:
    """The regions that handle applications for the matter (`handling_regions`, the root alone without a tree), in
    tree order; MatterNotFound when none does."""
    with ctx.read() as session:
        handling = set(handling_regions(session, matter_id))
    if not handling:
        raise MatterNotFound(Text("no deployed matter '%(matter)s'", matter=matter_id))
    return [region for region in list_regions(ctx) if region.id in handling]
