"""Read models for the clerk's screens: work items with deadlines, a step with its form, a case summary.

The web pages need what only a model version knows (a step's English name, time limit and form,
the matter's department names, the expected-path step count); these functions look it up here so
that `web/` never touches catalog or SpiffWorkflow.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from engine.catalog import versions as catalog
from engine.model.annotations import parse_step
from engine.cases.lifecycle import get_case, step_log
from engine.cases.persistence import find_case, work_item
from engine.context import EngineContext
from engine.errors import StepNotReady
from engine.cases.insight import Deadline, step_deadline
from engine.audit.masking import mask_personal, mask_text, matter_fields
from engine.matters.files import Form, Matter
from engine.model.metrics import static_metrics
from engine.store.tables import Case, OpenStep
from engine.views import CaseView, LogEntry, WorkItem



@dataclass(frozen=True)
class Labels:
    """A name in both languages (zh is the BPMN name, en the `name_en` property or matter.yaml)."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" and self.en else self.zh


@dataclass(frozen=True)
class WorkEntry:
    """A ready step on a worklist, with its names and time-limit status."""

    item: WorkItem
    step: Labels
    matter: Labels
    department: Labels
    time_limit: int | None
    deadline: Deadline


@dataclass(frozen=True)
class StepDetail:
    """A ready step opened by a clerk: the work entry, the case and the step's form (if any)."""

    entry: WorkEntry
    case: CaseView
    form: Form | None


@dataclass(frozen=True)
class CaseSummary:
    """A case as its page shows it: progress, timeline, what it waits for, names."""

    case: CaseView
    matter: Labels
    log: list[LogEntry]
    steps_done: int
    steps_expected: int
    step_names: dict[str, Labels] = field(default_factory=dict)
    department_names: dict[str, Labels] = field(default_factory=dict)
    open_steps: list[WorkEntry] = field(default_factory=list)


def _step_labels(model: Any, step_id: str, fallback: str) -> Labels:
    info = model.steps.get(step_id)
    if info is None:
        return Labels(fallback, fallback)
    return Labels(info.name or fallback, parse_step(info).name_en or info.name or fallback)


def _department_labels(matter: Matter | None, department: str | None) -> Labels:
    if department is None:
        return Labels("", "")
    if department == "Applicant":
        return Labels("申请人", "Applicant")
    for item in (matter.departments if matter else ()):
        if item.id == department:
            return Labels(item.names.zh, item.names.en)
    return Labels(department, department)


def _matter_labels(matter: Matter | None, matter_id: str) -> Labels:
    return Labels(matter.names.zh, matter.names.en) if matter else Labels(matter_id, matter_id)


def _entry(model: Any, matter: Matter | None, item: WorkItem, now: datetime) -> WorkEntry:
    info = model.steps.get(item.step_id)
    limit = parse_step(info).time_limit if info is not None else None
    return WorkEntry(item, _step_labels(model, item.step_id, item.step_name),
                     _matter_labels(matter, item.matter_id or ""), _department_labels(matter, item.department),
                     limit, step_deadline(limit, item.ready_at, now))


def work_items(ctx: EngineContext, department: str | None = None, limit: int = 200) -> list[WorkEntry]:
    """READY steps across cases (of one department when given), oldest first, with deadlines."""
    now = ctx.clock.now()
    with ctx.read() as session:
        query = (select(OpenStep, Case.number, Case.matter_id, Case.variant, Case.model_version_id)
                 .join(Case, Case.id == OpenStep.case_id).order_by(OpenStep.ready_at, OpenStep.task_id).limit(limit))
        if department is not None:
            query = query.where(OpenStep.department == department)
        entries = []
        for row, number, matter_id, variant, version_id in session.execute(query).all():
            model, matter = catalog.loaded_version(ctx, session, version_id)
            entries.append(_entry(model, matter, work_item(row, number, matter_id, variant), now))
        return entries


def entries(ctx: EngineContext, items: list[WorkItem]) -> list[WorkEntry]:
    """Work items with their names and deadlines, each from its own case's model version."""
    numbers = {item.case_number for item in items}
    now = ctx.clock.now()
    with ctx.read() as session:
        versions = dict(session.execute(select(Case.number, Case.model_version_id).where(Case.number.in_(numbers))).all()) \
            if numbers else {}
        return [_entry(*catalog.loaded_version(ctx, session, versions[item.case_number]), item, now) for item in items]


def step_detail(ctx: EngineContext, number: str, step: str) -> StepDetail:
    """A READY step of a case (by BPMN id or task id) with its form; StepNotReady when it is not ready."""
    view = get_case(ctx, number)
    item = next((i for i in view.ready_steps if step in (i.step_id, i.task_id)), None)
    if item is None:
        raise StepNotReady(f"step {step!r} of case {view.number} is not waiting for anyone now")
    with ctx.read() as session:
        case = find_case(session, number)
        model, matter = catalog.loaded_version(ctx, session, case.model_version_id)
    info = model.steps.get(item.step_id)
    form_id = parse_step(info).form if info is not None else None
    form = matter.forms.get(form_id) if matter is not None and form_id else None
    return StepDetail(_entry(model, matter, item, ctx.clock.now()), view, form)


def case_summary(ctx: EngineContext, number: str, masked: bool = False) -> CaseSummary:
    """Progress, timeline and names of a case; personal data masked when `masked` (auditors)."""
    view = get_case(ctx, number)
    log = step_log(ctx, number)
    with ctx.read() as session:
        case = find_case(session, number)
        model, matter = catalog.loaded_version(ctx, session, case.model_version_id)
    expected = static_metrics(model, matter, view.variant)["steps"]
    done = len({e.step_id for e in log if e.event == "completed"})
    names = {sid: _step_labels(model, sid, info.name) for sid, info in model.steps.items()}
    departments = {d: _department_labels(matter, d) for d in {*model.lanes, *(e.department for e in log if e.department)}}
    now = ctx.clock.now()
    open_steps = [_entry(model, matter, item, now) for item in view.ready_steps]
    if masked:
        fields = matter_fields(matter)
        view = _replace_data(view, mask_personal(view.data, fields))
        log = [_masked_entry(e, fields) for e in log]
    return CaseSummary(view, _matter_labels(matter, view.matter_id), log, done, max(expected, done), names,
                       departments, open_steps)


def _masked_entry(entry: LogEntry, fields: list) -> LogEntry:
    from dataclasses import replace

    return replace(entry, data=mask_personal(entry.data, fields))


def _replace_data(view: CaseView, data: dict[str, Any] | None) -> CaseView:
    from dataclasses import replace

    return replace(view, data=data or {}, error=mask_text(view.error))
