"""Read models for the clerk's and auditor's screens: worklists, a step with its form, a case with its timeline.

Each use case reads in one transaction, loads a case's workflow at most once, and checks who asks.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select

from engine.accounts.users import Actor
from engine.audit.masking import mask_personal, mask_text, matter_fields
from engine.cases.persistence import case_view, find_case_for, load_runtime, not_waiting, read_log, work_item
from engine.catalog import versions as catalog
from engine.context import EngineContext
from engine.errors import NotYourDepartment
from engine.matters.files import Form, Matter, Names
from engine.matters.labels import LabelledValue, labelled_data
from engine.model.metrics import static_metrics
from engine.model.reading import department_names, message_names, named_step, step_form, step_name_en
from engine.model.types import Model
from engine.runtime.clock import using_clock
from engine.store.tables import Case, OpenStep
from engine.text import Text
from engine.views import CaseView, LogEntry, WorkItem
from engine.vocabulary import ROOT_REGION


@dataclass(frozen=True)
class WorkEntry:
    """A ready step on a worklist, with its names; its time limit and deadline come with the item."""

    item: WorkItem
    step: Names
    matter: Names
    department: Names
    region: str = ROOT_REGION  # the case's: an admin gives the step only to a clerk of that region

    @property
    def time_limit(self) -> int | None:
        return self.item.time_limit

    @property
    def deadline(self) -> Any:
        return self.item.deadline


@dataclass(frozen=True)
class StepDetail:
    """A ready step opened by a clerk: the work entry, the case, the step's form (if any) and the case data
    labelled with the case's own form fields (`case.data` keeps the raw keys and values)."""

    entry: WorkEntry
    case: CaseView
    form: Form | None
    data: tuple[LabelledValue, ...] = ()


@dataclass(frozen=True)
class CaseSummary:
    """A case as its page shows it: progress, timeline, what it waits for, names; each log entry's data
    labelled with the case's own form fields after masking (`log_data`, in the order of `log`)."""

    case: CaseView
    matter: Names
    log: list[LogEntry]
    steps_done: int
    steps_expected: int
    step_names: dict[str, Names] = field(default_factory=dict)
    department_names: dict[str, Names] = field(default_factory=dict)
    open_steps: list[WorkEntry] = field(default_factory=list)
    log_data: tuple[tuple[LabelledValue, ...], ...] = ()
    message_names: dict[str, Names] = field(default_factory=dict)  # a waited-for message -> its waiting step's names


def _step_names(model: Model, step_id: str, fallback: str) -> Names:
    info = model.steps.get(step_id)
    zh = (info.name if info is not None else "") or fallback
    return Names(zh, step_name_en(model, step_id) if info is not None else fallback)


def _matter_names(matter: Matter | None, matter_id: str) -> Names:
    return matter.names if matter is not None else Names(matter_id, matter_id)


def _entry(model: Model, matter: Matter | None, item: WorkItem, region: str = ROOT_REGION) -> WorkEntry:
    return WorkEntry(item, _step_names(model, item.step_id, item.step_name),
                     _matter_names(matter, item.matter_id or ""), department_names(model, matter, item.department),
                     region)


def work_items(ctx: EngineContext, department: str | None = None, limit: int = 200,
               region: str | None = None) -> list[WorkEntry]:
    """READY steps across cases (of one department, of one region, when given), oldest first, with deadlines."""
    now = ctx.clock.now()
    with ctx.read() as session:
        query = (select(OpenStep, Case.number, Case.matter_id, Case.variant, Case.model_version_id, Case.region)
                 .join(Case, Case.id == OpenStep.case_id).order_by(OpenStep.ready_at, OpenStep.task_id).limit(limit))
        if department is not None:
            query = query.where(OpenStep.department == department)
        if region is not None:
            query = query.where(Case.region == region)
        entries = []
        for row, number, matter_id, variant, version_id, case_region in session.execute(query).all():
            model, matter = catalog.loaded_version(ctx, session, version_id)
            entries.append(_entry(model, matter, work_item(row, number, matter_id, variant, model, now), case_region))
        return entries


def step_detail(ctx: EngineContext, number: str, step: str, actor: Actor) -> StepDetail:
    """A READY step of a case (by BPMN id or task id) with its form, for a clerk who may work it."""
    with ctx.read() as session, using_clock(ctx.clock):
        case = find_case_for(ctx, session, number, actor)
        runtime, matter = load_runtime(ctx, session, case)
        view = case_view(case, catalog.version_number(ctx, session, case.model_version_id), runtime, session,
                         ctx.clock.now())
        item = next((i for i in view.ready_steps if step in (i.step_id, i.task_id)), None)
        if item is None:
            raise not_waiting(session, case, runtime.step_id_of(step), runtime.model)
    if not actor.may_work(item.department):
        raise NotYourDepartment(Text("%(user)s may not work step '%(step)s' of department '%(department)s'",
                                     user=actor.name, step=named_step(runtime.model, item.step_id, item.step_name),
                                     department=item.department))
    form = _form(runtime.model, matter, item.step_id)
    return StepDetail(_entry(runtime.model, matter, item), view, form, labelled_data(view.data, matter_fields(matter)))


def _form(model: Model, matter: Matter | None, step_id: str) -> Form | None:
    return step_form(model, matter, step_id)


def _form_fields(model: Model, matter: Matter | None, step_id: str) -> tuple:
    """The fields of a step's own form (its labels come first for the data that step submitted)."""
    form = _form(model, matter, step_id)
    return form.fields if form is not None else ()


def case_summary(ctx: EngineContext, number: str, actor: Actor) -> CaseSummary:
    """Progress, timeline and names of a case for `actor`; personal data masked for auditors."""
    with ctx.read() as session, using_clock(ctx.clock):
        case = find_case_for(ctx, session, number, actor, reading=True)
        runtime, matter = load_runtime(ctx, session, case)
        view = case_view(case, catalog.version_number(ctx, session, case.model_version_id), runtime, session,
                         ctx.clock.now())
        log = read_log(session, case)
    model = runtime.model
    expected = static_metrics(model, matter, view.variant)["steps"]
    done = len({e.step_id for e in log if e.event == "completed"})
    names = {sid: _step_names(model, sid, info.name) for sid, info in model.steps.items()}
    departments = {d: department_names(model, matter, d)
                   for d in {*model.lanes, *(e.department for e in log if e.department)}}
    open_steps = [_entry(model, matter, item) for item in view.ready_steps]
    fields = matter_fields(matter)  # the case's own model version: which fields hold personal data, their labels
    if actor.role == "auditor":
        view = replace(view, data=mask_personal(view.data, fields) or {}, error=mask_text(view.error))
        log = [replace(e, data=mask_personal(e.data, fields)) for e in log]
    return CaseSummary(view, _matter_names(matter, view.matter_id), log, done, max(expected, done), names,
                       departments, open_steps,  # labelled after masking, never from the raw data
                       tuple(labelled_data(e.data, [*_form_fields(model, matter, e.step_id), *fields]) for e in log),
                       message_names(model) if view.waiting_messages else {})
