"""A case's rows inside the caller's transaction: create, find, load its workflow, save it
(state, open steps, step log, timers), and the views use cases return. Other use-case modules
(timers, citizen applications, insight, worklist) build on these.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine.accounts.access import check_takes_part
from engine.accounts.users import Actor
from engine.audit.summaries import record_finished
from engine.cases.deadlines import step_deadline, step_time_limit
from engine.cases.numbers import new_case_number, normalize
from engine.cases.stepsync import log_printed, sync_steps
from engine.catalog import versions as catalog
from engine.catalog.designer import matter_departments
from engine.context import READING, EngineContext, after_success
from engine.errors import CaseNotFound, InputError, StaleCase, StepNotFound, StepNotReady
from engine.matters.files import Names
from engine.model.reading import all_departments, named_step
from engine.model.types import Model
from engine.regions.tree import ROOT_REGION, subtree
from engine.runtime.live import RowSeen
from engine.runtime.workflow import CaseError, CaseRuntime, ReadyStep
from engine.store.tables import Case, ModelVersion, OpenStep, StepLogEntry
from engine.text import Named, Text
from engine.views import CaseView, Deadline, LogEntry, WorkItem

MAX_STATE_BYTES = 8_000_000  # a case's whole saved state (its steps' data and the workflow), as JSON text


def create_case(ctx: EngineContext, session: Session, version: ModelVersion, data: dict[str, Any] | None,
                started_by: str | None, source: str = "real",
                region: str | None = None) -> tuple[Case, CaseRuntime, list[OpenStep]]:
    """Start a case of `version` in the caller's transaction (unique case number; `source` per docs/metrics.md)."""
    calls = catalog.pins_to_start(ctx, session, version.id) or None  # the shared sub-processes it runs, pinned
    model, _matter = catalog.loaded_version(ctx, session, version.id, calls)
    now = ctx.clock.now()
    case = Case(model_version_id=version.id, matter_id=version.matter_id, variant=version.variant, status="running",
                version=1, state="", trail=[], started_by=started_by, started_at=now, updated_at=now, applicant={},
                source=source, calls=calls, region=region or version.region)
    try:
        runtime = CaseRuntime.start(model, ctx.script_engine, data)
    except CaseError as exc:
        raise InputError(Text("the case could not start: %(reason)s", reason=str(exc))) from None
    case.trail = merge_trail(None, runtime.trail)
    case.flows = merge_flows(None, runtime.taken)
    _finish_status(case, runtime, now)
    timers = runtime.timers() if case.status == "running" else []
    runtime.extra["timers"] = len(timers)
    case.state = _state_of(runtime)
    _insert_with_number(session, case, now)
    rows = sync_steps(session, case, runtime, now, timers=timers)
    if case.status != "running":
        record_finished(ctx, session, case)
    runtime.trail = []
    _keep_live(ctx, session, case, runtime)
    return case, runtime, rows


def _insert_with_number(session: Session, case: Case, now: datetime) -> None:
    for _ in range(10):
        case.number = new_case_number(now)
        try:
            with session.begin_nested():
                session.add(case)
                session.flush()
            return
        except IntegrityError:
            continue
    raise RuntimeError("could not find a free case number in 10 tries")


