"""What the measured comparison reads at scale: finished cases' step times, and running totals over them.

`finished_steps` holds one row per completed step of a finished case (its waiting and working hours,
computed once by SQL from the step log when the case ends), indexed so that the k-th value of one
step's times is an index seek; its step is a number of `step_series`, its name and department one of
`step_labels` (rows never deleted, so the numbers stay). The `measure_*` tables are running totals
per matter, variant and source, added to in the transaction that ends a case (and taken off when a summary is replaced):
cases per finishing day, per path, per step, and per value bucket of each measure (count, sum and
the least value seen). engine/audit/rollups.py keeps them; engine/audit/measured_totals.py reads
them. docs/metrics.md says why the figures stay exact.
"""
from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.db import Base


class StepSeries(Base):
    """One step of one matter variant and source: the values finished_steps orders are those of one series."""

    __tablename__ = "step_series"
    __table_args__ = (UniqueConstraint("matter_id", "variant", "source", "step_id", name="uq_step_series"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[str] = mapped_column(String(64))
    variant: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16))
    step_id: Mapped[str] = mapped_column(String(255))


class StepLabel(Base):
    """A step's name and department as the step log has them ("" for a step of no department)."""

    __tablename__ = "step_labels"
    __table_args__ = (UniqueConstraint("step_name", "department", name="uq_step_labels"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    step_name: Mapped[str] = mapped_column(String(255))
    department: Mapped[str] = mapped_column(String(64))


class FinishedStep(Base):
    """A completed step of a finished case, with its times in hours (docs/metrics.md).

    Its matter, variant, source and step are one number (`series`), its name and department another
    (`label`): a `before` case has some sixteen of these rows, and the strings were two thirds of each
    row and of both value indexes (migration 0018)."""

    __tablename__ = "finished_steps"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True, autoincrement=False)
    log_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # its step_log row
    series: Mapped[int] = mapped_column(ForeignKey("step_series.id"))
    label: Mapped[int] = mapped_column(ForeignKey("step_labels.id"))
    offset_hours: Mapped[float] = mapped_column(Float)  # case start -> step ready
    waiting_hours: Mapped[float] = mapped_column(Float)  # ready -> claimed (or completed, if never claimed)
    working_hours: Mapped[float] = mapped_column(Float)  # claimed -> completed (0 if never claimed)

    __table_args__ = (
        Index("ix_finished_steps_waiting", "series", "waiting_hours"),
        Index("ix_finished_steps_working", "series", "working_hours"),
    )


class VariantKey:
    """The key every running total starts with: one matter, variant and source."""

    matter_id: Mapped[str] = mapped_column(String(64), primary_key=True, sort_order=-3)  # first in the key
    variant: Mapped[str] = mapped_column(String(32), primary_key=True, sort_order=-2)
    source: Mapped[str] = mapped_column(String(16), primary_key=True, sort_order=-1)


class MeasureDay(VariantKey, Base):
    """Finished cases of one China finishing day: counts and sums."""

    __tablename__ = "measure_days"

    day: Mapped[int] = mapped_column(Integer, primary_key=True)  # days since 1970-01-01, China date
    cases: Mapped[int] = mapped_column(Integer)
    completed: Mapped[int] = mapped_column(Integer)
    steps: Mapped[int] = mapped_column(Integer)
    trips: Mapped[int] = mapped_column(Integer)
    handoffs: Mapped[int] = mapped_column(Integer)
    on_time: Mapped[int] = mapped_column(Integer)
    judged: Mapped[int] = mapped_column(Integer)  # cases with an on-time verdict


class MeasurePath(VariantKey, Base):
    """Finished cases per path variant (keyed by the path's SHA-1: a path may be longer than an index key)."""

    __tablename__ = "measure_paths"

    path_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    path: Mapped[str] = mapped_column(Text)
    cases: Mapped[int] = mapped_column(Integer)


class MeasureStep(VariantKey, Base):
    """Completed steps per step (name and department as logged): count and sums of hours."""

    __tablename__ = "measure_steps"

    step_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    step_name: Mapped[str] = mapped_column(String(255), primary_key=True)
    department: Mapped[str] = mapped_column(String(64), primary_key=True)  # "" for a step of no department
    steps: Mapped[int] = mapped_column(Integer)
    offset_hours: Mapped[float] = mapped_column(Float)
    working_hours: Mapped[float] = mapped_column(Float)


class MeasureBucket(VariantKey, Base):
    """Values of one measure that fall in one bucket: how many, their sum, and the least seen.

    `series` is "" for the case's own measures (hours, workdays) and the step id for a step's
    (waiting, working). Buckets grow with the value (engine/audit/rollups.py: `bucket_of`), so the
    values below a bucket's least value are exactly the counts of the buckets before it.
    """

    __tablename__ = "measure_buckets"

    series: Mapped[str] = mapped_column(String(255), primary_key=True)
    measure: Mapped[str] = mapped_column(String(16), primary_key=True)  # hours | workdays | waiting | working
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
    total: Mapped[float] = mapped_column(Float)
    low: Mapped[float] = mapped_column(Float)
