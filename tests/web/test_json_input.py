"""Input the database or Python cannot hold is a 400 naming its field, never a 500 (issue #15 item 5), on each database.

A lone surrogate ("\\ud800") has no UTF-8, an integer of more than 4,300 digits makes int() raise, and
PostgreSQL's JSON refuses NaN and Infinity: each was a 500 from a public route (or a clerk's). The API reads
every JSON body through web.jsoninput; the pages' forms arrive as UTF-8 text (werkzeug replaces bytes that
are not) and their numbers go through the engine's form validation.
"""
from __future__ import annotations

import json

import pytest

from engine.accounts import users
from engine.cases import lifecycle as cases
from engine.catalog.versions import deploy_path
from engine.citizen import applications as citizen
from engine.context import EngineContext
from engine.matters.forms import example_data
from engine.store.tables import Case
from tests.web.conftest import PASSWORD, REPO, token_of

PHONE = "13800008000"
LONE = "\ud800"
HUGE = "1" * 5000  # as JSON text: an integer beyond sys.get_int_max_str_digits()


@pytest.fixture
def api(db_url):
    """(client, ctx) of an app on a fresh SQLite file, then a fresh PostgreSQL schema: newborn and
    business_startup deployed, a police clerk."""
    from web.app import create_app, engine_context

    setup = EngineContext.from_url(db_url)
    setup.init_db()
    for matter in ("newborn", "business_startup"):
        deploy_path(setup, REPO / "processes" / matter)
    users.add_user(setup, "clerk.police", PASSWORD, "clerk", "police")
    setup.engine.dispose()
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": db_url})
    try:
        yield app.test_client(), engine_context(app)
    finally:
        engine_context(app).engine.dispose()


def _intake(ctx) -> dict:
    return example_data(citizen.intake_form(ctx, "newborn"))


def _newborn(ctx) -> str:
    return citizen.apply(ctx, "newborn", _intake(ctx), PHONE)


def _sign_in(client) -> dict[str, str]:
    response = client.post("/api/session", json={"username": "clerk.police", "password": PASSWORD})
    assert response.status_code == 200, response.get_json()
    return {"X-CSRF-Token": response.get_json()["csrf_token"]}


def _case_count(ctx) -> int:
    with ctx.read() as session:
        return session.query(Case).count()


def _refused(client, url: str, body: str, field: str, message: str, headers: dict | None = None) -> None:
    """POST `body` (JSON text): a 400 whose message and fields name `field`, with `message` as its field message."""
    response = client.post(url, data=body, content_type="application/json", headers={"Accept-Language": "en",
                                                                                     **(headers or {})})
    assert response.status_code == 400, (url, body[:80], response.get_data(as_text=True)[:300])
    error = response.get_json()["error"]
    assert error["code"] == "bad_request" and error["fields"] == {field: [message]}, (url, error)
    where = "the top level" if field == "_schema" else field
    assert error["message"].startswith("the body contains ") and error["message"].endswith(f" at {where}"), error


def _public_bodies(ctx, number: str, value: object) -> list[tuple[str, dict, str]]:
    """(url, body, field) with `value` in each field of each public JSON route, in turn."""
    login = {"username": "clerk.police", "password": PASSWORD}
    lookup = {"number": number, "check": PHONE[-4:]}
    application = {"matter_id": "newborn", "phone": PHONE, "data": _intake(ctx)}
    rating = {"check": PHONE[-4:], "score": 5, "comment": "fine"}
    bodies = []
    for url, body in (("/api/session", login), ("/api/lookup", lookup), ("/api/applications", application),
                      (f"/api/cases/{number}/rating", rating)):
        for name in body:
            if name != "data":
                bodies.append((url, {**body, name: value}, name))
    for name in application["data"]:
        bodies.append(("/api/applications", {**application, "data": {**application["data"], name: value}},
                       f"data.{name}"))
    return bodies


