"""Legacy records in (`onething import-log`): an event log becomes finished cases of source `imported`.

All or nothing: every event is checked against the variant's current model version first (activity,
department, dates, duplicates, cases imported before); any problem refuses the whole file with one
`FILE:ROW: message` line each (ImportRefused) and nothing is stored. Otherwise, in the same transaction,
each case of the log gets a `cases` row without workflow state (it never ran in the engine), one completed
step-log row per event and its summary. Format and rules: docs/metrics.md, "Importing legacy records".
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.audit.eventlogs import LogSource, Problems, RawEvent, parse_time, read_events, refusal
from engine.audit.rollups import add_cases
from engine.audit.summaries import LoggedStep, summarize, version_facts
from engine.cases.numbers import new_case_number
from engine.catalog import versions as catalog
from engine.context import EngineContext
from engine.errors import ImportRefused
from engine.matters.files import Matter
from engine.model.types import Model
from engine.store.bulk import insert_rows
from engine.store.tables import ROOT, Case, StepLogEntry
from engine.store.tables_audit import FinishedCase
from engine.vocabulary import APPLICANT

SOURCE = "imported"
ACTOR = "import"  # the step log's actor of every imported event
CHUNK = 500  # values in one IN (...) query
BATCH = 2000  # cases written at a time
_STEP_LOG = cast(Table, StepLogEntry.__table__)  # bulk inserts (engine/store/bulk.py): the ORM adds nothing to them
_SUMMARIES = cast(Table, FinishedCase.__table__)


@dataclass(frozen=True)
class ImportResult:
    """What an import stored: cases, events (completed steps), and the model version they belong to."""

    cases: int
    events: int
    model_version: int


@dataclass(slots=True)
class _Event:
    """An event that passed its own checks; an empty start (`given` False) is set once the case is read."""

    row: int
    step_id: str
    step_name: str
    department: str | None
    start: datetime
    end: datetime
    given: bool


def import_log(ctx: EngineContext, source: LogSource, filename: str, matter_id: str, variant: str,
               region: str = ROOT) -> ImportResult:
    """Store an event log (a .csv or .xes path, or its bytes) as imported cases of the current version of the
    variant that `region` runs, handled in `region`."""
    with ctx.write() as session:
        version = catalog.current_version(session, matter_id, variant, region)
        model, matter = catalog.loaded_version(ctx, session, version.id)
        problems: Problems = []
        cases = _checked(read_events(source, filename, problems), model, matter, problems)
        problems += _imported_before(session, matter_id, variant, cases)
        if problems:
            raise refusal(filename, problems)
        try:
            _store(ctx, session, version.id, matter_id, variant, cases, region)
        except IntegrityError:  # PostgreSQL: another import stored the same case ids since they were checked
            raise ImportRefused([f"{filename}: another import stored some of these cases at the same time; "
                                 "nothing imported: run it again to see which"]) from None
        return ImportResult(len(cases), sum(len(events) for events in cases.values()), version.version)


def _checked(events: Iterable[RawEvent], model: Model, matter: Matter | None,
             problems: Problems) -> dict[str, list[_Event]]:
    """The file's events by case, each checked; what is wrong goes to `problems`."""
    steps, departments = _step_names(model), _department_keys(model, matter)
    cases: dict[str, list[_Event]] = {}
    seen: dict[tuple[str, str, datetime], int] = {}
    for raw in events:
        event = _event_of(raw, model, steps, departments, problems)
        if event is None:
            continue
        first = seen.setdefault((raw.case_id, event.step_id, event.end), raw.row)
        if first != raw.row:
            problems.append((raw.row, f"duplicate event: row {first} has the same case, activity and end"))
            continue
        cases.setdefault(raw.case_id, []).append(event)
    for case_events in cases.values():
        _fill_starts(case_events)
    return cases


def _event_of(raw: RawEvent, model: Model, steps: dict[str, set[str]], departments: dict[str, str],
              problems: Problems) -> _Event | None:
    """The event with its step, department and times; None when something is wrong (added to `problems`)."""
    wrong: list[str] = []
    if not raw.case_id or len(raw.case_id) > 128:
        wrong.append("no case_id" if not raw.case_id else "case_id is longer than 128 characters")
    matches = {raw.activity} if raw.activity in model.steps else steps.get(_key(raw.activity), set())
    if not matches:
        wrong.append(f"unknown activity {raw.activity!r}: not a step id, name or English name of this model "
                     "version")
    elif len(matches) > 1:
        wrong.append(f"activity {raw.activity!r} names several steps ({', '.join(sorted(matches))}): use the "
                     "step id")
    department = departments.get(_key(raw.department)) if raw.department else None
    if raw.department and department is None:
        wrong.append(f"unknown department {raw.department!r}: known are "
                     f"{', '.join(sorted(set(departments.values())))}")
    end = _time_of(raw.end, wrong) if raw.end else None
    if not raw.end:
        wrong.append("no end date")
    start = _time_of(raw.start, wrong) if raw.start else None
    if start is not None and end is not None and end < start:
        wrong.append(f"end {raw.end} is before start {raw.start}")
    problems += [(raw.row, message) for message in wrong]
    if wrong or end is None:
        return None
    step_id = next(iter(matches))
    info = model.steps[step_id]
    return _Event(raw.row, step_id, info.name or step_id, department or info.department, start or end, end,
                  start is not None)


