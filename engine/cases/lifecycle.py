"""Case use cases: start, show, claim, release, complete, message, cancel. Each owns one transaction."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine.catalog import versions as catalog
from engine.runtime.clock import using_clock
from engine.context import EngineContext
from engine.errors import (CaseClosed, CaseNotFound, InputError, NotYourDepartment, StaleCase, StepClaimed,
                           StepNotReady)
from engine.cases.numbers import new_case_number, normalize
from engine.runtime.workflow import CaseError, CaseRuntime, ReadyStep
from engine.store.tables import Case, ModelVersion, OpenStep, StepLogEntry, Timer
from engine.accounts.access import check_may_act
from engine.accounts.users import Actor
from engine.cases.deadlines import step_deadline, step_time_limit
from engine.catalog.designer import matter_departments
from engine.model.types import Model
from engine.views import CaseView, Deadline, LogEntry, WorkItem


def start_case(ctx: EngineContext, matter_id: str, variant: str = "after", data: dict[str, Any] | None = None,
               actor: Actor | None = None) -> CaseView:
    """Start a case of the current version of a matter variant (`actor` None: the operator, e.g. the CLI)."""
    if data is not None and not isinstance(data, dict):
        raise InputError("case data must be a JSON object", fields={"data": ["must be an object"]})
    with ctx.write() as session, using_clock(ctx.clock):
        if actor is not None:
            check_may_act(actor, matter_departments(ctx, session, matter_id), matter_id)
        version = catalog.current_version(session, matter_id, variant)
        case, runtime, rows = create_case(ctx, session, version, data, actor.name if actor else None)
        return case_view(case, version.version, runtime, session, ctx.clock.now(), rows)


def create_case(ctx: EngineContext, session: Session, version: ModelVersion, data: dict[str, Any] | None,
                started_by: str | None) -> tuple[Case, CaseRuntime, list[OpenStep]]:
    """Start a case of `version` inside the caller's transaction (with a unique case number)."""
    model, _matter = catalog.loaded_version(ctx, session, version.id)
    now = ctx.clock.now()
    case = Case(model_version_id=version.id, matter_id=version.matter_id, variant=version.variant, status="running",
                version=1, state="", trail=[], started_by=started_by, started_at=now, updated_at=now, applicant={})
    try:
        runtime = CaseRuntime.start(model, ctx.script_engine, data)
    except CaseError as exc:
        raise InputError(f"the case could not start: {exc}") from None
    case.trail = _merge_trail(None, runtime.trail)
    case.flows = _merge_flows(None, runtime.taken)
    _finish_status(case, runtime, now)
    timers = runtime.timers() if case.status == "running" else []
    runtime.extra["timers"] = len(timers)
    case.state = runtime.dump()
    _insert_with_number(session, case, now)
    rows = _sync(session, case, runtime, now, timers=timers)
    runtime.trail = []
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


def get_case(ctx: EngineContext, number: str) -> CaseView:
    """A case with its ready steps, waits and current data."""
    with ctx.read() as session, using_clock(ctx.clock):
        case = find_case(session, number)
        runtime, _ = load_runtime(ctx, session, case)
        return case_view(case, catalog.version_number(ctx, session, case.model_version_id), runtime, session,
                         ctx.clock.now())


def step_log(ctx: EngineContext, number: str) -> list[LogEntry]:
    """The step log of a case, oldest first."""
    with ctx.read() as session:
        return read_log(session, find_case(session, number))


def read_log(session: Session, case: Case) -> list[LogEntry]:
    """A case's step log rows as LogEntry views, oldest first (inside the caller's transaction)."""
    rows = session.scalars(select(StepLogEntry).where(StepLogEntry.case_id == case.id).order_by(StepLogEntry.id))
    return [LogEntry(r.step_id, r.step_name, r.department, r.event, r.actor, r.ready_at, r.claimed_at, r.at, r.data)
            for r in rows]


def claim_step(ctx: EngineContext, number: str, step: str, actor: Actor) -> WorkItem:
    """Take a READY step so that colleagues see it is being worked on."""
    return _set_claim(ctx, number, step, actor, claim=True)


def release_step(ctx: EngineContext, number: str, step: str, actor: Actor) -> WorkItem:
    """Give a claimed step back to the department's queue."""
    return _set_claim(ctx, number, step, actor, claim=False)


