"""`onething run`: one BPMN file through the real engine in a throwaway in-memory database."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable

from engine.cases import lifecycle as cases
from engine.catalog import versions as catalog
from engine.cases import timers
from engine.runtime.clock import SimulatedClock
from engine.context import EngineContext
from engine.accounts.users import Actor

MAX_ROUNDS = 10_000


@dataclass
class DryRun:
    """What a dry run did: the steps passed, in order, and how it ended."""

    number: str = ""
    passed: list[str] = field(default_factory=list)
    status: str = ""
    error: str | None = None
    waiting: list[str] = field(default_factory=list)


def dry_run(path: str | Path, data: dict[str, Any] | None = None, auto: bool = False,
            on_event: Callable[[str], None] = lambda line: None, variant: str | None = None) -> DryRun:
    """Deploy one file into an in-memory database, start a case, and (with auto) drive it to its end."""
    path = Path(path)
    ctx = EngineContext.from_url("sqlite://", clock=SimulatedClock())
    ctx.init_db()
    deployed = catalog.deploy_path(ctx, path)[0]
    view = cases.start_case(ctx, deployed.matter_id, deployed.variant, None)
    result = DryRun(number=view.number)
    with ctx.read() as session:
        row = catalog.current_version(session, deployed.matter_id, deployed.variant)
        model, matter = catalog.loaded_version(ctx, session, row.id)
    on_event(f"case {view.number} started ({deployed.matter_id}/{deployed.variant})")
    for _ in range(MAX_ROUNDS):
        if view.status != "running" or not auto:
            break
        if view.ready_steps:
            item = view.ready_steps[0]
            values = step_data(model, matter, item.step_id, data)
            actor = Actor.applicant() if item.department == "Applicant" else Actor("dry-run", "clerk", item.department)
            view = cases.complete_step(ctx, view.number, item.task_id, actor, values)
            result.passed.append(item.step_id)
            on_event(f"step {item.step_id} — {item.step_name} [{item.department or '-'}] completed")
        elif view.waiting_messages:
            name = view.waiting_messages[0]
            view = cases.send_message(ctx, view.number, name, {}, actor=Actor.system())
            on_event(f"message {name} delivered")
        elif view.timers:
            ctx.clock.set(max(view.timers[0], ctx.clock.now()) + timedelta(seconds=1))
            timers.fire_due_timers(ctx)
            view = cases.get_case(ctx, view.number)
            on_event(f"timer fired; clock now {ctx.clock.now():%Y-%m-%d %H:%M}")
        else:
            break
    result.status, result.error = view.status, view.error
    result.waiting = [f"step {s.step_id}" for s in view.ready_steps] + [f"message {m}" for m in view.waiting_messages]
    result.waiting += [f"timer due {t:%Y-%m-%d %H:%M}" for t in view.timers]
    return result


def step_data(model, matter, step_id: str, given: dict[str, Any] | None) -> dict[str, Any]:
    """The given data, completed with the form's example values when the model declares a form."""
    info = model.steps.get(step_id)
    form_id = info.properties.get("form") if info else None
    if matter is None or not form_id or form_id not in matter.forms:
        return dict(given or {})
    from engine.matters.forms import example_data

    form = matter.forms[form_id]
    values = example_data(form)
    for name in values:
        if given and name in given:
            values[name] = given[name]
    return values
