"""Model code in worker processes: a memory ceiling, and a wall-clock limit that also stops builtins.

`_tick_` stops loops, but a single C-level call (`str([[0] * 999999] * 1000)`, `sorted` of a
million items) runs to its end holding the GIL, and nothing in-process bounds memory. So code that
might do either runs in a small pool of worker processes (`worker`), each started with
`RLIMIT_AS` = its size after start-up + ONETHING_SCRIPT_MEMORY_MB (default 256). The parent sends
the source, the task data, the external context, the time limit and the current `now()` (so that
simulated clocks reach the worker), and waits on the pipe with poll(), not holding the GIL: other
threads of a threaded server go on. A worker that has not answered by time limit + GRACE is killed
and replaced; the caller gets the same time-limit SandboxError as from `_tick_`. A worker whose
script runs out of memory answers so, then exits; a fresh one starts on the next use.

Workers are started with subprocess (a fresh interpreter: about 0.2 s, nothing inherited but the
environment), lazily, and reused. They die with their parent: PR_SET_PDEATHSIG (they are started
from one long-lived spawner thread, since the signal follows the thread that forked, and a threaded
server's request threads end), EOF on their pipe, and a CPU-time rlimit per job. A process forked
after the pool started (a gunicorn worker) forgets the inherited pool and starts its own.

Replies are pickles of data only: `DataUnpickler` builds containers, scalars, date/time values,
Decimal and UUID, nothing else, so a worker whose sandbox was escaped still cannot make the parent
run code; replies over MAX_REPLY_BYTES are refused.

What stays in-process (`runs_in_process`): an expression made only of names, constants, comparisons,
`and`/`or`/`not`, unary minus, `-`, `/`, `//`, conditional expressions, literal tuples/lists/sets of
those, and attribute/subscript reads: no call, no `+`/`*`/`%`/`**`/`<<` that could build a big
value, no comprehension, no f-string. Such an expression allocates little and calls nothing of its
own, so it runs in the caller (about a microsecond instead of a round trip to a worker).
"""
from __future__ import annotations

import ast
import builtins
import contextlib
import decimal
import io
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import threading
import time
import uuid
import zoneinfo
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, time as day_time, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

from engine.errors import SandboxError

MEMORY_MB = 256  # per worker, above its size after start-up, unless ONETHING_SCRIPT_MEMORY_MB says otherwise
WORKERS = 2  # worker processes per parent process, unless ONETHING_SCRIPT_WORKERS says otherwise
GRACE = 0.5  # seconds a worker may take past the time limit (to stop at a `_tick_` and answer) before it is killed
START_TIMEOUT = 30.0  # seconds a new worker may take to import and say it is ready
MAX_REPLY_BYTES = 8_000_000  # data after a script is at most about 1 MB of JSON; anything much bigger is refused
MEMORY_EXIT = 3  # a worker's exit status after its script ran out of memory
_HEADER = struct.Struct(">Q")
_ROOT = str(Path(__file__).resolve().parents[3])  # the folder holding the engine package

_SAFE_NODES = (ast.Expression, ast.Name, ast.Load, ast.Constant, ast.Compare, ast.BoolOp, ast.And, ast.Or,
               ast.UnaryOp, ast.Not, ast.USub, ast.UAdd, ast.Attribute, ast.Subscript, ast.IfExp, ast.Tuple,
               ast.List, ast.Set, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn, ast.Is,
               ast.IsNot, ast.BinOp, ast.Sub, ast.Div, ast.FloorDiv)


def memory_mb() -> int:
    """The memory ceiling of a worker in MB (ONETHING_SCRIPT_MEMORY_MB, default 256)."""
    given = os.environ.get("ONETHING_SCRIPT_MEMORY_MB", "")
    return int(given) if given.isdigit() and int(given) > 0 else MEMORY_MB


def _workers() -> int:
    given = os.environ.get("ONETHING_SCRIPT_WORKERS", "")
    return int(given) if given.isdigit() and int(given) > 0 else WORKERS


def memory_message(megabytes: int) -> str:
    return f"the script used more than {megabytes} MB of memory (ONETHING_SCRIPT_MEMORY_MB)"


