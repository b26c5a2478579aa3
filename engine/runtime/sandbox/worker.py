"""A script worker process (started by `isolation`): runs one job at a time from its parent, in the sandbox.

Its address space is capped (RLIMIT_AS: its size after start-up + the ceiling it is given), each job's
CPU time too (RLIMIT_CPU, a backstop should its parent be gone), and it dies with its parent
(PR_SET_PDEATHSIG, or EOF on its request pipe). Jobs come from the parent, which is trusted, so they
are unpickled plainly; replies hold data only (the parent unpickles them with `DataUnpickler`).
"""
from __future__ import annotations

import ctypes
import os
import pickle
import resource
import signal
import sys
import types
from typing import Any

_PR_SET_PDEATHSIG = 1
_MAX_MESSAGE = 2_000  # characters of an error message sent back (a case's error should stay readable)


def main() -> None:
    """Serve jobs from fd 0, answer on fd 1 (stray output goes to stderr), until EOF."""
    parent, megabytes = int(sys.argv[1]), int(sys.argv[2])
    _die_with(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in a terminal is for the parent
    replies = os.dup(1)
    os.dup2(2, 1)
    from engine.runtime.sandbox.pool import GRACE, MEMORY_EXIT
    from engine.runtime.sandbox.script_engine import SandboxEnvironment
    from engine.runtime.sandbox.wire import read_frame, write_frame

    _limit_memory(megabytes)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    write_frame(replies, b"ready")
    while True:
        request = read_frame(0)
        if request is None:
            return
        answer, exhausted = _serve(request, SandboxEnvironment, GRACE)
        write_frame(replies, answer)
        if exhausted:
            os._exit(MEMORY_EXIT)


_OUT_OF_MEMORY = pickle.dumps(("memory",))


def _serve(request: bytes, environment: Any, grace: float) -> tuple[bytes, bool]:
    """The pickled answer to one job, and whether the worker ran out of memory (and should exit)."""
    try:
        mode, source, context, external_context, environment_globals, time_limit, now = pickle.loads(request)  # noqa: S301 - from the parent
        _limit_cpu(time_limit + grace)
        env = environment(environment_globals, time_limit, now=lambda: now, isolate=False)
        if mode == "eval":
            result = env.evaluate(source, context, external_context)
        else:
            env.execute(source, context, external_context)
            result = context
        try:
            return pickle.dumps(("ok", result), protocol=pickle.HIGHEST_PROTOCOL), False
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError) as exc:
            return _error("SandboxError", f"the result is not data: {exc}", 0), False
    except MemoryError:
        return _OUT_OF_MEMORY, True
    except Exception as exc:  # noqa: BLE001 - every error of model code goes back to the parent
        try:
            return _error(type(exc).__name__, _message(exc), _line(exc.__traceback__)), False
        except MemoryError:
            return _OUT_OF_MEMORY, True


def _error(name: str, message: str, line: int) -> bytes:
    return pickle.dumps(("error", name, message, line))


def _message(exc: BaseException) -> str:
    message = exc.args[0] if len(exc.args) == 1 and isinstance(exc.args[0], str) else str(exc)
    return message if len(message) <= _MAX_MESSAGE else message[:_MAX_MESSAGE] + "..."


def _line(tb: types.TracebackType | None) -> int:
    """The line of the model code where the error happened (SpiffWorkflow reports it), else 0."""
    from engine.runtime.sandbox.policy import FILENAME

    line = 0
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == FILENAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _die_with(parent: int) -> None:
    """Ask Linux to SIGKILL this process when the thread that started it ends; exit if the parent is gone."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


def _limit_memory(megabytes: int) -> None:
    """Cap the address space at its size now plus `megabytes` (Linux: VmSize; elsewhere, no cap)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            size_kb = next(int(line.split()[1]) for line in status if line.startswith("VmSize:"))
    except (OSError, StopIteration, ValueError):
        return
    ceiling = size_kb * 1024 + megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))


def _limit_cpu(seconds: float) -> None:
    """SIGXCPU once this job has used `seconds` (+ 1 to round up) of CPU time; the hard limit stays."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = int(usage.ru_utime + usage.ru_stime + seconds) + 2
    resource.setrlimit(resource.RLIMIT_CPU, (soft, resource.getrlimit(resource.RLIMIT_CPU)[1]))

