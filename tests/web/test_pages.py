"""HTML pages through Flask's test client: CSRF, forms, conflicts, languages, applicants, designers, auditors.

Which role gets which status on every page: tests/web/test_role_matrix.py.
"""
from __future__ import annotations

import io
import re

import pytest

from engine.accounts import users
from engine.cases import lifecycle as cases
from engine.citizen import applications as citizen
from engine.matters.forms import example_data
from tests.web.conftest import PASSWORD, finish_case, sign_in, token_of

PHONE = "13800008000"


@pytest.fixture
def newborn_case(ctx):
    """An applied newborn case waiting for the police's register_birth step."""
    form = citizen.intake_form(ctx, "newborn")
    number = citizen.apply(ctx, "newborn", example_data(form), PHONE)
    step = next(i for i in cases.get_case(ctx, number).ready_steps if i.step_id == "register_birth")
    return number, step.task_id


def test_start_page_sends_staff_to_their_own_page(client, login):
    assert client.get("/").status_code == 200
    login("auditor")
    assert client.get("/").headers["Location"].endswith("/audit/")


def test_wrong_password_is_refused_and_login_needs_csrf(client):
    assert sign_in(client, "clerk.police", "wrong-password").status_code == 401
    response = client.post("/login", data={"username": "clerk.police", "password": PASSWORD})
    assert response.status_code == 403


@pytest.mark.parametrize("path", ["claim", "release", "complete"])
def test_step_posts_without_csrf_token_are_refused(client, login, newborn_case, path):
    number, task = newborn_case
    login("clerk.police")
    assert client.post(f"/work/{number}/{task}/{path}", data={"expected_version": "1"}).status_code == 403
    assert client.post(f"/work/{number}/{task}/{path}", data={"csrf_token": "forged"}).status_code == 403


def test_public_posts_need_the_csrf_token_too(client):
    assert client.post("/track", data={"number": "x", "check": "8000"}).status_code == 403
    assert client.post("/apply/newborn", data={"applicant_phone": PHONE}).status_code == 403


def test_worklist_shows_the_departments_steps_with_a_deadline_badge(client, login, newborn_case):
    number, task = newborn_case
    login("clerk.police")
    page = client.get("/worklist").get_data(as_text=True)
    assert number in page and f"/work/{number}/{task}" in page
    assert re.search(r'class="badge badge-(green|yellow|red)"', page)  # register_birth has time_limit 3


def test_clerk_of_another_department_may_not_open_or_complete_the_step(client, login, newborn_case):
    number, task = newborn_case
    token = login("clerk.health")
    assert client.get(f"/work/{number}/{task}").status_code == 403
    response = client.post(f"/work/{number}/{task}/complete", data={"csrf_token": token, "expected_version": "2"})
    assert response.status_code == 403


def _step_page(client, number, task):
    page = client.get(f"/work/{number}/{task}").get_data(as_text=True)
    version = re.search(r'name="expected_version" value="(\d+)"', page).group(1)
    return page, version


