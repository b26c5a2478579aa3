"""Model code in worker processes: a memory ceiling, a time limit that stops builtins, data-only replies."""
from __future__ import annotations

import os
import pickle
import resource
import signal
import subprocess
import sys
import textwrap
import threading
import time
from datetime import UTC, datetime

import pytest
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException

from engine.accounts.users import Actor
from engine.cases import lifecycle as cases
from engine.catalog import versions as catalog
from engine.errors import SandboxError
from engine.runtime.clock import SimulatedClock, using_clock
from engine.runtime.sandbox import SandboxEnvironment
from engine.runtime.sandbox.isolation import GRACE, pool, runs_in_process
from engine.runtime.sandbox.wire import load_data

from .conftest import MODELS
from .test_sandbox import failure, make_workflow

HOSTILE_CALL = "str([[0] * 999999] * 1000)"  # one C-level call: 30 s holding the GIL in-process
GROWING = "x = []\nwhile True:\n    x.append('a' * 999999)"  # 670 MB-1.1 GB in-process before its 1 s
MB = 1024 * 1024
REPO = MODELS.parents[2]


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def test_a_growing_list_ends_in_a_memory_error_and_the_parent_stays_small():
    SandboxEnvironment().evaluate("len(x)", {"x": [1]})  # the worker is started: its start-up is not counted
    before = _peak_rss()
    started = time.monotonic()
    with pytest.raises(SandboxError, match=r"more than 256 MB of memory \(ONETHING_SCRIPT_MEMORY_MB\)"):
        SandboxEnvironment(time_limit=5.0).execute(GROWING, {})
    assert time.monotonic() - started < 5
    assert _peak_rss() - before < 50 * MB


def test_a_long_builtin_call_is_stopped_at_the_time_limit_plus_grace():
    env = SandboxEnvironment(time_limit=0.5)
    env.evaluate("len(x)", {"x": [1]})
    started = time.monotonic()
    with pytest.raises(SandboxError, match=r"time limit of 0.5 s|MB of memory"):
        env.evaluate(HOSTILE_CALL, {})
    assert time.monotonic() - started < 0.5 + GRACE + 1.0
    assert env.evaluate("len(x) * 2", {"x": [1, 2]}) == 4  # and the pool goes on


def test_the_memory_ceiling_follows_the_environment(monkeypatch):
    ninety_mb = "len([s + str(i) for i in range(100)])"  # 100 strings of 900,000 characters
    assert SandboxEnvironment(time_limit=5.0).evaluate(ninety_mb, {"s": "a" * 900_000}) == 100
    monkeypatch.setenv("ONETHING_SCRIPT_MEMORY_MB", "64")
    with pytest.raises(SandboxError, match=r"more than 64 MB of memory"):
        SandboxEnvironment(time_limit=5.0).evaluate(ninety_mb, {"s": "a" * 900_000})


def test_scripts_give_the_same_results_as_in_process():
    """Dates, Decimals and sets cross the boundary both ways; leftovers are removed; errors keep their type."""
    from decimal import Decimal

    script = "total = price * 2\nwhen = applied + timedelta(days=3)\nkinds = set(k)\nfn = len\nr = range(3)"
    results = []
    for isolate in (True, False):
        data = {"price": Decimal("1.25"), "applied": datetime(2026, 1, 5, tzinfo=UTC), "k": ["a", "a"]}
        SandboxEnvironment(isolate=isolate).execute(script, data)
        results.append(data)
    assert results[0] == results[1] == {"price": Decimal("1.25"), "applied": datetime(2026, 1, 5, tzinfo=UTC),
                                        "k": ["a", "a"], "total": Decimal("2.50"),
                                        "when": datetime(2026, 1, 8, tzinfo=UTC), "kinds": {"a"}}
    with pytest.raises(ZeroDivisionError):
        SandboxEnvironment().evaluate("len(x) / 0", {"x": []})
    with pytest.raises(SandboxError, match="more than 1 MB"):
        SandboxEnvironment(time_limit=2.0).execute("s = 'a' * 999999\nbig = [s] * 200", {})


def test_errors_keep_their_line_for_spiffworkflow():
    workflow = make_workflow(script="a = 1\nb = {}\nc = b[a]")
    with pytest.raises(WorkflowTaskException) as caught:
        workflow.do_engine_steps()
    assert (caught.value.line_number, caught.value.error_line) == (3, "c = b[a]")
    assert "KeyError" in str(caught.value)
    text, _ = failure(script="x = 1\ny = x.nothing")
    assert "has no attribute 'nothing'" in text


def test_now_in_a_worker_is_the_callers_clock():
    clock = SimulatedClock(datetime(2031, 3, 4, 5, 6, tzinfo=UTC))
    with using_clock(clock):
        assert SandboxEnvironment().evaluate("now().isoformat()", {}) == "2031-03-04T05:06:00+00:00"


def test_a_worker_may_return_data_only():
    with pytest.raises(SandboxError, match=r"not data \(builtins.ValueError\)"):
        SandboxEnvironment().execute("e = ValueError('x')", {})

    class Evil:
        def __reduce__(self):
            return (os.system, ("true",))

    with pytest.raises(SandboxError, match="not data"):
        load_data(pickle.dumps(Evil()))
    assert SandboxEnvironment().evaluate("len(x)", {"x": [1]}) == 1


