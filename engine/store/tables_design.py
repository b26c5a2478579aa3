"""The designers' workbench: drafts not yet deployed, and the design log of every save, discard and deploy."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.db import Base
from engine.store.tables import ROOT, UTC_DATETIME


class Draft(Base):
    """The one current draft of a matter variant: a model (and matter.yaml) saved in the modeler, not deployed.

    Nothing reads this table but the drafts service (engine/catalog/drafts.py): cases, the auditor's figures
    and the deployed versions never see a draft until it is deployed (then it becomes a model_versions row
    and the draft is removed)."""

    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("region", "matter_id", "variant", name="uq_drafts_matter_variant"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[str] = mapped_column(String(64))
    variant: Mapped[str] = mapped_column(String(32))
    filename: Mapped[str] = mapped_column(String(255))
    bpmn: Mapped[bytes] = mapped_column(LargeBinary)
    matter_yaml: Mapped[str | None] = mapped_column(Text)  # None: the matter's deployed matter.yaml
    author: Mapped[str] = mapped_column(String(64))  # the account that saved it last
    saved_at: Mapped[datetime] = mapped_column(UTC_DATETIME)
    revision: Mapped[int] = mapped_column(Integer)  # 1, 2, ... per save: deploying removes only what it deployed
    region: Mapped[str] = mapped_column(String(64), default=ROOT, server_default=ROOT)  # the version line it is for


class DesignLogEntry(Base):
    """One thing a designer (or `onething deploy`) did to a matter's models: save, discard or deploy."""

    __tablename__ = "design_log"
    __table_args__ = (Index("ix_design_log_matter", "matter_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTC_DATETIME)
    actor: Mapped[str | None] = mapped_column(String(64))  # None: the command line or the demo
    action: Mapped[str] = mapped_column(String(16))  # save | discard | deploy
    matter_id: Mapped[str] = mapped_column(String(64))
    variant: Mapped[str] = mapped_column(String(32))
    version: Mapped[int | None] = mapped_column(Integer)  # deploy: the version it made or found unchanged
    status: Mapped[str | None] = mapped_column(String(16))  # deploy: new | unchanged | restored
    source: Mapped[str | None] = mapped_column(String(16))  # deploy: draft | upload | restore | files | adopt
    region: Mapped[str] = mapped_column(String(64), default=ROOT, server_default=ROOT)  # whose version line
