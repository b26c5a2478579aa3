"""Keeping the measured comparison's running totals: added as a case's summary is written, taken off as it goes.

The finished cases' completed steps are copied from the step log into `finished_steps` by one SQL
statement (hours computed by the database, as the windowed figures read them); the summaries and
those rows are added up, grouped by day, path, step and value bucket, into the `measure_*` tables
(engine/store/tables_measures.py). Batches (imported and simulated cases, `onething audit rebuild`)
and a summary taken off are added up by SQL (`_tally`). A case ending (engine/audit/summaries.py,
`add_case`) has the database return the day, hours and buckets of its rows as it writes them, and adds
up those few rows in Python: the same keys and values, in a handful of statements. Totals are written
in key order, so concurrent cases lock them alike. A rebuild drops finished_steps' indexes while it fills the table.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from functools import cache
from typing import Any, cast as typed

from sqlalchemy import Connection, Float, Table, case, cast, delete, func, insert, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Insert, Select, bindparam

from engine.store.sqlstats import china_day, hours_between, time_bucket
from engine.store.tables import StepLogEntry
from engine.store.tables_audit import FinishedCase
from engine.store.tables_measures import FinishedStep, MeasureBucket, MeasureDay, MeasurePath, MeasureStep
from engine.store.upsert import add_to, drop_empty

CHUNK = 500  # case ids per IN list
STEPS = typed(Table, FinishedStep.__table__)
KEY = ("matter_id", "variant", "source")
STEP_VALUES = ("step_id", "step_name", "department", "offset_hours", "waiting_hours", "working_hours")
DAY_SUMS = ("cases", "completed", "steps", "trips", "handoffs", "on_time", "judged")
TABLES: dict[str, tuple[Table, tuple[str, ...], tuple[str, ...], str]] = {  # table, key, sums, count column
    "days": (MeasureDay.__table__, (*KEY, "day"), DAY_SUMS, "cases"),  # type: ignore[dict-item]
    "paths": (MeasurePath.__table__, (*KEY, "path_key"), ("cases",), "cases"),  # type: ignore[dict-item]
    "steps": (MeasureStep.__table__, (*KEY, "step_id", "step_name", "department"),  # type: ignore[dict-item]
              ("steps", "offset_hours", "working_hours"), "steps"),
    "buckets": (MeasureBucket.__table__, (*KEY, "series", "measure", "bucket"),  # type: ignore[dict-item]
                ("n", "total"), "n"),
}


def path_key(path: str) -> str:
    return hashlib.sha1(path.encode()).hexdigest()  # noqa: S324 - a key, not a secret


class Totals:
    """Additions to the running totals (or, with sign -1, removals), gathered per key, then written once each."""

    def __init__(self, sign: int) -> None:
        self.sign = sign
        self.rows: dict[str, dict[tuple[Any, ...], dict[str, Any]]] = {name: {} for name in TABLES}

    def add(self, table: str, key: tuple[Any, ...], values: dict[str, Any]) -> None:
        _, names, sums, _ = TABLES[table]
        row = self.rows[table].get(key)
        if row is None:
            self.rows[table][key] = {**dict(zip(names, key, strict=True)), **values,
                                     **{name: values[name] * self.sign for name in sums}}
            return
        for name in sums:
            row[name] += values[name] * self.sign
        if "low" in values:
            row["low"] = min(row["low"], values["low"])

    def write(self, session: Session | Connection) -> None:
        for name, (table, key, sums, count) in TABLES.items():
            rows = list(self.rows[name].values())
            add_to(session, table, key, sums, rows, least=("low",) if name == "buckets" else (),
                   keep=("path",) if name == "paths" else ())
            if self.sign < 0:
                drop_empty(session, table, key, count, list(self.rows[name]))


def _chunks(case_ids: list[int] | None) -> Iterator[list[int] | None]:
    if case_ids is None:
        yield None
        return
    for start in range(0, len(case_ids), CHUNK):
        yield case_ids[start:start + CHUNK]


def _steps_query() -> Select[Any]:
    """The completed steps of finished cases as finished_steps holds them, hours computed by the database."""
    log, summary = StepLogEntry, FinishedCase
    waiting = hours_between(log.ready_at, func.coalesce(log.claimed_at, log.at))
    working = case((log.claimed_at.is_(None), 0.0), else_=hours_between(log.claimed_at, log.at))
    return (select(log.case_id, summary.matter_id, summary.variant, summary.source, log.step_id,
                   log.step_name, log.department, hours_between(summary.started_at, log.ready_at), waiting, working)
            .join(summary, summary.case_id == log.case_id).where(log.event == "completed"))


def _copy_steps(session: Session | Connection, case_ids: list[int] | None) -> None:
    """Copy the completed steps of these finished cases (all, if None) from the step log into finished_steps."""
    for chunk in _chunks(case_ids):
        query = _steps_query()
        if chunk is not None:
            query = query.where(StepLogEntry.case_id.in_(chunk))
        session.execute(insert(STEPS).from_select(
            ["case_id", *KEY, *STEP_VALUES], query.order_by(StepLogEntry.case_id, StepLogEntry.id)))


def _tally(session: Session | Connection, totals: Totals, case_ids: list[int] | None) -> None:
    """Add up, in SQL, the summaries and finished steps of these cases (all, if None) into `totals`."""
    summary, step = FinishedCase, FinishedStep
    case_key = (summary.matter_id, summary.variant, summary.source)
    step_key = (step.matter_id, step.variant, step.source)
    day = china_day(summary.finished_at)
    for chunk in _chunks(case_ids):
        cases = [] if chunk is None else [summary.case_id.in_(chunk)]
        steps = [] if chunk is None else [step.case_id.in_(chunk)]
        for row in session.execute(select(
                *case_key, day, func.count(), _count(summary.status == "completed"), func.sum(summary.steps),
                func.sum(summary.trips), func.sum(summary.handoffs), _count(summary.on_time.is_(True)),
                func.count(summary.on_time)).where(*cases).group_by(*case_key, day)):
            totals.add("days", tuple(row[:4]), dict(zip(DAY_SUMS, row[4:], strict=True)))
        for *key, path, n in session.execute(select(*case_key, summary.path, func.count()).where(*cases)
                                             .group_by(*case_key, summary.path)):
            totals.add("paths", (*key, path_key(path)), {"path": path, "cases": n})
        department = func.coalesce(step.department, "")
        for *key, n, offset, working in session.execute(select(
                *step_key, step.step_id, step.step_name, department, func.count(), func.sum(step.offset_hours),
                func.sum(step.working_hours)).where(*steps).group_by(*step_key, step.step_id, step.step_name,
                                                                        department)):
            totals.add("steps", tuple(key), {"steps": n, "offset_hours": offset, "working_hours": working})
        measures = [(case_key, literal(""), "hours", summary.elapsed_hours, time_bucket(summary.elapsed_hours), cases),
                    (case_key, literal(""), "workdays", summary.elapsed_workdays, summary.elapsed_workdays, cases),
                    (step_key, step.step_id, "waiting", step.waiting_hours, time_bucket(step.waiting_hours), steps),
                    (step_key, step.step_id, "working", step.working_hours, time_bucket(step.working_hours), steps)]
        for columns, series, measure, value, bucket, where in measures:
            for *group, n, total, low in session.execute(
                    select(*columns, series, bucket, func.count(), func.sum(cast(value, Float)),
                           func.min(cast(value, Float))).where(*where).group_by(*columns, series, bucket)):
                totals.add("buckets", (*group[:4], measure, group[4]), {"n": n, "total": total, "low": low})


def _count(condition: Any) -> Any:
    return func.sum(case((condition, 1), else_=0))


def add_cases(session: Session | Connection, case_ids: list[int]) -> None:
    """Count these cases, whose summaries were just written, into the totals."""
    _copy_steps(session, case_ids)
    totals = Totals(+1)
    _tally(session, totals, case_ids)
    totals.write(session)


def add_case(session: Session | Connection, summary: dict[str, Any]) -> None:
    """Write the summary row of one case that has just ended and count the case into the totals (a case ending).

    The same figures as `add_cases`, in fewer statements: the database computes the day, hours and buckets
    as it writes the summary and the finished steps (RETURNING the expressions `_tally` groups by), and
    the handful of rows is added up here.
    """
    connection = session if isinstance(session, Connection) else session.connection()
    write_summary, copy_steps = _case_statements()
    day, hours_bucket = connection.execute(write_summary, summary).one()
    steps = connection.execute(copy_steps, {"case_id": summary["case_id"]}).all()
    totals = Totals(+1)
    _tally_case(totals, summary, day, hours_bucket, steps)
    totals.write(connection)


@cache
def _case_statements() -> tuple[Insert, Insert]:
    """Built once: the summary INSERT returning its day and hours bucket, and one case's step copy returning
    each step's values and buckets."""
    summaries = typed(Table, FinishedCase.__table__)
    log = StepLogEntry
    write_summary = insert(summaries).returning(china_day(summaries.c.finished_at),
                                                time_bucket(summaries.c.elapsed_hours))
    query = _steps_query().where(log.case_id == bindparam("case_id")).order_by(log.id)
    values = [STEPS.c[name] for name in STEP_VALUES]
    copy_steps = (insert(STEPS).from_select(["case_id", *KEY, *STEP_VALUES], query)
                  .returning(*values, time_bucket(STEPS.c.waiting_hours), time_bucket(STEPS.c.working_hours)))
    return write_summary, copy_steps


