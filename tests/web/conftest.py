"""Fixtures for the pages: a fresh app per test on a copy of one deployed SQLite database, signed-in clients."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from engine.accounts import users
from engine.catalog import versions as catalog
from engine.context import EngineContext
from web.app import create_app

REPO = Path(__file__).resolve().parents[2]
ONETHING = [sys.executable, "-c", "from web.cli import main; main()"]
PASSWORD = "test-password-1"
ACCOUNTS = {
    # username: (role, department)
    "clerk.health": ("clerk", "health"),
    "clerk.police": ("clerk", "police"),
    "clerk.service": ("clerk", "service_center"),
    "designer.police": ("designer", "police"),
    "auditor": ("auditor", None),
    "admin": ("admin", None),
}
DEPARTMENTS = ("health", "police", "disease_control", "medical_insurance", "hrss", "service_center", "street_office")


def deployed_database(path: Path, accounts: dict[str, tuple[str, str | None]], password: str) -> Path:
    """A SQLite file at `path` with every matter of processes/ deployed and the given accounts."""
    ctx = EngineContext.from_url(f"sqlite:///{path}")
    ctx.init_db()
    catalog.deploy_path(ctx, REPO / "processes")
    for name, (role, department) in accounts.items():
        users.add_user(ctx, name, password, role, department)
    ctx.engine.dispose()
    return path


@pytest.fixture(scope="session")
def deployed_db(tmp_path_factory) -> Path:
    """One SQLite file with every matter deployed and an account per role (copied for each test)."""
    clerks = {f"clerk.{d}": ("clerk", d) for d in DEPARTMENTS if f"clerk.{d}" not in ACCOUNTS}
    return deployed_database(tmp_path_factory.mktemp("template") / "onething.db", {**ACCOUNTS, **clerks}, PASSWORD)


@pytest.fixture
def app(deployed_db, tmp_path):
    db = tmp_path / "onething.db"
    shutil.copy(deployed_db, db)
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": f"sqlite:///{db}",
                      "PROCESSES_PATH": str(REPO / "processes")})
    yield app
    ctx = app.extensions.get("onething")
    if ctx is not None:
        ctx.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def ctx(app):
    from web.app import engine_context

    return engine_context(app)


def token_of(client) -> str:
    """The session's CSRF token (opening the login page creates one)."""
    client.get("/login")
    with client.session_transaction() as session:
        return session["csrf"]


def sign_in(client, username: str, password: str = PASSWORD):
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token_of(client)})


@pytest.fixture
def login(client):
    """login(username) signs the test client in and returns its CSRF token."""

    def do(username: str) -> str:
        response = sign_in(client, username)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        with client.session_transaction() as session:
            return session["csrf"]

    return do


@pytest.fixture
def run(tmp_path):
    """run(*args, ok=True, **env): the real `onething` in a subprocess on a fresh SQLite file; never a traceback."""

    def call(*args: str, ok: bool = True, **extra_env: str) -> subprocess.CompletedProcess:
        env = dict(os.environ, ONETHING_DATABASE_URL=f"sqlite:///{tmp_path / 'cli.db'}", **extra_env)
        result = subprocess.run(ONETHING + list(args), cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
        if extra_env.get("ONETHING_DEBUG") != "1":
            assert "Traceback" not in result.stdout + result.stderr, result.stderr
        assert (result.returncode == 0) == ok, (args, result.stdout, result.stderr)
        return result

    return call


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright, one per test module (skipped, or failed in CI, without it)."""
    from tests.browser import launch, require_browser

    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        yield browser
        browser.close()


@pytest.fixture
def served(app):
    """The pages' app on a copy of the deployed database, served on 127.0.0.1 for the browser."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)


def finish_case(ctx, number: str) -> None:
    """Complete every ready step with its form's example data (as the right department's clerk)."""
    from engine.cases.driving import drive_case

    assert drive_case(ctx, number, rounds=60).view.status == "completed", f"case {number} did not finish"