def _set_claim(ctx: EngineContext, number: str, step: str, actor: Actor, claim: bool) -> WorkItem:
    with ctx.write() as session, using_clock(ctx.clock):
        case = find_case(session, number)
        _check_open(case)
        ready, row = _ready_row(ctx, session, case, step, actor)
        now = ctx.clock.now()
        if claim:
            if row.claimed_by not in (None, actor.name):
                raise StepClaimed(f"step {ready.step_id!r} is claimed by {row.claimed_by} since {row.claimed_at:%Y-%m-%d %H:%M}")
            changed = session.execute(update(OpenStep).where(
                OpenStep.task_id == row.task_id, (OpenStep.claimed_by.is_(None)) | (OpenStep.claimed_by == actor.name))
                .values(claimed_by=actor.name, claimed_at=now)).rowcount
            if not changed:
                raise StepClaimed(f"step {ready.step_id!r} was just claimed by someone else")
        else:
            if row.claimed_by != actor.name:
                raise StepClaimed(f"step {ready.step_id!r} is not claimed by you")
            session.execute(update(OpenStep).where(OpenStep.task_id == row.task_id).values(claimed_by=None, claimed_at=None))
        session.add(StepLogEntry(case_id=case.id, task_id=row.task_id, step_id=row.step_id, step_name=row.step_name,
                                 department=row.department, event="claimed" if claim else "released", actor=actor.name,
                                 ready_at=row.ready_at, claimed_at=now if claim else row.claimed_at, at=now, data=None))
        session.flush()
        session.refresh(row)
        model, _matter = catalog.loaded_version(ctx, session, case.model_version_id)
        return work_item(row, case.number, case.matter_id, case.variant, model, now)


def complete_step(ctx: EngineContext, number: str, step: str, actor: Actor, data: dict[str, Any] | None = None,
                  expected_version: int | None = None) -> CaseView:
    """Complete a READY manual step with form data; the case moves on to its next steps."""
    if data is not None and not isinstance(data, dict):
        raise InputError("step data must be a JSON object", fields={"data": ["must be an object"]})
    with ctx.write() as session, using_clock(ctx.clock):
        case = find_case(session, number)
        _check_open(case)
        if expected_version is not None and expected_version != case.version:
            raise StaleCase(f"case {case.number} changed since you saw it (version {expected_version}, now {case.version}); reload it")
        ready, row = _ready_row(ctx, session, case, step, actor)
        if row.claimed_by not in (None, actor.name):
            raise StepClaimed(f"step {ready.step_id!r} is claimed by {row.claimed_by}")
        runtime, matter = load_runtime(ctx, session, case)
        clean = _validated(runtime.model, matter, ready, data or {})
        now = ctx.clock.now()
        try:
            runtime.complete(ready.task_id, clean)
        except CaseError as exc:
            case.status, case.error = "error", str(exc)
        rows = save_case(session, case, runtime, now, completed={ready.task_id: (actor.name, clean)})
        return case_view(case, catalog.version_number(ctx, session, case.model_version_id), runtime, session, now, rows)


def send_message(ctx: EngineContext, number: str, name: str, payload: dict[str, Any] | None = None, *,
                 actor: Actor) -> CaseView:
    """Deliver a message (e.g. another department's result) to a case waiting for it.

    Only the department that sends it in the model (or, for a message from outside the model, the
    department that waits for it), an admin or the system may deliver it.
    """
    if payload is not None and not isinstance(payload, dict):
        raise InputError("message payload must be a JSON object", fields={"payload": ["must be an object"]})
    with ctx.write() as session, using_clock(ctx.clock):
        case = find_case(session, number)
        _check_open(case)
        runtime, _ = load_runtime(ctx, session, case)
        if name not in runtime.waiting_messages():
            waiting = ", ".join(runtime.waiting_messages()) or "no message"
            raise StepNotReady(f"the case is not waiting for message {name!r} (it waits for: {waiting})")
        departments = message_departments(runtime.model, name)
        if not actor.may_send(departments):
            raise NotYourDepartment(f"{actor.name} may not deliver message {name!r}: it belongs to "
                                    f"{', '.join(sorted(departments)) or 'no department'}")
        now = ctx.clock.now()
        try:
            runtime.send_message(name, payload or {})
        except CaseError as exc:
            case.status, case.error = "error", str(exc)
        rows = save_case(session, case, runtime, now)
        return case_view(case, catalog.version_number(ctx, session, case.model_version_id), runtime, session, now, rows)


