"""Measured metrics of a matter, before and after (docs/metrics.md).

Every figure is one source's (real, simulated or imported), over the finished cases of a variant,
optionally those that finished in a date window, had a completed step of one department, were handled in one
region (exactly that region, not the ones below it) or in one of a set of regions (an auditor's region and the
regions below it: engine/regions/scope.py). Over all of a variant's cases the figures come from the running totals
(engine/audit/measured_totals.py); with a window, a department or regions, this module ranks the selected rows of
case_summaries and finished_steps.
The same SQLAlchemy Core statements run on SQLite and PostgreSQL, and no workflow is loaded.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Float, case, cast, exists, func, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from engine.audit.figures import PATHS, department_order, empty, figure, rate, spread, step_order, week_of
from engine.audit.measured_totals import totals_figures
from engine.context import EngineContext
from engine.errors import InputError, require_choice
from engine.regions.tree import check_region
from engine.runtime.workdays import CHINA
from engine.store.sqlstats import MEDIAN, P90, china_day, counted, monday_of, percentile, ranked
from engine.store.tables_audit import FinishedCase
from engine.store.tables_measures import FinishedStep, StepLabel, StepSeries
from engine.text import Text
from engine.vocabulary import SOURCES, VARIANTS


@dataclass(frozen=True)
class Selection:
    """Which finished cases a variant's figures are over."""

    matter_id: str
    variant: str
    source: str
    since: datetime | None  # finished_at >= since
    until: datetime | None  # finished_at < until
    department: str | None  # cases with a completed step of this department
    region: str | None = None  # cases handled in exactly this region (case_summaries.region)
    regions: frozenset[str] | None = None  # cases handled in one of these regions (None: every region)

    def whole(self) -> bool:
        """All finished cases of the variant and source: the running totals have the figures."""
        return (self.since is None and self.until is None and self.department is None and self.region is None
                and self.regions is None)

    def where(self) -> list[ColumnElement[bool]]:
        """The conditions on case_summaries."""
        summary = FinishedCase
        conditions = [summary.matter_id == self.matter_id, summary.variant == self.variant,
                      summary.source == self.source]
        if self.since is not None:
            conditions.append(summary.finished_at >= self.since)
        if self.until is not None:
            conditions.append(summary.finished_at < self.until)
        if self.region is not None:
            conditions.append(summary.region == self.region)
        if self.regions is not None:
            conditions.append(summary.region.in_(sorted(self.regions)))
        if self.department is not None:
            step = FinishedStep.__table__.alias("by_department")  # its own name: the outer query may read the table
            label = StepLabel.__table__.alias("department_label")
            conditions.append(exists().where(step.c.case_id == summary.case_id, label.c.id == step.c.label,
                                             label.c.department == self.department))
        return conditions


def measured_metrics(ctx: EngineContext, matter_id: str, *, source: str = "real", since: date | None = None,
                     until: date | None = None, department: str | None = None,
                     region: str | None = None, regions: Collection[str] | None = None) -> dict[str, dict[str, Any]]:
    """Measured figures of a matter's finished cases of one source: {"before": {...}, "after": {...}}.

    `since` and `until` are China dates (both included) or aware datetimes (until excluded); `region`: only the
    cases handled in that region itself (InputError for an unknown one); `regions`: only the cases handled in one
    of these (engine/regions/scope.py's readable_regions: an auditor's region and the regions below it).
    """
    with ctx.read() as session:
        return measured_in(session, matter_id, source=source, since=since, until=until, department=department,
                           region=region, regions=regions)


def measured_in(session: Session, matter_id: str, *, source: str = "real", since: date | None = None,
                until: date | None = None, department: str | None = None, region: str | None = None,
                regions: Collection[str] | None = None) -> dict[str, dict[str, Any]]:
    """`measured_metrics` inside the caller's transaction."""
    require_choice(source, SOURCES, "source")
    start, end = window(since, until)
    if not inspect(session.connection()).has_table(FinishedCase.__tablename__):  # database not initialised
        return {variant: empty(source) for variant in VARIANTS}
    if region is not None:
        check_region(session, region)
    among = None if regions is None else frozenset(regions)
    return {variant: _variant(session, Selection(matter_id, variant, source, start, end, department, region, among))
            for variant in VARIANTS}


