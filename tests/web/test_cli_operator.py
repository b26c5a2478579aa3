"""The operator's side of `onething`: demo data, serving, the WSGI entry, and one clear line for every failure."""
from __future__ import annotations

import importlib
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request

from tests.web.conftest import ONETHING, REPO


def test_demo_data_fills_an_empty_database_once(run):
    first = run("demo-data", "--cases", "4").stdout
    assert re.search(r"^models: (\d+) deployed \(\1 new\)$", first, re.M), first
    assert re.search(r"^cases: 4 created \(.+\)$", first, re.M), first
    logins = re.findall(r"^  (\S+)\s+(admin|auditor|clerk|designer)\b", first, re.M)
    assert ("admin", "admin") in logins and ("auditor", "auditor") in logins
    assert "Look up any demo case with the check" in first
    again = run("demo-data", "--cases", "4").stdout
    assert re.search(r"^models: \d+ deployed \(0 new\)$", again, re.M) and "cases: 0 created (none)" in again
    assert "Look up any demo case" not in again
    run("user", "add", "another", "--role", "auditor", "--password", "secret123")
    duplicate = run("user", "add", "another", "--role", "auditor", "--password", "secret123", ok=False)
    assert duplicate.stderr.startswith("error: ") and "another" in duplicate.stderr


def test_deploying_a_broken_model_prints_each_problem_and_stores_nothing(run, tmp_path):
    broken = tmp_path / "broken.bpmn"
    broken.write_text((REPO / "tests/engine/models/parallel.bpmn").read_text(encoding="utf-8")
                      .replace("delivery == 'home'", "delivery ==== 'home'"), encoding="utf-8")
    refused = run("deploy", str(broken), ok=False)
    assert refused.returncode == 1 and all(line.startswith(f"{broken}:") for line in refused.stderr.splitlines())
    assert "no ready steps" in run("case", "steps").stdout
    assert "no deployed" in run("case", "start", "parallel", ok=False).stderr


def test_a_database_without_tables_is_one_line_that_names_init_db(run):
    result = run("case", "show", "20260101-AAAAA", ok=False)
    assert result.returncode == 2
    assert result.stderr.startswith("error: database problem: ") and "onething init-db" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_unexpected_failure_is_one_line_unless_debugging(run):
    deep = "[" * 50_000 + "]" * 50_000  # JSON nested past Python's recursion limit: a failure nobody foresaw
    result = run("case", "start", "newborn", "--data", deep, ok=False)
    assert result.returncode == 2 and result.stderr.strip().startswith("internal error: RecursionError")
    assert result.stderr.strip().endswith("(set ONETHING_DEBUG=1 for details)")
    debug = run("case", "start", "newborn", "--data", deep, ok=False, ONETHING_DEBUG="1")
    assert "Traceback" in debug.stderr and "RecursionError" in debug.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_serve_answers_on_the_port_it_announces(run, tmp_path):
    run("init-db")
    port = _free_port()
    env = {"ONETHING_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    server = subprocess.Popen(ONETHING + ["serve", "--port", str(port)], cwd=REPO, env={**os.environ, **env},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        status = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as response:
                    status = response.status
                break
            except OSError:
                time.sleep(0.2)
        assert status == 200
    finally:
        server.send_signal(signal.SIGINT)  # a clean stop, as Ctrl-C at the terminal
        out, err = server.communicate(timeout=30)
    assert out.splitlines()[0] == f"OneThing on http://127.0.0.1:{port}/ (database {env['ONETHING_DATABASE_URL']})"


def test_the_wsgi_entry_builds_the_app_from_the_environment(monkeypatch, tmp_path, isolated):
    monkeypatch.setenv("ONETHING_DATABASE_URL", f"sqlite:///{tmp_path / 'wsgi.db'}")
    monkeypatch.setenv("ONETHING_SECRET_KEY", "from-the-environment")
    import web.wsgi

    app = importlib.reload(web.wsgi).app
    assert app.config["SECRET_KEY"] == "from-the-environment" and app.instance_path == str(isolated)
    assert app.test_client().get("/login").status_code == 200


def test_the_timer_worker_outlives_database_errors(run, tmp_path):
    """A database error (here: no tables yet) does not end `onething worker`; it says so and tries again."""
    assert run("worker", "--once", ok=False).stderr.startswith("error: database problem")
    env = dict(os.environ, ONETHING_DATABASE_URL=f"sqlite:///{tmp_path / 'cli.db'}")
    worker = subprocess.Popen([*ONETHING, "worker", "--interval", "0.05"], cwd=REPO, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(4)
        assert worker.poll() is None  # still polling
    finally:
        worker.send_signal(signal.SIGINT)
        _out, err = worker.communicate(timeout=30)
    tries = [line for line in err.splitlines() if line.startswith("worker: database error")]
    assert len(tries) >= 2 and "trying again in" in tries[0], err
    assert "Traceback" not in err
