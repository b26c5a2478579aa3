"""Cases for clerks (their matters' departments), auditors (read-only, masked) and admins; the worklist."""
from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import engine
from engine import Actor, CaseView, LogEntry, WorkItem, WorklistFilter
from web.api.routing import api
from web.app import ctx
from web.schemas import (
    CancelSchema,
    CaseSchema,
    CompleteStepSchema,
    DonePageSchema,
    DoneQuery,
    EmptySchema,
    LogEntrySchema,
    MessageSchema,
    StartCaseSchema,
    WorkItemSchema,
    WorklistPageSchema,
    WorklistQuery,
)
from web.schemas_cases import AdminActionSchema, CaseListQuery, CaseListSchema, IncidentSchema, RetrySchema

READ = ("clerk", "auditor", "admin")
ADMIN = ("admin",)
ACT = ("clerk", "admin")
WORK = ("clerk",)  # only a clerk of the step's department works a step (the engine checks the department)


def _item(item: WorkItem) -> dict[str, Any]:
    shown = {f.name: getattr(item, f.name) for f in dataclasses.fields(item)}  # shallow: asdict deep-copies
    deadline = shown.pop("deadline")
    return {**shown, "due": deadline.due, "days_left": deadline.days_left, "colour": deadline.colour}


def _case(view: CaseView) -> dict[str, Any]:
    shown = {f.name: getattr(view, f.name) for f in dataclasses.fields(view)}
    shown["ready_steps"] = [_item(item) for item in view.ready_steps]
    return shown


@api("/cases", "POST", roles=ACT, body=StartCaseSchema, response=CaseSchema, status=201,
     summary="Start a case of the current version of a matter variant (clerks of the matter, admins)")
def start_case(actor: Actor, body: dict[str, Any]) -> dict[str, Any]:
    return _case(engine.start_case(ctx(), body["matter_id"], body["variant"], body["data"], actor))


@api("/cases", roles=READ, query=CaseListQuery, response=CaseListSchema,
     summary="Cases you may read (clerks: of your department's matters), filtered, sorted, one page with the total")
def list_cases(actor: Actor, query: dict[str, Any]) -> engine.CaseList:
    return engine.list_cases(ctx(), actor, engine.CaseQuery(
        matter_id=query.get("matter"), variant=query.get("variant"), status=query.get("status"),
        started_from=_day(query.get("started_from"), "started_from"),
        started_to=_day(query.get("started_to"), "started_to"), overdue=query["overdue"] == "true",
        source=query["source"], sort=query["sort"], descending=query["order"] == "desc", page=query["page"],
        page_size=query["page_size"], region=query.get("region")))


