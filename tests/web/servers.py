"""Real servers for the process-level tests: gunicorn serving web.wsgi:app, an HTTP client, a seeded database.

The crash, multi-node and race tests (tests/web/test_crash.py, test_races.py) run the app as an operator
does (docs/operations.md): gunicorn with sync workers, configured by ONETHING_* variables only. Every
gunicorn runs in its own session (process group), so that `Gunicorn.stop` can end the master and every
worker it forked, even a worker orphaned by a killed master, and nothing outlives a failed test.
"""
from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.accounts import users
from engine.catalog import versions as catalog
from engine.citizen import applications as citizen
from engine.context import EngineContext
from engine.matters.forms import example_data

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "server-password-1"
SECRET = "server-tests-secret"  # the same on every node, as docs/operations.md asks


def free_port() -> int:
    """A TCP port nobody listens on now (the kernel's choice)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def refuses(port: int) -> bool:
    """True when nothing accepts connections on the port any more."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return False
    except ConnectionRefusedError:
        return True
    except OSError:
        return False


def _ppid_and_pgid(pid: int) -> tuple[int, int] | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)": state ppid pgrp ...
    if fields[0] == "Z":  # a zombie serves nothing
        return None
    return int(fields[1]), int(fields[2])


def _processes() -> Iterable[tuple[int, int, int]]:
    """(pid, ppid, pgid) of every live process."""
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (ids := _ppid_and_pgid(int(entry))) is not None:
            yield int(entry), *ids


