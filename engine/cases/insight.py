"""Read models for drawings and deadlines: a case's overlay, measured step durations, time-limit status."""
from __future__ import annotations

from dataclasses import dataclass, field

from SpiffWorkflow import TaskState
from sqlalchemy import select

from engine.accounts.users import Actor
from engine.cases.deadlines import step_deadline, step_time_limit
from engine.cases.persistence import find_case, find_case_for, load_runtime
from engine.context import EngineContext
from engine.model.calls import step_calls
from engine.model.metrics import rounded
from engine.runtime.clock import using_clock
from engine.store.sqlstats import MEDIAN, counted, hours_between, percentile, ranked
from engine.store.tables import Case, ModelVersion, OpenStep, StepLogEntry


@dataclass(frozen=True)
class CaseOverlay:
    """What a drawing of a case needs: the model file and the state of each element."""

    data: bytes
    filename: str
    step_states: dict[str, str]  # bpmn id -> completed | ready | waiting | overdue | not_reached
    trail: list[str]
    taken: list[tuple[str, str]]  # (source, target) of every flow the case took
    called_in: dict[str, str] = field(default_factory=dict)  # a called process's step -> the call activity drawn


def case_overlay(ctx: EngineContext, number: str) -> CaseOverlay:
    """The case's model file and each step's state, for `diagrams.render_case`."""
    with ctx.read() as session, using_clock(ctx.clock):
        case = find_case(session, number)
        version = session.get_one(ModelVersion, case.model_version_id)
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
            limit = step_time_limit(model, row.step_id)
            late = step_deadline(limit, row.ready_at, now).colour == "red"
            states[row.step_id] = "overdue" if late else "ready"
        taken = [(source, target) for source, target in case.flows or []]
        called_in = step_calls(model)
        return CaseOverlay(version.bpmn, version.filename, _with_calls(states, called_in), list(case.trail or []),
                           taken, called_in)


_RANK = ("not_reached", "completed", "waiting", "ready", "overdue")


def _with_calls(states: dict[str, str], called_in: dict[str, str]) -> dict[str, str]:
    """A call activity into another file, drawn as one box, takes the most pressing state of the steps it runs
    (overdue, ready, waiting), else its own (completed once the call is done)."""
    for step_id, call in called_in.items():
        inner, own = states.get(step_id, "not_reached"), states.get(call, "not_reached")
        if inner in ("waiting", "ready", "overdue") and _RANK.index(inner) > _RANK.index(own):
            states[call] = inner
    return states


def case_model(ctx: EngineContext, number: str, actor: Actor) -> tuple[bytes, str]:
    """The BPMN file (bytes, file name) of the model version a case runs on, for `actor`: staff outside the case
    get the CaseNotFound of a number no case has, as on the case page."""
    with ctx.read() as session:
        case = find_case_for(ctx, session, number, actor, reading=True)
        version = session.get_one(ModelVersion, case.model_version_id)
        return version.bpmn, version.filename


def step_durations(ctx: EngineContext, matter_id: str, variant: str, source: str = "real") -> dict[str, float]:
    """Median hours from ready to completed (waiting + working) per step of the variant's cases of one source.

    One SQL aggregate over the step log (engine/store/sqlstats.py): no row is loaded into Python.
    """
    log = StepLogEntry
    hours = hours_between(log.ready_at, log.at)
    rows = (select(log.step_id, *ranked("hours", hours, [log.step_id]), counted([log.step_id], order_by=hours))
            .join(Case, Case.id == log.case_id)
            .where(Case.matter_id == matter_id, Case.variant == variant, Case.source == source,
                   log.event == "completed").subquery())
    median = percentile(rows.c.hours, rows.c.hours_rank, rows.c.n, MEDIAN)
    with ctx.read() as session:
        medians = session.execute(select(rows.c.step_id, median).group_by(rows.c.step_id)).all()
    return {step_id: rounded(round(hours, 2)) for step_id, hours in medians}