def window(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    """China dates (both included) or aware datetimes (until excluded) as [start, end) moments; InputError when
    the window is empty or a time lacks its offset."""
    start, end = _bounded(since, "since"), _bounded(until, "until", after=True)
    if start is not None and end is not None and end <= start:
        raise InputError(Text("the window is empty: until comes before since"))
    return start, end


def _bounded(value: date | datetime | None, what: str, after: bool = False) -> datetime | None:
    """`_moment`, refusing a day whose moment the database cannot store (before year 1 or after 9999 in UTC)."""
    try:
        moment = _moment(value, what, after)
        if moment is not None:
            moment.astimezone(UTC)  # as the database stores it: a day beyond overflows here, not in the driver
        return moment
    except OverflowError:
        raise InputError(Text("%(field)s: the date is out of range", field=what),
                         fields={what: [Text("out of range")]}) from None


def _moment(value: date | datetime | None, what: str, after: bool = False) -> datetime | None:
    if value is None or isinstance(value, datetime):
        if value is not None and value.tzinfo is None:
            raise InputError(Text("%(field)s: a time needs its offset (e.g. +08:00)", field=what))
        return value
    return datetime.combine(value + timedelta(days=1) if after else value, time(), CHINA)


def _variant(session: Session, selection: Selection) -> dict[str, Any]:
    if selection.whole():
        return totals_figures(session, selection.matter_id, selection.variant, selection.source)
    figures = _case_figures(session, selection)
    if figures["cases"] == 0:
        return empty(selection.source)
    steps, departments = _step_figures(session, selection)
    return {**figures, "steps": steps, "paths": _paths(session, selection), "departments": departments,
            "cases_per_week": _weeks(session, selection)}


def _case_figures(session: Session, selection: Selection) -> dict[str, Any]:
    """Counts, per-case means, percentiles of elapsed time and the on-time rate, in one statement."""
    summary = FinishedCase
    rows = select(summary.status, summary.on_time, summary.steps, summary.trips, summary.handoffs,
                  *ranked("hours", summary.elapsed_hours.expression),
                  counted(order_by=summary.elapsed_hours.expression),
                  *ranked("days", cast(summary.elapsed_workdays, Float))
                  ).where(*selection.where()).subquery()
    hours, days = rows.c.hours, rows.c.days
    row = session.execute(select(
        func.count(), func.sum(case((rows.c.status == "completed", 1), else_=0)),
        func.avg(hours), percentile(hours, rows.c.hours_rank, rows.c.n, MEDIAN),
        percentile(hours, rows.c.hours_rank, rows.c.n, P90),
        func.avg(days), percentile(days, rows.c.days_rank, rows.c.n, MEDIAN),
        percentile(days, rows.c.days_rank, rows.c.n, P90),
        func.avg(cast(rows.c.steps, Float)), func.avg(cast(rows.c.trips, Float)),
        func.avg(cast(rows.c.handoffs, Float)),
        func.sum(case((rows.c.on_time.is_(True), 1), else_=0)), func.count(rows.c.on_time),
    )).one()
    cases, completed, on_time, judged = row[0], row[1] or 0, row[11] or 0, row[12]
    return {"source": selection.source, "cases": cases, "completed": completed,
            "elapsed_hours": spread(*row[2:5]), "working_days": spread(*row[5:8]),
            "steps_per_case": figure(row[8]), "trips_per_case": figure(row[9]),
            "handoffs_per_case": figure(row[10]),
            "on_time_rate": rate(on_time, judged)}


def _step_figures(session: Session, selection: Selection) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Per step (in the order cases reach them): count, waiting and working hours; per department: workload."""
    step = FinishedStep
    done = (select(StepSeries.step_id, StepLabel.step_name, func.nullif(StepLabel.department, "").label("department"),
                   step.offset_hours, step.waiting_hours, step.working_hours)
            .select_from(step).join(FinishedCase, FinishedCase.case_id == step.case_id)
            .join(StepSeries, StepSeries.id == step.series).join(StepLabel, StepLabel.id == step.label)
            .where(*selection.where()).subquery("completed_steps"))
    by_step = [done.c.step_id]
    rows = select(done.c.step_id, done.c.step_name, done.c.department, done.c.offset_hours,
                  *ranked("waiting", done.c.waiting_hours, by_step), counted(by_step, order_by=done.c.waiting_hours),
                  *ranked("working", done.c.working_hours, by_step)).subquery()
    waiting, working, n = rows.c.waiting, rows.c.working, rows.c.n
    count = func.count()
    per_step = session.execute(select(
        rows.c.step_id, func.max(rows.c.step_name), func.max(rows.c.department), count,
        func.avg(waiting), percentile(waiting, rows.c.waiting_rank, n, MEDIAN),
        percentile(waiting, rows.c.waiting_rank, n, P90),
        func.avg(working), percentile(working, rows.c.working_rank, n, MEDIAN),
        percentile(working, rows.c.working_rank, n, P90), func.avg(rows.c.offset_hours),
    ).group_by(rows.c.step_id)).all()
    steps = [{"step_id": r[0], "step_name": r[1], "department": r[2], "count": r[3],
              "waiting_hours": spread(*r[4:7]), "working_hours": spread(*r[7:10])}
             for r in sorted(per_step, key=lambda r: step_order(r[10], r[0]))]
    per_department = session.execute(
        select(done.c.department, count, func.sum(done.c.working_hours)).group_by(done.c.department)).all()
    departments = [{"department": d, "steps": c, "working_hours": figure(h)}
                   for d, c, h in sorted(per_department, key=lambda r: department_order(r[0], r[1]))]
    return steps, departments


def _paths(session: Session, selection: Selection) -> list[dict[str, Any]]:
    summary, count = FinishedCase, func.count()
    rows = session.execute(select(summary.path, count).where(*selection.where()).group_by(summary.path)
                           .order_by(count.desc(), summary.path).limit(PATHS)).all()
    return [{"path": path, "cases": cases} for path, cases in rows]


def _weeks(session: Session, selection: Selection) -> list[dict[str, Any]]:
    """Finished cases per ISO week of their China finishing date, oldest first (weeks without cases left out)."""
    days = select(china_day(FinishedCase.finished_at).label("day")).where(*selection.where()).subquery()
    monday = monday_of(days.c.day)
    rows = session.execute(select(monday, func.count()).group_by(monday).order_by(monday)).all()
    return [{"week": week_of(int(day)), "cases": cases} for day, cases in rows]
