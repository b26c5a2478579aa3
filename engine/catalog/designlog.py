"""The design log: every draft save and discard and every deploy (from a draft, an upload, a restore or the
command line), with who did it, when, on which matter variant and, for a deploy, which version it made."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.context import EngineContext
from engine.store.tables import ROOT
from engine.store.tables_design import DesignLogEntry

ACTIONS = ("save", "discard", "deploy")
SOURCES = ("draft", "upload", "restore", "files", "adopt")  # where a deployed model came from
MAX_ENTRIES = 500


@dataclass(frozen=True)
class DesignEvent:
    """One line of the design log."""

    at: datetime
    actor: str | None  # the account; None: `onething deploy` or the demo
    action: str  # save | discard | deploy
    matter_id: str
    variant: str
    version: int | None  # deploy: the version made current (or found unchanged)
    status: str | None  # deploy: new | unchanged | restored
    source: str | None  # deploy: draft | upload | restore | files | adopt
    region: str = ROOT  # whose version line


def record(ctx: EngineContext, session: Session, actor: str | None, action: str, matter_id: str, variant: str,
           version: int | None = None, status: str | None = None, source: str | None = None,
           region: str = ROOT) -> None:
    """Write one line in the caller's transaction (so it is logged exactly when what it says happened)."""
    session.add(DesignLogEntry(at=ctx.clock.now(), actor=actor, action=action, matter_id=matter_id, variant=variant,
                               version=version, status=status, source=source, region=region))


def design_log(ctx: EngineContext, matter_id: str | None = None, limit: int = 100) -> list[DesignEvent]:
    """The newest `limit` lines (at most MAX_ENTRIES), newest first; only a matter's with `matter_id`."""
    query = select(DesignLogEntry).order_by(DesignLogEntry.at.desc(), DesignLogEntry.id.desc())
    if matter_id:
        query = query.where(DesignLogEntry.matter_id == matter_id)
    with ctx.read() as session:
        rows = session.scalars(query.limit(max(1, min(limit, MAX_ENTRIES)))).all()
        return [DesignEvent(r.at, r.actor, r.action, r.matter_id, r.variant, r.version, r.status, r.source, r.region)
                for r in rows]
