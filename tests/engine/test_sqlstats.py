"""Portable SQL statistics: numpy's linear percentiles, hours and China dates, the same on both databases."""
from __future__ import annotations

import math
import random
import statistics
from datetime import UTC, date, datetime, timedelta, timezone
from fractions import Fraction

import pytest
from sqlalchemy import Column, Float, Integer, MetaData, String, Table, insert, select

from engine.store.sqlstats import china_day, counted, hours_between, monday_of, percentile, ranked
from engine.store.tables import UTC_DATETIME

CHINA = timezone(timedelta(hours=8))
FRACTIONS = (Fraction(0), Fraction(1, 4), Fraction(1, 2), Fraction(37, 100), Fraction(9, 10), Fraction(1))


@pytest.fixture
def values_table(ctx):
    metadata = MetaData()
    table = Table("t_values", metadata, Column("id", Integer, primary_key=True), Column("grp", String(8)),
                  Column("v", Float), Column("start", UTC_DATETIME), Column("end", UTC_DATETIME))
    metadata.create_all(ctx.engine)
    yield table
    metadata.drop_all(ctx.engine)


def _by_hand(values: list[float], fraction: Fraction) -> float:
    """numpy's default ('linear'): h = (n-1)p, interpolate between the values at floor(h) and floor(h)+1."""
    ordered = sorted(values)
    h = (len(ordered) - 1) * fraction
    low = math.floor(h)
    if low + 1 >= len(ordered):
        return ordered[low]
    return ordered[low] + float(h - low) * (ordered[low + 1] - ordered[low])


def _quantiles(values: list[float]) -> dict[Fraction, float]:
    """The median and the deciles as the statistics module computes them ('inclusive' is numpy's linear)."""
    deciles = statistics.quantiles(values, n=10, method="inclusive")
    return {Fraction(1, 2): statistics.median(values), Fraction(9, 10): deciles[8], Fraction(1, 10): deciles[0]}


def test_percentiles_per_group_interpolate_like_numpy(ctx, values_table):
    rng = random.Random(9)
    groups = {"one": [7.5], "two": [3.0, 1.0], "ties": [2.0, 2.0, 2.0, 5.0],
              "many": [round(rng.expovariate(0.1), 3) for _ in range(257)],
              "neg": [-4.0, 0.0, 10.0, -1.5, 3.25]}
    with ctx.engine.begin() as conn:
        conn.execute(insert(values_table), [{"grp": g, "v": v} for g, values in groups.items() for v in values])
    rows = select(values_table.c.grp, *ranked("v", values_table.c.v, [values_table.c.grp]),
                  counted([values_table.c.grp])).subquery()
    columns = [percentile(rows.c.v, rows.c.v_rank, rows.c.n, f) for f in FRACTIONS + (Fraction(1, 10),)]
    with ctx.engine.connect() as conn:
        found = {r[0]: r[1:] for r in conn.execute(select(rows.c.grp, *columns).group_by(rows.c.grp))}
    assert set(found) == set(groups)
    for group, values in groups.items():
        for fraction, value in zip(FRACTIONS, found[group][:len(FRACTIONS)], strict=True):
            assert value == pytest.approx(_by_hand(values, fraction), rel=1e-12, abs=1e-12), (group, fraction)
        if len(values) >= 2:
            stats = _quantiles(values)
            assert found[group][FRACTIONS.index(Fraction(1, 2))] == pytest.approx(stats[Fraction(1, 2)], rel=1e-12)
            assert found[group][FRACTIONS.index(Fraction(9, 10))] == pytest.approx(stats[Fraction(9, 10)], rel=1e-12)
            assert found[group][-1] == pytest.approx(stats[Fraction(1, 10)], rel=1e-12)


def test_a_percentile_of_no_rows_is_null(ctx, values_table):
    rows = select(*ranked("v", values_table.c.v), counted()).subquery()
    with ctx.engine.connect() as conn:
        assert conn.execute(select(percentile(rows.c.v, rows.c.v_rank, rows.c.n, 0.5))).scalar() is None


def test_hours_between_and_china_days(ctx, values_table):
    base = datetime(2026, 12, 6, 15, 59, 59, 500000, tzinfo=UTC)  # 23:59:59.5 in Beijing, a Sunday
    pairs = [(base, base + timedelta(seconds=0.5)),  # midnight in Beijing: the next day
             (base, base + timedelta(hours=26, minutes=30, microseconds=250)),
             (datetime(2026, 1, 1, 0, 0, tzinfo=CHINA), datetime(2026, 1, 1, 0, 0, tzinfo=CHINA)),
             (datetime(2025, 12, 31, 23, 0, tzinfo=UTC), datetime(2026, 3, 1, 12, 0, tzinfo=UTC))]
    with ctx.engine.begin() as conn:
        conn.execute(insert(values_table), [{"id": i, "start": s, "end": e} for i, (s, e) in enumerate(pairs)])
    day = china_day(values_table.c.end)
    with ctx.engine.connect() as conn:
        rows = conn.execute(select(values_table.c.id, hours_between(values_table.c.start, values_table.c.end),
                                   day, monday_of(day)).order_by(values_table.c.id)).all()
    for (_, hours, day_number, monday), (start, end) in zip(rows, pairs, strict=True):
        assert hours == pytest.approx((end - start).total_seconds() / 3600, abs=1e-6)
        china = end.astimezone(CHINA).date()
        assert date(1970, 1, 1) + timedelta(days=day_number) == china
        assert date(1970, 1, 1) + timedelta(days=monday) == china - timedelta(days=china.weekday())
