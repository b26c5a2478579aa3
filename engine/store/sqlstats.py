"""Portable SQL for measured figures: hours between timestamps, China dates, percentiles by linear interpolation.

The same SQLAlchemy Core expressions run on SQLite and PostgreSQL. The two whose SQL differs
(`hours_between`, `china_day`) compile per dialect here; percentiles are window functions that
both databases have (row_number and count over a partition), so no aggregate of one database only
(PostgreSQL's percentile_cont) is needed. docs/metrics.md states the definitions.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from sqlalchemy import Float, Integer, case, cast, func, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.elements import ColumnElement, Label
from sqlalchemy.sql.functions import FunctionElement

MEDIAN, P90 = Fraction(1, 2), Fraction(9, 10)
# The whole partition as the frame: row_number ignores it, and a count over the same window as a ranking
# then shares that ranking's sort (see `counted`).
WHOLE = (None, None)


class hours_between(FunctionElement):  # noqa: N801 - used like a SQL function
    """Calendar hours from `start` to `end` (two timestamp columns), as a float."""

    type = Float()
    name = "hours_between"
    inherit_cache = True


class china_day(FunctionElement):  # noqa: N801 - used like a SQL function
    """The China (UTC+8) date of a timestamp, as days since 1970-01-01 (an integer)."""

    type = Integer()
    name = "china_day"
    inherit_cache = True


class time_bucket(FunctionElement):  # noqa: N801 - used like a SQL function
    """The bucket of a time in hours: floor(PER_DOUBLING * log2(1 + seconds)), mirrored below zero.

    It grows with the time (equal times share one), so a bucket's least value bounds it from below;
    buckets are about 1.1 % wide above a minute. Computed by the database only, so every row of one
    database is bucketed by the same function (engine/audit/rollups.py).
    """

    type = Integer()
    name = "time_bucket"
    inherit_cache = True


PER_DOUBLING = 64
_SCALE = repr(PER_DOUBLING / math.log(2))


@compiles(time_bucket)
def _bucket(element: time_bucket, compiler: Any, **kw: Any) -> str:
    (hours,) = (compiler.process(arg, **kw) for arg in element.clauses)
    seconds = f"(({hours}) * 3600.0)"
    return (f"(CASE WHEN {seconds} >= 0 THEN CAST(floor(ln(1.0 + {seconds}) * {_SCALE}) AS INTEGER) "
            f"ELSE -1 - CAST(floor(ln(1.0 - {seconds}) * {_SCALE}) AS INTEGER) END)")


@compiles(hours_between, "sqlite")
def _hours_sqlite(element: hours_between, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 24.0)"


@compiles(hours_between, "postgresql")
def _hours_postgresql(element: hours_between, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(CAST(EXTRACT(EPOCH FROM ({end} - {start})) AS DOUBLE PRECISION) / 3600.0)"


@compiles(china_day, "sqlite")
def _day_sqlite(element: china_day, compiler: Any, **kw: Any) -> str:
    (moment,) = (compiler.process(arg, **kw) for arg in element.clauses)
    # date() yields midnight, whose julian day is exactly N.5: the difference is an exact whole number.
    return f"CAST(julianday(date({moment}, '+8 hours')) - 2440587.5 AS INTEGER)"


@compiles(china_day, "postgresql")
def _day_postgresql(element: china_day, compiler: Any, **kw: Any) -> str:
    (moment,) = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(CAST(({moment} AT TIME ZONE 'UTC') + INTERVAL '8 hours' AS DATE) - DATE '1970-01-01')"


def monday_of(day: ColumnElement[int]) -> ColumnElement[int]:
    """The Monday on or before a day given as days since 1970-01-01 (a Thursday)."""
    return day - (day + literal_column("3", Integer)) % literal_column("7", Integer)


Partition = Sequence[ColumnElement[Any] | QueryableAttribute[Any]]


def ranked(name: str, value: ColumnElement[Any], partition: Partition = ()) -> list[Label[Any]]:
    """Columns `name` and `name_rank` (0-based position of the value in ascending order within the partition)."""
    order = func.row_number().over(partition_by=list(partition) or None, order_by=value, rows=WHOLE)
    return [value.label(name), (order - literal_column("1", Integer)).label(f"{name}_rank")]


def counted(partition: Partition = (), order_by: ColumnElement[Any] | None = None, name: str = "n") -> Label[int]:
    """How many rows share the partition (the `n` that `percentile` interpolates with).

    Give the `order_by` of one of the `ranked` values and select the count right after that ranking: SQLite
    evaluates neighbouring identical windows in one pass, so the count then needs no sort of its own.
    """
    if order_by is None:
        return func.count().over(partition_by=list(partition) or None).label(name)
    return func.count().over(partition_by=list(partition) or None, order_by=order_by, rows=WHOLE).label(name)


def percentile(value: ColumnElement[Any], rank: ColumnElement[int], n: ColumnElement[int],
               fraction: Fraction | float) -> ColumnElement[float]:
    """Aggregate: the `fraction` quantile of `value` by linear interpolation (numpy's default, percentile_cont).

    With h = (n - 1) * fraction, the quantile is v[floor(h)] + (h - floor(h)) * (v[floor(h) + 1] - v[floor(h)]):
    every row is weighted (1 - frac for rank floor(h), frac for the next rank, 0 otherwise) and the
    weighted values are summed. h is computed in integers (fraction = num/den), so both databases
    floor it the same way. NULL when there are no rows.
    """
    share = Fraction(fraction).limit_denominator(1_000_000)
    num, den = (literal_column(str(part), Integer) for part in (share.numerator, share.denominator))
    whole = literal_column(f"{share.denominator}.0", Float)
    scaled = (n - literal_column("1", Integer)) * num
    low = scaled // den  # integer division of non-negative integers: floor on both databases
    above = cast(scaled - low * den, Float) / whole  # h - floor(h)
    weight = case((rank == low, literal_column("1.0", Float) - above),
                  (rank == low + literal_column("1", Integer), above), else_=literal_column("0.0", Float))
    return func.sum(cast(value, Float) * weight)
