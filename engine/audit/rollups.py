"""Keeping the measured comparison's running totals: added as a case's summary is written, taken off as it goes.

The finished cases' completed steps are copied from the step log into `finished_steps` by one SQL
statement (hours computed by the database, as the windowed figures read them; a step, name or
department met for the first time is numbered in `step_series` / `step_labels` first); the summaries
and those rows are added up, grouped by day, path, step and value bucket, into the `measure_*` tables
(engine/store/tables_measures.py). Batches (imported and simulated cases, `onething audit rebuild`)
and a summary taken off are added up by SQL (`_tally`). A case ending (engine/audit/summaries.py,
`add_case`) has the database return the day, hours and buckets of its rows (the summary's as it
writes it, the steps' as it reads them from the log, which are then written as read), and adds up
those few rows in Python: the same keys and values, in a handful of statements. Totals are written
in key order, so concurrent cases lock them alike. A rebuild drops finished_steps' indexes while it
fills the table.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from functools import cache
from typing import Any, cast as typed

from sqlalchemy import Connection, Float, Table, and_, case, cast, delete, func, insert, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Insert, Select, bindparam

from engine.store.sqlstats import china_day, hours_between, time_bucket
from engine.store.tables import StepLogEntry
from engine.store.tables_audit import FinishedCase
from engine.store.tables_measures import (
    FinishedStep,
    MeasureBucket,
    MeasureDay,
    MeasurePath,
    MeasureStep,
    StepLabel,
    StepSeries,
)
from engine.store.upsert import add_to, dialect_insert, dialect_of, drop_empty

CHUNK = 500  # case ids per IN list
STEPS = typed(Table, FinishedStep.__table__)
SERIES = typed(Table, StepSeries.__table__)
LABELS = typed(Table, StepLabel.__table__)
KEY = ("matter_id", "variant", "source")
STEP_COLUMNS = ("case_id", "log_id", "series", "label", "offset_hours", "waiting_hours", "working_hours")
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


def _steps_query(numbered: bool = True) -> Select[Any]:
    """The completed steps of finished cases as finished_steps holds them, hours computed by the database
    (`numbered` False: each with its step, name and department too, and None for a number not yet given)."""
    log, summary, series, labels = StepLogEntry, FinishedCase, SERIES.c, LABELS.c
    offset, waiting, working = _hours()
    named = [] if numbered else [log.step_id, log.step_name, log.department, time_bucket(waiting), time_bucket(working)]
    return (select(log.case_id, log.id, series.id, labels.id, offset, waiting, working, *named)
            .join(summary, summary.case_id == log.case_id)
            .join(SERIES, and_(series.matter_id == summary.matter_id, series.variant == summary.variant,
                               series.source == summary.source, series.step_id == log.step_id), isouter=not numbered)
            .join(LABELS, and_(labels.step_name == log.step_name,
                               labels.department == func.coalesce(log.department, "")), isouter=not numbered)
            .where(log.event == "completed"))


def _hours() -> tuple[Any, Any, Any]:
    """A logged step's offset from its case's start, waiting and working hours, as SQL."""
    log = StepLogEntry
    waiting = hours_between(log.ready_at, func.coalesce(log.claimed_at, log.at))
    working = case((log.claimed_at.is_(None), 0.0), else_=hours_between(log.claimed_at, log.at))
    return hours_between(FinishedCase.started_at, log.ready_at), waiting, working


def _number_steps(session: Session | Connection, where: list[Any]) -> None:
    """Give a number to each step (per matter, variant and source) and each step name and department of these
    finished cases' completed steps that has none yet. A number given by a concurrent transaction is kept."""
    log, summary = StepLogEntry, FinishedCase
    upsert = dialect_insert(dialect_of(session))
    completed = [log.event == "completed", *where]  # SQLite reads ON CONFLICT after a SELECT only with a WHERE
    steps = (select(summary.matter_id, summary.variant, summary.source, log.step_id).distinct()
             .join(summary, summary.case_id == log.case_id).where(*completed))
    session.execute(upsert(SERIES).from_select([*KEY, "step_id"], steps).on_conflict_do_nothing())
    labels = (select(log.step_name, func.coalesce(log.department, "")).distinct()
              .join(summary, summary.case_id == log.case_id).where(*completed))
    session.execute(upsert(LABELS).from_select(["step_name", "department"], labels).on_conflict_do_nothing())


