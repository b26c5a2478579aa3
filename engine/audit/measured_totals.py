"""A variant's measured figures over all its finished cases of one source, read from the running totals.

Counts, sums and means come from the `measure_*` tables (a few hundred rows a variant, whatever the
number of cases). A percentile by linear interpolation needs the values at two ranks: the bucket
counts say which bucket holds a rank and how many values lie below it, and one index seek into
case_summaries or finished_steps (values >= the bucket's least value, in order, skipping the ranks
below) reads them. Working days are whole numbers, bucketed one value a bucket, so they need no seek.
The figures are those of the windowed SQL in engine/audit/measured.py, over the same stored values
(tests/engine/test_measured.py holds both to the figures computed in Python).
"""
from __future__ import annotations

from collections import defaultdict
from fractions import Fraction
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import InstrumentedAttribute

from engine.audit.figures import PATHS, department_order, empty, figure, monday, rate, spread, step_order, week_of
from engine.store.sqlstats import MEDIAN, P90
from engine.store.tables_audit import FinishedCase
from engine.store.tables_measures import (
    FinishedStep,
    MeasureBucket,
    MeasureDay,
    MeasurePath,
    MeasureStep,
    StepSeries,
)

Bucket = tuple[int, int, float, float]  # bucket, n, total, low


class Series:
    """The bucket counts of one measure, and where its values are stored in order."""

    def __init__(self, session: Session, column: InstrumentedAttribute[Any] | None, where: list[Any],
                 buckets: list[Bucket]) -> None:
        self.session, self.column, self.where, self.buckets = session, column, where, buckets
        self.n = sum(b[1] for b in buckets)

    def mean(self) -> float | None:
        return sum(b[2] for b in self.buckets) / self.n if self.n else None

    def quantile(self, fraction: Fraction) -> float | None:
        """The `fraction` quantile by linear interpolation: h = (n - 1) * fraction, as sqlstats.percentile."""
        if not self.n:
            return None
        scaled = (self.n - 1) * fraction.numerator
        low = scaled // fraction.denominator
        above = float(scaled - low * fraction.denominator) / float(fraction.denominator)
        first, second = self._values_at(low)
        return first * (1.0 - above) + (second * above if above else 0.0)

    def _values_at(self, rank: int) -> tuple[float, float]:
        """The values at `rank` and `rank + 1` (the second is the first at the last rank)."""
        below = 0
        for index, (_bucket, n, _total, least) in enumerate(self.buckets):
            if rank < below + n:
                if self.column is None:  # one value a bucket
                    after = rank + 1 < below + n or index + 1 == len(self.buckets)
                    return least, least if after else self.buckets[index + 1][3]
                values = self.session.scalars(select(self.column).where(*self.where, self.column >= least)
                                              .order_by(self.column).offset(rank - below).limit(2)).all()
                return values[0], values[-1]
            below += n
        raise ValueError(f"rank {rank} beyond {self.n} values")  # the counts and the rows disagree

    def spread(self) -> dict[str, float | int | None]:
        return spread(self.mean(), self.quantile(MEDIAN), self.quantile(P90))


def totals_figures(session: Session, matter_id: str, variant: str, source: str) -> dict[str, Any]:
    """measured.py's figures of one variant and source, over all its finished cases."""
    key = (matter_id, variant, source)
    days = session.execute(select(MeasureDay.day, MeasureDay.cases, MeasureDay.completed, MeasureDay.steps,
                                  MeasureDay.trips, MeasureDay.handoffs, MeasureDay.on_time, MeasureDay.judged)
                           .where(*_key(MeasureDay, key)).order_by(MeasureDay.day)).all()
    cases = sum(d.cases for d in days)
    if not cases:
        return empty(source)
    series = _series(session, key)
    sums = {name: sum(getattr(d, name) for d in days) for name in ("completed", "steps", "trips", "handoffs",
                                                                       "on_time", "judged")}
    weeks: dict[int, int] = defaultdict(int)
    for d in days:
        weeks[monday(d.day)] += d.cases
    steps, departments = _steps(session, key, series)
    return {"source": source, "cases": cases, "completed": sums["completed"],
            "elapsed_hours": series[("", "hours")].spread(), "working_days": series[("", "workdays")].spread(),
            "steps_per_case": figure(sums["steps"] / cases), "trips_per_case": figure(sums["trips"] / cases),
            "handoffs_per_case": figure(sums["handoffs"] / cases),
            "on_time_rate": rate(sums["on_time"], sums["judged"]),
            "steps": steps, "paths": _paths(session, key), "departments": departments,
            "cases_per_week": [{"week": week_of(day), "cases": n} for day, n in sorted(weeks.items())]}