def _day(text: str | None, field: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise engine.InputError(f"{field}: not a date (YYYY-MM-DD)", fields={field: ["not a date"]}) from None


@api("/cases/incidents", roles=ADMIN, response=IncidentSchema, many=True,
     summary="Cases in error, newest first, with their message and the step that failed (admins)")
def incidents(actor: Actor) -> list[engine.Incident]:
    return engine.incidents(ctx(), actor)


@api("/cases/<number>", roles=READ, response=CaseSchema,
     summary="A case with its ready steps (with deadlines), waits and data (masked for auditors)")
def show_case(actor: Actor, number: str) -> dict[str, Any]:
    return _case(engine.case_summary(ctx(), number, actor).case)


@api("/cases/<number>/steps", roles=READ, response=LogEntrySchema, many=True,
     summary="The step log of a case, oldest first (data masked for auditors)")
def case_steps(actor: Actor, number: str) -> list[LogEntry]:
    return engine.case_summary(ctx(), number, actor).log


@api("/cases/<number>/steps/<step>/claim", "POST", roles=WORK, body=EmptySchema, response=WorkItemSchema,
     summary="Claim a ready step of your department")
def claim(actor: Actor, number: str, step: str, body: dict[str, Any]) -> dict[str, Any]:
    return _item(engine.claim_step(ctx(), number, step, actor))


@api("/cases/<number>/steps/<step>/release", "POST", roles=WORK, body=EmptySchema, response=WorkItemSchema,
     summary="Give a step you claimed back to the department's queue")
def release(actor: Actor, number: str, step: str, body: dict[str, Any]) -> dict[str, Any]:
    return _item(engine.release_step(ctx(), number, step, actor))


@api("/cases/<number>/steps/<step>/complete", "POST", roles=WORK, body=CompleteStepSchema, response=CaseSchema,
     summary="Complete a ready step of your department with its form data")
def complete(actor: Actor, number: str, step: str, body: dict[str, Any]) -> dict[str, Any]:
    return _case(engine.complete_step(ctx(), number, step, actor, body["data"], body.get("expected_version")))


@api("/cases/<number>/messages", "POST", roles=ACT, body=MessageSchema, response=CaseSchema,
     summary="Deliver a message (another department's result) to a waiting case")
def message(actor: Actor, number: str, body: dict[str, Any]) -> dict[str, Any]:
    return _case(engine.send_message(ctx(), number, body["name"], body["payload"], actor=actor))


@api("/cases/<number>/cancel", "POST", roles=ACT, body=CancelSchema, response=CaseSchema,
     summary="Cancel a case that is running, suspended or in error")
def cancel(actor: Actor, number: str, body: dict[str, Any]) -> dict[str, Any]:
    return _case(engine.cancel_case(ctx(), number, actor, body["reason"]))


@api("/cases/<number>/suspend", "POST", roles=ADMIN, body=AdminActionSchema, response=CaseSchema,
     summary="Suspend a running case: nothing moves it (steps, messages, timers) until it is resumed (admins)")
def suspend(actor: Actor, number: str, body: dict[str, Any]) -> dict[str, Any]:
    return _case(engine.suspend_case(ctx(), number, actor, body["reason"]))


@api("/cases/<number>/resume", "POST", roles=ADMIN, body=AdminActionSchema, response=CaseSchema,
     summary="Resume a suspended case (admins)")
def resume(actor: Actor, number: str, body: dict[str, Any]) -> dict[str, Any]:
    return _case(engine.resume_case(ctx(), number, actor, body["reason"]))


@api("/cases/<number>/retry", "POST", roles=ADMIN, body=RetrySchema, response=CaseSchema,
     summary="Run the failed step of a case in error again, its data corrected by `data` first (admins); "
             "if it fails again the case stays in error with the new message")
def retry(actor: Actor, number: str, body: dict[str, Any]) -> dict[str, Any]:
    return _case(engine.retry_case(ctx(), number, actor, body["reason"], body["data"]))


@api("/worklist", roles=ACT, query=WorklistQuery, response=WorklistPageSchema,
     summary="Ready steps of your department (an admin: every department or one), filtered, sorted (by arrival "
             "or due time), a page at a time: pass next_cursor as cursor for the next page; with time-limit "
             "colour and working days left")
def worklist(actor: Actor, query: dict[str, Any]) -> dict[str, Any]:
    department = actor.department if actor.role == "clerk" else query.get("department")
    # time limits from each case's own model version, not the matter's newest one
    page = engine.worklist(ctx(), WorklistFilter(
        department=department, matter=query.get("matter"), step=query.get("step"), due=query.get("due"),
        claimed=query["claimed"], me=actor.name, search=query["search"], sort=query["sort"],
        descending=query["order"] == "desc", cursor=query.get("cursor"), limit=query["limit"], reader=actor,
        region=query.get("region")))
    return {"items": [_item(e.item) for e in page.entries], "next_cursor": page.next_cursor, "total": page.total}


@api("/worklist/done", roles=WORK, query=DoneQuery, response=DonePageSchema,
     summary="Steps you completed, newest first, a page at a time (pass next_cursor as cursor)")
def done(actor: Actor, query: dict[str, Any]) -> dict[str, Any]:
    page = engine.done_by(ctx(), actor.name, query.get("cursor"), query["limit"], actor.region)
    return {"items": page.entries, "next_cursor": page.next_cursor, "total": page.total}
