"""The step log and case summaries of one matter for auditors, streamed in batches; the CSV export.

Every export covers the cases of one matter and one source (real, simulated or imported: never mixed)
that have ended, the population of the case summaries and of every measured figure (docs/metrics.md).
Rows come from the database `BATCH` at a time (server-side cursors on PostgreSQL) and are written as
they come, so memory does not grow with the number of cases. Step data (form values, personal data)
is never exported; actors are staff names and stay.
"""
from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.accounts.access import check_may_read
from engine.accounts.users import Actor
from engine.catalog import designer
from engine.context import EngineContext
from engine.errors import MatterNotFound, require_choice
from engine.regions.scope import coverage, readable_regions, versions_region
from engine.runtime.workdays import CHINA
from engine.store.tables import Case, ModelVersion, StepLogEntry
from engine.store.tables_audit import FinishedCase
from engine.text import Text
from engine.vocabulary import SOURCES, VARIANTS

BATCH = 2000
# The first five are what `onething import-log` reads, so an export can be imported again.
STEP_COLUMNS = ("case_id", "activity", "department", "start", "end",
                "matter", "variant", "source", "status", "step_id", "step_name", "actor", "ready", "claimed",
                "completed")
CASE_COLUMNS = ("case_id", "matter", "variant", "version", "source", "status", "started", "finished",
                "elapsed_hours", "elapsed_workdays", "steps", "trips", "handoffs", "time_limit_days", "on_time",
                "path")


@dataclass(frozen=True)
class ExportFilter:
    """Which cases an export covers: one matter, optionally one variant, one source."""

    matter_id: str
    variant: str | None = None
    source: str = "real"
    regions: frozenset[str] | None = None  # the cases' regions (None: every region), set by `check_export`


@dataclass(frozen=True)
class Exported:
    """What an export wrote: how many cases and how many step rows (or events)."""

    cases: int
    rows: int


@dataclass(frozen=True)
class StepRow:
    """One completed step of an ended case, as every export writes it."""

    case_id: str  # the case number
    matter: str
    variant: str
    source: str
    status: str
    step_id: str
    step_name: str
    department: str | None
    actor: str | None
    ready: datetime
    claimed: datetime | None
    completed: datetime


def check_export(ctx: EngineContext, session: Session, wanted: ExportFilter, actor: Actor) -> ExportFilter:
    """Refuse an unknown source, variant or matter (one no region `actor` reads runs), and an actor who may not read
    the matter's cases (the departments of the versions their figures show); the filter narrowed to the regions whose
    cases `actor` reads (an auditor below the root: their region and below)."""
    require_choice(wanted.source, SOURCES, "source")
    if wanted.variant is not None:
        require_choice(wanted.variant, VARIANTS, "variant")
    region = versions_region(session, wanted.matter_id, coverage(session, actor))  # a region below's, if need be
    if region is None:
        raise MatterNotFound(Text("no deployed matter '%(matter)s'", matter=wanted.matter_id))
    check_may_read(actor, designer.matter_departments(ctx, session, wanted.matter_id, region), wanted.matter_id)
    return dataclasses.replace(wanted, regions=readable_regions(session, actor))


def _summaries(wanted: ExportFilter) -> Any:
    where = [FinishedCase.matter_id == wanted.matter_id, FinishedCase.source == wanted.source]
    if wanted.variant is not None:
        where.append(FinishedCase.variant == wanted.variant)
    if wanted.regions is not None:
        where.append(FinishedCase.region.in_(sorted(wanted.regions)))
    return where


def step_rows(session: Session, wanted: ExportFilter, batch: int = BATCH) -> Iterator[StepRow]:
    """Completed steps of the ended cases, case by case in the order they were logged, fetched `batch` at a time."""
    query = (select(Case.number, FinishedCase.matter_id, FinishedCase.variant, FinishedCase.source,
                    FinishedCase.status, StepLogEntry.step_id, StepLogEntry.step_name, StepLogEntry.department,
                    StepLogEntry.actor, StepLogEntry.ready_at, StepLogEntry.claimed_at, StepLogEntry.at)
             .join(Case, Case.id == FinishedCase.case_id)
             .join(StepLogEntry, StepLogEntry.case_id == FinishedCase.case_id)
             .where(*_summaries(wanted), StepLogEntry.event == "completed")
             .order_by(FinishedCase.case_id, StepLogEntry.id))
    for row in session.execute(query.execution_options(yield_per=batch)):
        yield StepRow(*row)


def case_rows(session: Session, wanted: ExportFilter, batch: int = BATCH) -> Iterator[tuple[Any, ...]]:
    """The summaries of the ended cases (columns CASE_COLUMNS), fetched `batch` at a time."""
    query = (select(Case.number, FinishedCase.matter_id, FinishedCase.variant, ModelVersion.version,
                    FinishedCase.source, FinishedCase.status, FinishedCase.started_at, FinishedCase.finished_at,
                    FinishedCase.elapsed_hours, FinishedCase.elapsed_workdays, FinishedCase.steps,
                    FinishedCase.trips, FinishedCase.handoffs, FinishedCase.time_limit_days, FinishedCase.on_time,
                    FinishedCase.path)
             .join(Case, Case.id == FinishedCase.case_id)
             .join(ModelVersion, ModelVersion.id == FinishedCase.model_version_id)
             .where(*_summaries(wanted))
             .order_by(FinishedCase.case_id))
    for row in session.execute(query.execution_options(yield_per=batch)):
        yield tuple(row)


def iso(moment: datetime | None) -> str:
    """ISO 8601 with the offset, in China's time (+08:00) like every date auditors read; empty for none."""
    return moment.astimezone(CHINA).isoformat(timespec="milliseconds") if moment is not None else ""


def step_record(row: StepRow) -> tuple[str, ...]:
    """A step row as the CSV writes it (STEP_COLUMNS): `activity` is the step id, unique in its model."""
    ready, completed = iso(row.ready), iso(row.completed)
    return (row.case_id, row.step_id, row.department or "", ready, completed,
            row.matter, row.variant, row.source, row.status, row.step_id, row.step_name, row.actor or "",
            ready, iso(row.claimed), completed)


def export_step_log_csv(ctx: EngineContext, out: BinaryIO, matter_id: str, variant: str | None = None,
                        source: str = "real", *, actor: Actor) -> Exported:
    """Write the step log of a matter's ended cases to `out` as UTF-8 CSV, header first (STEP_COLUMNS)."""
    wanted = ExportFilter(matter_id, variant, source)
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    try:
        writer = csv.writer(text)
        with ctx.read() as session:
            wanted = check_export(ctx, session, wanted, actor)
            writer.writerow(STEP_COLUMNS)
            cases, rows, last = 0, 0, None
            for row in step_rows(session, wanted):
                cases += row.case_id != last
                last = row.case_id
                writer.writerow(step_record(row))
                rows += 1
        text.flush()
    finally:
        text.detach()  # the caller's stream stays open
    return Exported(cases, rows)
