"""`onething run`: one BPMN file through the real engine in a throwaway in-memory database."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.cases import lifecycle as cases
from engine.cases.driving import drive_case
from engine.catalog import versions as catalog
from engine.context import EngineContext
from engine.runtime.clock import SimulatedClock


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
    view = cases.start_case(ctx, deployed.matter_id, deployed.variant, None)
    result = DryRun(number=view.number)
    on_event(f"case {view.number} started ({deployed.matter_id}/{deployed.variant})")
    if auto:
        driven = drive_case(ctx, view.number, data, on_event=on_event)
        view, result.passed = driven.view, driven.passed
    result.status, result.error = view.status, view.error
    result.waiting = [f"step {s.step_id}" for s in view.ready_steps] + [f"message {m}" for m in view.waiting_messages]
    result.waiting += [f"timer due {t:%Y-%m-%d %H:%M}" for t in view.timers]
    return result