def _state_of(runtime: CaseRuntime) -> str:
    """The case's saved state; refused (nothing saved) when it would outgrow MAX_STATE_BYTES."""
    state = runtime.dump()
    if len(state) > MAX_STATE_BYTES:
        raise InputError(Text("the case would hold %(size)s MB of data, more than the %(max)s MB a case may hold; "
                              "nothing was saved", size=format(len(state) / 1e6, ".1f"),
                              max=MAX_STATE_BYTES // 1_000_000),
                         fields={"data": [Text("too much data for one case")]})
    return state


def load_runtime(ctx: EngineContext, session: Session, case: Case) -> tuple[CaseRuntime, Any]:
    """The case's workflow, loaded with its model version (parsed once per process), and its matter."""
    model, matter = catalog.loaded_version(ctx, session, case.model_version_id, case.calls)
    if not case.state:  # imported records: no workflow; the step log and trail say what happened
        return CaseRuntime.without_state(model, ctx.script_engine), matter
    case_id, seen = case.id, _row_seen(case)  # the workflow this process last saved for this very row, if any
    runtime = ctx.caches.live.take(case_id, seen) or CaseRuntime.load(model, case.state, ctx.script_engine)
    if session.info.get(READING):  # a read changes nothing: the workflow goes back as it came
        after_success(session, ("live", case_id), lambda: ctx.caches.live.keep(case_id, seen, runtime))
    return runtime, matter


def _row_seen(case: Case) -> RowSeen:
    return RowSeen(case.version, case.model_version_id, case.calls, case.state)


def _keep_live(ctx: EngineContext, session: Session, case: Case, runtime: CaseRuntime) -> None:
    """Once the transaction that saved `case` commits, keep its workflow for the next use case on it."""
    case_id, seen = case.id, _row_seen(case)  # (read now: a rolled-back read expires the row's attributes)
    after_success(session, ("live", case_id), lambda: ctx.caches.live.keep(case_id, seen, runtime))


_CASE = select(Case).where(Case.number == bindparam("number"))  # built once: a use case's first statement
_CASE_LOCKED = _CASE.with_for_update(of=Case)


def find_case(session: Session, number: str, *, lock: bool = False) -> Case:
    """The case with this number (CaseNotFound otherwise); look-alike characters are forgiven.

    `lock`: for a use case that changes the case, the case row is locked first (PostgreSQL: FOR UPDATE; SQLite
    writes one at a time anyway), the lock order the timer worker keeps too. Taken later, by the UPDATE at the
    end, it deadlocked against a worker that held the case and wanted the open-step rows the clerk had touched."""
    case = session.scalar(_CASE_LOCKED if lock else _CASE, {"number": normalize(number)})
    if case is None:
        raise CaseNotFound.of(number)
    return case


def find_case_for(ctx: EngineContext, session: Session, number: str, actor: Actor | None, *,
                  reading: bool = False, lock: bool = False) -> Case:
    """find_case for `actor`: staff outside the case get the same CaseNotFound as for a number no case has."""
    case = find_case(session, number, lock=lock)
    check_takes_part(actor, lambda: case_departments(ctx, session, case, actor), number, reading=reading,
                     region=case.region, below=lambda: subtree(session, actor.region if actor else ROOT_REGION))
    return case


def case_departments(ctx: EngineContext, session: Session, case: Case, actor: Actor | None = None) -> frozenset[str]:
    """Departments taking part in a case: of the matter's current versions and of the case's own version (with an
    `actor`, the case's own version alone when it has the actor's department: the one question asked)."""
    model, matter = catalog.loaded_version(ctx, session, case.model_version_id, case.calls)
    own = frozenset(all_departments(model) | (matter.department_ids() if matter else set()))
    if actor is not None and actor.department in own:
        return own
    return matter_departments(ctx, session, case.matter_id) | own


def save_case(ctx: EngineContext, session: Session, case: Case, runtime: CaseRuntime, now: datetime,
              completed: dict[str, tuple[str, dict]] | None = None, cancelled_by: str | None = None) -> list[OpenStep]:
    """Write the new state if nobody else did meanwhile, then the worklist, step log, timers and, when the
    case has ended, its summary."""
    number = case.number
    _finish_status(case, runtime, now)
    had_timers = bool(runtime.extra.get("timers"))
    timers = runtime.timers() if case.status == "running" else []
    runtime.extra["timers"] = len(timers)
    case.state = _state_of(runtime)
    case.trail = merge_trail(case.trail, runtime.trail)
    case.flows = merge_flows(case.flows, runtime.taken)
    case.updated_at = now
    try:
        session.flush()  # UPDATE ... WHERE version = the version we read (Case.version is the version_id_col)
    except StaleDataError:
        raise StaleCase(Text("case %(number)s was changed by someone else at the same time; reload it and "
                             "try again", number=number)) from None
    rows = sync_steps(session, case, runtime, now, completed, cancelled_by, timers if timers or had_timers else None)
    log_printed(session, case, runtime, now)
    _keep_live(ctx, session, case, runtime)
    if case.status != "running":
        record_finished(ctx, session, case)
    return rows


def merge_trail(known: list[str] | None, passed: list[str]) -> list[str]:
    """Elements the case has completed, in the order first reached; each once, so a looping case's
    row stays the size of its model (the step log keeps every repetition)."""
    merged = list(known or [])
    seen = set(merged)
    for element in passed:
        if element not in seen:
            seen.add(element)
            merged.append(element)
    return merged


def merge_flows(known: list[list[str]] | None, taken: list[tuple[str, str]]) -> list[list[str]]:
    """Every flow a case took, once each (bounded by the model, not by the case's history)."""
    merged = [list(pair) for pair in known or []]
    for source, target in taken:
        if [source, target] not in merged:
            merged.append([source, target])
    return merged


def _finish_status(case: Case, runtime: CaseRuntime, now: datetime) -> None:
    if case.status == "running" and runtime.is_completed():
        case.status, case.completed_at = "completed", now


def work_item(row: OpenStep, number: str, matter_id: str | None = None, variant: str | None = None,
              model: Model | None = None, now: datetime | None = None) -> WorkItem:
    """An open step as a WorkItem; with its model version and the time, with its time limit and deadline."""
    limit = step_time_limit(model, row.step_id) if model is not None else None
    deadline = step_deadline(limit, row.ready_at, now) if now is not None else Deadline(None, None)
    return WorkItem(number, row.task_id, row.step_id, row.step_name, row.department, row.ready_at,
                    row.claimed_by, row.claimed_at, matter_id, variant, limit, deadline)


def case_view(case: Case, version: int, runtime: CaseRuntime, session: Session, now: datetime,
              rows: Sequence[OpenStep] | None = None) -> CaseView:
    """The case as people see it, its ready steps with their deadlines at `now`."""
    if rows is None:
        rows = session.scalars(select(OpenStep).where(OpenStep.case_id == case.id)
                               .order_by(OpenStep.ready_at, OpenStep.task_id)).all()
    return CaseView(
        number=case.number, matter_id=case.matter_id, variant=case.variant, model_version=version,
        status=case.status, version=case.version, started_at=case.started_at, updated_at=case.updated_at,
        completed_at=case.completed_at, error=case.error,
        ready_steps=tuple(work_item(r, case.number, case.matter_id, case.variant, runtime.model, now) for r in rows),
        waiting_messages=tuple(runtime.waiting_messages()) if case.status == "running" else (),
        waiting_signals=tuple(runtime.waiting_signals()) if case.status == "running" else (),
        timers=tuple(sorted(due for _, due in runtime.timers())) if case.status == "running" else (),
        data=runtime.data(), trail=tuple(case.trail or ()), region=case.region,
    )


def read_log(session: Session, case: Case) -> list[LogEntry]:
    """A case's step log rows as LogEntry views, oldest first (inside the caller's transaction)."""
    rows = session.scalars(select(StepLogEntry).where(StepLogEntry.case_id == case.id).order_by(StepLogEntry.id))
    return [LogEntry(r.step_id, r.step_name, r.department, r.event, r.actor, r.ready_at, r.claimed_at, r.at, r.data)
            for r in rows]


def named(step: ReadyStep | OpenStep | StepLogEntry) -> Named:
    """A step in a message: its BPMN id in English, its name on pages (never its task's UUID)."""
    name = step.name if isinstance(step, ReadyStep) else step.step_name
    return Named(step.step_id, Names(name or step.step_id, step.step_id))



def named_in(ctx: EngineContext, session: Session, case: Case, step: ReadyStep | OpenStep) -> Named:
    """A step in a message named by the case's own model: its BPMN id in English messages, its names (name_en too)
    on pages in either language."""
    model, _matter = catalog.loaded_version(ctx, session, case.model_version_id, case.calls)
    return named_step(model, step.step_id, step.name if isinstance(step, ReadyStep) else step.step_name)


def not_waiting(session: Session, case: Case, step: str, model: Model) -> StepNotReady:
    """The error for a step (task id or BPMN id) that waits for nobody now, named as the case's step log or its
    model names it: a done step's task id is gone from the workflow, and messages never show a task id."""
    row = session.scalars(select(StepLogEntry).where(
        StepLogEntry.case_id == case.id, (StepLogEntry.task_id == step) | (StepLogEntry.step_id == step))
        .order_by(StepLogEntry.id.desc()).limit(1)).first()
    if row is None and step not in model.steps:  # a task id the case never logged: it is not shown
        return StepNotReady(Text("this step is not part of this case any more"))
    return StepNotReady(Text("step '%(step)s' of case %(number)s is not waiting for anyone now", number=case.number,
                             step=named_step(model, row.step_id, row.step_name) if row is not None
                             else named_step(model, step)))


def find_ready_or_done(session: Session, case: Case, runtime: CaseRuntime, step: str) -> ReadyStep:
    """runtime.find_ready(step), but a step the log has (done, its task gone from the workflow) is StepNotReady."""
    try:
        return runtime.find_ready(step)
    except StepNotFound:
        if session.scalar(select(StepLogEntry.id).where(StepLogEntry.case_id == case.id,
                                                        StepLogEntry.task_id == step).limit(1)) is None:
            raise
        raise not_waiting(session, case, step, runtime.model) from None
