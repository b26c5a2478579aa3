"""Tables of the applicant side: contact checks for lookups, ratings, and failed-lookup records."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.db import Base
from engine.store.tables import UTC_DATETIME


class CaseContact(Base):
    """What a lookup needs to check the applicant, and no more: salted hashes, never the phone itself."""

    __tablename__ = "case_contacts"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    salt: Mapped[str] = mapped_column(String(32))
    phone_hash: Mapped[str] = mapped_column(String(64))  # sha256(salt + phone)
    check_hash: Mapped[str] = mapped_column(String(64))  # sha256(salt + last four digits)
    client: Mapped[str | None] = mapped_column(String(64), index=True)  # where the application came from
    applied_at: Mapped[datetime | None] = mapped_column(UTC_DATETIME, index=True)


class CaseRating(Base):
    """The applicant's rating of a completed case (one per case)."""

    __tablename__ = "case_ratings"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    rated_at: Mapped[datetime] = mapped_column(UTC_DATETIME)


class LookupFailure(Base):
    """One wrong lookup check (or unknown case number); counted per number and per client to throttle."""

    __tablename__ = "lookup_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32))
    client: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTC_DATETIME, index=True)

    __table_args__ = (Index("ix_lookup_failures_number_at", "number", "at"),
                      Index("ix_lookup_failures_client_at", "client", "at"))
