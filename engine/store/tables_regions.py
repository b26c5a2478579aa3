"""Regions and the province's library of published reforms (issue #13: innovate in one place, share province-wide).

A region is a node of the province's tree (province → city → county or district). Accounts, cases and model
versions belong to one; a region runs its own version of a matter variant when it has one, else its nearest
ancestor's (engine/regions/tree.py). Existing data lives in the root region the migration creates.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.db import Base
from engine.store.tables import UTC_DATETIME
from engine.vocabulary import ROOT_REGION

__all__ = ["ROOT_REGION", "PublishedReform", "Region"]


class Region(Base):
    """One province, city or county (district); `parent_id` is None only for the root."""

    __tablename__ = "regions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("regions.id"), index=True)
    level: Mapped[str] = mapped_column(String(16))  # engine.vocabulary.REGION_LEVELS
    name_zh: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTC_DATETIME)


class PublishedReform(Base):
    """A region's reformed (`after`) version of a matter, published to the province's library for others to adopt.

    The row points at the version as it was published; a region that adopts it gets its own version whose
    `model_versions.adopted_from` is this row's id (engine/regions/library.py)."""

    __tablename__ = "published_reforms"
    __table_args__ = (UniqueConstraint("matter_id", "region", "number", name="uq_published_reforms_number"),
                      Index("ix_published_reforms_matter", "matter_id", "published_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[str] = mapped_column(String(64))
    variant: Mapped[str] = mapped_column(String(32))
    region: Mapped[str] = mapped_column(ForeignKey("regions.id"))  # who published it
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, ... per matter and publishing region
    model_version_id: Mapped[int] = mapped_column(ForeignKey("model_versions.id"))
    published_at: Mapped[datetime] = mapped_column(UTC_DATETIME)
    published_by: Mapped[str | None] = mapped_column(String(64))  # the account; None: the CLI or the demo
    note: Mapped[str | None] = mapped_column(Text)
