"""`onething run`: one BPMN file through the real engine in a throwaway in-memory database."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.cases import lifecycle as cases
from engine.cases.autodata import EXAMPLE_TEXT, fill_form, invent_case_data, output_items
from engine.cases.driving import drive_case
from engine.catalog import versions as catalog
from engine.context import EngineContext
from engine.model.reading import step_form
from engine.runtime.clock import SimulatedClock
from engine.views import WorkItem


@dataclass
class DryRun:
    """What a dry run did: the steps passed, in order, and how it ended."""

    number: str = ""
    passed: list[str] = field(default_factory=list)
    status: str = ""
    error: str | None = None
    waiting: list[str] = field(default_factory=list)


def dry_run(path: str | Path, data: dict[str, Any] | None = None, auto: bool = False,
            on_event: Callable[[str], None] = lambda line: None, calls: tuple[str | Path, ...] = ()) -> DryRun:
    """Deploy one file into an in-memory database, start a case, and (with auto) drive it to its end.

    `calls`: other files whose processes its call activities name, deployed with it as shared sub-processes."""
    ctx = EngineContext.from_url("sqlite://", clock=SimulatedClock())
    ctx.init_db()
    deployed = catalog.deploy_path(ctx, Path(path), tuple(Path(c) for c in calls))[0]
    with ctx.read() as session:
        version = catalog.current_version(session, deployed.matter_id, deployed.variant)
        model, matter = catalog.loaded_version(ctx, session, version.id)
    start_data = None
    if auto:  # variables no form, script or --data provides: invented, and said (engine.cases.autodata)
        forms = [*model.forms.values(), *(matter.forms.values() if matter is not None else ())]
        invented, where = invent_case_data(model, forms, data, ctx.clock.now())
        for name, value in invented.items():
            on_event(f"auto: invented {name} = {value!r} ({where[name]}; no form provides it)")
        start_data = {**invented, **(data or {})} or None  # --data reaches the conditions before any form too
    view = cases.start_case(ctx, deployed.matter_id, deployed.variant, start_data)
    result = DryRun(number=view.number)
    on_event(f"case {view.number} started ({deployed.matter_id}/{deployed.variant})")
    if auto:
        today, outputs = ctx.clock.now().date().isoformat(), output_items(model)

        def values(item: WorkItem) -> dict[str, Any]:
            form = step_form(model, matter, item.step_id)
            filled, guessed = fill_form(form, data, today) if form is not None else (dict(data or {}), {})
            output = outputs.get(item.step_id)
            if output and form is None and output not in filled:  # a form refuses fields it does not have
                filled[output] = guessed[output] = EXAMPLE_TEXT
            for name, value in guessed.items():
                on_event(f"auto: invented {name} = {value!r} for step {item.step_id}")
            return filled

        driven = drive_case(ctx, view.number, data, values=values, on_event=on_event)
        view, result.passed = driven.view, driven.passed
    result.status, result.error = view.status, view.error
    result.waiting = [f"step {s.step_id}" for s in view.ready_steps] + [f"message {m}" for m in view.waiting_messages]
    result.waiting += [f"signal {s}" for s in view.waiting_signals]
    result.waiting += [f"timer due {t:%Y-%m-%d %H:%M}" for t in view.timers]
    return result
