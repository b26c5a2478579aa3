"""Script sandbox benchmark (issue #15 item 2): what running model code in worker processes costs and buys.

(a) cost per evaluation of a typical gateway condition and typical small scripts: in-process
    (the fast path, and what every evaluation cost before) vs a round trip to a pool worker
(b) starting a worker: a fresh interpreter (what the pool does) vs a multiprocessing forkserver child
(c) hostile code: peak RSS of the parent and of the worker while a list grows until the memory ceiling,
    the same loop in-process (in a throwaway process) for comparison, and how long `str([[0] * 999999] * 1000)`
    takes to be stopped

Each figure: min / median / max over ROUNDS rounds. Usage: python bench/sandbox.py [--rounds N]
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.errors import SandboxError  # noqa: E402
from engine.runtime.sandbox import SandboxEnvironment  # noqa: E402
from engine.runtime.sandbox.isolation import pool, run_isolated, runs_in_process  # noqa: E402

CONDITION = "amount > 1000 and district == 'haidian'"
CALLING_CONDITION = "len(materials) >= 2 and amount > 1000"
SCRIPT = """\
total = sum(fee * n for fee, n in fees)
adults = [p['name'] for p in people if p['age'] >= 18]
summary = {'count': len(people), 'adults': len(adults), 'total': total}
label = f"{len(adults)} of {len(people)}"
"""
DATA = {"amount": 2000, "district": "haidian", "materials": ["a", "b"], "fees": [[10, 2], [5, 1]],
        "people": [{"name": "zhang san", "age": 30}, {"name": "li si", "age": 9}]}
ASSIGNMENT = "licence_shared = True"
GROWING = "x = []\nwhile True:\n    x.append('a' * 999999)"
HOSTILE_CALL = "str([[0] * 999999] * 1000)"


def spread(values: list[float], unit: str, scale: float = 1.0, digits: int = 1) -> str:
    v = [x * scale for x in values]
    return f"min {min(v):.{digits}f} / median {statistics.median(v):.{digits}f} / max {max(v):.{digits}f} {unit}"


def per_call(fn, calls: int, rounds: int) -> list[float]:
    """Seconds per call of `fn`, one figure per round."""
    figures = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(calls):
            fn()
        figures.append((time.perf_counter() - started) / calls)
    return figures


def evaluations(rounds: int) -> None:
    here = SandboxEnvironment(isolate=False)
    now = here.now()
    assert runs_in_process(CONDITION) and not runs_in_process(CALLING_CONDITION)
    assert runs_in_process(ASSIGNMENT, "exec") and not runs_in_process(SCRIPT, "exec")
    run_isolated("eval", CONDITION, dict(DATA), {}, {}, 1.0, now)  # a worker is up
    print("(a) cost per evaluation")
    print(f"  condition {CONDITION!r}")
    print("    in-process (fast path):", spread(per_call(lambda: here.evaluate(CONDITION, DATA), 5000, rounds),
                                                "us", 1e6))
    forced = per_call(lambda: run_isolated("eval", CONDITION, DATA, {}, {}, 1.0, now), 500, rounds)
    print("    pool worker:           ", spread(forced, "us", 1e6))
    print(f"  condition {CALLING_CONDITION!r} (has a call: always a worker)")
    print("    in-process (before):   ", spread(per_call(lambda: here.evaluate(CALLING_CONDITION, DATA), 5000,
                                                         rounds), "us", 1e6))
    isolated = SandboxEnvironment()
    print("    pool worker:           ", spread(per_call(lambda: isolated.evaluate(CALLING_CONDITION, DATA), 500,
                                                         rounds), "us", 1e6))
    print("  script 'licence_shared = True' (plain assignments: in-process)")
    isolated_env = SandboxEnvironment()
    print("    in-process (fast path):", spread(per_call(lambda: isolated_env.execute(ASSIGNMENT, dict(DATA)), 5000,
                                                         rounds), "us", 1e6))
    forced = per_call(lambda: run_isolated("exec", ASSIGNMENT, dict(DATA), {}, {}, 1.0, now), 500, rounds)
    print("    pool worker:           ", spread(forced, "us", 1e6))
    print("  small script (4 lines, a comprehension, an f-string)")
    print("    in-process (before):   ", spread(per_call(lambda: here.execute(SCRIPT, dict(DATA)), 2000, rounds),
                                                "us", 1e6))
    print("    pool worker:           ", spread(per_call(lambda: isolated.execute(SCRIPT, dict(DATA)), 500, rounds),
                                                "us", 1e6))


def _nothing() -> None:
    pass


def starts(rounds: int) -> None:
    print("(b) starting a worker")
    fresh = []
    for _ in range(rounds):
        for worker in pool().workers():
            os.kill(worker.pid, signal.SIGKILL)
            worker.process.wait()
        started = time.perf_counter()
        SandboxEnvironment().evaluate("len(x)", {"x": [1]})
        fresh.append(time.perf_counter() - started)
    print("  fresh interpreter (subprocess, the pool's way), first evaluation included:", spread(fresh, "ms", 1e3))
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["engine.runtime.sandbox.script_engine"])
    first = context.Process(target=_nothing)
    started = time.perf_counter()
    first.start()
    first.join()
    server_start = time.perf_counter() - started
    forked = []
    for _ in range(rounds):
        started = time.perf_counter()
        process = context.Process(target=_nothing)
        process.start()
        process.join()
        forked.append(time.perf_counter() - started)
    print(f"  forkserver child (sandbox preloaded; the server itself took {server_start * 1e3:.0f} ms once):",
          spread(forked, "ms", 1e3))


def _vm_hwm(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) * 1024
    except (OSError, StopIteration):
        return 0


def _sample(peaks: dict[int, int], done: threading.Event) -> None:
    """Keep the highest VmHWM of each pid in `peaks` until `done`."""
    while not done.is_set():
        for pid in peaks:
            peaks[pid] = max(peaks[pid], _vm_hwm(pid))
        time.sleep(0.01)


IN_PROCESS_LOOP = f"""
import resource, sys
from engine.runtime.sandbox import SandboxEnvironment
try:
    SandboxEnvironment(isolate=False).execute({GROWING!r}, {{}})