def _time_of(text: str, wrong: list[str]) -> datetime | None:
    try:
        return parse_time(text)
    except ValueError as exc:
        wrong.append(str(exc))
        return None


def _fill_starts(events: list[_Event]) -> None:
    """An empty start is the end of the case's event that ended just before (or the event's own end)."""
    events.sort(key=lambda e: (e.end, e.row))
    previous: datetime | None = None
    for event in events:
        if not event.given:
            event.start = previous or event.end
        previous = event.end


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _step_names(model: Model) -> dict[str, set[str]]:
    """Steps' zh and English names (spaces and letter case forgiven) to the steps they name."""
    names: dict[str, set[str]] = {}
    for step_id, info in model.steps.items():
        for name in (info.name, info.properties.get("name_en")):
            if name:
                names.setdefault(_key(name), set()).add(step_id)
    return names


def _department_keys(model: Model, matter: Matter | None) -> dict[str, str]:
    """Department ids and names (zh, en; matter.yaml's, else the lanes') to the department id."""
    keys: dict[str, str] = {}
    named: list[tuple[str, tuple[str, ...]]] = [(d.id, (d.names.zh, d.names.en)) for d in matter.departments
                                                 ] if matter is not None else []
    named += [(lane, (name,)) for lane, name in model.lanes.items()] + [(APPLICANT, ("申请人",))]
    for department, names in named:
        keys.setdefault(_key(department), department)
        for name in names:
            if name:
                keys.setdefault(_key(name), department)
    return keys


def _chunks(values: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _imported_before(session: Session, matter_id: str, variant: str, cases: dict[str, list[_Event]]) -> Problems:
    """A problem for every case of the log already imported into this matter variant (at its first row)."""
    found = []
    for chunk in _chunks(list(cases)):
        rows = session.execute(select(Case.external_id, Case.number).where(
            Case.matter_id == matter_id, Case.variant == variant, Case.source == SOURCE,
            Case.external_id.in_(chunk)))
        for external_id, number in rows:
            row = min(e.row for e in cases[external_id])
            found.append((row, f"case {external_id!r} was imported before (case {number}); an import is "
                               "never repeated"))
    return found


def _store(ctx: EngineContext, session: Session, version_id: int, matter_id: str, variant: str,
           cases: dict[str, list[_Event]], region: str = ROOT) -> None:
    """The cases, their step logs and summaries, in bulk inside the caller's transaction (a batch at a time)."""
    now = ctx.clock.now()
    numbers = _free_numbers(session, [min(e.start for e in events) for events in cases.values()])
    facts = version_facts(ctx, session, version_id)
    for batch in _chunks(list(zip(cases.items(), numbers, strict=True)), BATCH):
        rows = [Case(number=number, model_version_id=version_id, matter_id=matter_id, variant=variant,
                     status="completed", source=SOURCE, version=1, state="",
                     trail=list(dict.fromkeys(e.step_id for e in events)), flows=[], started_by=ACTOR,
                     started_at=min(e.start for e in events), updated_at=now,
                     completed_at=max(e.end for e in events), applicant={}, external_id=external_id,
                     region=region)
                for (external_id, events), number in batch]
        session.add_all(rows)
        session.flush()
        log, summaries = [], []
        for case, ((_, events), _) in zip(rows, batch, strict=True):
            log += [dict(case_id=case.id, task_id=str(uuid.uuid4()), step_id=e.step_id, step_name=e.step_name,
                         department=e.department, event="completed", actor=ACTOR, ready_at=e.start,
                         claimed_at=None, at=e.end) for e in events]  # no data: SQL NULL
            steps = [LoggedStep(e.step_id, e.department, e.start, e.end) for e in events]
            summaries.append(summarize(case, steps, facts, max(e.end for e in events)))
        insert_rows(session, _STEP_LOG, log)
        insert_rows(session, _SUMMARIES, summaries)
        add_cases(session, [case.id for case in rows])
        for case in rows:  # written: the session need not keep them, so memory stays one batch
            session.expunge(case)


def _free_numbers(session: Session, starts: list[datetime]) -> list[str]:
    """A case number for each start date, unused in the database and in the batch."""
    numbers = [new_case_number(start) for start in starts]
    while True:
        taken = {n for chunk in _chunks(sorted(set(numbers))) for n in
                 session.scalars(select(Case.number).where(Case.number.in_(chunk)))}
        used: set[str] = set()
        again = False
        for index, number in enumerate(numbers):
            if number in taken or number in used:
                numbers[index], again = new_case_number(starts[index]), True
            used.add(numbers[index])
        if not again:
            return numbers