def _tally_case(totals: Totals, summary: dict[str, Any], day: int, hours_bucket: int, steps: Sequence[Any]) -> None:
    """Add up one case's summary and finished steps as `_tally` groups them."""
    key = (summary["matter_id"], summary["variant"], summary["source"])
    on_time = summary["on_time"]
    totals.add("days", (*key, day), {
        "cases": 1, "completed": int(summary["status"] == "completed"), "steps": summary["steps"],
        "trips": summary["trips"], "handoffs": summary["handoffs"], "on_time": int(on_time is True),
        "judged": int(on_time is not None)})
    totals.add("paths", (*key, path_key(summary["path"])), {"path": summary["path"], "cases": 1})
    totals.add("buckets", (*key, "", "hours", hours_bucket), _one_value(summary["elapsed_hours"]))
    workdays = summary["elapsed_workdays"]
    totals.add("buckets", (*key, "", "workdays", workdays), _one_value(workdays))
    for step_id, name, department, offset, waiting, working, waiting_bucket, working_bucket in steps:
        totals.add("steps", (*key, step_id, name, department or ""),
                   {"steps": 1, "offset_hours": offset, "working_hours": working})
        totals.add("buckets", (*key, step_id, "waiting", waiting_bucket), _one_value(waiting))
        totals.add("buckets", (*key, step_id, "working", working_bucket), _one_value(working))


def _one_value(value: float) -> dict[str, Any]:
    return {"n": 1, "total": float(value), "low": float(value)}


def remove_cases(session: Session | Connection, case_ids: list[int]) -> None:
    """Take these cases off the totals (their summaries are about to be deleted or replaced)."""
    totals = Totals(-1)
    _tally(session, totals, case_ids)
    totals.write(session)
    for start in range(0, len(case_ids), CHUNK):
        session.execute(delete(STEPS).where(FinishedStep.case_id.in_(case_ids[start:start + CHUNK])))


def rebuild_totals(session: Session | Connection) -> None:
    """Recompute finished_steps and every running total from the summaries and the step log."""
    for table in (STEPS, *(spec[0] for spec in TABLES.values())):
        session.execute(delete(table))
    connection = session if isinstance(session, Connection) else session.connection()
    indexes = sorted(STEPS.indexes, key=lambda index: str(index.name))
    for index in indexes:  # built once at the end: far faster than kept up row by row
        index.drop(connection)
    _copy_steps(session, None)
    for index in indexes:
        index.create(connection)
    totals = Totals(+1)
    _tally(session, totals, None)
    totals.write(session)
