"""Case use cases: start, show, claim, release, complete, message, cancel. Each owns one transaction."""
from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Table, bindparam, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from engine.accounts.access import check_may_act
from engine.accounts.users import Actor, get_actor
from engine.cases.admin import case_actions, clean_reason, log_case_event
from engine.cases.persistence import (
    case_departments,
    case_view,
    create_case,
    find_case,
    find_case_for,
    find_ready_or_done,
    load_runtime,
    named as _named,
    named_in,
    read_log,
    save_case,
    work_item,
)
from engine.cases.stepsync import open_steps_of, remember_open_steps
from engine.catalog import versions as catalog
from engine.catalog.designer import matter_departments
from engine.context import EngineContext
from engine.errors import CaseClosed, InputError, NotFound, NotYourDepartment, StaleCase, StepClaimed, StepNotReady
from engine.model.reading import message_departments, named_step
from engine.regions.tree import check_region
from engine.runtime.clock import using_clock
from engine.runtime.workflow import CaseError, ReadyStep
from engine.store.tables import ROOT, Case, OpenStep, StepLogEntry
from engine.text import Listed, Text, When
from engine.views import CaseView, LogEntry, WorkItem


def start_case(ctx: EngineContext, matter_id: str, variant: str = "after", data: dict[str, Any] | None = None,
               actor: Actor | None = None, source: str = "real", region: str | None = None) -> CaseView:
    """Start a case of the current version of a matter variant (`source`: real, or simulated by `simulate`) in
    `region` (default: the actor's region), on the version that region runs."""
    if data is not None and not isinstance(data, dict):
        raise InputError(Text("case data must be a JSON object"), fields={"data": [Text("must be an object")]})
    with ctx.write() as session, using_clock(ctx.clock):
        region = check_region(session, region) if region else (actor.region if actor is not None else ROOT)
        if actor is not None:  # a clerk starts cases only in their own region
            check_may_act(actor, matter_departments(ctx, session, matter_id), matter_id, region)
        version = catalog.current_version(session, matter_id, variant, region)
        case, runtime, rows = create_case(ctx, session, version, data, actor.name if actor else None, source,
                                          region=region)
        return case_view(case, version.version, runtime, session, ctx.clock.now(), rows)


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


def claim_step(ctx: EngineContext, number: str, step: str, actor: Actor) -> WorkItem:
    """Take a READY step so that colleagues see it is being worked on."""
    return _set_claim(ctx, number, step, actor, claim=True)


def release_step(ctx: EngineContext, number: str, step: str, actor: Actor) -> WorkItem:
    """Give a claimed step back to the department's queue."""
    return _set_claim(ctx, number, step, actor, claim=False)


def reassign_step(ctx: EngineContext, number: str, step: str, actor: Actor, clerk: str) -> WorkItem:
    """An admin gives a ready step (claimed or not) to a clerk of its department; logged as that clerk's claim,
    with who reassigned it and from whom."""
    if actor.role not in ("admin", "system"):
        raise NotYourDepartment(Text("%(user)s (%(role)s) may not reassign steps; an admin may",
                                     user=actor.name, role=actor.role))
    try:
        target = get_actor(ctx, clerk)
    except NotFound:
        raise InputError(Text("no user '%(user)s'", user=clerk), fields={"clerk": [Text("no such user")]}) from None
    with ctx.write() as session, using_clock(ctx.clock):
        case = find_case_for(ctx, session, number, actor, lock=True)
        _check_open(case)
        if target.region != case.region:
            raise InputError(Text("%(user)s works in region '%(region_own)s', case %(number)s is handled in "
                                  "'%(region)s'", user=clerk, region_own=target.region, number=case.number,
                                  region=case.region), fields={"clerk": [Text("a clerk of another region")]})
        try:
            ready, row = _ready_row(ctx, session, case, step, target)
        except NotYourDepartment:
            raise InputError(Text("%(user)s is not a clerk of the step's department", user=clerk), fields={
                "clerk": [Text("not a clerk of the step's department")]}) from None
        now, previous = ctx.clock.now(), row.claimed_by
        session.execute(update(OpenStep).where(OpenStep.task_id == row.task_id)
                        .values(claimed_by=target.name, claimed_at=now))
        session.add(StepLogEntry(case_id=case.id, task_id=row.task_id, step_id=row.step_id, step_name=row.step_name,
                                 department=row.department, event="claimed", actor=target.name, ready_at=row.ready_at,
                                 claimed_at=now, at=now, data={"reassigned_by": actor.name, "from": previous}))
        session.flush()
        session.refresh(row)
        model, _matter = catalog.loaded_version(ctx, session, case.model_version_id, case.calls)
        return work_item(row, case.number, case.matter_id, case.variant, model, now)


