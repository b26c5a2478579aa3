"""A hostile script in one request does not stall the others: the script runs in a worker process and
the request's thread waits on a pipe without the GIL (in-process, `str([[0] * 999999] * 1000)` held it 30 s)."""
from __future__ import annotations

import http.cookiejar
import json
import threading
import time
import urllib.request
from typing import Any

import pytest

from engine.accounts import users
from engine.cases import lifecycle as cases
from engine.catalog.versions import deploy_path
from engine.context import EngineContext
from tests.web.conftest import PASSWORD, REPO

HOSTILE_SCRIPT = "s = str([[0] * 999999] * 1000)"
TIME_LIMIT = 2.0


@pytest.fixture
def server(tmp_path):
    """(base URL, case number): a threaded werkzeug server over a model whose script task is hostile,
    one case waiting at its `review` step, a police clerk."""
    from werkzeug.serving import make_server

    from web.app import create_app, engine_context

    folder = tmp_path / "hostile"
    folder.mkdir()
    model = (REPO / "tests" / "engine" / "models" / "loop.bpmn").read_text(encoding="utf-8")
    (folder / "after.bpmn").write_text(model.replace("last_note = note.upper()", HOSTILE_SCRIPT), encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'onething.db'}"
    setup = EngineContext.from_url(url)
    setup.init_db()
    deploy_path(setup, folder)
    users.add_user(setup, "clerk.police", PASSWORD, "clerk", "police")
    number = cases.start_case(setup, "hostile", "after").number
    setup.engine.dispose()
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": url, "SCRIPT_TIME_LIMIT": TIME_LIMIT})
    served = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=served.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{served.server_port}", number
    finally:
        served.shutdown()
        thread.join(5)
        engine_context(app).engine.dispose()


class Browser:
    """A client with a cookie jar, speaking JSON."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.headers: dict[str, str] = {}

    def call(self, path: str, body: dict | None = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, headers={
            **self.headers, **({"Content-Type": "application/json"} if data else {})})
        with self.opener.open(request, timeout=60) as response:
            return response.status, json.loads(response.read())


def test_healthz_answers_while_another_request_runs_a_hostile_script(server):
    base, number = server
    clerk = Browser(base)
    status, session = clerk.call("/api/session", {"username": "clerk.police", "password": PASSWORD})
    assert status == 200
    clerk.headers["X-CSRF-Token"] = session["csrf_token"]
    Browser(base).call("/healthz")  # the app is warm
    hostile: dict[str, Any] = {}

    def complete() -> None:
        started = time.monotonic()
        status, _ = clerk.call(f"/api/cases/{number}/steps/review/complete", {"data": {"again": False, "note": "x"}})
        hostile.update(status=status, seconds=time.monotonic() - started, ended=time.monotonic())

    worker = threading.Thread(target=complete)
    worker.start()
    time.sleep(0.7)  # the script is running by now (a worker starts in about 0.3 s)
    started = time.monotonic()
    health, _ = Browser(base).call("/healthz")
    answered = time.monotonic()
    worker.join(60)
    assert health == 200 and hostile["status"] == 200
    assert answered - started < 1.0, answered - started
    assert answered < hostile["ended"]  # while the hostile request was still running
    assert hostile["seconds"] < TIME_LIMIT + 3
    _, case = clerk.call(f"/api/cases/{number}")
    assert case["status"] == "error"
    assert f"time limit of {TIME_LIMIT} s" in case["error"] or "MB of memory" in case["error"]
