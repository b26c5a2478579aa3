"""`print(...)` in a script task: its text goes to the case's step log (event `script_output`), not to stdout.

RestrictedPython rewrites `print(x)` to `_print._call_print(x)` with `_print = _print_(_getattr_)`; the
environment gives each script run its own `Printed` (its `factory` is `_print_`), and leaves the text in the
task data under PRINTED_KEY (a private name no model code can read). `SandboxScriptEngine.execute` takes it out
again and hands it to the sink of the case runtime that is advancing (`collecting`); engine.cases.persistence
writes the log rows.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

PRINTED_KEY = "_printed_"
MAX_PRINTED = 10_000  # characters kept of one script's output; the rest is cut, with a note
_sink: ContextVar[list[Output] | None] = ContextVar("onething_printed", default=None)


@dataclass(frozen=True)
class Output:
    """What one script task printed."""

    task_id: str
    step_id: str
    step_name: str
    text: str


class Printed:
    """What one script run printed (the `file` of its print calls)."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0

    def factory(self, _getattr_: Any = None) -> Printed:  # `_print_(_getattr_)` in the rewritten code
        return self

    def __call__(self) -> str:  # the rewritten code reads the name `printed` as `_print()`
        return self.text()

    def write(self, text: str) -> None:
        if self.size < MAX_PRINTED:
            self.parts.append(str(text))
        self.size += len(str(text))

    def _call_print(self, *objects: Any, sep: str = " ", end: str = "\n", **_: Any) -> None:
        self.write(sep.join(str(o) for o in objects) + end)  # any `file=` is ignored: output goes to the log

    def text(self) -> str:
        joined = "".join(self.parts)
        if self.size > MAX_PRINTED:
            return joined[:MAX_PRINTED] + f"\n[... {self.size - MAX_PRINTED:,} more characters not kept]"
        return joined


def record(output: Output) -> None:
    """Give a script's output to the runtime that is advancing (dropped when none is)."""
    sink = _sink.get()
    if sink is not None and output.text:
        sink.append(output)


@contextlib.contextmanager
def collecting() -> Iterator[list[Output]]:
    """Collect the output of every script run inside the block."""
    found: list[Output] = []
    token = _sink.set(found)
    try:
        yield found
    finally:
        _sink.reset(token)