def test_a_lone_surrogate_anywhere_is_a_400_naming_its_field(api):
    client, ctx = api
    number = _newborn(ctx)
    before = (_case_count(ctx), cases.get_case(ctx, number).version)
    message = "Contains a character that is not valid Unicode."
    for url, body, field in _public_bodies(ctx, number, LONE):
        _refused(client, url, json.dumps(body), field, message)
    intake = _intake(ctx)
    _refused(client, "/api/applications", json.dumps({"matter_id": "newborn", "phone": PHONE,
                                                      "data": {**intake, LONE: "x"}}),
             "data", "A field name contains a character that is not valid Unicode.")
    _refused(client, "/api/lookup", json.dumps({LONE: 1}), "_schema",
             "A field name contains a character that is not valid Unicode.")
    headers = _sign_in(client)
    for url, body, field in [
        ("/api/cases", {"matter_id": "newborn", "data": {"child_name": LONE}}, "data.child_name"),
        ("/api/cases", {"matter_id": "newborn", "variant": LONE}, "variant"),
        (f"/api/cases/{number}/steps/register_birth/complete",
         {"data": {"registration_approved": True, "child_resident_id": LONE}}, "data.child_resident_id"),
        (f"/api/cases/{number}/messages", {"name": "hukou_registered", "payload": {"note": [LONE]}}, "payload.note.0"),
        (f"/api/cases/{number}/messages", {"name": LONE}, "name"),
        (f"/api/cases/{number}/cancel", {"reason": "moved " + LONE}, "reason"),
    ]:
        _refused(client, url, json.dumps(body), field, message, headers)
    assert (_case_count(ctx), cases.get_case(ctx, number).version) == before


def test_an_integer_of_more_digits_than_python_converts_is_a_400_naming_its_field(api):
    client, ctx = api
    number = _newborn(ctx)
    before = _case_count(ctx)
    for url, body, field in _public_bodies(ctx, number, "<huge>"):
        _refused(client, url, json.dumps(body).replace('"<huge>"', HUGE), field, "The number is too large.")
    _refused(client, "/api/lookup", "-" + HUGE, "_schema", "The number is too large.")
    headers = _sign_in(client)
    complete = '{"data": {"registration_approved": true, "child_resident_id": <v>}}'.replace("<v>", HUGE)
    _refused(client, f"/api/cases/{number}/steps/register_birth/complete", complete, "data.child_resident_id",
             "The number is too large.", headers)
    _refused(client, f"/api/cases/{number}/cancel", '{"reason": "x", "expected": <v>}'.replace("<v>", HUGE), "expected",
             "The number is too large.", headers)
    assert _case_count(ctx) == before


def test_the_digit_limit_is_pythons_own(api):
    """4,300 digits still parse (and then fail the score's range, 422); 4,301 do not (400)."""
    client, ctx = api
    number = _newborn(ctx)
    url, score = f"/api/cases/{number}/rating", '{"check": "8000", "score": <v>}'
    at_limit = client.post(url, data=score.replace("<v>", "1" * 4300), content_type="application/json")
    assert at_limit.status_code == 422 and "score" in at_limit.get_json()["error"]["fields"]
    _refused(client, url, score.replace("<v>", "1" * 4301), "score", "The number is too large.")


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999", "-1e999"])
def test_a_number_that_is_not_finite_is_a_400_naming_its_field(api, number):
    """json.loads takes NaN and Infinity (and 1e999 overflows to inf); PostgreSQL's JSON refuses them."""
    client, ctx = api
    case = _newborn(ctx)
    before = (_case_count(ctx), cases.get_case(ctx, case).version)
    message = "Enter a number."
    _refused(client, "/api/applications", json.dumps({"matter_id": "newborn", "phone": PHONE, "data": {
        **_intake(ctx), "child_name": "<n>"}}).replace('"<n>"', number), "data.child_name", message)
    rating = '{"check": "8000", "score": <v>}'.replace("<v>", number)
    _refused(client, f"/api/cases/{case}/rating", rating, "score", message)
    headers = _sign_in(client)
    for url, body, field in [
        ("/api/cases", '{"matter_id": "newborn", "data": {"weight": <v>}}', "data.weight"),
        (f"/api/cases/{case}/steps/register_birth/complete", '{"data": {"registration_approved": true, '
                                                            '"child_resident_id": <v>}}', "data.child_resident_id"),
        (f"/api/cases/{case}/messages", '{"name": "hukou_registered", "payload": {"fee": [1, <v>]}}', "payload.fee.1"),
    ]:
        _refused(client, url, body.replace("<v>", number), field, message, headers)
    assert (_case_count(ctx), cases.get_case(ctx, case).version) == before
    delivered = client.post(f"/api/cases/{case}/messages", json={"name": "hukou_registered", "payload": {"fee": 1.5}},
                            headers=headers)
    assert delivered.status_code == 200, delivered.get_json()  # the same path with a finite number reaches the database


