"""What the applicants' portal offers, across the regions (issue #13): the matters and the counties that handle them.

Applications are handled by a region nothing is below (a county or district; the root while it is the only region),
on the version that region runs (`engine.catalog.versions.current_version`: its own line, else its nearest
ancestor's). A matter is open for applications when at least one such region runs its `after` variant: a county's
own matter, or a reform a county adopted that its city and the province did not, is offered as well as the
province's. The portal shows a matter by the versions the root runs when the root runs its `after` variant, else by
those of the first region in tree order that handles it (depth first, children by id: as `onething region list`).
"""
from __future__ import annotations

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
    tree = parents(session)
    lines = set(session.scalars(select(ModelVersion.region).distinct().where(
        ModelVersion.matter_id == matter_id, ModelVersion.variant == variant)))
    running: set[str] = set()
    for line in lines & set(tree):
        running |= below(tree, line)
    ends = leaves(tree)
    return [region for region in depth_first(tree, ROOT_REGION) if region in ends and region in running]


def shown_region(session: Session, matter_id: str, handling: list[str]) -> str:
    """The region whose versions the portal shows a matter by: the root when it runs the `after` variant (it has a
    line of it), else the first region that handles it. `handling` is `handling_regions`' answer, not empty."""
    rooted = session.scalar(select(ModelVersion.id).where(
        ModelVersion.matter_id == matter_id, ModelVersion.variant == APPLIED_VARIANT,
        ModelVersion.region == ROOT_REGION).limit(1))
    return ROOT_REGION if rooted is not None else handling[0]


def open_matters(ctx: EngineContext) -> list[MatterInfo]:
    """Every matter at least one county or district (the root alone without a tree) runs the `after` variant of,
    by id, each by the versions `shown_region` names."""
    with ctx.read() as session:
        found = []
        for matter_id in designer.deployed_matter_ids(session):
            handling = handling_regions(session, matter_id)
            if handling:
                region = shown_region(session, matter_id, handling)
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
