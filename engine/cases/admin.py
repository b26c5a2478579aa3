"""An admin's hand on a case: suspend, resume, retry a case in error; the incidents list (cases in error).

Each action names a reason and is logged in the step log as a case event (`case_suspended`,
`case_resumed`, `case_retried`, and `case_cancelled` from `lifecycle.cancel_case`) with the reason in
its data. Which status allows which action (anything else is a Conflict saying why):

    running   -> suspend, cancel
    suspended -> resume, cancel
    error     -> retry, cancel

A suspended case keeps its state, worklist rows and claims, but nothing moves it: claiming, releasing,
completing, messages (`lifecycle._check_open`) and its timers (their rows are taken out of the timers
table; resuming puts them back, so a timer due meanwhile fires at the worker's next round).
Retrying runs the failed task again (SpiffWorkflow keeps it in ERROR with its data, and the saved state
keeps it), optionally with corrected data: a transient failure (a script's time limit under load) or bad
data the admin corrects. If it fails again the case stays in error with the new message.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine.accounts.access import TRUSTED
from engine.accounts.users import Actor
from engine.audit.summaries import record_finished
from engine.cases.persistence import case_view, find_case_for, load_runtime, save_case
from engine.catalog import versions as catalog
from engine.context import EngineContext
from engine.errors import CaseClosed, InputError, NotYourDepartment, StaleCase
from engine.matters.files import Names
from engine.model.reading import step_name_en
from engine.regions.scope import region_conditions
from engine.runtime.clock import using_clock
from engine.runtime.workflow import CaseError
from engine.store.tables import Case, StepLogEntry, Timer
from engine.text import Listed, Text
from engine.views import CaseView

MAX_REASON = 500
CASE_EVENTS = ("case_suspended", "case_resumed", "case_retried", "case_cancelled")  # step log rows of a whole case
ACTIONS = {"running": ("suspend", "cancel"), "suspended": ("resume", "cancel"), "error": ("retry", "cancel")}


def case_actions(status: str) -> tuple[str, ...]:
    """What an admin may do to a case of this status (the case page offers these)."""
    return ACTIONS.get(status, ())


def suspend_case(ctx: EngineContext, number: str, actor: Actor, reason: str) -> CaseView:
    """Hold a running case: nothing moves it until an admin resumes it."""
    return _admin_action(ctx, number, actor, reason, "suspend")


def resume_case(ctx: EngineContext, number: str, actor: Actor, reason: str) -> CaseView:
    """Let a suspended case move on again; its timers go back to the worker."""
    return _admin_action(ctx, number, actor, reason, "resume")


def retry_case(ctx: EngineContext, number: str, actor: Actor, reason: str,
               corrections: dict[str, Any] | None = None) -> CaseView:
    """Run the failed step of a case in error again, with `corrections` merged into its data first."""
    if corrections is not None and not isinstance(corrections, dict):
        raise InputError(Text("corrected data must be a JSON object"), fields={"data": [Text("must be an object")]})
    return _admin_action(ctx, number, actor, reason, "retry", corrections or {})


def check_status(case: Case, action: str) -> None:
    """Conflict (CaseClosed) unless the case's status allows `action`."""
    if action in case_actions(case.status):
        return
    v = {"number": case.number, "status": case.status,
         "statuses": Listed([s for s, actions in ACTIONS.items() if action in actions], either=True)}
    raise CaseClosed({
        "suspend": Text("case %(number)s is %(status)s: only a case that is %(statuses)s can be suspended", **v),
        "resume": Text("case %(number)s is %(status)s: only a case that is %(statuses)s can be resumed", **v),
        "retry": Text("case %(number)s is %(status)s: only a case that is %(statuses)s can be retried", **v),
        "cancel": Text("case %(number)s is %(status)s: only a case that is %(statuses)s can be cancelled", **v),
    }[action])


def log_case_event(session: Session, case: Case, event: str, actor: Actor, now: datetime, data: dict[str, Any],
                   step: tuple[str, str, str, str | None] = ("", "", "", None)) -> None:
    """One step-log row for the whole case (`step`: task id, step id, name, department of the step it concerns)."""
    task_id, step_id, step_name, department = step
    session.add(StepLogEntry(case_id=case.id, task_id=task_id, step_id=step_id, step_name=step_name,
                             department=department, event=event, actor=actor.name, ready_at=now, claimed_at=None,
                             at=now, data=data))


def clean_reason(reason: str | None, required: bool = True) -> str:
    text = " ".join((reason or "").split())
    if required and not text:
        raise InputError(Text("give a reason: it is logged with the action"), fields={"reason": [Text("required")]})
    if len(text) > MAX_REASON:
        raise InputError(Text("the reason is longer than %(max)s characters", max=MAX_REASON),
                         fields={"reason": [Text("too long")]})
    return text


