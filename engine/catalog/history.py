"""A matter variant's deployed versions: which there are, who deployed each and when, and rollback.

A rollback deploys an older version's content again, as a new version that says which one it brings back
(`catalog.store_version`: version numbers only grow, so cases and figures keep naming what they ran).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from engine.accounts.users import Actor
from engine.catalog import versions as catalog
from engine.catalog.designer import ModelFile, check_deployer
from engine.context import EngineContext
from engine.errors import InputError, MatterNotFound, NotFound
from engine.regions import tree as regions
from engine.store.tables import ROOT, ModelVersion
from engine.text import Text

MAX_ID = 2**31 - 1  # keys are INTEGER columns (32 bits on PostgreSQL): a larger id cannot name a row


@dataclass(frozen=True)
class VersionInfo:
    """One deployed version of a matter variant."""

    id: int
    matter_id: str
    variant: str
    version: int
    content_hash: str
    filename: str
    process_id: str
    deployed_at: datetime
    deployed_by: str | None  # the account; None: `onething deploy` or the demo
    restored_from: int | None  # a rollback: the older version whose content it brings back
    current: bool
    region: str = ROOT  # whose version line



@dataclass(frozen=True)
class VersionDetail:
    """A deployed version with its file."""

    info: VersionInfo
    file: ModelFile


_COLUMNS = (ModelVersion.id, ModelVersion.matter_id, ModelVersion.variant, ModelVersion.version,
            ModelVersion.content_hash, ModelVersion.filename, ModelVersion.process_id, ModelVersion.deployed_at,
            ModelVersion.deployed_by, ModelVersion.restored_from, ModelVersion.region)


def list_versions(ctx: EngineContext, matter_id: str | None = None, region: str | None = None) -> list[VersionInfo]:
    """Deployed versions, newest first per matter variant (and region: its line). With `region`, the lines that
    region reads: of each matter variant its own, else its nearest ancestor's (engine/regions/tree.py)."""
    with ctx.read() as session:
        query = select(*_COLUMNS).order_by(ModelVersion.matter_id, ModelVersion.variant, ModelVersion.region,
                                           ModelVersion.version.desc())
        if matter_id is not None:
            query = query.where(ModelVersion.matter_id == matter_id)
        lines = regions.chain(session, region) if region is not None else None
        if lines is not None:
            query = query.where(ModelVersion.region.in_(lines))
        rows = session.execute(query).all()
    if matter_id is not None and not rows:
        raise MatterNotFound(Text("no deployed matter '%(matter)s'", matter=matter_id))
    if lines is not None:  # the nearest line of each matter variant
        nearest: dict[tuple[str, str], int] = {}
        for r in rows:
            nearest[(r.matter_id, r.variant)] = min(nearest.get((r.matter_id, r.variant), len(lines)),
                                                    lines.index(r.region))
        rows = [r for r in rows if lines.index(r.region) == nearest[(r.matter_id, r.variant)]]
    seen: set[tuple[str, str, str]] = set()
    found = []
    for row in rows:
        key = (row.region, row.matter_id, row.variant)
        found.append(VersionInfo(row.id, row.matter_id, row.variant, row.version, row.content_hash, row.filename,
                                 row.process_id, row.deployed_at, row.deployed_by, row.restored_from,
                                 current=key not in seen, region=row.region))
        seen.add(key)
    return found


def get_version(ctx: EngineContext, version_id: int) -> VersionDetail:
    """One deployed version: what it is, whether it is current, and its BPMN file."""
    with ctx.read() as session:
        row = session.get(ModelVersion, version_id) if 0 < version_id <= MAX_ID else None
        if row is None:
            raise NotFound(Text("no model version %(version)s", version=version_id))
        newest = session.scalar(select(func.max(ModelVersion.version)).where(
            ModelVersion.matter_id == row.matter_id, ModelVersion.variant == row.variant,
            ModelVersion.region == row.region))
        info = VersionInfo(row.id, row.matter_id, row.variant, row.version, row.content_hash, row.filename,
                           row.process_id, row.deployed_at, row.deployed_by, row.restored_from,
                           current=row.version == newest, region=row.region)
        return VersionDetail(info, ModelFile(row.bpmn, row.filename.rsplit("/", 1)[-1]))


def restore_version(ctx: EngineContext, version_id: int, actor: Actor) -> catalog.Deployed:
    """Make an older version current again (a rollback, as a new version carrying its content, in its own region's
    line), for whoever may deploy the matter variant there; the current version itself is `unchanged`."""
    with ctx.write() as session:
        row = session.get(ModelVersion, version_id) if 0 < version_id <= MAX_ID else None
        if row is None:
            raise NotFound(Text("no model version %(version)s", version=version_id))
        model, matter = catalog.loaded_version(ctx, session, row.id)
        if matter is None:
            raise InputError(Text("version %(version)s of %(matter)s %(variant)s has no matter.yaml to check who may "
                                  "deploy it; upload it again with its matter.yaml", version=row.version,
                                  matter=row.matter_id, variant=row.variant))
        check_deployer(ctx, session, actor, row.matter_id, row.variant, matter, model, row.region)
        return catalog.store_version(ctx, session, row.matter_id, row.variant, row.bpmn, row.filename, model,
                                     row.matter_yaml, actor.name, decision_tables=row.decision_tables,
                                     source="restore", region=row.region)