def _set_claim(ctx: EngineContext, number: str, step: str, actor: Actor, claim: bool) -> WorkItem:
    with ctx.write() as session, using_clock(ctx.clock):
        case = find_case_for(ctx, session, number, actor, lock=True)
        _check_open(case)
        ready, row = _ready_row(ctx, session, case, step, actor)
        now = ctx.clock.now()
        if claim:
            if row.claimed_by not in (None, actor.name):
                raise StepClaimed(Text("step '%(step)s' is claimed by %(user)s since %(since)s",
                                       step=named_in(ctx, session, case, ready), user=row.claimed_by,
                                       since=When(row.claimed_at or now)))
            result = session.execute(update(OpenStep).where(
                OpenStep.task_id == row.task_id, (OpenStep.claimed_by.is_(None)) | (OpenStep.claimed_by == actor.name))
                .values(claimed_by=actor.name, claimed_at=now))
            changed = cast("CursorResult[Any]", result).rowcount  # an UPDATE's result is a CursorResult
            if not changed:
                raise StepClaimed(Text("step '%(step)s' was just claimed by someone else",
                                       step=named_in(ctx, session, case, ready)))
        else:
            if row.claimed_by != actor.name:
                raise StepClaimed(Text("step '%(step)s' is not claimed by you",
                                       step=named_in(ctx, session, case, ready)))
            session.execute(update(OpenStep).where(OpenStep.task_id == row.task_id)
                            .values(claimed_by=None, claimed_at=None))
        session.add(StepLogEntry(case_id=case.id, task_id=row.task_id, step_id=row.step_id, step_name=row.step_name,
                                 department=row.department, event="claimed" if claim else "released", actor=actor.name,
                                 ready_at=row.ready_at, claimed_at=now if claim else row.claimed_at, at=now, data=None))
        session.flush()
        session.refresh(row)
        model, _matter = catalog.loaded_version(ctx, session, case.model_version_id, case.calls)
        return work_item(row, case.number, case.matter_id, case.variant, model, now)


def complete_step(ctx: EngineContext, number: str, step: str, actor: Actor, data: dict[str, Any] | None = None,
                  expected_version: int | None = None) -> CaseView:
    """Complete a READY manual step with form data; the case moves on to its next steps."""
    if data is not None and not isinstance(data, dict):
        raise InputError(Text("step data must be a JSON object"), fields={"data": [Text("must be an object")]})
    with ctx.write() as session, using_clock(ctx.clock):
        case = find_case_for(ctx, session, number, actor, lock=True)
        _check_open(case)
        if expected_version is not None and expected_version != case.version:
            raise StaleCase(Text("case %(number)s changed since you saw it (version %(seen)s, now %(now)s); reload it",
                                 number=case.number, seen=expected_version, now=case.version))
        ready, row = _ready_row(ctx, session, case, step, actor)
        if row.claimed_by not in (None, actor.name):
            raise StepClaimed(Text("step '%(step)s' is claimed by %(user)s", step=named_in(ctx, session, case, ready),
                                   user=row.claimed_by))
        runtime, matter = load_runtime(ctx, session, case)
        clean = validated_data(runtime.model, matter, ready, data or {})
        now = ctx.clock.now()
        if row.claimed_by is None and actor.role == "clerk":  # the applicant and systems claim nothing
            _claim_on_completing(session, case, row, actor, now)
        try:
            runtime.complete(ready.task_id, clean)
        except CaseError as exc:
            case.status, case.error = "error", str(exc)
        rows = save_case(ctx, session, case, runtime, now, completed={ready.task_id: (actor.name, clean)})
        return case_view(case, catalog.version_number(ctx, session, case.model_version_id), runtime, session, now, rows)


_OPEN = cast(Table, OpenStep.__table__)
_CLAIM_IF_FREE = (update(_OPEN).where(_OPEN.c.task_id == bindparam("task"),
                                      _OPEN.c.claimed_by.is_(None) | (_OPEN.c.claimed_by == bindparam("holder")))
                  .values(claimed_by=bindparam("by"), claimed_at=bindparam("at")))


def _claim_on_completing(session: Session, case: Case, row: OpenStep, actor: Actor, now: datetime) -> None:
    """A clerk completing an unclaimed step claims it at that instant, only if no colleague claimed it meanwhile
    (a claim does not change the case's version, so this update checks it). No `claimed` row of its own: the
    `completed` row names the clerk and carries the claim time (= its own), so the log still says who took every
    staff step it shows done, and zero working time, without a row that says nothing more (docs/metrics.md)."""
    result = session.execute(_CLAIM_IF_FREE, {"task": row.task_id, "holder": actor.name, "by": actor.name, "at": now})
    if not cast("CursorResult[Any]", result).rowcount:
        holder = session.scalar(select(OpenStep.claimed_by).where(OpenStep.task_id == row.task_id))
        if holder is None:  # completed (or cancelled) meanwhile: the row is gone
            raise StepNotReady(Text("step '%(step)s' of case %(number)s is not waiting for anyone now",
                                     step=_named(row), number=case.number))
        raise StepClaimed(Text("step '%(step)s' was just claimed by %(user)s", step=_named(row), user=holder))
    set_committed_value(row, "claimed_by", actor.name)
    set_committed_value(row, "claimed_at", now)