def _copy_steps(session: Session | Connection, case_ids: list[int] | None) -> None:
    """Copy the completed steps of these finished cases (all, if None) from the step log into finished_steps."""
    for chunk in _chunks(case_ids):
        where = [] if chunk is None else [StepLogEntry.case_id.in_(chunk)]
        _number_steps(session, where)
        query = _steps_query().where(*where)
        session.execute(insert(STEPS).from_select(
            list(STEP_COLUMNS), query.order_by(StepLogEntry.case_id, StepLogEntry.id)))


def _tally(session: Session | Connection, totals: Totals, case_ids: list[int] | None) -> None:
    """Add up, in SQL, the summaries and finished steps of these cases (all, if None) into `totals`."""
    summary, step, series, labels = FinishedCase, FinishedStep, SERIES.c, LABELS.c
    case_key = (summary.matter_id, summary.variant, summary.source)
    step_key = (series.matter_id, series.variant, series.source)
    numbered = STEPS.join(SERIES, series.id == step.series)
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
        named = (*step_key, series.step_id, labels.step_name, labels.department)
        for *key, n, offset, working in session.execute(
                select(*named, func.count(), func.sum(step.offset_hours), func.sum(step.working_hours))
                .select_from(numbered.join(LABELS, labels.id == step.label)).where(*steps).group_by(*named)):
            totals.add("steps", tuple(key), {"steps": n, "offset_hours": offset, "working_hours": working})
        summaries: Any = FinishedCase.__table__
        measures: list[tuple[Any, ...]] = [
            (summaries, case_key, literal(""), "hours", summary.elapsed_hours, time_bucket(summary.elapsed_hours),
             cases),
            (summaries, case_key, literal(""), "workdays", summary.elapsed_workdays, summary.elapsed_workdays, cases),
            (numbered, step_key, series.step_id, "waiting", step.waiting_hours, time_bucket(step.waiting_hours), steps),
            (numbered, step_key, series.step_id, "working", step.working_hours, time_bucket(step.working_hours), steps)]
        for table, columns, name, measure, value, bucket, where in measures:
            for *group, n, total, low in session.execute(
                    select(*columns, name, bucket, func.count(), func.sum(cast(value, Float)),
                           func.min(cast(value, Float))).select_from(table).where(*where)
                    .group_by(*columns, name, bucket)):
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
    as it writes the summary (RETURNING the expressions `_tally` groups by) and as it reads the case's
    completed steps from the log; those rows are written to finished_steps as read, and added up here.
    """
    connection = session if isinstance(session, Connection) else session.connection()
    write_summary, read_steps = _case_statements()
    day, hours_bucket = connection.execute(write_summary, summary).one()
    case_id = {"case_id": summary["case_id"]}
    steps = connection.execute(read_steps, case_id).all()
    if any(step[2] is None or step[3] is None for step in steps):  # a step or label seen for the first time
        _number_steps(connection, [StepLogEntry.case_id == summary["case_id"]])
        steps = connection.execute(read_steps, case_id).all()
    if steps:
        connection.execute(insert(STEPS), [dict(zip(STEP_COLUMNS, step, strict=False)) for step in steps])
    totals = Totals(+1)
    _tally_case(totals, summary, day, hours_bucket, steps)
    totals.write(connection)


@cache
def _case_statements() -> tuple[Insert, Select[Any]]:
    """Built once: the summary INSERT returning its day and hours bucket, and the reading of one case's
    completed steps with their numbers (None where none is given yet), names, values and buckets."""
    summaries = typed(Table, FinishedCase.__table__)
    log = StepLogEntry
    write_summary = insert(summaries).returning(china_day(summaries.c.finished_at),
                                                time_bucket(summaries.c.elapsed_hours))
    read_steps = _steps_query(numbered=False).where(log.case_id == bindparam("case_id")).order_by(log.id)
    return write_summary, read_steps


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
    for *_, offset, waiting, working, step_id, name, department, waiting_bucket, working_bucket in steps:
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