def _key(table: Any, key: tuple[str, str, str]) -> list[Any]:
    return [table.matter_id == key[0], table.variant == key[1], table.source == key[2]]


def _series(session: Session, key: tuple[str, str, str]) -> dict[tuple[str, str], Series]:
    """Every measure's bucket counts, with the column its values are read from."""
    rows = session.execute(select(MeasureBucket.series, MeasureBucket.measure, MeasureBucket.bucket, MeasureBucket.n,
                                  MeasureBucket.total, MeasureBucket.low)
                           .where(*_key(MeasureBucket, key), MeasureBucket.n > 0)
                           .order_by(MeasureBucket.series, MeasureBucket.measure, MeasureBucket.bucket)).all()
    grouped: dict[tuple[str, str], list[Bucket]] = defaultdict(list)
    for series, measure, bucket, n, total, low in rows:
        grouped[(series, measure)].append((bucket, n, total, low))
    columns = {"hours": FinishedCase.elapsed_hours, "workdays": None, "waiting": FinishedStep.waiting_hours,
               "working": FinishedStep.working_hours}
    numbers = {step_id: number for step_id, number in
               session.execute(select(StepSeries.step_id, StepSeries.id).where(*_key(StepSeries, key)))}
    found = {}
    for (series, measure), buckets in grouped.items():
        where = _key(FinishedCase, key) if series == "" else [FinishedStep.series == numbers.get(series)]
        found[(series, measure)] = Series(session, columns[measure], where, buckets)
    for measure in ("hours", "workdays"):
        found.setdefault(("", measure), Series(session, None, [], []))
    return found


def _steps(session: Session, key: tuple[str, str, str],
           series: dict[tuple[str, str], Series]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rows = session.execute(select(MeasureStep.step_id, MeasureStep.step_name, MeasureStep.department,
                                  MeasureStep.steps, MeasureStep.offset_hours, MeasureStep.working_hours)
                           .where(*_key(MeasureStep, key), MeasureStep.steps > 0)).all()
    per_step: dict[str, list[Any]] = {}  # step -> [name, department, count, offset sum]
    per_department: dict[str | None, list[Any]] = {}  # department -> [count, working hours]
    for step_id, name, department, count, offset, working in rows:
        step = per_step.setdefault(step_id, [name, department, 0, 0.0])
        step[0], step[1] = max(step[0], name), max(step[1], department)
        step[2] += count
        step[3] += offset
        load = per_department.setdefault(department or None, [0, 0.0])
        load[0] += count
        load[1] += working
    steps = [{"step_id": step_id, "step_name": name, "department": department or None, "count": count,
              "waiting_hours": series[(step_id, "waiting")].spread(),
              "working_hours": series[(step_id, "working")].spread()}
             for step_id, (name, department, count, offset) in
             sorted(per_step.items(), key=lambda item: step_order(item[1][3] / item[1][2], item[0]))]
    departments = [{"department": d, "steps": c, "working_hours": figure(h)}
                   for d, (c, h) in sorted(per_department.items(), key=lambda item: department_order(item[0],
                                                                                                   item[1][0]))]
    return steps, departments


def _paths(session: Session, key: tuple[str, str, str]) -> list[dict[str, Any]]:
    rows = session.execute(select(MeasurePath.path, MeasurePath.cases)
                           .where(*_key(MeasurePath, key), MeasurePath.cases > 0)
                           .order_by(MeasurePath.cases.desc(), MeasurePath.path).limit(PATHS)).all()
    return [{"path": path, "cases": cases} for path, cases in rows]
