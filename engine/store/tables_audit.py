"""The measured truth: one row per finished case (completed, cancelled, error), written when it ends."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.db import Base
from engine.store.tables import ROOT, UTC_DATETIME


class FinishedCase(Base):
    """What every measured metric reads: a finished case's times, counts and path (docs/metrics.md)."""

    __tablename__ = "case_summaries"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    matter_id: Mapped[str] = mapped_column(String(64))
    variant: Mapped[str] = mapped_column(String(32))
    model_version_id: Mapped[int] = mapped_column(ForeignKey("model_versions.id"))
    source: Mapped[str] = mapped_column(String(16))  # real | simulated | imported
    status: Mapped[str] = mapped_column(String(16))  # completed | cancelled | error
    started_at: Mapped[datetime] = mapped_column(UTC_DATETIME)  # first step ready (or the case's start)
    finished_at: Mapped[datetime] = mapped_column(UTC_DATETIME)  # last step completed (or when it ended)
    elapsed_hours: Mapped[float] = mapped_column(Float)
    elapsed_workdays: Mapped[int] = mapped_column(Integer)  # working days d with start date < d <= end date
    steps: Mapped[int] = mapped_column(Integer)
    trips: Mapped[int] = mapped_column(Integer)
    handoffs: Mapped[int] = mapped_column(Integer)
    time_limit_days: Mapped[float | None] = mapped_column(Float)
    on_time: Mapped[bool | None] = mapped_column(Boolean)
    path: Mapped[str] = mapped_column(Text)  # completed steps as a sorted multiset: "apply,certify*2,register"
    region: Mapped[str] = mapped_column(String(64), default=ROOT, server_default=ROOT)  # the case's region

    __table_args__ = (Index("ix_case_summaries_matter_variant_source", "matter_id", "variant", "source",
                            "finished_at"),
                      # the k-th elapsed time of a variant is an index seek (engine/audit/measured_totals.py)
                      Index("ix_case_summaries_elapsed", "matter_id", "variant", "source", "elapsed_hours"),
                      # the working-days chart and the outliers above p90 (engine/audit/drilldown.py)
                      Index("ix_case_summaries_workdays", "matter_id", "variant", "source", "status",
                            "elapsed_workdays"),
                      Index("ix_case_summaries_region", "region", "matter_id", "variant", "source"))
