"""The JSON API through Flask's test client on real SQLite: CSRF, errors, throttling, masking, uploads, OpenAPI.

Which role gets which status on every route: tests/web/test_role_matrix.py.
"""
from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from engine.accounts import users
from engine.cases.driving import step_data
from engine.catalog import versions as catalog
from engine.citizen import applications as citizen
from engine.matters.forms import example_data
from tests.conftest import NEWBORN_AFTER_PLAIN
from tests.web.conftest import deployed_database
from web.app import create_app, engine_context

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "api-password-1"
PHONE = "13912345678"
ACCOUNTS = {"admin": ("admin", None), "auditor": ("auditor", None), "designer": ("designer", "police"),
            "clerk": ("clerk", "police"), "other_clerk": ("clerk", "tax")}


@pytest.fixture(scope="module")
def template_db(tmp_path_factory) -> Path:
    """Every matter deployed, one account per role; copied for each test."""
    return deployed_database(tmp_path_factory.mktemp("api") / "onething.db", ACCOUNTS, PASSWORD)


@pytest.fixture
def api_app(template_db, tmp_path):
    db = tmp_path / "onething.db"
    shutil.copy(template_db, db)
    app = create_app({"DATABASE_URL": f"sqlite:///{db}", "TESTING": True, "SECRET_KEY": "test"})
    yield app
    engine_context(app).engine.dispose()


class Api:
    """A test client signed in as one role (or anonymous), sending the CSRF token unless told not to."""

    def __init__(self, app, role: str) -> None:
        self.client, self.token, self.role = app.test_client(), None, role
        if role != "anonymous":
            response = self.client.post("/api/session", json={"username": role, "password": PASSWORD})
            assert response.status_code == 200, response.get_json()
            self.token = response.get_json()["csrf_token"]

    def call(self, method: str, url: str, csrf: bool = True, **kwargs):
        headers = {"X-CSRF-Token": self.token} if csrf and self.token else {}
        return self.client.open(url, method=method, headers=headers, **kwargs)


@pytest.fixture
def as_role(api_app):
    return lambda role: Api(api_app, role)


@pytest.fixture
def new_case(api_app):
    """new_case() applies for a newborn case; its first clerk step (police) is ready."""
    ctx = engine_context(api_app)

    def make() -> str:
        return citizen.apply(ctx, "newborn", example_data(citizen.intake_form(ctx, "newborn")), PHONE)

    return make


def _register_birth_data(api_app) -> dict:
    ctx = engine_context(api_app)
    with ctx.read() as session:
        row = catalog.current_version(session, "newborn", "after")
        model, matter = catalog.loaded_version(ctx, session, row.id)
    return step_data(model, matter, "register_birth", None)


def _upload(matter_yaml: bool = False) -> dict:
    data = {"matter_id": "newborn", "variant": "after",
            "bpmn": (io.BytesIO(NEWBORN_AFTER_PLAIN), "after.bpmn")}  # uploads are BPMN only: no decision table
    if matter_yaml:
        data["matter_yaml"] = (io.BytesIO((REPO / "processes/newborn/matter.yaml").read_bytes()), "matter.yaml")
    return data


def test_unsafe_request_without_csrf_token_is_refused(as_role, new_case):
    clerk = as_role("clerk")
    number = new_case()
    response = clerk.call("POST", f"/api/cases/{number}/steps/register_birth/claim", csrf=False)
    assert response.status_code == 403
    assert "CSRF" in response.get_json()["error"]["message"]
    wrong = clerk.client.post(f"/api/cases/{number}/steps/register_birth/claim", headers={"X-CSRF-Token": "nope"})
    assert wrong.status_code == 403
    assert clerk.call("POST", f"/api/cases/{number}/steps/register_birth/claim").status_code == 200


def test_invalid_resident_id_in_the_intake_form_is_422_with_fields(as_role, api_app):
    data = example_data(citizen.intake_form(engine_context(api_app), "newborn"))
    data["mother_id"] = "630104199203152427"  # wrong check digit
    response = as_role("anonymous").client.post("/api/applications", headers={"Accept-Language": "en"},
                                                json={"matter_id": "newborn", "phone": PHONE, "data": data})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid_input" and "check character" in error["fields"]["mother_id"][0]


def test_schema_errors_are_422_and_bad_json_is_400(as_role):
    anonymous = as_role("anonymous")
    response = anonymous.call("POST", "/api/lookup", json={"number": "x", "check": "12", "extra": 1})
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"check", "extra"}
    bad = anonymous.call("POST", "/api/lookup", data="{not json", content_type="application/json")
    assert bad.status_code == 400 and "not valid JSON" in bad.get_json()["error"]["message"]
    form = anonymous.call("POST", "/api/lookup", data={"number": "x"})
    assert form.status_code == 400


