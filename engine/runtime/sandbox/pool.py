"""The pool of script worker processes (`worker`) of this process: started lazily, reused, replaced.

Workers are started with subprocess (a fresh interpreter: nothing inherited but the environment) by one
long-lived spawner thread, since PR_SET_PDEATHSIG follows the thread that forked and a threaded
server's request threads end. A caller takes an idle worker, or starts one if fewer than
ONETHING_SCRIPT_WORKERS (default 2) exist, or waits (without the GIL) for one. While a job runs the
caller waits in poll(); a worker that has not answered by time limit + GRACE is killed, and so is one
whose script ran out of memory (it exits by itself) or whose answer is not data. A process forked
after the pool started (a gunicorn worker) forgets the inherited pool and starts its own.
"""
from __future__ import annotations

import atexit
import contextlib
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from engine.errors import SandboxError
from engine.runtime.sandbox.wire import load_data, read_frame, write_frame

MEMORY_MB = 256  # per worker, above its size after start-up, unless ONETHING_SCRIPT_MEMORY_MB says otherwise
WORKERS = 2  # worker processes per parent process, unless ONETHING_SCRIPT_WORKERS says otherwise
GRACE = 0.5  # seconds a worker may take past the time limit (to stop at a `_tick_` and answer) before it is killed
START_TIMEOUT = 30.0  # seconds a new worker may take to import and say it is ready
MAX_REPLY_BYTES = 8_000_000  # data after a script is at most about 1 MB of JSON; anything much bigger is refused
MEMORY_EXIT = 3  # a worker's exit status after its script ran out of memory
_ROOT = str(Path(__file__).resolve().parents[3])  # the folder holding the engine package


def memory_mb() -> int:
    """The memory ceiling of a worker in MB (ONETHING_SCRIPT_MEMORY_MB, default 256)."""
    given = os.environ.get("ONETHING_SCRIPT_MEMORY_MB", "")
    return int(given) if given.isdigit() and int(given) > 0 else MEMORY_MB


def _workers() -> int:
    given = os.environ.get("ONETHING_SCRIPT_WORKERS", "")
    return int(given) if given.isdigit() and int(given) > 0 else WORKERS


def memory_message(megabytes: int) -> str:
    return f"the script used more than {megabytes} MB of memory (ONETHING_SCRIPT_MEMORY_MB)"


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


class _Spawner:
    """A daemon thread that starts workers: it lives until the process exits (a daemon is not joined at
    shutdown), so PR_SET_PDEATHSIG fires then and not before; `close_at_exit` lets workers end first."""

    def __init__(self) -> None:
        self.requests: queue.SimpleQueue[tuple[int, Future[_Worker]]] = queue.SimpleQueue()
        threading.Thread(target=self._serve, name="sandbox-spawner", daemon=True).start()

    def _serve(self) -> None:
        while True:
            megabytes, future = self.requests.get()
            try:
                future.set_result(_start_worker(megabytes))
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                future.set_exception(exc)

    def start(self, megabytes: int) -> _Worker:
        future: Future[_Worker] = Future()
        self.requests.put((megabytes, future))
        return future.result()


class WorkerPool:
    """Up to `size` workers of this process; a caller takes an idle one, or starts one, or waits for one."""

    def __init__(self, size: int) -> None:
        self.pid = os.getpid()
        self.size = size
        self.idle: list[_Worker] = []
        self.busy: set[_Worker] = set()
        self.starting = 0
        self.changed = threading.Condition()
        self.spawner = _Spawner()

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
            worker = self.spawner.start(megabytes)
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


def close_at_exit() -> None:
    """Close idle workers' pipes so that they exit by themselves (and write what a coverage run measured)."""
    current = _pool
    if current is None or current.pid != os.getpid():
        return
    with current.changed:
        idle, current.idle = current.idle, []
    for worker in idle:
        worker.forget()
    for worker in idle:
        with contextlib.suppress(subprocess.TimeoutExpired):
            worker.process.wait(2)
        worker.stop()


atexit.register(close_at_exit)


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