def cancel_case(ctx: EngineContext, number: str, actor: Actor, reason: str = "") -> CaseView:
    """Stop a running case (clerks of the matter's departments, admins); its open steps are logged as cancelled."""
    with ctx.write() as session, using_clock(ctx.clock):
        case = find_case(session, number)
        _check_open(case)
        check_may_act(actor, matter_departments(ctx, session, case.matter_id), case.matter_id)
        runtime, _ = load_runtime(ctx, session, case)
        runtime.workflow.cancel()
        now = ctx.clock.now()
        case.status, case.error = "cancelled", reason or None
        rows = save_case(session, case, runtime, now, cancelled_by=actor.name)
        return case_view(case, catalog.version_number(ctx, session, case.model_version_id), runtime, session, now, rows)


# -- shared steps of the use cases -----------------------------------------------------------------

_BPMN = {"b": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
_THROWS = "self::b:intermediateThrowEvent or self::b:endEvent or self::b:sendTask"


def message_departments(model: Any, name: str) -> set[str]:
    """Lanes that send message `name` in the model; if nothing sends it, the lanes that wait for it."""
    ids = set(model.root.xpath("//b:message[@name=$n]/@id", namespaces=_BPMN, n=name))
    lane_of = {ref.text.strip(): lane.get("id") for lane in model.root.xpath("//b:lane", namespaces=_BPMN)
               for ref in lane.xpath("b:flowNodeRef", namespaces=_BPMN) if ref.text}
    senders, waiters = set(), set()
    for element in model.root.xpath("//*[@messageRef]", namespaces=_BPMN):
        if element.get("messageRef") not in ids:
            continue
        node = element if element.tag.endswith(("sendTask", "receiveTask")) else element.getparent()
        department = lane_of.get(node.get("id"))
        if department:
            (senders if node.xpath(_THROWS, namespaces=_BPMN) else waiters).add(department)
    return senders or waiters


def load_runtime(ctx: EngineContext, session: Session, case: Case) -> tuple[CaseRuntime, Any]:
    """The case's workflow, loaded with its model version (parsed once per process), and its matter."""
    model, matter = catalog.loaded_version(ctx, session, case.model_version_id)
    return CaseRuntime.load(model, case.state, ctx.script_engine), matter


def find_case(session: Session, number: str) -> Case:
    """The case with this number (CaseNotFound otherwise); look-alike characters are forgiven."""
    case = session.scalar(select(Case).where(Case.number == normalize(number)))
    if case is None:
        raise CaseNotFound(f"no case {number!r}")
    return case


def _check_open(case: Case) -> None:
    if case.status != "running":
        detail = f": {case.error}" if case.error else ""
        raise CaseClosed(f"case {case.number} is {case.status}{detail}")


def _ready_row(ctx: EngineContext, session: Session, case: Case, step: str, actor: Actor) -> tuple[ReadyStep, OpenStep]:
    """The open step named by task id or BPMN id, checked against the actor's department."""
    query = select(OpenStep).where(OpenStep.case_id == case.id)
    every = session.scalars(query).all()
    session.info[("open_steps", case.id)] = every  # _sync reuses them: same transaction, same rows
    rows = [r for r in every if step in (r.task_id, r.step_id)]
    if len(rows) > 1:
        raise InputError(f"step {step!r} is ready {len(rows)} times in case {case.number}; name it by task id")
    if not rows:
        runtime, _ = load_runtime(ctx, session, case)
        runtime.find_ready(step)  # raises the precise error: unknown step, not ready
        raise StaleCase(f"case {case.number} changed while you acted (step {step!r} was just done); reload it")
    row = rows[0]
    if not actor.may_work(row.department):
        raise NotYourDepartment(f"{actor.name} ({actor.role}, {actor.department or 'no department'}) may not work "
                                f"step {row.step_id!r} of department {row.department!r}")
    ready = ReadyStep(row.task_id, row.step_id, row.step_name, row.department, "")
    return ready, row


def _validated(model, matter, ready: ReadyStep, data: dict[str, Any]) -> dict[str, Any]:
    """Validate the data against the step's form when the model declares one."""
    info = model.steps.get(ready.step_id)
    form_id = info.properties.get("form") if info else None
    if matter is None or not form_id or form_id not in matter.forms:
        return data
    from engine.matters.forms import validate_form

    return validate_form(matter.forms[form_id], data)


def save_case(session: Session, case: Case, runtime: CaseRuntime, now: datetime,
              completed: dict[str, tuple[str, dict]] | None = None, cancelled_by: str | None = None) -> list[OpenStep]:
    """Write the new state if nobody else did meanwhile, then the worklist, step log and timers."""
    number = case.number
    _finish_status(case, runtime, now)
    had_timers = bool(runtime.extra.get("timers"))
    timers = runtime.timers() if case.status == "running" else []
    runtime.extra["timers"] = len(timers)
    case.state = runtime.dump()
    case.trail = _merge_trail(case.trail, runtime.trail)
    case.flows = _merge_flows(case.flows, runtime.taken)
    case.updated_at = now
    try:
        session.flush()  # UPDATE ... WHERE version = the version we read (Case.version is the version_id_col)
    except StaleDataError:
        raise StaleCase(f"case {number} was changed by someone else at the same time; reload it and try again") from None
    return _sync(session, case, runtime, now, completed or {}, cancelled_by, timers if timers or had_timers else None)


def _merge_trail(known: list[str] | None, passed: list[str]) -> list[str]:
    """Elements the case has completed, in the order first reached; each once, so a looping case's
    row stays the size of its model (the step log keeps every repetition)."""
    merged = list(known or [])
    seen = set(merged)
    for element in passed:
        if element not in seen:
            seen.add(element)
            merged.append(element)
    return merged


def _merge_flows(known: list[list[str]] | None, taken: list[tuple[str, str]]) -> list[list[str]]:
    """Every flow a case took, once each (bounded by the model, not by the case's history)."""
    merged = [list(pair) for pair in known or []]
    for source, target in taken:
        if [source, target] not in merged:
            merged.append([source, target])
    return merged


def _finish_status(case: Case, runtime: CaseRuntime, now: datetime) -> None:
    if case.status == "running" and runtime.is_completed():
        case.status, case.completed_at = "completed", now


def _sync(session: Session, case: Case, runtime: CaseRuntime, now: datetime,
          completed: dict[str, tuple[str, dict]] | None = None, cancelled_by: str | None = None,
          timers: list[tuple[str, datetime]] | None = None) -> list[OpenStep]:
    """Make open_steps match the READY steps, log the steps that left, store the timers; return the open steps.

    `timers` None means the case had and has none, so the timers table is left alone.
    """
    completed = completed or {}
    ready = {s.task_id: s for s in runtime.ready_steps()} if case.status == "running" else {}
    known = session.info.pop(("open_steps", case.id), None)
    if known is None:
        known = session.scalars(select(OpenStep).where(OpenStep.case_id == case.id)).all()
    rows = {r.task_id: r for r in known}
    for task_id, row in rows.items():
        if task_id in ready:
            continue
        actor, data = completed.get(task_id, (cancelled_by, None))
        session.add(StepLogEntry(case_id=case.id, task_id=task_id, step_id=row.step_id, step_name=row.step_name,
                                 department=row.department, event="completed" if task_id in completed else "cancelled",
                                 actor=actor, ready_at=row.ready_at, claimed_at=row.claimed_at, at=now, data=data))
        session.delete(row)
    kept = [row for task_id, row in rows.items() if task_id in ready]
    for task_id, step in ready.items():
        if task_id not in rows:
            row = OpenStep(task_id=task_id, case_id=case.id, step_id=step.step_id, step_name=step.name,
                           department=step.department, ready_at=now)
            session.add(row)
            kept.append(row)
    if timers is not None:
        session.execute(delete(Timer).where(Timer.case_id == case.id))
        session.add_all(Timer(case_id=case.id, task_id=t, due_at=due) for t, due in timers)
    session.flush()
    return sorted(kept, key=lambda r: (r.ready_at, r.task_id))


def work_item(row: OpenStep, number: str, matter_id: str | None = None, variant: str | None = None,
              model: Model | None = None, now: datetime | None = None) -> WorkItem:
    """An open step as a WorkItem; with its model version and the time, with its time limit and deadline."""
    limit = step_time_limit(model, row.step_id) if model is not None else None
    deadline = step_deadline(limit, row.ready_at, now) if now is not None else Deadline(None, None)
    return WorkItem(number, row.task_id, row.step_id, row.step_name, row.department, row.ready_at,
                    row.claimed_by, row.claimed_at, matter_id, variant, limit, deadline)


def case_view(case: Case, version: int, runtime: CaseRuntime, session: Session, now: datetime,
              rows: list[OpenStep] | None = None) -> CaseView:
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
        timers=tuple(sorted(due for _, due in runtime.timers())) if case.status == "running" else (),
        data=runtime.data(), trail=tuple(case.trail or ()),
    )