def test_completing_a_step_twice_is_a_conflict(as_role, api_app, new_case):
    clerk = as_role("clerk")
    number = new_case()
    url = f"/api/cases/{number}/steps/register_birth/complete"
    first = clerk.call("POST", url, json={"data": _register_birth_data(api_app)})
    assert first.status_code == 200
    second = clerk.call("POST", url, json={"data": _register_birth_data(api_app)})
    assert second.status_code == 409 and second.get_json()["error"]["code"] == "conflict"


def test_wrong_lookup_checks_are_throttled_with_429_and_retry_after(as_role, new_case):
    anonymous = as_role("anonymous")
    number = new_case()
    for _ in range(5):
        response = anonymous.call("POST", "/api/lookup", json={"number": number, "check": "0000"})
        assert response.status_code == 404
    waiting = anonymous.call("POST", "/api/lookup", json={"number": number, "check": PHONE[-4:]})
    assert waiting.status_code == 429 and waiting.headers["Retry-After"] == "1"
    assert waiting.get_json()["error"]["code"] == "throttled"
    # the number had five failures: from another address the four digits are refused, the whole phone works
    other = {"REMOTE_ADDR": "10.9.0.2"}
    guarded = anonymous.call("POST", "/api/lookup", json={"number": number, "check": PHONE[-4:]}, environ_base=other)
    assert guarded.status_code == 429 and guarded.get_json()["error"]["code"] == "full_phone_required"
    assert 23 * 3600 < int(guarded.headers["Retry-After"]) <= 24 * 3600
    found = anonymous.call("POST", "/api/lookup", json={"number": number, "check": PHONE}, environ_base=other)
    assert found.status_code == 200 and found.get_json()["number"] == number
    assert anonymous.call("POST", "/api/lookup", json={"number": number, "check": "12345"}).status_code == 422


def test_unknown_number_and_wrong_check_read_the_same(as_role, new_case):
    anonymous = as_role("anonymous")
    wrong_check = anonymous.call("POST", "/api/lookup", json={"number": new_case(), "check": "0000"}).get_json()
    unknown = anonymous.call("POST", "/api/lookup", json={"number": "20260101-00000", "check": "0000"}).get_json()
    assert wrong_check == unknown


def test_auditors_see_personal_data_masked(as_role, new_case):
    number = new_case()
    clear = as_role("clerk").call("GET", f"/api/cases/{number}").get_json()["data"]
    masked = as_role("auditor").call("GET", f"/api/cases/{number}").get_json()["data"]
    assert clear["mother_name"] == "李芳" and masked["mother_name"] == "李*"
    assert masked["mother_id"] == "6301**********2426"
    assert masked["phone"] == "138****1234"  # the form example 13897001234
    steps = as_role("auditor").call("GET", f"/api/cases/{number}/steps").get_json()
    assert steps[0]["data"]["father_name"] == "王*"


def test_worklist_shows_the_clerks_department_with_deadlines(as_role, new_case):
    numbers = {new_case() for _ in range(2)}
    page = as_role("clerk").call("GET", "/api/worklist").get_json()
    items = page["items"]
    assert {i["case_number"] for i in items} == numbers and page["total"] == 2 and page["next_cursor"] is None
    assert all(i["department"] == "police" and i["colour"] in ("green", "yellow", "red", "none") for i in items)
    assert as_role("other_clerk").call("GET", "/api/worklist").get_json() == {"items": [], "next_cursor": None,
                                                                               "total": 0}


def test_worklist_api_filters_and_pages_with_a_cursor(api_app, as_role, new_case):
    numbers = [new_case() for _ in range(3)]
    clerk = as_role("clerk")
    first = clerk.call("GET", "/api/worklist?limit=2&sort=due&order=desc").get_json()
    assert len(first["items"]) == 2 and first["total"] == 3
    rest = clerk.call("GET", f"/api/worklist?limit=2&sort=due&order=desc&cursor={first['next_cursor']}").get_json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    assert sorted(i["case_number"] for i in first["items"] + rest["items"]) == sorted(numbers)
    found = clerk.call("GET", f"/api/worklist?search={numbers[1]}").get_json()
    assert [i["case_number"] for i in found["items"]] == [numbers[1]]
    assert clerk.call("GET", "/api/worklist?claimed=me").get_json()["total"] == 0
    bad = clerk.call("GET", f"/api/worklist?cursor={first['next_cursor']}")  # made for another order
    assert bad.status_code == 422 and "cursor" in bad.get_json()["error"]["fields"]
    assert clerk.call("GET", "/api/worklist?cursor=zzz").status_code == 422
    assert clerk.call("GET", "/api/worklist?due=late").status_code == 422
    url = f"/api/cases/{numbers[2]}/steps/register_birth/complete"
    assert clerk.call("POST", url, json={"data": _register_birth_data(api_app)}).status_code == 200
    done = clerk.call("GET", "/api/worklist/done?limit=1").get_json()
    assert [i["case_number"] for i in done["items"]] == [numbers[2]]
    assert (done["total"], done["next_cursor"]) == (1, None)
    assert done["items"][0]["step"]["zh"] and done["items"][0]["matter"]["en"] == "Newborn birth"
    steps = clerk.call("GET", f"/api/cases/{numbers[2]}/steps").get_json()
    done_row = [e for e in steps if e["step_id"] == "register_birth"]  # claimed as it was completed: one row
    assert [(e["event"], e["actor"]) for e in done_row] == [("completed", "clerk")]
    assert done_row[0]["claimed_at"] == done_row[0]["at"]


