"""Cases for clerks (their matters' departments), auditors (read-only, masked) and admins; the worklist."""
from __future__ import annotations

import dataclasses
from typing import Any

from engine.cases import lifecycle as cases
from engine.catalog import designer
from engine.errors import NotYourDepartment
from engine.cases.insight import Deadline
from engine.accounts.users import Actor
from engine.views import CaseView, WorkItem
from engine.audit.masking import mask_personal, mask_text
from engine.cases.worklist import entries, work_items
from web.api.routing import api, ctx
from web.schemas import (CancelSchema, CaseSchema, CompleteStepSchema, EmptySchema, LogEntrySchema, MessageSchema,
                         StartCaseSchema, WorkItemSchema, WorklistQuery)

READ = ("clerk", "auditor", "admin")
ACT = ("clerk", "admin")
WORK = ("clerk",)  # engine.accounts.users.Actor.may_work: only a clerk of the step's department works a step


def _check_matter(actor: Actor, matter_id: str) -> None:
    """Clerks see and act on cases of matters their department takes part in."""
    if actor.role == "clerk" and actor.department not in designer.matter_departments(ctx(), matter_id):
        raise NotYourDepartment(f"department {actor.department!r} takes no part in matter {matter_id!r}")


def _item(item: WorkItem) -> dict[str, Any]:
    entry = entries(ctx(), [item])[0]
    return _shown(item, entry.time_limit, entry.deadline)


def _shown(item: WorkItem, limit: int | None, deadline: Deadline) -> dict[str, Any]:
    shown = {f.name: getattr(item, f.name) for f in dataclasses.fields(item)}  # shallow: asdict deep-copies
    return {**shown, "time_limit": limit, "due": deadline.due, "days_left": deadline.days_left,
            "colour": deadline.colour}


def _form_fields(matter_id: str) -> list:
    return [f for _, matter in designer.current_models(ctx(), matter_id).values() if matter is not None
            for form in matter.forms.values() for f in form.fields]


def _case(view: CaseView, actor: Actor) -> dict[str, Any]:
    shown = {f.name: getattr(view, f.name) for f in dataclasses.fields(view)}
    shown["ready_steps"] = [_shown(e.item, e.time_limit, e.deadline) for e in entries(ctx(), list(view.ready_steps))]
    if actor.role == "auditor":
        shown["data"] = mask_personal(view.data, _form_fields(view.matter_id))
        shown["error"] = mask_text(view.error)
    return shown


@api("/cases", "POST", roles=ACT, body=StartCaseSchema, response=CaseSchema, status=201,
     summary="Start a case of the current version of a matter variant (clerks of the matter, admins)")
def start_case(actor: Actor, body: dict[str, Any]) -> dict[str, Any]:
    _check_matter(actor, body["matter_id"])
    return _case(cases.start_case(ctx(), body["matter_id"], body["variant"], body["data"], actor), actor)


@api("/cases/<number>", roles=READ, response=CaseSchema,
     summary="A case with its ready steps (with deadlines), waits and data (masked for auditors)")
def show_case(actor: Actor, number: str) -> dict[str, Any]:
    view = cases.get_case(ctx(), number)
    _check_matter(actor, view.matter_id)
    return _case(view, actor)


@api("/cases/<number>/steps", roles=READ, response=LogEntrySchema, many=True,
     summary="The step log of a case, oldest first (data masked for auditors)")
def case_steps(actor: Actor, number: str) -> list[dict[str, Any]]:
    view = cases.get_case(ctx(), number)
    _check_matter(actor, view.matter_id)
    entries = [dataclasses.asdict(e) for e in cases.step_log(ctx(), number)]
    if actor.role == "auditor":
        fields = _form_fields(view.matter_id)
        for entry in entries:
            entry["data"] = mask_personal(entry["data"], fields)
    return entries


@api("/cases/<number>/steps/<step>/claim", "POST", roles=WORK, body=EmptySchema, response=WorkItemSchema,
     summary="Claim a ready step of your department")
def claim(actor: Actor, number: str, step: str, body: dict[str, Any]) -> dict[str, Any]:
    return _item(cases.claim_step(ctx(), number, step, actor))


@api("/cases/<number>/steps/<step>/release", "POST", roles=WORK, body=EmptySchema, response=WorkItemSchema,
     summary="Give a step you claimed back to the department's queue")
def release(actor: Actor, number: str, step: str, body: dict[str, Any]) -> dict[str, Any]:
    return _item(cases.release_step(ctx(), number, step, actor))


@api("/cases/<number>/steps/<step>/complete", "POST", roles=WORK, body=CompleteStepSchema, response=CaseSchema,
     summary="Complete a ready step of your department with its form data")
def complete(actor: Actor, number: str, step: str, body: dict[str, Any]) -> dict[str, Any]:
    view = cases.complete_step(ctx(), number, step, actor, body["data"], body.get("expected_version"))
    return _case(view, actor)


@api("/cases/<number>/messages", "POST", roles=ACT, body=MessageSchema, response=CaseSchema,
     summary="Deliver a message (another department's result) to a waiting case")
def message(actor: Actor, number: str, body: dict[str, Any]) -> dict[str, Any]:
    _check_matter(actor, cases.get_case(ctx(), number).matter_id)
    return _case(cases.send_message(ctx(), number, body["name"], body["payload"], actor=actor), actor)


@api("/cases/<number>/cancel", "POST", roles=ACT, body=CancelSchema, response=CaseSchema,
     summary="Cancel a running case")
def cancel(actor: Actor, number: str, body: dict[str, Any]) -> dict[str, Any]:
    _check_matter(actor, cases.get_case(ctx(), number).matter_id)
    return _case(cases.cancel_case(ctx(), number, actor, body["reason"]), actor)


@api("/worklist", roles=ACT, query=WorklistQuery, response=WorkItemSchema, many=True,
     summary="Ready steps of your department, oldest first, with time-limit colour and working days left")
def worklist(actor: Actor, query: dict[str, Any]) -> list[dict[str, Any]]:
    department = actor.department if actor.role == "clerk" else query.get("department")
    # time limits from each case's own model version (engine.cases.worklist), not the matter's newest one
    return [_shown(e.item, e.time_limit, e.deadline) for e in work_items(ctx(), department, query["limit"])]