def send_message(ctx: EngineContext, number: str, name: str, payload: dict[str, Any] | None = None, *,
                 actor: Actor) -> CaseView:
    """Deliver a message (e.g. another department's result) to a case waiting for it.

    Only the department that sends it in the model (or, for a message from outside the model, the
    department that waits for it), an admin or the system may deliver it.
    """
    if payload is not None and not isinstance(payload, dict):
        raise InputError(Text("message payload must be a JSON object"), fields={"payload": [Text("must be an object")]})
    with ctx.write() as session, using_clock(ctx.clock):
        case = find_case_for(ctx, session, number, actor, lock=True)
        _check_open(case)
        runtime, _ = load_runtime(ctx, session, case)
        if name not in runtime.waiting_messages():
            waiting = Listed(runtime.waiting_messages(), Text("no message"))
            raise StepNotReady(Text("the case is not waiting for message '%(message)s' (it waits for: %(waiting)s)",
                                    message=name, waiting=waiting))
        departments = message_departments(runtime.model, name)
        if not actor.may_send(departments):
            raise NotYourDepartment(Text("%(user)s may not deliver message '%(message)s': it belongs to "
                                         "%(departments)s", user=actor.name, message=name,
                                         departments=Listed(sorted(departments), Text("no department"))))
        now = ctx.clock.now()
        try:
            runtime.send_message(name, payload or {})
        except CaseError as exc:
            case.status, case.error = "error", str(exc)
        rows = save_case(ctx, session, case, runtime, now)
        return case_view(case, catalog.version_number(ctx, session, case.model_version_id), runtime, session, now, rows)


def cancel_case(ctx: EngineContext, number: str, actor: Actor, reason: str = "") -> CaseView:
    """Stop a case that is running, suspended or in error (clerks of the matter's departments, admins); its open
    steps are logged as cancelled, and the case as `case_cancelled` with the reason."""
    reason = clean_reason(reason, required=False)
    with ctx.write() as session, using_clock(ctx.clock):
        case = find_case_for(ctx, session, number, actor, lock=True)
        check_may_act(actor, case_departments(ctx, session, case), case.matter_id, case.region)
        if "cancel" not in case_actions(case.status):
            _check_open(case)  # completed or cancelled: says so (with a cancelled case's reason)
        runtime, _ = load_runtime(ctx, session, case)
        runtime.workflow.cancel()
        now = ctx.clock.now()
        case.status, case.error = "cancelled", reason or None
        rows = save_case(ctx, session, case, runtime, now, cancelled_by=actor.name)
        log_case_event(session, case, "case_cancelled", actor, now, {"reason": reason})
        return case_view(case, catalog.version_number(ctx, session, case.model_version_id), runtime, session, now, rows)


# -- shared steps of the use cases -----------------------------------------------------------------

def _check_open(case: Case) -> None:
    if case.status == "suspended":
        raise CaseClosed(Text("case %(number)s is suspended: nothing moves it until an admin resumes it",
                              number=case.number))
    if case.status != "running":
        raise CaseClosed(Text("case %(number)s is %(status)s: %(reason)s", number=case.number, status=case.status,
                              reason=case.error) if case.error else Text("case %(number)s is %(status)s",
                                                                         number=case.number, status=case.status))


def _ready_row(ctx: EngineContext, session: Session, case: Case, step: str, actor: Actor) -> tuple[ReadyStep, OpenStep]:
    """The open step named by task id or BPMN id, checked against the actor's department."""
    every = open_steps_of(session, case.id)
    remember_open_steps(session, case.id, every)  # save_case reuses them: same transaction, same rows
    rows = [r for r in every if step in (r.task_id, r.step_id)]
    if len(rows) > 1:
        raise InputError(Text("step '%(step)s' is ready %(count)s times in case %(number)s; name it by task id",
                               step=_named(rows[0]), count=len(rows), number=case.number))
    if not rows:
        runtime, _ = load_runtime(ctx, session, case)
        ready = find_ready_or_done(session, case, runtime, step)  # raises the precise error: unknown, not ready
        raise StaleCase(Text("case %(number)s changed while you acted (step '%(step)s' was just done); reload it",
                             number=case.number, step=named_step(runtime.model, ready.step_id, ready.name)))
    row = rows[0]
    if not actor.may_work(row.department):
        raise NotYourDepartment(Text("%(user)s (%(role)s, %(department_own)s) may not work step '%(step)s' of "
                                     "department '%(department)s'", user=actor.name, role=actor.role,
                                     department_own=actor.department or Text("no department"), step=_named(row),
                                     department=row.department))
    ready = ReadyStep(row.task_id, row.step_id, row.step_name, row.department, "")
    return ready, row


def validated_data(model, matter, ready: ReadyStep, data: dict[str, Any]) -> dict[str, Any]:
    """Validate the data against the step's form when the model declares one."""
    from engine.matters.forms import validate_form
    from engine.model.reading import step_form

    form = step_form(model, matter, ready.step_id)
    return data if form is None else validate_form(form, data)