@lru_cache(maxsize=4096)
def runs_in_process(expression: str) -> bool:
    """True if `expression` provably cannot allocate much or call anything (see the module docstring)."""
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    for node in ast.walk(tree):
        if not isinstance(node, _SAFE_NODES):
            return False
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
            return False
    return True


# --- data across the boundary -------------------------------------------------------------------

_DATA_ATTRIBUTES = {(zoneinfo.ZoneInfo, "_unpickle")} | {(uuid.SafeUUID, member.name) for member in uuid.SafeUUID}


def _data_getattr(owner: Any, name: str) -> Any:
    """The `getattr` of pickles: only how ZoneInfo and SafeUUID values rebuild themselves."""
    if (owner, name) not in _DATA_ATTRIBUTES:
        raise SandboxError(f"the script left a value that is not data ({owner!r}.{name})")
    return getattr(owner, name)


_DATA_CLASSES: dict[tuple[str, str], Any] = {
    ("builtins", "complex"): complex, ("builtins", "getattr"): _data_getattr, ("builtins", "range"): range,
    ("datetime", "datetime"): datetime, ("datetime", "date"): date, ("datetime", "time"): day_time,
    ("datetime", "timedelta"): timedelta, ("datetime", "timezone"): timezone,
    ("decimal", "Decimal"): decimal.Decimal, ("uuid", "UUID"): uuid.UUID, ("uuid", "SafeUUID"): uuid.SafeUUID,
    ("zoneinfo", "ZoneInfo"): zoneinfo.ZoneInfo,
}


class DataUnpickler(pickle.Unpickler):
    """Unpickles containers, scalars, date/time values, Decimal, UUID and ZoneInfo; refuses every other class."""

    def find_class(self, module: str, name: str) -> Any:
        found = _DATA_CLASSES.get((module, name))
        if found is None:
            raise SandboxError(f"the script left a value that is not data ({module}.{name})")
        return found


def load_data(payload: bytes) -> Any:
    """The data pickled in `payload`, built by DataUnpickler."""
    return DataUnpickler(io.BytesIO(payload)).load()


# --- framing --------------------------------------------------------------------------------------

def write_frame(fd: int, payload: bytes) -> None:
    """Write one length-prefixed frame (os.write releases the GIL while it blocks)."""
    view = memoryview(_HEADER.pack(len(payload)) + payload)
    while view:
        view = view[os.write(fd, view):]


def read_frame(fd: int, deadline: float | None = None, limit: int | None = None) -> bytes | None:
    """One frame from `fd`, None at EOF; TimeoutError after `deadline` (time.monotonic()); waits in poll()."""
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
    buffer = bytearray()
    need = _HEADER.size
    header_read = False
    while True:
        while len(buffer) < need:
            if deadline is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not poller.poll(max(1, int(remaining * 1000))):
                    raise TimeoutError
            chunk = os.read(fd, min(need - len(buffer), 1 << 20))
            if not chunk:
                return None
            buffer += chunk
        if header_read:
            return bytes(buffer[_HEADER.size:])
        size = _HEADER.unpack(buffer)[0]
        if limit is not None and size > limit:
            raise OverflowError(size)
        need += size
        header_read = True


# --- running a job ---------------------------------------------------------------------------------

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


# --- the pool ---------------------------------------------------------------------------------------

class _Worker:
    """One worker process and the two ends of its pipes."""

    def __init__(self, process: subprocess.Popen, megabytes: int) -> None:
        self.process = process
        self.megabytes = megabytes
        assert process.stdin is not None and process.stdout is not None
        self.to_worker = process.stdin.fileno()
        self.from_worker = process.stdout.fileno()

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        """Kill and reap the process, close the pipes."""
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(5)
        self.forget()

    def forget(self) -> None:
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()


def _start_worker(megabytes: int) -> _Worker:
    """Start a worker and wait until it is ready (run on the spawner thread: PR_SET_PDEATHSIG follows it)."""
    command = [sys.executable, "-c", "from engine.runtime.sandbox.worker import main; main()",
               str(os.getpid()), str(megabytes)]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_ROOT, env.get("PYTHONPATH", "")) if p)
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, cwd=_ROOT,
                               close_fds=True, bufsize=0)
    worker = _Worker(process, megabytes)
    try:
        ready = read_frame(worker.from_worker, time.monotonic() + START_TIMEOUT, limit=1000)
    except (TimeoutError, OverflowError):
        ready = None
    if ready != b"ready":
        worker.stop()
        raise SandboxError(f"could not start a script worker (exit status {process.returncode})")
    return worker


