"""Fuzzing the JSON API from its own OpenAPI document (schemathesis, every check), anonymous and as each role.

Every operation gets schema-valid (positive) and schema-violating (negative) requests, a bounded number
of each (ONETHING_FUZZ_EXAMPLES, default 25; derandomized, so CI sees the same requests every run).
Every check schemathesis has runs on every answer: no 5xx, statuses, content types, headers and bodies as
documented, invalid data refused, valid data not refused, no ignored authentication, 405 with Allow for a
method a path does not take. One allowance, stated here: a schema-valid request may be refused with 422
when what it names cannot be known from the schema (a matter's own form fields, a BPMN file's content).
"""
from __future__ import annotations

import collections
import logging
import os
import shutil
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup

from engine.accounts import users
from engine.catalog import versions as catalog
from engine.context import EngineContext
from tests.conftest import drop_schema, postgres_schema_url
from tests.web.conftest import ACCOUNTS, PASSWORD, REPO
from web.api.openapi import openapi_path
from web.api.routing import ROUTES
from web.app import create_app

pytestmark = pytest.mark.slow
EXAMPLES = int(os.environ.get("ONETHING_FUZZ_EXAMPLES", "25"))
# what "valid data accepted" may answer: success, not signed in, not allowed, no such thing, conflict,
# refused by the matter's own rules (422), throttled
ACCEPTED = ["2xx", "401", "403", "404", "409", "422", "429"]
ROLES = [None, "clerk.health", "clerk.police", "designer.police", "auditor", "admin"]


class Findings:
    """Requests sent, statuses seen and every distinct failure, per operation."""

    def __init__(self) -> None:
        self.requests = 0
        self.statuses: collections.Counter[int] = collections.Counter()
        self.failures: dict[tuple[str, str], str] = {}

    def summary(self, role: str) -> str:
        server_errors = sum(n for status, n in self.statuses.items() if status >= 500)
        return (f"fuzzed as {role}: {self.requests} requests, {server_errors} server errors, "
                f"{len(self.failures)} failing operations; statuses {dict(sorted(self.statuses.items()))}")


def _signed_in(app, username: str) -> tuple[str, str]:
    """(session cookie, CSRF token) of a fresh API sign-in."""
    client = app.test_client()
    answer = client.post("/api/session", json={"username": username, "password": PASSWORD})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    return cookie.value, answer.get_json()["csrf_token"]


