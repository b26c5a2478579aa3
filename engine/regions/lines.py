"""Whose version line a designer writes (issue #13 item 2): a region's designers deploy, draft and restore in
their own region's lines only; an admin acts on the root's unless they pick a region. Reading falls back to what
a region inherits (engine/catalog/designer.py `current_version_ids`).
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.accounts.access import TRUSTED
from engine.accounts.users import Actor
from engine.errors import NotAllowed
from engine.regions.tree import chain, check_region
from engine.store.tables import ROOT, ModelVersion
from engine.text import Text


def check_region_designer(actor: Actor | None, region: str, what: str) -> None:
    """NotAllowed unless `actor` is an admin (or the system, or None: the CLI) or a designer of `region` itself."""
    if actor is None or actor.role in TRUSTED:
        return
    if actor.role != "designer" or actor.region != region:
        raise NotAllowed(Text("%(user)s may not %(what)s for region '%(region)s': only its own designers and admins "
                              "may", user=actor.name, what=what, region=region),
                         fields={"region": [Text("not your region")]})


def line_region(actor: Actor | None, region: str | None = None) -> str:
    """The region whose lines `actor` writes: the one picked (if they may), else a designer's own, else the root."""
    if region is None:
        return actor.region if actor is not None and actor.role not in TRUSTED else ROOT
    check_region_designer(actor, region, Text("change models"))
    return region


def newest_matter_row(session: Session, matter_id: str, region: str = ROOT) -> ModelVersion | None:
    """The newest version with a matter.yaml of the matter that `region` reads: its own lines', else its nearest
    ancestor's (what an upload or a draft without a matter.yaml deploys with, what the matter editor opens)."""
    for line in chain(session, region) if region != ROOT else (ROOT,):
        row = session.scalar(select(ModelVersion).where(ModelVersion.matter_id == matter_id,
                                                        ModelVersion.region == line,
                                                        ModelVersion.matter_yaml.is_not(None))
                             .order_by(ModelVersion.deployed_at.desc(), ModelVersion.id.desc()).limit(1))
        if row is not None:
            return row
    return None


def check_line(session: Session, actor: Actor | None, region: str) -> None:
    """InputError for an unknown region, NotAllowed unless `actor` may write `region`'s lines."""
    check_region(session, region)
    line_region(actor, region)
