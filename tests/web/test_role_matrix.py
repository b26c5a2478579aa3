"""Every rule of the app × every method × every role, with the status declared per route (issue #15).

The rows are in tests/web/role_matrix.py. A route without a row fails `test_every_rule_and_method_has_a_row`;
each role runs every row on a fresh copy of the database (some rows sign out, deploy or cancel), each row on a
fresh client with the role's session, and one test reports every cell that answered otherwise.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.context import EngineContext
from tests.web.conftest import deployed_database, token_of
from tests.web.role_matrix import (
    ACCOUNTS,
    MATRIX,
    PASSWORD,
    PHONE,
    ROLES,
    Cell,
    add_accounts,
    answer_of,
    apply_form,
    rule_methods,
)
from web.app import create_app, engine_context


@pytest.fixture(scope="module")
def matrix_db(tmp_path_factory) -> Path:
    """Every matter deployed, one account per staff role of the matrix (in its region); copied for each role's test."""
    path = deployed_database(tmp_path_factory.mktemp("matrix") / "onething.db", {}, PASSWORD)
    ctx = EngineContext.from_url(f"sqlite:///{path}")
    add_accounts(ctx)  # in their regions: a clerk of county A is outside county B's cases
    ctx.engine.dispose()
    return path


@pytest.fixture
def matrix_app(matrix_db, tmp_path):
    db = tmp_path / "onething.db"
    shutil.copy(matrix_db, db)
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": f"sqlite:///{db}"})
    yield app
    engine_context(app).engine.dispose()


def _session_of(app, role: str) -> tuple[str, str]:
    """The role's session cookie and CSRF token: signed in, or (no account) as a visitor or an applicant.

    The anonymous visitor has opened a page, so its session holds a CSRF token and nothing else: a form
    it posts is refused for what it is, not for a missing token (test_pages covers the missing token).
    """
    client = app.test_client()
    token = token_of(client)
    if role == "citizen":
        cell = Cell(app, engine_context(app), role, "POST", None, None, "10.0.0.1")
        response = client.post("/apply/newborn", data={**apply_form(cell), "csrf_token": token})
        assert response.status_code == 302 and response.headers["Location"].endswith("/applied")
    elif role in ACCOUNTS:
        response = client.post("/login", data={"username": ACCOUNTS[role][0], "password": PASSWORD,
                                               "csrf_token": token})
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
    with client.session_transaction() as session:
        token = session["csrf"]
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return cookie.value, token


def test_every_rule_and_method_has_a_row(matrix_app):
    """A new route (or method) without a declared row fails here, and so does a row no route has."""
    found = rule_methods(matrix_app)
    missing, stale = sorted(found - set(MATRIX)), sorted(set(MATRIX) - found)
    assert not missing and not stale, f"routes without a row: {missing}; rows without a route: {stale}"
    print(f"\nrole matrix: {len(found)} rule-methods × {len(ROLES)} roles = {len(found) * len(ROLES)} cells")


def test_every_row_declares_every_role():
    assert all(set(row.expected) == set(ROLES) for row in MATRIX.values())


def test_the_declared_api_roles_admit_every_role_the_matrix_lets_through():
    """The API's route table (which the OpenAPI document shows) admits at least whom the matrix lets through."""
    from web.api.routing import ROUTES

    account_role = {role: ACCOUNTS[role][1] if role in ACCOUNTS else None for role in ROLES}
    for route in ROUTES:
        expected = MATRIX[f"{route.method} /api{route.rule}"].expected
        through = {role for role, status in expected.items() if isinstance(status, int) and status < 300}
        declared = set(ROLES) if route.roles is None else {r for r in ROLES if account_role[r] in route.roles}
        assert through <= declared, (route.method, route.rule)


def test_the_check_not_the_role_opens_a_case_to_staff_too(matrix_app):
    """Signed-in staff who know a case's phone look it up and rate it as an applicant does (the matrix's staff
    send a wrong check): an applicant's routes do not depend on a session."""
    ctx = engine_context(matrix_app)
    for index, role in enumerate(ACCOUNTS):
        cookie, token = _session_of(matrix_app, role)
        cell = Cell(matrix_app, ctx, role, "POST", cookie, token, f"10.20.0.{index + 1}")
        assert cell.api("/api/lookup", json={"number": cell.new_case(), "check": PHONE[-4:]}).status_code == 200
        rated = cell.api(f"/api/cases/{cell.completed_case()}/rating", json={"check": PHONE[-4:], "score": 4})
        assert rated.status_code == 204, role
        page = cell.page("/track", data={"number": cell.new_case(), "check": PHONE[-4:]})
        assert page.status_code == 200, role


@pytest.mark.slow  # about 4 s per role: a fresh database and cold caches each, 61 requests
@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_declared_status_on_every_route(matrix_app, role):
    ctx = engine_context(matrix_app)
    cookie, token = _session_of(matrix_app, role)
    mismatches = []
    for index, (route, row) in enumerate(MATRIX.items()):
        method = route.split(" ", 1)[0]
        cell = Cell(matrix_app, ctx, role, method, cookie, token, f"10.{ROLES.index(role) + 1}.0.{index + 1}")
        response = row.build(cell)
        got, expected = answer_of(route, response), row.expected[role]
        if got != expected:
            detail = response.get_data(as_text=True)[:200].replace("\n", " ") if response.status_code >= 500 or \
                response.is_json else ""
            mismatches.append(f"{route}: expected {expected}, got {got} {detail}")
        if row.ends_session and role in ACCOUNTS:
            cookie, token = _session_of(matrix_app, role)
    assert not mismatches, f"{role}: {len(mismatches)} of {len(MATRIX)} cells differ:\n" + "\n".join(mismatches)
