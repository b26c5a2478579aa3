"""Model code in worker processes: a memory ceiling, and a wall-clock limit that also stops builtins.

`_tick_` stops loops, but a single C-level call (`str([[0] * 999999] * 1000)`, `sorted` of a
million items) runs to its end holding the GIL, and nothing in-process bounds memory. So code that
might do either runs in a worker process (`pool`, `worker`), whose address space is capped at its
size after start-up + ONETHING_SCRIPT_MEMORY_MB (default 256). The parent sends the source, the task
data, the external context, the time limit and the current `now()` (so that a simulated clock
reaches the worker too), then waits in poll(), not holding the GIL: the other threads of a threaded
server go on. A worker that has not answered by time limit + GRACE is killed and replaced, and the
caller gets the same time-limit SandboxError as from `_tick_`; a script that runs out of memory
gets "the script used more than 256 MB of memory (ONETHING_SCRIPT_MEMORY_MB)". The worker removes
leftovers and checks the data size as in-process; the parent checks the size again. Replies are
data only (`wire.DataUnpickler`); errors come back as the same builtin exception types (or
SandboxError), raised from a frame at the script's line so that SpiffWorkflow reports it.

What stays in-process (`runs_in_process`): an expression made only of names, constants, comparisons,
`and`/`or`/`not`, unary minus, `-`, `/`, `//`, conditional expressions, literal tuples/lists/sets of
those, and attribute/subscript reads (no slices): no call, no `+`/`*`/`%`/`**`/`<<` that could build a
big value, no comprehension, no f-string. Such an expression allocates little and calls nothing of
its own; it costs a few microseconds in-process against a few hundred for a round trip to a worker
(bench/sandbox.py). So does a script made only of `name = <such an expression>` lines (`pass` too),
like the `licence_shared = True` steps of the process library. Inputs that cannot be pickled
(objects the engine itself put in the external context) also run in-process (`NotData`): model code
cannot put such objects in task data.
"""
from __future__ import annotations

import ast
import builtins
import contextlib
import pickle
from datetime import datetime
from functools import lru_cache
from typing import Any

from engine.errors import SandboxError
from engine.runtime.sandbox.pool import GRACE, memory_mb, memory_message, pool

__all__ = ["GRACE", "NotData", "memory_mb", "memory_message", "pool", "raise_at_line", "run_isolated",
           "runs_in_process"]

_SAFE_NODES = (ast.Expression, ast.Name, ast.Load, ast.Constant, ast.Compare, ast.BoolOp, ast.And, ast.Or,
               ast.UnaryOp, ast.Not, ast.USub, ast.UAdd, ast.Attribute, ast.Subscript, ast.IfExp, ast.Tuple,
               ast.List, ast.Set, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn, ast.Is,
               ast.IsNot, ast.BinOp, ast.Sub, ast.Div, ast.FloorDiv)


_SAFE_STATEMENTS = (ast.Module, ast.Assign, ast.Name, ast.Store, ast.Pass)  # `name = <such an expression>`


@lru_cache(maxsize=4096)
def runs_in_process(source: str, mode: str = "eval") -> bool:
    """True if `source` provably cannot allocate much or call anything (see the module docstring)."""
    try:
        tree = ast.parse(source.strip() if mode == "eval" else source, mode=mode)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    if mode == "exec" and not all(isinstance(s, ast.Pass) or (isinstance(s, ast.Assign) and all(
            isinstance(t, ast.Name) for t in s.targets)) for s in tree.body):  # type: ignore[attr-defined]
        return False
    for node in ast.walk(tree):
        if not isinstance(node, _SAFE_NODES + _SAFE_STATEMENTS):
            return False
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
            return False
    return True


class NotData(Exception):
    """The inputs of an evaluation cannot be pickled (an object the engine itself put in the context)."""


_EXCEPTIONS = {name: value for name, value in vars(builtins).items()
               if isinstance(value, type) and issubclass(value, Exception)}


def run_isolated(mode: str, source: str, context: dict[str, Any], external_context: dict[str, Any],
                 environment_globals: dict[str, Any], time_limit: float, now: datetime) -> Any:
    """Run `source` in a worker: the value of an expression ("eval"), or the task data a script leaves ("exec").
    Errors come back as the same exception types, located at the script's line for SpiffWorkflow."""
    try:
        job = pickle.dumps((mode, source, context, external_context, environment_globals, time_limit, now),
                           protocol=pickle.HIGHEST_PROTOCOL)
    except RecursionError:
        raise SandboxError("the task data is nested too deeply") from None
    except (pickle.PicklingError, TypeError, AttributeError) as exc:
        raise NotData(str(exc)) from None
    answer = pool().run(job, time_limit, memory_mb())
    match answer:
        case ("ok", value):
            return value
        case ("error", str(name), str(message), int(line)):
            raise_at_line(_rebuild(name, message), line if line <= source.count("\n") + 1 else 0)
    raise SandboxError("the script's worker gave an answer that is not one")


def _rebuild(name: str, message: str) -> Exception:
    """The exception a worker reported: a builtin type or SandboxError, else a SandboxError naming it."""
    kind = SandboxError if name == "SandboxError" else _EXCEPTIONS.get(name)
    if kind is not None:
        with contextlib.suppress(Exception):
            return kind(message)
    return SandboxError(f"{name}: {message}")


def raise_at_line(error: Exception, line: int) -> None:
    """Raise `error` from a frame of the sandbox's file name at `line`, where SpiffWorkflow looks for it."""
    if line <= 0:
        raise error
    exec(_raiser(line), {"error_": error})  # noqa: S102 - our own one-line code


@lru_cache(maxsize=256)
def _raiser(line: int) -> Any:
    from engine.runtime.sandbox.policy import FILENAME

    return compile("\n" * (line - 1) + "raise error_", FILENAME, "exec")