def test_a_designer_of_another_department_may_not_deploy(api_app, template_db):
    ctx = engine_context(api_app)
    users.add_user(ctx, "designer.tax", PASSWORD, "designer", "tax")
    client = api_app.test_client()
    session = client.post("/api/session", json={"username": "designer.tax", "password": PASSWORD}).get_json()
    token = session["csrf_token"]
    response = client.post("/api/models", data=_upload(), headers={"X-CSRF-Token": token})
    assert response.status_code == 403


def test_an_invalid_upload_lists_its_problems(as_role):
    designer = as_role("designer")
    data = {"bpmn": (io.BytesIO(b"<definitions/>"), "broken.bpmn")}
    checked = designer.call("POST", "/api/models/check", data=data).get_json()
    assert checked["valid"] is False and checked["problems"]
    deploy = designer.call("POST", "/api/models", data={"matter_id": "newborn", "variant": "after",
                                                         "bpmn": (io.BytesIO(b"<definitions/>"), "b.bpmn")})
    assert deploy.status_code == 422 and deploy.get_json()["error"]["problems"]


def test_the_api_check_gives_a_valid_models_warnings_apart(as_role):
    designer = as_role("designer")
    bpmn = (REPO / "tests" / "engine" / "vendor_models" / "camunda_review.bpmn").read_bytes()
    checked = designer.call("POST", "/api/models/check", data={"bpmn": (io.BytesIO(bpmn), "review.bpmn")}).get_json()
    assert checked["valid"] is True and checked["problems"] == []
    assert {(w["element_id"], w["message"].split(" ", 1)[0]) for w in checked["warnings"]} >= {
        ("review", "camunda:formKey"), ("review", "camunda:taskListener"),
        ("camunda_review", "camunda:executionListener")}
    assert all(w["file"] == "review.bpmn" and w["line"] for w in checked["warnings"])


def test_the_api_check_with_a_matter_reports_what_the_deploy_refuses(as_role):
    """The police's designer may not start a new matter whose lanes send work to other departments."""
    designer = as_role("designer")

    def upload() -> dict:
        matter_yaml = (REPO / "processes/newborn/matter.yaml").read_text(encoding="utf-8").replace(
            "id: newborn", "id: newborn_copy").encode()
        return {**_upload(), "matter_id": "newborn_copy", "matter_yaml": (io.BytesIO(matter_yaml), "matter.yaml")}

    refused = designer.call("POST", "/api/models", data=upload())
    assert refused.status_code == 403
    checked = designer.call("POST", "/api/models/check", data=upload()).get_json()
    assert checked["valid"] is False
    assert refused.get_json()["error"]["message"] in [p["message"] for p in checked["problems"]]
    alone = {k: v for k, v in upload().items() if k not in ("matter_id", "variant")}  # no matter: the file alone
    assert designer.call("POST", "/api/models/check", data=alone).get_json()["valid"] is True


def test_unknown_api_urls_and_methods_answer_in_json(as_role):
    anonymous = as_role("anonymous")
    assert anonymous.call("GET", "/api/nothing-here").get_json()["error"]["code"] == "not_found"
    response = anonymous.call("PUT", "/api/matters")
    assert response.status_code == 405 and response.get_json()["error"]["code"] == "method_not_allowed"


def test_openapi_lists_every_registered_api_rule(as_role, api_app):
    response = as_role("anonymous").call("GET", "/api/openapi.json")
    document = response.get_json()
    assert document["openapi"].startswith("3.1")
    from web.api.openapi import openapi_path

    registered = {(openapi_path(r.rule[len("/api"):]), m.lower()) for r in api_app.url_map.iter_rules()
                  if r.endpoint.startswith("api.") and r.endpoint != "api.unknown"
                  for m in r.methods - {"HEAD", "OPTIONS"}}
    documented = {(path, method) for path, ops in document["paths"].items() for method in ops}
    assert documented == registered
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            assert op["x-roles"] and op["responses"], (path, method)
            for ref in _refs(op):
                _, _, kind, name = ref.split("/")
                assert name in document["components"][kind], ref


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)
