"""Security regressions: each test attacks the running app through Flask's test client (no mocks).

Each test is a regression test for a finding of the security review (fixed in web/ or engine/);
they were written failing, against the code as it was, and pass since the fix.
"""
from __future__ import annotations

import io

import pytest

from engine.accounts import users
from engine.cases import lifecycle as cases
from engine.catalog import history
from engine.citizen import applications as citizen
from engine.matters.forms import example_data
from tests.web.conftest import PASSWORD, REPO, sign_in, token_of

PHONE = "13800008000"


@pytest.fixture
def newborn_case(ctx):
    """An applied newborn case (after) waiting for the police's register_birth step."""
    return citizen.apply(ctx, "newborn", example_data(citizen.intake_form(ctx, "newborn")), PHONE)


@pytest.fixture
def outsider(ctx):
    """Accounts of the tax department, which takes no part in newborn."""
    users.add_user(ctx, "clerk.tax", PASSWORD, "clerk", "tax")
    users.add_user(ctx, "designer.tax", PASSWORD, "designer", "tax")
    return "tax"


def api_login(client, username: str) -> dict[str, str]:
    response = client.post("/api/session", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.get_json()
    return {"X-CSRF-Token": response.get_json()["csrf_token"]}


# -- who may see and change what ---------------------------------------------------------------------

def test_clerk_of_a_department_outside_the_matter_may_not_open_its_case_page(client, ctx, login, outsider,
                                                                             newborn_case):
    """The page showed any case, unmasked, to any clerk; now it is the 404 of an unknown number (issue #15 item 7)."""
    mother = cases.get_case(ctx, newborn_case).data["mother_name"]
    login("clerk.tax")
    response = client.get(f"/cases/{newborn_case}")
    assert response.status_code == 404
    assert mother not in response.get_data(as_text=True)
    assert client.get(f"/api/cases/{newborn_case}").status_code == 404  # the API agrees


def test_clerk_of_a_matters_department_still_opens_its_case_page(client, login, newborn_case):
    login("clerk.health")
    assert client.get(f"/cases/{newborn_case}").status_code == 200


def test_conflict_page_tells_an_outside_clerk_nothing_about_the_case(client, ctx, login, outsider, newborn_case):
    """Opening a step that is not ready showed the case's waiting steps and who claimed them to any clerk."""
    login("clerk.tax")
    response = client.get(f"/work/{newborn_case}/no_such_step")
    assert response.status_code == 404  # not even that the case exists (issue #15 item 7; it was a 409)
    waiting = cases.get_case(ctx, newborn_case).ready_steps[0].step_name
    assert waiting not in response.get_data(as_text=True)


def _newborn_upload(matter_yaml: bytes) -> dict:
    bpmn = (REPO / "processes/newborn/after.bpmn").read_bytes() + b"\n<!-- a new version -->\n"
    return {"matter_id": "newborn", "variant": "after", "bpmn": (io.BytesIO(bpmn), "after.bpmn"),
            "matter_yaml": (io.BytesIO(matter_yaml), "matter.yaml")}


def _yaml_listing(department: str) -> bytes:
    text = (REPO / "processes/newborn/matter.yaml").read_text(encoding="utf-8")
    return text.replace("departments:\n", f"departments:\n  - id: {department}\n    names: {{zh: 税务局, en: Tax}}\n",
                        1).encode()


def test_designer_may_not_take_over_another_departments_matter_through_its_matter_yaml(client, ctx, login,
                                                                                       outsider):
    """The engine checked the designer's department against the uploaded matter.yaml, which they write."""
    before = [v.id for v in history.list_versions(ctx, "newborn")]
    token = login("designer.tax")
    data = {**_newborn_upload(_yaml_listing("tax")), "csrf_token": token, "action": "deploy"}
    assert client.post("/designer/upload", data=data, content_type="multipart/form-data").status_code == 403
    headers = {"X-CSRF-Token": token}
    response = client.post("/api/models", data=_newborn_upload(_yaml_listing("tax")), headers=headers,
                           content_type="multipart/form-data")
    assert response.status_code == 403, response.get_json()
    assert [v.id for v in history.list_versions(ctx, "newborn")] == before


def test_designer_of_a_matters_department_still_deploys_with_its_matter_yaml(client, ctx, login):
    token = login("designer.police")
    text = (REPO / "processes/newborn/matter.yaml").read_bytes()
    data = {**_newborn_upload(text), "csrf_token": token, "action": "deploy"}
    assert client.post("/designer/upload", data=data, content_type="multipart/form-data").status_code == 200
    assert history.list_versions(ctx, "newborn")[0].version == 2


def test_a_clerk_may_not_deliver_another_departments_result_message(client, ctx, newborn_case):
    """newborn: the police throw hukou_registered after registering the birth; medical insurance waits for it.

    A health clerk sending it first made medical insurance, the social security card and the maternity
    allowance go ahead for a child the police never registered.
    """
    headers = api_login(client, "clerk.health")
    response = client.post(f"/api/cases/{newborn_case}/messages", json={"name": "hukou_registered"}, headers=headers)
    assert response.status_code == 403
    assert "hukou_registered" in cases.get_case(ctx, newborn_case).waiting_messages


# -- personal data for auditors -------------------------------------------------------------------------

def test_auditors_see_no_bank_account_or_address_in_full(client, ctx, login, newborn_case):
    data = cases.get_case(ctx, newborn_case).data
    secrets = [data["bank_account"], data["hukou_address"], data["mailing_address"]]
    login("auditor")
    page = client.get(f"/cases/{newborn_case}").get_data(as_text=True)
    shown = client.get(f"/api/cases/{newborn_case}").get_data(as_text=True)
    log = client.get(f"/api/cases/{newborn_case}/steps").get_data(as_text=True)
    assert not [s for s in secrets if s in page or s in shown or s in log]


# -- bad input answers 4xx, never 500 ----------------------------------------------------------------------

@pytest.mark.parametrize("depth", [40, 900, 100_000])
def test_deeply_nested_json_is_a_400_not_a_500(client, newborn_case, depth):
    """json.loads raised RecursionError (a 500) on a public route; depths it survives broke copies downstream."""
    nested = "[" * depth + "]" * depth
    response = client.post("/api/lookup", data='{"number": "x", "check": "8000", "x": ' + nested + "}",
                           content_type="application/json")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_request"
    application = '{"matter_id": "newborn", "phone": "' + PHONE + '", "data": {"child_name": ' + nested + "}}"
    response = client.post("/api/applications", data=application, content_type="application/json")
    assert response.status_code == 400


def test_ordinary_nesting_still_passes(client):
    body = {"matter_id": "newborn", "phone": PHONE, "data": {"a": [[{"b": [1, 2]}]]}}
    assert client.post("/api/applications", json=body).status_code == 422  # the form refuses field "a"


def test_nul_characters_are_a_400_on_every_database(db_url, tmp_path):
    """PostgreSQL refuses NUL in text: lookups, sign-in and case URLs with one were 500s there."""
    from engine.context import EngineContext
    from web.app import create_app, engine_context

    setup = EngineContext.from_url(db_url)
    setup.init_db()
    users.add_user(setup, "auditor", PASSWORD, "auditor")
    setup.engine.dispose()
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": db_url})
    try:
        client = app.test_client()
        assert client.post("/api/lookup", json={"number": "2026\x00", "check": "8000"}).status_code == 400
        assert client.post("/api/session", json={"username": "a\x00", "password": "12345678"}).status_code == 400
        token = token_of(client)
        response = client.post("/track", data={"csrf_token": token, "number": "2026\x00", "check": "8000"})
        assert response.status_code == 400 and "<html" in response.get_data(as_text=True)
        response = client.post("/login", data={"csrf_token": token, "username": "x\x00", "password": "p"})
        assert response.status_code == 400
        api_login(client, "auditor")
        assert client.get("/api/cases/2026%00").status_code == 400
        assert client.get("/cases/2026%00").status_code == 400
        assert client.get("/api/models?matter=a%00").status_code == 400
    finally:
        engine_context(app).engine.dispose()


def test_deeply_nested_matter_yaml_is_a_problem_not_a_500(client, login):
    token = login("designer.police")
    bpmn = (REPO / "processes/newborn/after.bpmn").read_bytes()
    deep = b"id: newborn\nx: " + b"[" * 2000 + b"]" * 2000 + b"\n"
    response = client.post("/designer/upload", content_type="multipart/form-data", data={
        "csrf_token": token, "action": "check", "bpmn": (io.BytesIO(bpmn), "after.bpmn"),
        "matter_yaml": (io.BytesIO(deep), "matter.yaml")})
    assert response.status_code == 422


# -- sessions, sign-in, headers ---------------------------------------------------------------------------

def test_a_session_cookie_is_dead_after_sign_out(app, client, login):
    token = login("clerk.police")
    cookie = client.get_cookie("onething_session").value
    client.post("/logout", data={"csrf_token": token})
    replay = app.test_client()
    replay.set_cookie("onething_session", cookie)
    assert replay.get("/worklist").status_code == 302  # to the sign-in page


def test_repeated_wrong_passwords_are_throttled(client):
    from engine.accounts.users import MAX_FAILURES_PER_USER

    for _ in range(MAX_FAILURES_PER_USER):
        assert sign_in(client, "clerk.police", "wrong-password").status_code == 401
    assert sign_in(client, "clerk.police", "wrong-password").status_code == 429
    assert sign_in(client, "clerk.police").status_code == 429  # even the right password waits out the window


def test_sign_in_rotates_the_csrf_token(client):
    before = token_of(client)
    sign_in(client, "clerk.police")
    with client.session_transaction() as session:
        assert session["csrf"] != before and session["actor"]["name"] == "clerk.police"


@pytest.mark.parametrize("target", ["//evil.example", "/\\evil.example", "/\t/evil.example", "https://evil.example",
                                    "javascript:alert(1)", "\x0b//evil.example"])
def test_sign_in_never_redirects_off_site(client, target):
    token = token_of(client)
    response = client.post("/login", query_string={"next": target},
                           data={"username": "auditor", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/") and not response.headers["Location"].startswith("//")


def test_api_answers_with_personal_data_are_not_cached(client, newborn_case):
    api_login(client, "admin")
    response = client.get(f"/api/cases/{newborn_case}")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert client.get(f"/api/cases/{newborn_case}/steps").headers["Cache-Control"] == "no-store"


def test_secure_cookies_come_with_strict_transport_security(tmp_path, monkeypatch):
    from web.app import create_app

    monkeypatch.setenv("ONETHING_SECURE_COOKIES", "1")
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "SECRET_KEY": "k", "TESTING": True})
    assert "max-age=" in app.test_client().get("/login").headers["Strict-Transport-Security"]