@pytest.mark.parametrize(("expression", "in_process"), [
    ("amount > 1000 and district == 'haidian'", True),
    ("not urgent or person['age'] >= 18", True),
    ("district in ('haidian', 'chaoyang') and applied.year == 2026", True),
    ("'P2D'", True),
    ("len(materials) == 2", False),
    ("now() > deadline", False),
    ("'x' * n", False),
    ("[m for m in materials]", False),
    ("f'{amount}'", False),
    ("items[1:]", False),
    ("amount ==== 1", False),
])
def test_only_expressions_that_cannot_call_or_allocate_run_in_process(expression, in_process):
    assert runs_in_process(expression) is in_process


@pytest.mark.parametrize(("script", "in_process"), [
    ("licence_shared = True", True),
    ("checked = amount > 1000\nlabel = 'ok' if checked else 'no'\npass", True),
    ("a = b = person['age']", True),
    ("n = 0\nwhile True:\n    n += 1", False),
    ("s = str(x)", False),
    ("x = []\nx.append(1)", False),
    ("d['k'] = 1", False),
    ("a, b = pair", False),
    ("s = 'a' + t", False),
])
def test_only_scripts_of_plain_assignments_run_in_process(script, in_process):
    assert runs_in_process(script, "exec") is in_process


def test_a_worker_killed_from_outside_is_replaced():
    env = SandboxEnvironment()
    assert env.evaluate("len(x)", {"x": [1, 2]}) == 2
    victims = [worker.process for worker in pool().workers()]
    assert victims
    for process in victims:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(5)
    assert env.evaluate("len(x)", {"x": [1, 2, 3]}) == 3
    assert not {w.pid for w in pool().workers()} & {p.pid for p in victims}


def test_a_worker_started_by_a_thread_outlives_the_thread():
    """PR_SET_PDEATHSIG follows the thread that forked: workers are started by the pool's own thread."""
    for worker in pool().workers():
        os.kill(worker.pid, signal.SIGKILL)
        worker.process.wait(5)
    thread = threading.Thread(target=SandboxEnvironment().evaluate, args=("len(x)", {"x": [1]}))
    thread.start()
    thread.join(30)
    time.sleep(0.3)
    assert pool().workers() and all(worker.alive() for worker in pool().workers())


def test_a_forked_process_starts_its_own_workers():
    SandboxEnvironment().evaluate("len(x)", {"x": [1]})
    ours = {worker.pid for worker in pool().workers()}
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the forked process
        try:
            value = SandboxEnvironment().evaluate("len(x)", {"x": [1, 2]})
            os.write(writing, repr((value, pool().pid, [w.pid for w in pool().workers()])).encode())
        finally:
            os._exit(0)
    os.close(writing)
    answer = b""
    while chunk := os.read(reading, 4096):
        answer += chunk
    os.close(reading)
    os.waitpid(child, 0)
    value, pool_pid, theirs = eval(answer)  # noqa: S307 - our own repr
    assert (value, pool_pid) == (2, child)
    assert theirs and not set(theirs) & ours
    assert all(worker.alive() for worker in pool().workers())


def test_workers_die_with_their_parent():
    program = textwrap.dedent("""
        import os, sys, time
        from engine.runtime.sandbox import SandboxEnvironment
        from engine.runtime.sandbox.isolation import pool
        SandboxEnvironment().evaluate("len(x)", {"x": [1]})
        print(*[w.pid for w in pool().workers()], flush=True)
        time.sleep(60)
    """)
    parent = subprocess.Popen([sys.executable, "-c", program], stdout=subprocess.PIPE, text=True, cwd=REPO,
                              env={**os.environ, "PYTHONPATH": str(REPO)})
    assert parent.stdout is not None
    try:
        workers = [int(pid) for pid in parent.stdout.readline().split()]
        assert workers
    finally:
        parent.kill()
        parent.wait(5)
        parent.stdout.close()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_exists(pid) for pid in workers):
        time.sleep(0.05)
    assert not any(_exists(pid) for pid in workers)


def _exists(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


CLERK = Actor("li.police", "clerk", "police")


def test_a_case_whose_script_holds_a_builtin_goes_to_error(ctx, tmp_path):
    folder = tmp_path / "hostile"
    folder.mkdir()
    model = (MODELS / "loop.bpmn").read_text(encoding="utf-8").replace("last_note = note.upper()",
                                                                        f"s = {HOSTILE_CALL}")
    (folder / "after.bpmn").write_text(model, encoding="utf-8")
    catalog.deploy_path(ctx, folder)
    number = cases.start_case(ctx, "hostile", "after").number
    started = time.monotonic()
    cases.complete_step(ctx, number, "review", CLERK, {"again": False, "note": "x"})
    assert time.monotonic() - started < ctx.script_time_limit + GRACE + 2
    view = cases.get_case(ctx, number)
    assert view.status == "error" and view.error is not None
    assert f"time limit of {ctx.script_time_limit} s" in view.error or "MB of memory" in view.error
    assert cases.start_case(ctx, "hostile", "after").status == "running"