def test_form_errors_are_shown_beside_their_fields(client, login, newborn_case):
    number, task = newborn_case
    token = login("clerk.police")
    page, version = _step_page(client, number, task)
    assert 'for="f-child_resident_id"' in page and 'class="req"' in page
    response = client.post(f"/work/{number}/{task}/complete", data={
        "csrf_token": token, "expected_version": version, "child_resident_id": "12345"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="f-child_resident_id-error"' in page and 'id="f-registration_approved-error"' in page
    assert 'value="12345"' in page  # what was typed is kept


def test_completing_a_step_moves_the_case_on(client, login, ctx, newborn_case):
    number, task = newborn_case
    token = login("clerk.police")
    _, version = _step_page(client, number, task)
    response = client.post(f"/work/{number}/{task}/complete", data={
        "csrf_token": token, "expected_version": version, "registration_approved": "yes",
        "child_resident_id": "630104202603101024"})
    assert response.status_code == 302
    log = cases.step_log(ctx, number)
    assert [e.step_id for e in log if e.event == "completed"][-1] == "register_birth"
    assert log[-1].data == {"registration_approved": True, "child_resident_id": "630104202603101024"} or any(
        e.data and e.data.get("registration_approved") is True for e in log)


def test_stale_completion_says_so_and_saves_nothing(client, login, ctx, newborn_case):
    number, task = newborn_case
    users.add_user(ctx, "clerk.police2", PASSWORD, "clerk", "police")
    token = login("clerk.police")
    _, version = _step_page(client, number, task)
    colleague = users.get_actor(ctx, "clerk.police2")
    cases.complete_step(ctx, number, task, colleague, {"registration_approved": True,
                                                       "child_resident_id": "630104202603101024"})
    before = len(cases.step_log(ctx, number))
    response = client.post(f"/work/{number}/{task}/complete", data={
        "csrf_token": token, "expected_version": version, "registration_approved": "yes",
        "child_resident_id": "630104202603101024"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Nothing was saved" in page or "未保存" in page
    assert f"/cases/{number}" in page
    assert len(cases.step_log(ctx, number)) == before


def test_a_step_claimed_by_a_colleague_cannot_be_completed(client, login, ctx, newborn_case):
    number, task = newborn_case
    users.add_user(ctx, "clerk.police2", PASSWORD, "clerk", "police")
    cases.claim_step(ctx, number, task, users.get_actor(ctx, "clerk.police2"))
    token = login("clerk.police")
    _, version = _step_page(client, number, task)
    response = client.post(f"/work/{number}/{task}/complete", data={
        "csrf_token": token, "expected_version": version, "registration_approved": "yes",
        "child_resident_id": "630104202603101024"})
    assert response.status_code == 409
    assert not [e for e in cases.step_log(ctx, number) if e.step_id == "register_birth" and e.event == "completed"]


def test_claim_and_release_from_the_worklist(client, login, ctx, newborn_case):
    number, task = newborn_case
    token = login("clerk.police")
    assert client.post(f"/work/{number}/{task}/claim", data={"csrf_token": token}).status_code == 302
    assert cases.get_case(ctx, number).ready_steps[0].claimed_by == "clerk.police"
    assert "/release" in client.get("/worklist").get_data(as_text=True)
    assert client.post(f"/work/{number}/{task}/release", data={"csrf_token": token}).status_code == 302
    assert cases.get_case(ctx, number).ready_steps[0].claimed_by is None


def test_language_follows_the_browser_then_the_users_choice(client):
    assert "申请" in client.get("/apply", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)
    page = client.get("/apply", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert "Choose a service" in page and 'lang="en"' in page
    assert 'lang="zh-CN"' in client.get("/apply", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    response = client.post("/lang", data={"lang": "en", "next": "/track", "csrf_token": token_of(client)})
    assert response.headers["Location"] == "/track"
    assert "Track my case" in client.get("/track", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    client.post("/lang", data={"lang": "zh", "next": "https://evil.example/", "csrf_token": token_of(client)})
    assert "查询" in client.get("/track", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_language_switch_never_redirects_off_site(client):
    response = client.post("/lang", data={"lang": "en", "next": "//evil.example/x", "csrf_token": token_of(client)})
    assert response.headers["Location"] == "/"


def test_auditors_see_personal_data_masked(client, login, newborn_case):
    number, _ = newborn_case
    login("clerk.police")
    assert "630104199203152426" in client.get(f"/cases/{number}").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": token_of(client)})
    login("auditor")
    page = client.get(f"/cases/{number}").get_data(as_text=True)
    assert "630104199203152426" not in page and "李芳" not in page
    assert "6301**********2426" in page


def test_case_page_shows_progress_timeline_waits_and_drawing(client, login, newborn_case):
    number, _ = newborn_case
    login("clerk.police")
    page = client.get(f"/cases/{number}").get_data(as_text=True)
    assert "<progress" in page and "<svg" in page
    assert re.findall(r"<script[^>]*>", page) == [  # zoom and pan, the bpmn-js viewer and its data only
        '<script src="/static/diagram.js" defer>',
        '<script src="/static/vendor/bpmn-js/bpmn-navigated-viewer.production.min.js" defer>',
        '<script src="/static/bpmn_view.js" defer>', '<script type="application/json" id="bpmn-data">']
    assert "hukou_registered" in page  # waits for the message


def test_applicant_applies_and_sees_errors_beside_fields(client):
    token = token_of(client)
    response = client.post("/apply/newborn", data={"csrf_token": token, "applicant_phone": PHONE,
                                                   "mother_id": "630104199203152420"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="f-mother_id-error"' in page and 'id="f-child_name-error"' in page
    assert 'value="630104199203152420"' in page
    response = client.post("/apply/newborn", data={"csrf_token": token, "phone": "123"})
    assert response.status_code == 422 and 'id="f-phone-error"' in response.get_data(as_text=True)


def test_applicant_gets_a_number_and_tracks_the_case(client, ctx):
    token = token_of(client)
    data = {k: ("yes" if v is True else str(v)) for k, v in example_data(citizen.intake_form(ctx, "newborn")).items()}
    response = client.post("/apply/newborn", data={**data, "csrf_token": token, "phone": PHONE})  # the form's own
    assert response.status_code == 302
    page = client.get("/applied").get_data(as_text=True)
    number = re.search(r'id="case-number">([^<]+)<', page).group(1)
    response = client.post("/track", data={"number": number, "check": "8000", "csrf_token": token})
    assert response.status_code == 200 and 'id="next"' in response.get_data(as_text=True)


def test_repeated_wrong_checks_are_throttled_with_429(client, newborn_case):
    number, _ = newborn_case
    token = token_of(client)
    responses = [client.post("/track", data={"number": number, "check": "0000", "csrf_token": token},
                             headers={"Accept-Language": "en"}) for _ in range(7)]
    assert responses[0].status_code == 404 and responses[-1].status_code == 429
    last = responses[-1]
    assert last.headers["Retry-After"] == "1" and "Please wait 1 seconds" in last.get_data(as_text=True)


def test_the_owner_is_asked_for_the_whole_phone_after_strangers_failures(client, newborn_case):
    number, _ = newborn_case
    token = token_of(client)
    for i in range(5):
        client.post("/track", data={"number": number, "check": "0000", "csrf_token": token},
                    environ_base={"REMOTE_ADDR": f"10.10.0.{i}"})
    owner = {"REMOTE_ADDR": "10.10.1.1"}
    refused = client.post("/track", data={"number": number, "check": PHONE[-4:], "csrf_token": token},
                          environ_base=owner, headers={"Accept-Language": "en"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 23 * 3600
    assert "enter your whole mobile number" in page and 'inputmode="tel"' in page
    found = client.post("/track", data={"number": number, "check": PHONE, "csrf_token": token}, environ_base=owner)
    assert found.status_code == 200 and 'id="next"' in found.get_data(as_text=True)


def test_ratings_on_the_page_are_throttled_per_address(client, ctx):
    form = citizen.intake_form(ctx, "business_startup")
    number = citizen.apply(ctx, "business_startup", example_data(form) if form else {}, PHONE)
    finish_case(ctx, number)
    token = token_of(client)
    stranger, owner = {"REMOTE_ADDR": "10.11.0.1"}, {"REMOTE_ADDR": "10.11.0.2"}
    for i in range(5):  # a stranger's wrong ratings (each on a number of its own) slow the stranger only
        response = client.post("/track/rate", data={"number": f"20260101-0000{i}", "check": "0000", "score": "1",
                                                    "csrf_token": token}, environ_base=stranger)
        assert response.status_code == 404
    waiting = client.post("/track/rate", data={"number": number, "check": "8000", "score": "1", "csrf_token": token},
                          environ_base=stranger)
    assert waiting.status_code == 429 and waiting.headers["Retry-After"] == "1"
    rated = client.post("/track/rate", data={"number": number, "check": "8000", "score": "5", "csrf_token": token},
                        environ_base=owner)
    assert rated.status_code == 200 and 'name="score"' not in rated.get_data(as_text=True)


def test_a_completed_case_can_be_rated_once(client, ctx):
    form = citizen.intake_form(ctx, "business_startup")
    number = citizen.apply(ctx, "business_startup", example_data(form) if form else {}, PHONE)
    finish_case(ctx, number)
    token = token_of(client)
    page = client.post("/track", data={"number": number, "check": "8000", "csrf_token": token}).get_data(as_text=True)
    assert 'name="score"' in page
    response = client.post("/track/rate", data={"number": number, "check": "8000", "score": "5", "comment": "好",
                                                 "csrf_token": token})
    assert response.status_code == 200 and 'name="score"' not in response.get_data(as_text=True)
    assert client.post("/track/rate", data={"number": number, "check": "8000", "score": "4",
                                            "csrf_token": token}).status_code == 409


def test_designer_sees_problems_with_line_and_element(client, login):
    token = login("designer.police")
    bad = (b'<?xml version="1.0"?>\n<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
           b'id="d" targetNamespace="x">\n<process id="p" isExecutable="true">\n'
           b'<startEvent id="start"/>\n<sequenceFlow id="f" sourceRef="start" targetRef="nowhere"/>\n'
           b'</process>\n</definitions>')
    response = client.post("/designer/upload", data={"csrf_token": token, "action": "check",
                                                     "bpmn": (io.BytesIO(bad), "bad.bpmn")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert '<table class="problems">' in page


def test_designer_deploys_a_new_version(client, login, ctx):
    from tests.web.conftest import REPO

    token = login("designer.police")
    data = (REPO / "processes/newborn/after.bpmn").read_bytes().replace(b"</bpmn:definitions>",
                                                                           b"<!-- v2 --></bpmn:definitions>")
    response = client.post("/designer/upload", data={
        "csrf_token": token, "action": "deploy", "matter_id": "newborn", "variant": "after",
        "bpmn": (io.BytesIO(data), "after.bpmn")}, content_type="multipart/form-data")
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    assert "v2" in response.get_data(as_text=True)


def test_auditor_sees_comparisons_sources_and_portfolio(client, login):
    login("auditor")
    page = client.get("/audit/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Portfolio" in page and "/audit/matters/newborn" in page
    page = client.get("/audit/matters/newborn", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "hhhzy.com" in page and "<svg" in page and "Measured from cases" in page


def test_published_sources_are_in_the_page_language_and_link_to_their_publishers(client, login):
    login("auditor")
    pages = {lang: client.get("/audit/matters/newborn", headers={"Accept-Language": lang}).get_data(as_text=True)
             for lang in ("zh", "en")}
    assert "青海 (省级)" in pages["zh"] and "Qinghai" not in pages["zh"]
    assert "《青海推进新生儿出生一件事改革》（报道，未注明日期）" in pages["zh"] and "newspaper item" not in pages["zh"]
    assert "32 个工作日" in pages["zh"]
    assert "Qinghai (province)" in pages["en"] and "(newspaper item, date not shown)" in pages["en"]
    for page in pages.values():
        assert '<a href="https://hhhzy.com/" rel="external noopener noreferrer">hhhzy.com</a>' in page
        assert '<a href="https://psc.zs.gov.cn/"' in page  # every publisher the citation names


def test_pages_carry_security_headers_and_safe_cookies(client, login):
    login("clerk.police")
    response = client.get("/worklist")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "http" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response = sign_in(client, "clerk.police")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    from web.app import create_app

    monkeypatch.setenv("ONETHING_INSTANCE_PATH", str(tmp_path / "inst"))
    first = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}).config["SECRET_KEY"]
    second = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}).config["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert (tmp_path / "inst" / "secret_key").stat().st_mode & 0o077 == 0


def test_secure_cookie_flag_from_environment(tmp_path, monkeypatch):
    from web.app import create_app

    monkeypatch.setenv("ONETHING_SECURE_COOKIES", "1")
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "SECRET_KEY": "k"})
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_every_message_has_a_chinese_translation():
    from babel.messages.pofile import read_po

    from tests.web.conftest import REPO

    with (REPO / "web/translations/zh/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle)
    missing = [m.id for m in catalog if m.id and not m.string]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not missing and not fuzzy, missing[:10] + fuzzy[:10]


def test_every_page_names_its_icon_and_the_icon_is_served(client):
    page = client.get("/track").get_data(as_text=True)
    href = re.search(r'<link rel="icon" type="image/svg\+xml" href="([^"]+)">', page).group(1)
    icon = client.get(href)
    body = icon.data
    icon.close()  # a static file is streamed: close it as a WSGI server does
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and b"<svg" in body


@pytest.mark.parametrize(("language", "words"), [("en", "Times are Beijing time (UTC+8)."),
                                                  ("zh", "时间均为北京时间（UTC+8）。")])
def test_every_page_says_its_times_are_beijing_time(client, language, words):
    """Pages show Beijing time, the API and the CLI UTC: each says which (issue #11 item 15)."""
    assert words in client.get("/apply", headers={"Accept-Language": language}).get_data(as_text=True)


def test_a_citation_links_its_page_and_escapes_what_it_quotes(app):
    from engine.matters.files import Source
    from web.pages.citations import cited

    source = Source("steps", "before", 7, "city", "Shanghai", 'a "quote" <b>, gov.example.cn: 7 steps', url=
                    "https://gov.example.cn/a?b=1&c=2", place_zh="上海", source_zh="《引文》，gov.example.cn：7 个环节")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        shown = str(cited(source))
    assert "&lt;b&gt;" in shown and "&#34;quote&#34;" in shown and "<b>" not in shown
    assert '<a href="https://gov.example.cn/" rel="external noopener noreferrer">gov.example.cn</a>' in shown
    assert '<a href="https://gov.example.cn/a?b=1&amp;c=2" rel="external noopener noreferrer">the cited page</a>' \
        in shown
    with app.test_request_context(headers={"Accept-Language": "zh"}):
        assert "《引文》" in str(cited(source)) and "原文页面" in str(cited(source))
