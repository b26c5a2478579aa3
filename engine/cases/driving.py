"""Drive a case to its end through the use cases, as its clerks and applicant would, with example data.

`onething run --auto`, the demo data and the tests all move cases on this way: complete a ready
step (its form filled with the matter's example values), else deliver a message the case waits
for, else move the context's simulated clock past the next timer and fire it.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from engine.accounts.users import Actor
from engine.cases import lifecycle as cases, timers
from engine.cases.persistence import find_case
from engine.catalog import versions as catalog
from engine.context import EngineContext
from engine.runtime.clock import SimulatedClock
from engine.views import CaseView, WorkItem
from engine.vocabulary import APPLICANT, ROOT_REGION

MAX_ROUNDS = 10_000
TIMER_SLACK = timedelta(seconds=1)  # how far past a timer's due time the clock is set to fire it


@dataclass
class Driven:
    """How far driving a case got: its last view and the steps completed on the way, in order."""

    view: CaseView
    passed: list[str] = field(default_factory=list)


def step_data(model: Any, matter: Any, step_id: str, given: dict[str, Any] | None) -> dict[str, Any]:
    """The given data, completed with the form's example values when the model declares a form."""
    from engine.matters.forms import example_data
    from engine.model.reading import step_form

    form = step_form(model, matter, step_id)
    if form is None:
        return dict(given or {})
    values = example_data(form)
    for name in values:
        if given and name in given:
            values[name] = given[name]
    return values


def actor_for(item: WorkItem, region: str = ROOT_REGION) -> Actor:
    """Who completes a ready step: the applicant in their lane, a clerk of the step's department in the case's
    `region`, or (a step in no lane, as in models drawn without lanes) OneThing itself."""
    if item.department == APPLICANT:
        return Actor.applicant()
    if item.department is None:
        return Actor.system()
    return Actor(f"clerk.{item.department}", "clerk", item.department, region)


def drive_case(ctx: EngineContext, number: str, data: dict[str, Any] | None = None, *, rounds: int = MAX_ROUNDS,
               pick: Callable[[Sequence[WorkItem]], WorkItem] | None = None,
               values: Callable[[WorkItem], dict[str, Any]] | None = None,
               before_each: Callable[[], bool] | None = None,
               on_event: Callable[[str], None] | None = None) -> Driven:
    """Move a case on until it ends, has nothing left to do, `before_each` says stop, or `rounds` moves were made.

    A move completes the first ready step (or the one `pick` chooses) with `values(step)`, by
    default `data` over the step form's example values; else delivers the first message the case
    waits for; else sets ctx.clock (a SimulatedClock) past the next timer and fires it.
    """
    values = values or _examples(ctx, number, data)
    driven = Driven(cases.get_case(ctx, number))
    for _ in range(rounds):
        if driven.view.status != "running" or (before_each is not None and not before_each()):
            break
        if not _move(ctx, driven, pick or _first, values, on_event or _ignore):
            break
    return driven


def _move(ctx: EngineContext, driven: Driven, pick: Callable[[Sequence[WorkItem]], WorkItem],
          values: Callable[[WorkItem], dict[str, Any]], on_event: Callable[[str], None]) -> bool:
    """One move of a running case; False if it has nothing to do."""
    view = driven.view
    if view.ready_steps:
        item = pick(view.ready_steps)
        driven.view = cases.complete_step(ctx, view.number, item.task_id, actor_for(item, view.region), values(item))
        driven.passed.append(item.step_id)
        on_event(f"step {item.step_id} — {item.step_name} [{item.department or '-'}] completed")
    elif view.waiting_messages:
        name = view.waiting_messages[0]
        driven.view = cases.send_message(ctx, view.number, name, {}, actor=Actor.system())
        on_event(f"message {name} delivered")
    elif view.timers:
        clock = ctx.clock
        if not isinstance(clock, SimulatedClock):
            raise TypeError("drive_case fires timers by moving the context's clock: give it a SimulatedClock")
        clock.set(max(view.timers[0], clock.now()) + TIMER_SLACK)
        timers.fire_due_timers(ctx)
        driven.view = cases.get_case(ctx, view.number)
        on_event(f"timer fired; clock now {ctx.clock.now():%Y-%m-%d %H:%M}")
    else:
        return False
    return True


def _examples(ctx: EngineContext, number: str, given: dict[str, Any] | None) -> Callable[[WorkItem], dict[str, Any]]:
    """`given` over the example values of each step's form, from the case's own model version."""
    with ctx.read() as session:
        case = find_case(session, number)
        model, matter = catalog.loaded_version(ctx, session, case.model_version_id, case.calls)
    return lambda item: step_data(model, matter, item.step_id, given)


def _first(items: Sequence[WorkItem]) -> WorkItem:
    return items[0]


def _ignore(line: str) -> None:
    pass