def test_characters_beyond_the_basic_plane_are_text_not_surrogates(api):
    """An escaped surrogate pair is one character (rare CJK names use them): it is taken and stored."""
    client, ctx = api
    name = "王\U00020000"  # 王𠀀: U+20000, CJK Extension B
    application = json.dumps({"matter_id": "newborn", "phone": PHONE, "data": {**_intake(ctx), "child_name": name}})
    assert "\\ud840\\udc00" in application
    response = client.post("/api/applications", data=application, content_type="application/json")
    assert response.status_code == 201, response.get_json()
    number = response.get_json()["number"]
    assert cases.get_case(ctx, number).data["child_name"] == name
    headers = _sign_in(client)
    response = client.post(f"/api/cases/{number}/cancel", data=json.dumps({"reason": "applied twice 😀"}),
                           content_type="application/json", headers=headers)
    assert response.status_code == 200 and response.get_json()["error"] == "applied twice 😀"


def test_form_posts_of_the_pages_cannot_carry_what_the_database_refuses(api):
    """Bytes that are no UTF-8 (a surrogate's CESU-8) arrive as U+FFFD; huge and special numbers are field errors."""
    client, ctx = api
    token = token_of(client)
    surrogate = "%ED%A0%80"
    data = {k: ("yes" if v is True else str(v)) for k, v in _intake(ctx).items()}
    form = "&".join(f"{k}={v}" for k, v in {**data, "csrf_token": token, "applicant_phone": PHONE}.items())
    response = client.post("/apply/newborn", data=form.replace("child_name=", f"child_name={surrogate}", 1),
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 302
    with client.session_transaction() as session:
        number = session["applied"]
    assert cases.get_case(ctx, number).data["child_name"] == "%ED%A0%80王小明"  # werkzeug keeps what is no UTF-8
    raw = form.encode().replace(b"child_name=", b"child_name=\xed\xa0\x80", 1)
    response = client.post("/apply/newborn", data=raw, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 403  # a body that is no UTF-8 is no form: not even its CSRF token
    multipart = (b"--B\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n" + token.encode()
                 + b"\r\n--B\r\nContent-Disposition: form-data; name=\"number\"\r\n\r\n\xed\xa0\x80\r\n"
                 + b"--B\r\nContent-Disposition: form-data; name=\"check\"\r\n\r\n8000\r\n--B--\r\n")
    response = client.post("/track", data=multipart, content_type="multipart/form-data; boundary=B")
    assert response.status_code == 404  # multipart text arrives with U+FFFD for what is no UTF-8
    response = client.post("/track", data=f"csrf_token={token}&number={surrogate}&check=8000",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 404
    response = client.post("/login", data=f"csrf_token={token}&username={surrogate}&password=x",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 401
    startup = citizen.intake_form(ctx, "business_startup")
    whole = [f.name for f in startup.fields if f.type == "integer"]
    assert whole, "business_startup's intake form has an integer field"
    for value in (HUGE, "-" + HUGE, "NaN", "1e999"):
        values = {**{k: str(v) for k, v in example_data(startup).items()}, whole[0]: value}
        response = client.post("/apply/business_startup", data={**values, "csrf_token": token,
                                                                 "applicant_phone": PHONE})
        assert response.status_code == 422, (value[:10], response.status_code)
        assert f'id="f-{whole[0]}-error"' in response.get_data(as_text=True)


def test_a_csrf_token_that_is_not_ascii_is_a_wrong_token(api):
    """hmac.compare_digest raises TypeError on non-ASCII text: a 500 before any sign-in."""
    client, _ = api
    token_of(client)
    assert client.post("/track", data={"csrf_token": "é", "number": "x", "check": "8000"}).status_code == 403
    headers = _sign_in(client)
    response = client.post("/api/cases", json={"matter_id": "newborn"}, headers={**headers, "X-CSRF-Token": "é"})
    assert response.status_code == 403 and "CSRF" in response.get_json()["error"]["message"]