def _schema(app, session: tuple[str, str] | None):
    config = SchemathesisConfig.from_dict({"checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED}}})
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app, config=config)
    if session is None:
        return schema
    cookie, token = session
    cookie_name = app.config["SESSION_COOKIE_NAME"]

    class SessionAuth:
        """The signed-in session: its cookie, and the CSRF token unsafe requests echo."""

        def get(self, case: Any, context: Any) -> tuple[str, str]:
            return cookie, token

        def set(self, case: Any, data: tuple[str, str], context: Any) -> None:
            case.cookies = {**(case.cookies or {}), cookie_name: data[0]}
            case.headers = {**(case.headers or {}), "X-CSRF-Token": data[1]}

    schema.auth()(SessionAuth)
    return schema


def _sender(strategy: Any, found: Findings, key: tuple[str, str]) -> Any:
    """A hypothesis test sending EXAMPLES cases of `strategy`, each answer validated by every check."""

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def send(case: Any) -> None:
        found.requests += 1
        response = case.call()
        found.statuses[response.status_code] += 1
        try:
            case.validate_response(response)
        except (AssertionError, FailureGroup) as failure:  # one check failed, or several
            found.failures.setdefault(key, f"{failure}\n{case.as_curl_command()}")

    return send


# JSON texts json.loads takes but nothing downstream can hold (issue #15 item 5): a lone surrogate, an integer
# of more than 4,300 digits, NaN, and each of them one level down
HOSTILE = ['"\\ud800"', "1" * 5000, "NaN", '{"x": "\\ud800"}', "[" + "-" + "9" * 4400 + "]", '{"x": Infinity}']


def _send_hostile_values(app, session: tuple[str, str] | None, found: Findings) -> None:
    """Every field of every JSON body, given each hostile value: a 4xx with the JSON error, never a 5xx;
    on a public route, the 400 of the body reader naming the field."""
    client = app.test_client()
    headers = {"Content-Type": "application/json"}
    if session is not None:
        client.set_cookie(app.config["SESSION_COOKIE_NAME"], session[0])
        headers["X-CSRF-Token"] = session[1]
    for route in ROUTES:
        if route.body is None or route.upload or route.endpoint == "logout":
            continue
        path = openapi_path(route.rule).replace("{", "").replace("}", "")  # /api/cases/number/... : no such case
        for name, field in route.body().load_fields.items():
            for value in HOSTILE:
                answer = client.open(path, method=route.method, data=f'{{"{field.data_key or name}": {value}}}',
                                     headers=headers)
                found.requests += 1
                found.statuses[answer.status_code] += 1
                key = (f"{route.method} {path} {name}={value[:12]}", "hostile")
                if answer.status_code >= 500 or answer.mimetype != "application/json":
                    found.failures[key] = f"{answer.status_code} {answer.get_data(as_text=True)[:300]}"
                elif route.roles is None and answer.status_code != 400:
                    found.failures[key] = f"expected the body reader's 400, got {answer.status_code}"


def fuzz(app, username: str | None) -> Findings:
    """Every operation, positive and negative, EXAMPLES requests each, all checks."""
    session = _signed_in(app, username) if username else None
    schema = _schema(app, session)
    found = Findings()
    _send_hostile_values(app, session, found)
    operations = [result.ok() for result in schema.get_all_operations()]
    operations.sort(key=lambda op: op.label == "DELETE /api/session")  # signing out last: it ends the session
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(generation_mode=mode, auth_storage=schema.auth if username else None)
            try:
                _sender(strategy, found, (operation.label, mode.value))()
            except Unsatisfiable:  # nothing to negate: an operation without parameters or body
                assert mode is GenerationMode.NEGATIVE, operation.label
    return found


@pytest.fixture
def fuzzed_app(request, deployed_db, tmp_path):
    """The app on a copy of the deployed SQLite template, or on a fresh PostgreSQL schema deployed the same way."""
    if request.param == "sqlite":
        shutil.copy(deployed_db, tmp_path / "onething.db")
        url, schema = f"sqlite:///{tmp_path / 'onething.db'}", None
    else:
        url, schema = postgres_schema_url()
        ctx = EngineContext.from_url(url)
        ctx.init_db()
        catalog.deploy_path(ctx, REPO / "processes")
        for name, (role, department) in ACCOUNTS.items():
            users.add_user(ctx, name, PASSWORD, role, department)
        ctx.engine.dispose()
    app = create_app({"SECRET_KEY": "fuzz", "DATABASE_URL": url, "PROCESSES_PATH": str(REPO / "processes")})
    logging.getLogger("web.app").disabled = True  # one request log line per fuzzed request says nothing here
    yield app
    logging.getLogger("web.app").disabled = False
    if "onething" in app.extensions:
        app.extensions["onething"].engine.dispose()
    if schema is not None:
        drop_schema(schema)


@pytest.mark.parametrize("fuzzed_app", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
                         indirect=True)
@pytest.mark.parametrize("username", ROLES, ids=[r or "anonymous" for r in ROLES])
def test_fuzzing_the_api_finds_no_server_error_and_no_conformance_failure(fuzzed_app, username):
    found = fuzz(fuzzed_app, username)
    print(found.summary(username or "anonymous"))
    assert found.requests >= EXAMPLES * 10, found.summary(username or "anonymous")
    assert not found.failures, "\n\n".join(f"{op} ({mode}):\n{text}" for (op, mode), text in found.failures.items())
    assert not any(status >= 500 for status in found.statuses), found.summary(username or "anonymous")