def _admin_action(ctx: EngineContext, number: str, actor: Actor, reason: str, action: str,
                  corrections: dict[str, Any] | None = None) -> CaseView:
    reason = clean_reason(reason)
    with ctx.write() as session, using_clock(ctx.clock):
        case = find_case_for(ctx, session, number, actor, lock=True)  # staff outside the case: CaseNotFound first
        if actor.role not in TRUSTED:
            who = {"user": actor.name, "role": actor.role}
            raise NotYourDepartment({"suspend": Text("%(user)s (%(role)s) may not suspend cases; an admin may", **who),
                                     "resume": Text("%(user)s (%(role)s) may not resume cases; an admin may", **who),
                                     "retry": Text("%(user)s (%(role)s) may not retry cases; an admin may", **who)
                                     }[action])
        check_status(case, action)
        now = ctx.clock.now()
        runtime, _ = load_runtime(ctx, session, case)
        version = catalog.version_number(ctx, session, case.model_version_id)
        if action == "suspend":
            case.status, case.updated_at = "suspended", now
            try:
                session.flush()  # the version check: of two actions at once, one fails
            except StaleDataError:
                raise StaleCase(Text("case %(number)s was changed by someone else at the same time; reload it and "
                                     "try again", number=case.number)) from None
            session.execute(delete(Timer).where(Timer.case_id == case.id))
            log_case_event(session, case, "case_suspended", actor, now, {"reason": reason})
            session.flush()
            return case_view(case, version, runtime, session, now)
        if action == "resume":
            case.status = "running"
            rows = save_case(ctx, session, case, runtime, now)  # writes its timers again (taken out when suspended)
            log_case_event(session, case, "case_resumed", actor, now, {"reason": reason})
            session.flush()
            return case_view(case, version, runtime, session, now, rows)
        return _retry(ctx, session, case, runtime, actor, reason, corrections or {}, now, version)


def _retry(ctx: EngineContext, session: Session, case: Case, runtime, actor: Actor, reason: str,
           corrections: dict[str, Any], now: datetime, version: int) -> CaseView:
    failed = runtime.failed_steps()
    if not failed:
        raise CaseClosed(Text("case %(number)s has no failed step kept to run again (it went into error before "
                              "failed steps were kept, or outside a step); cancel it instead", number=case.number))
    previous = case.error
    case.status, case.error = "running", None
    try:
        runtime.retry(corrections)
    except CaseError as exc:
        case.status, case.error = "error", str(exc)
    rows = save_case(ctx, session, case, runtime, now)
    if case.status == "running":
        record_finished(ctx, session, case)  # its summary as a case in error comes off the figures
    first = failed[0]
    log_case_event(session, case, "case_retried", actor, now,
                   {"reason": reason, "error": previous, "data": corrections, "outcome": case.status,
                    **({"new_error": case.error} if case.error else {})},
                   (first.task_id, first.step_id, first.name,
                    first.department if first.step_id in runtime.model.steps else None))
    session.flush()
    return case_view(case, version, runtime, session, now, rows)


@dataclass(frozen=True)
class Incident:
    """A case in error: what failed (step, message) and since when (its last change)."""

    number: str
    matter_id: str
    matter: Names
    variant: str
    error: str | None
    step_id: str | None
    step: Names | None
    department: str | None
    started_at: datetime
    since: datetime


def incidents(ctx: EngineContext, actor: Actor, limit: int = 200, region: str | None = None) -> list[Incident]:
    """Cases in error, newest first, with their message and the step that failed (admins); of `region` and the
    regions below it when given."""
    if actor.role not in TRUSTED:
        raise NotYourDepartment(Text("%(user)s (%(role)s) may not read incidents; an admin may", user=actor.name,
                                     role=actor.role))
    found = []
    with ctx.read() as session, using_clock(ctx.clock):
        cases = session.scalars(select(Case).where(Case.status == "error",
                                                   *region_conditions(session, actor, region))
                                .order_by(Case.updated_at.desc(), Case.id.desc()).limit(limit)).all()
        for case in cases:
            runtime, matter = load_runtime(ctx, session, case)
            failed = runtime.failed_steps()
            step = failed[0] if failed else None
            names = Names(step.name, step_name_en(runtime.model, step.step_id)) if step is not None else None
            found.append(Incident(case.number, case.matter_id, matter.names if matter is not None else
                                  Names(case.matter_id, case.matter_id), case.variant, case.error,
                                  step.step_id if step else None, names, step.department if step else None,
                                  case.started_at, case.updated_at))
    return found