class WorkerPool:
    """Up to `size` workers of this process; a caller takes an idle one, or starts one, or waits for one."""

    def __init__(self, size: int) -> None:
        self.pid = os.getpid()
        self.size = size
        self.idle: list[_Worker] = []
        self.busy: set[_Worker] = set()
        self.starting = 0
        self.changed = threading.Condition()
        self.spawner = ThreadPoolExecutor(1, thread_name_prefix="sandbox-spawner")

    def workers(self) -> list[_Worker]:
        with self.changed:
            return [*self.idle, *self.busy]

    def take(self, megabytes: int) -> _Worker:
        with self.changed:
            while True:
                while self.idle:
                    worker = self.idle.pop()
                    if worker.alive() and worker.megabytes == megabytes:
                        self.busy.add(worker)
                        return worker
                    worker.stop()
                if len(self.busy) + self.starting < self.size:
                    break
                self.changed.wait()
            self.starting += 1
        try:
            worker = self.spawner.submit(_start_worker, megabytes).result()
        finally:
            with self.changed:
                self.starting -= 1
                self.changed.notify()
        with self.changed:
            self.busy.add(worker)
        return worker

    def give_back(self, worker: _Worker, reusable: bool) -> None:
        """Return a worker after a job: idle again if `reusable`, else killed."""
        if not reusable:
            worker.stop()
        with self.changed:
            self.busy.discard(worker)
            if reusable:
                self.idle.append(worker)
            self.changed.notify()

    def run(self, job: bytes, time_limit: float, megabytes: int) -> Any:
        """Send `job` to a worker; its reply, unpickled as data. Raises SandboxError on time-up or memory."""
        worker = self.take(megabytes)
        reusable = False
        try:
            try:
                write_frame(worker.to_worker, job)
                reply = read_frame(worker.from_worker, time.monotonic() + time_limit + GRACE, MAX_REPLY_BYTES)
            except TimeoutError:
                raise SandboxError(f"script exceeded its time limit of {time_limit} s") from None
            except OverflowError:
                raise SandboxError("the script's result is too big to be data") from None
            except BrokenPipeError:
                reply = None
            if reply is None:
                worker.stop()
                raise SandboxError(_death_message(worker, megabytes))
            reusable = True
            try:
                answer = load_data(reply)
            except SandboxError:
                raise
            except Exception as exc:  # noqa: BLE001 - a worker whose sandbox was escaped may send anything
                reusable = False
                raise SandboxError(f"the script's worker gave an answer that is not data: {exc}") from None
            if answer == ("memory",):
                reusable = False  # it exits: its memory may stay fragmented
                raise SandboxError(memory_message(megabytes))
            return answer
        finally:
            self.give_back(worker, reusable)


def _death_message(worker: _Worker, megabytes: int) -> str:
    status = worker.process.returncode
    if status == MEMORY_EXIT:
        return memory_message(megabytes)
    if status == -signal.SIGXCPU:
        return "the script used more CPU time than its time limit"
    return f"the script's worker process stopped (exit status {status})"


_pool: WorkerPool | None = None
_pool_lock = threading.Lock()
_abandoned: list[WorkerPool] = []  # pools inherited through fork: their workers belong to the parent


def pool() -> WorkerPool:
    """This process's pool (made on first use; a forked process makes its own)."""
    global _pool
    current = _pool
    if current is not None and current.pid == os.getpid():
        return current
    with _pool_lock:
        if _pool is None or _pool.pid != os.getpid():
            if _pool is not None:
                _abandoned.append(_pool)
            _pool = WorkerPool(_workers())
        return _pool


def _after_fork_in_child() -> None:
    """A forked process must not use or keep open its parent's workers' pipes."""
    global _pool, _pool_lock
    _pool_lock = threading.Lock()
    inherited, _pool = _pool, None
    if inherited is not None:
        _abandoned.append(inherited)
        for worker in [*inherited.idle, *inherited.busy]:
            worker.process.returncode = 0  # not ours to wait for
            worker.forget()


os.register_at_fork(after_in_child=_after_fork_in_child)
