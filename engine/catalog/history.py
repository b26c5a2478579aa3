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
from engine.store.tables import ModelVersion
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


@dataclass(frozen=True)
class VersionDetail:
    """A deployed version with its file."""

    info: VersionInfo
    file: ModelFile


_COLUMNS = (ModelVersion.id, ModelVersion.matter_id, ModelVersion.variant, ModelVersion.version,
            ModelVersion.content_hash, ModelVersion.filename, ModelVersion.process_id, ModelVersion.deployed_at,
            ModelVersion.deployed_by, ModelVersion.restored_from)


def list_versions(ctx: EngineContext, matter_id: str | None = None) -> list[VersionInfo]:
    """Deployed versions, newest first per matter variant."""
    with ctx.read() as session:
        query = select(*_COLUMNS).order_by(ModelVersion.matter_id, ModelVersion.variant, ModelVersion.version.desc())
        if matter_id is not None:
            query = query.where(ModelVersion.matter_id == matter_id)
        rows = session.execute(query).all()
    if matter_id is not None and not rows:
        raise MatterNotFound(Text("no deployed matter '%(matter)s'", matter=matter_id))
    seen: set[tuple[str, str]] = set()
    found = []
    for row in rows:
        key = (row.matter_id, row.variant)
        found.append(VersionInfo(*row._tuple(), current=key not in seen))
        seen.add(key)
    return found


def get_version(ctx: EngineContext, version_id: int) -> VersionDetail:
    """One deployed version: what it is, whether it is current, and its BPMN file."""
    with ctx.read() as session:
        row = session.get(ModelVersion, version_id) if 0 < version_id <= MAX_ID else None
        if row is None:
            raise NotFound(Text("no model version %(version)s", version=version_id))
        newest = session.scalar(select(func.max(ModelVersion.version)).where(
            ModelVersion.matter_id == row.matter_id, ModelVersion.variant == row.variant))
        info = VersionInfo(row.id, row.matter_id, row.variant, row.version, row.content_hash, row.filename,
                           row.process_id, row.deployed_at, row.deployed_by, row.restored_from,
                           current=row.version == newest)
        return VersionDetail(info, ModelFile(row.bpmn, row.filename.rsplit("/", 1)[-1]))


def restore_version(ctx: EngineContext, version_id: int, actor: Actor) -> catalog.Deployed:
    """Make an older version current again (a rollback, as a new version carrying its content), for whoever
    may deploy the matter variant; the current version itself is `unchanged`."""
    with ctx.write() as session:
        row = session.get(ModelVersion, version_id) if 0 < version_id <= MAX_ID else None
        if row is None:
            raise NotFound(Text("no model version %(version)s", version=version_id))
        model, matter = catalog.loaded_version(ctx, session, row.id)
        if matter is None:
            raise InputError(Text("version %(version)s of %(matter)s %(variant)s has no matter.yaml to check who may "
                                  "deploy it; upload it again with its matter.yaml", version=row.version,
                                  matter=row.matter_id, variant=row.variant))
        check_deployer(ctx, session, actor, row.matter_id, row.variant, matter, model)
        return catalog.store_version(ctx, session, row.matter_id, row.variant, row.bpmn, row.filename, model,
                                     row.matter_yaml, actor.name, decision_tables=row.decision_tables,
                                     source="restore")
