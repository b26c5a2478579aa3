"""Read models for drawings and deadlines: a case's overlay, measured step durations, time-limit status."""
from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import select
from SpiffWorkflow import TaskState

from engine.model.annotations import parse_step
from engine.model.metrics import rounded
from engine.cases.persistence import find_case, load_runtime
from engine.runtime.clock import using_clock
from engine.context import EngineContext
from engine.store.tables import Case, ModelVersion, OpenStep, StepLogEntry
from engine.runtime.workdays import CHINA, WorkCalendar, china_date, default_calendar


@dataclass(frozen=True)
class CaseOverlay:
    """What a drawing of a case needs: the model file and the state of each element."""

    data: bytes
    filename: str
    step_states: dict[str, str]  # bpmn id -> completed | ready | waiting | overdue | not_reached
    trail: list[str]
    taken: list[tuple[str, str]]  # (source, target) of every flow the case took


@dataclass(frozen=True)
class Deadline:
    """A ready step's time limit: due date and working days left (negative when overdue)."""

    due: datetime | None
    days_left: int | None

    @property
    def colour(self) -> str:
        """green (more than 2 working days), yellow (0–2), red (overdue), none (no limit)."""
        if self.days_left is None:
            return "none"
        return "red" if self.days_left < 0 else "yellow" if self.days_left <= 2 else "green"


def step_deadline(time_limit: int | None, ready_at: datetime, now: datetime,
                  calendar: WorkCalendar | None = None) -> Deadline:
    """Due date and working days left for a step that became ready at `ready_at`."""
    if not time_limit:
        return Deadline(None, None)
    calendar = calendar or default_calendar()
    due_day = calendar.add_workdays(china_date(ready_at), time_limit)
    due = datetime.combine(due_day, time(18, 0), tzinfo=CHINA)  # end of the due working day, Beijing time
    return Deadline(due, calendar.workdays_between(china_date(now), due_day))


def case_overlay(ctx: EngineContext, number: str) -> CaseOverlay:
    """The case's model file and each step's state, for `diagrams.render_case`."""
    with ctx.read() as session, using_clock(ctx.clock):
        case = find_case(session, number)
        version = session.get(ModelVersion, case.model_version_id)
        runtime, _ = load_runtime(ctx, session, case)
        model = runtime.model
        states = {step_id: "not_reached" for step_id in model.steps}
        for element in case.trail or []:
            states[element] = "completed"
        for task in runtime.workflow.get_tasks(state=TaskState.WAITING):
            if task.task_spec.bpmn_id:
                states[task.task_spec.bpmn_id] = "waiting"
        now = ctx.clock.now()
        for row in session.scalars(select(OpenStep).where(OpenStep.case_id == case.id)):
            limit = parse_step(model.steps[row.step_id]).time_limit if row.step_id in model.steps else None
            late = step_deadline(limit, row.ready_at, now).colour == "red"
            states[row.step_id] = "overdue" if late else "ready"
        taken = [tuple(pair) for pair in case.flows or []]
        return CaseOverlay(version.bpmn, version.filename, states, list(case.trail or []), taken)


def step_durations(ctx: EngineContext, matter_id: str, variant: str) -> dict[str, float]:
    """Median hours from ready to completed per step, over every completed step of the variant."""
    with ctx.read() as session:
        rows = session.execute(
            select(StepLogEntry.step_id, StepLogEntry.ready_at, StepLogEntry.at)
            .join(Case, Case.id == StepLogEntry.case_id)
            .where(Case.matter_id == matter_id, Case.variant == variant, StepLogEntry.event == "completed"))
        hours: dict[str, list[float]] = {}
        for step_id, ready_at, done_at in rows:
            hours.setdefault(step_id, []).append((done_at - ready_at).total_seconds() / 3600)
        return {step_id: rounded(statistics.median(values)) for step_id, values in hours.items()}
