"""What a clerk has done: the steps they completed, newest first, a page at a time, from the step log."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, literal_column, select

from engine.cases.cursors import decode_cursor, encode_cursor
from engine.cases.worklist import _matter_names, _step_names
from engine.cases.worklist_query import MAX_LIMIT
from engine.catalog import versions as catalog
from engine.context import EngineContext
from engine.errors import InputError
from engine.matters.files import Names
from engine.model.reading import department_names
from engine.store.tables import Case, StepLogEntry
from engine.text import Text


@dataclass(frozen=True)
class DoneEntry:
    """A step a clerk completed, from the step log."""

    case_number: str
    task_id: str
    step_id: str
    step: Names
    matter: Names
    department: Names
    ready_at: datetime
    completed_at: datetime


@dataclass(frozen=True)
class DonePage:
    entries: list[DoneEntry]
    next_cursor: str | None
    total: int


def done_by(ctx: EngineContext, name: str, cursor: str | None = None, limit: int = 50,
            region: str | None = None) -> DonePage:
    """The steps `name` completed, newest first, one page at a time (from the step log); of cases of `region`
    only when given (a clerk's own region: what they did elsewhere before a move is no longer theirs to read)."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InputError(Text("limit from 1 to %(max)s", max=MAX_LIMIT), fields={"limit": [Text("from 1 to %(max)s",
                                                                                         max=MAX_LIMIT)]})
    # the event as a literal: the partial index ix_step_log_done holds completed rows, and a plan made without the
    # parameter's value (PostgreSQL's generic plan of a statement prepared after a few runs) could not use it
    mine = [StepLogEntry.actor == name, StepLogEntry.event == literal_column("'completed'")]
    after = [StepLogEntry.id < decode_cursor(cursor, "done", True)[1]] if cursor else []
    counted = select(func.count()).select_from(StepLogEntry)
    if region is not None:
        mine.append(Case.region == region)
        counted = counted.join(Case, Case.id == StepLogEntry.case_id)
    with ctx.read() as session:
        total = session.scalar(counted.where(*mine)) or 0
        rows = session.execute(
            select(StepLogEntry, Case.number, Case.matter_id, Case.model_version_id)
            .join(Case, Case.id == StepLogEntry.case_id).where(*mine, *after)
            .order_by(StepLogEntry.id.desc()).limit(limit + 1)).all()
        entries = []
        for log, number, matter_id, version_id in rows[:limit]:
            model, matter = catalog.loaded_version(ctx, session, version_id)
            entries.append(DoneEntry(number, log.task_id, log.step_id, _step_names(model, log.step_id, log.step_name),
                                     _matter_names(matter, matter_id),
                                     department_names(model, matter, log.department), log.ready_at, log.at))
        next_cursor = encode_cursor("done", True, None, rows[limit - 1][0].id) if len(rows) > limit else None
    return DonePage(entries, next_cursor, total)