except Exception as exc:
    print(type(exc).__name__, file=sys.stderr)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
"""


def hostile(rounds: int) -> None:
    print("(c) hostile code (time limit 1 s, memory ceiling from ONETHING_SCRIPT_MEMORY_MB, default 256 MB)")
    env = SandboxEnvironment()
    env.evaluate("len(x)", {"x": [1]})
    parent_growth, worker_peaks, seconds, messages = [], [], [], set()
    for _ in range(rounds):
        env.evaluate("len(x)", {"x": [1]})
        peaks = dict.fromkeys([w.pid for w in pool().workers()], 0)
        done = threading.Event()
        sampler = threading.Thread(target=_sample, args=(peaks, done))
        sampler.start()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        started = time.perf_counter()
        try:
            env.execute(GROWING, {})
        except SandboxError as exc:
            messages.add(str(exc))
        seconds.append(time.perf_counter() - started)
        done.set()
        sampler.join()
        parent_growth.append(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before)
        worker_peaks.append(max(peaks.values()))
    print(f"  growing list: {' | '.join(sorted(messages))}")
    print("    stopped after:        ", spread(seconds, "s", digits=2))
    print("    parent peak RSS grew: ", spread(parent_growth, "MB", 1 / 2**20))
    print("    worker peak RSS:      ", spread(worker_peaks, "MB", 1 / 2**20))
    print(f"    parent peak RSS now:   {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    alone = []
    for _ in range(rounds):
        out = subprocess.run([sys.executable, "-c", IN_PROCESS_LOOP], capture_output=True, text=True, cwd=ROOT,
                             env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)
        alone.append(int(out.stdout.split()[-1]))
    print("    same loop in-process (a throwaway process's peak RSS):", spread(alone, "MB", 1 / 2**20))
    stopped, messages = [], set()
    for _ in range(rounds):
        env.evaluate("len(x)", {"x": [1]})
        started = time.perf_counter()
        try:
            env.evaluate(HOSTILE_CALL, {})
        except SandboxError as exc:
            messages.add(str(exc))
        stopped.append(time.perf_counter() - started)
    print(f"  {HOSTILE_CALL}: {' | '.join(sorted(messages))}")
    print("    stopped after:        ", spread(stopped, "s", digits=2), "(in-process: about 30 s holding the GIL)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    evaluations(rounds)
    starts(rounds)
    hostile(rounds)


if __name__ == "__main__":
    main()