class Gunicorn:
    """gunicorn serving web.wsgi:app on a free port of 127.0.0.1, with sync workers; `stop` always cleans up."""

    def __init__(self, database_url: str, instance: Path, workers: int = 3, port: int | None = None,
                 timeout: int = 30, config: str | None = "python:web.gunicorn_conf") -> None:
        self.database_url, self.instance, self.workers, self.timeout = database_url, instance, workers, timeout
        self.config = config  # docs/operations.md's settings; None: gunicorn's defaults
        self.port = port or free_port()
        self.log_path = instance / f"gunicorn-{self.port}.log"
        self.process: subprocess.Popen | None = None
        self.groups: list[int] = []  # every process group this object started: stop() ends them all

    def env(self) -> dict[str, str]:
        env = {name: value for name, value in os.environ.items() if not name.startswith("ONETHING_")}
        return {**env, "ONETHING_DATABASE_URL": self.database_url, "ONETHING_SECRET_KEY": SECRET,
                "ONETHING_INSTANCE_PATH": str(self.instance), "PYTHONPATH": str(REPO)}

    def start(self, wait: float = 60) -> Gunicorn:
        """Start the master (it forks the workers; each parses the models first) and wait for /healthz."""
        self.instance.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "gunicorn", *(["-c", self.config] if self.config else []),
                   "--worker-class", "sync", "-w", str(self.workers), "-b", f"127.0.0.1:{self.port}",
                   "--timeout", str(self.timeout), "--log-level", "warning", "web.wsgi:app"]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(command, cwd=REPO, env=self.env(), stdout=log, stderr=log,
                                            start_new_session=True)
        self.groups.append(self.process.pid)
        self.wait_healthy(wait)
        return self

    @property
    def master(self) -> int:
        assert self.process is not None, "not started"
        return self.process.pid

    def wait_healthy(self, seconds: float) -> None:
        """Until /healthz answers 200 and every worker has booted (the master forks them one by one)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                status, _ = Http(self.port).call("GET", "/healthz")
                if status == 200 and len(self.worker_pids()) == self.workers:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"gunicorn on port {self.port} not healthy after {seconds} s:\n{self.log_tail()}")

    def worker_pids(self) -> list[int]:
        """The master's live children (its workers)."""
        return sorted(pid for pid, ppid, _ in _processes() if ppid == self.master)

    def group_pids(self) -> list[int]:
        """Every live process of the gunicorns this object started (masters and workers, orphaned or not)."""
        return sorted(pid for pid, _, pgid in _processes() if pgid in self.groups)

    def kill_master(self) -> None:
        os.kill(self.master, signal.SIGKILL)
        assert self.process is not None
        self.process.wait(10)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        """SIGTERM to the master (a graceful stop), then SIGKILL to whatever of its groups remains."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                pass
        for group in self.groups:
            try:
                os.killpg(group, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.process is not None and self.process.poll() is None:
            self.process.wait(10)

    def __enter__(self) -> Gunicorn:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


NO_ANSWER = (OSError, http.client.HTTPException)  # what a request raises when the server gives no answer


class Http:
    """A JSON API client on one port: sign in once (cookie and CSRF token), then one connection per request
    (gunicorn's sync workers close every connection)."""

    def __init__(self, port: int, timeout: float = 30) -> None:
        self.port, self.timeout = port, timeout
        self.cookie: str | None = None
        self.token: str | None = None

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        """(status, parsed JSON body or None); OSError and http.client errors when the server gives no answer."""
        headers = {"Content-Type": "application/json"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        if self.token:
            headers["X-CSRF-Token"] = self.token
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            conn.request(method, path, body=json.dumps(body).encode() if body is not None else None, headers=headers)
            response = conn.getresponse()
            raw = response.read()
            cookie = response.getheader("Set-Cookie")
            if cookie and cookie.startswith("onething_session="):
                self.cookie = cookie.split(";", 1)[0]
        finally:
            conn.close()
        try:
            return response.status, json.loads(raw) if raw else None
        except ValueError:
            return response.status, raw.decode(errors="replace")

    def sign_in(self, username: str, password: str = PASSWORD) -> Http:
        status, body = self.call("POST", "/api/session", {"username": username, "password": password})
        assert status == 200, (status, body)
        self.token = body["csrf_token"]
        return self

    def on(self, port: int) -> Http:
        """The same signed-in session against another port (another node with the same secret)."""
        other = Http(port, self.timeout)
        other.cookie, other.token = self.cookie, self.token
        return other


@dataclass(frozen=True)
class Seeded:
    """What `seeded_database` made: a clerk per department of the matters, and each step's example form data."""

    clerks: dict[str, str]  # username -> department
    examples: dict[tuple[str, str], dict[str, Any]]  # (matter, step id) -> form data


def seeded_database(url: str, matters: Iterable[str]) -> Seeded:
    """A fresh database at `url` with processes/<matter> deployed for each matter and a clerk
    `clerk.<department>` for every department that works a step of them."""
    from engine.cases.driving import step_data
    from engine.vocabulary import APPLICANT

    ctx = EngineContext.from_url(url)
    try:
        ctx.init_db()
        examples: dict[tuple[str, str], dict[str, Any]] = {}
        departments: set[str] = set()
        for matter in matters:
            catalog.deploy_path(ctx, REPO / "processes" / matter)
            with ctx.read() as session:
                version = catalog.current_version(session, matter, "after")
                model, loaded = catalog.loaded_version(ctx, session, version.id)
            for step_id, step in model.steps.items():
                examples[(matter, step_id)] = step_data(model, loaded, step_id, None)
                if step.department and step.department != APPLICANT:
                    departments.add(step.department)
        clerks = {f"clerk.{department}": department for department in sorted(departments)}
        for username, department in clerks.items():
            users.add_user(ctx, username, PASSWORD, "clerk", department)
        return Seeded(clerks, examples)
    finally:
        ctx.engine.dispose()


def open_cases(url: str, matter: str, count: int) -> list[str]:
    """`count` applications for `matter` (its applicant step done), through the engine; their numbers."""
    ctx = EngineContext.from_url(url)
    try:
        intake = citizen.intake_form(ctx, matter)
        assert intake is not None, f"{matter} has no intake form"
        form = example_data(intake)
        return [citizen.apply(ctx, matter, form, "13912345678") for _ in range(count)]
    finally:
        ctx.engine.dispose()


def audit_cases(url: str) -> tuple[dict[str, int], list[str]]:
    """Every case of the database checked against its step log (for matters whose steps run once each):

    - it loads (engine API);
    - a step is completed in the workflow state (the case's trail, saved with the state in one
      transaction) exactly when the step log has exactly one `completed` entry for it;
    - no step the log says is completed is still READY in the state, and the worklist (open steps)
      holds exactly the READY steps of the state (the saved state keeps no finished history, so the
      trail and the READY tasks are what it says about completed steps).

    Returns the `completed` log entries per task id, and the problems found (empty when all agree)."""
    from sqlalchemy import func, select

    from engine.cases import lifecycle as cases
    from engine.cases.persistence import find_case, load_runtime
    from engine.store.tables import Case, OpenStep, StepLogEntry

    ctx = EngineContext.from_url(url)
    problems: list[str] = []
    try:
        with ctx.read() as session:
            numbers = list(session.scalars(select(Case.number).order_by(Case.id)))
            logged = dict(session.execute(select(StepLogEntry.task_id, func.count()).where(
                StepLogEntry.event == "completed").group_by(StepLogEntry.task_id)).tuples().all())
        for number in numbers:
            try:
                cases.get_case(ctx, number)
            except Exception as error:  # noqa: BLE001 - a case that does not load is what this looks for
                problems.append(f"{number} does not load: {type(error).__name__}: {error}")
                continue
            with ctx.read() as session:
                case = find_case(session, number)
                runtime, _ = load_runtime(ctx, session, case)
                entries = session.execute(select(StepLogEntry.task_id, StepLogEntry.step_id).where(
                    StepLogEntry.case_id == case.id, StepLogEntry.event == "completed")).tuples().all()
                open_tasks = set(session.scalars(select(OpenStep.task_id).where(OpenStep.case_id == case.id)))
                in_state = {element for element in case.trail or () if element in runtime.model.steps}
            by_step = Counter(step for _, step in entries)
            for step in sorted(in_state | set(by_step)):
                if step not in in_state or by_step[step] != 1:
                    problems.append(f"{number} step {step}: {'completed' if step in in_state else 'not completed'} "
                                    f"in the state, {by_step[step]} completed entries in the log")
            ready = {step.task_id for step in runtime.ready_steps()}
            problems += [f"{number} task {task}: completed in the log, READY in the state"
                         for task, _ in entries if task in ready]
            if ready != open_tasks:
                problems.append(f"{number}: READY in the state {sorted(ready)}, on the worklist {sorted(open_tasks)}")
        return logged, problems
    finally:
        ctx.engine.dispose()
