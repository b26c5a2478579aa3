"""Staff pages: a designer's refused uploads, the language across sign-in and sign-out, a case's timeline."""
from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest

from engine.accounts.users import Actor
from engine.cases import lifecycle as cases
from engine.cases.worklist import step_detail
from engine.citizen import applications as citizen
from engine.context import EngineContext
from engine.matters.forms import example_data
from engine.runtime.clock import SimulatedClock
from tests.conftest import NEWBORN_AFTER_PLAIN
from tests.web.conftest import REPO, token_of

ENGLISH = {"Accept-Language": "en"}
NEWBORN_AFTER = (REPO / "processes" / "newborn" / "after.bpmn").read_bytes()


def upload(client, token: str, **fields):
    files = {name: (io.BytesIO(data), filename) for name, (data, filename) in fields.pop("files", {}).items()}
    return client.post("/designer/upload", data={"csrf_token": token, **fields, **files},
                       content_type="multipart/form-data", headers=ENGLISH)


def test_an_upload_without_a_file_asks_for_one(client, login):
    response = upload(client, login("designer.police"), action="check")
    assert response.status_code == 400 and "Choose a BPMN file to upload." in response.get_data(as_text=True)


@pytest.mark.parametrize("matter_id,variant,needle", [
    ("newborn", "sideways", "one of before, after"),
    ("Newborn!", "after", "lower-case letters, digits, _"),
    ("newborn_pilot", "after", "required for a new matter"),
])
def test_a_deploy_with_a_wrong_matter_or_variant_is_refused_beside_the_field(client, login, ctx, matter_id,
                                                                             variant, needle):
    from engine.catalog.history import list_versions

    before = len(list_versions(ctx))
    response = upload(client, login("admin"), action="deploy", matter_id=matter_id, variant=variant,
                      files={"bpmn": (NEWBORN_AFTER, "after.bpmn")})
    assert response.status_code == 422 and needle in response.get_data(as_text=True)
    assert len(list_versions(ctx)) == before


def test_a_model_that_breaks_the_deployed_matters_rules_shows_its_problems(client, login, ctx):
    """Alone the model passes the check; with newborn's deployed matter.yaml its step names an unknown form."""
    from engine.catalog.history import list_versions

    token = login("designer.police")
    model = NEWBORN_AFTER_PLAIN.replace(b'value="birth_registration_review"', b'value="no_such_form"')
    checked = upload(client, token, action="check", files={"bpmn": (model, "after.bpmn")})
    assert checked.status_code == 200
    before = len(list_versions(ctx))
    response = upload(client, token, action="deploy", matter_id="newborn", variant="after",
                      files={"bpmn": (model, "after.bpmn")})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert '<table class="problems">' in page and "no_such_form" in page
    assert len(list_versions(ctx)) == before


def test_the_chosen_language_survives_sign_in_and_sign_out(client):
    client.post("/lang", data={"lang": "en", "next": "/login", "csrf_token": token_of(client)})
    response = client.post("/login", data={"username": "auditor", "password": "test-password-1",
                                           "csrf_token": token_of(client)})
    assert response.status_code == 302
    assert 'lang="en"' in client.get("/audit/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert client.post("/logout", data={"csrf_token": token_of(client)}).status_code == 302
    assert 'lang="en"' in client.get("/track", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)


def test_the_case_page_shows_when_each_step_was_ready_and_done_and_how_long_it_took(app, client, login):
    """Steps done 26 h 5 min, then 3 h 20 min after they became ready, on a clock the test sets."""
    clock = SimulatedClock(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))  # 09:00 in Beijing
    timed = EngineContext.from_url(app.config["DATABASE_URL"], clock=clock)
    try:
        number = citizen.apply(timed, "newborn", example_data(citizen.intake_form(timed, "newborn")), "13800008000")
        for pause in (timedelta(hours=26, minutes=5), timedelta(hours=3, minutes=20)):
            clock.advance(pause)
            item = cases.get_case(timed, number).ready_steps[0]
            clerk = Actor("clerk.x", "clerk", item.department)
            detail = step_detail(timed, number, item.task_id, clerk)
            cases.complete_step(timed, number, item.task_id, clerk, example_data(detail.form) if detail.form else {})
    finally:
        timed.engine.dispose()
    login("admin")
    page = client.get(f"/cases/{number}", headers=ENGLISH).get_data(as_text=True)
    assert "started 2026-03-02 09:00" in page
    cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td>(.*?)</td>", page)]  # a time is a <time>
    assert "0 min" in cells and "1 d 2 h" in cells and "3 h 20 min" in cells
    assert cells.count("2026-03-03 11:05") == 2 and "2026-03-03 14:25" in cells  # done, then ready; Beijing time


@pytest.mark.parametrize(("language", "name"), [("en", "Government service centre (comprehensive window)"),
                                                ("zh-CN", "政务服务中心")])
def test_the_header_and_worklist_name_the_department_not_its_id(client, login, language, name):
    login("clerk.service")
    page = client.get("/worklist", headers={"Accept-Language": language}).get_data(as_text=True)
    header = re.search(r'<span class="who">(.*?)</span>', page, re.S).group(1)
    assert name in header and "service_center" not in header
    title = re.search(r"<h1>(.*?)</h1>", page, re.S).group(1)
    assert "service_center" not in title


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_checking_an_upload_reports_what_deploying_it_would_refuse(client, login, ctx, language):
    """The police's designer may not start a new matter whose lanes send work to other departments: the check
    with that matter says so, with the very reason deploying gives, naming the departments by their names."""
    from engine.catalog.departments import department_label
    from engine.catalog.history import list_versions

    token = login("designer.police")
    matter_yaml = (REPO / "processes/newborn/matter.yaml").read_text(encoding="utf-8").replace(
        "id: newborn", "id: newborn_copy").encode()
    files = {"bpmn": (NEWBORN_AFTER_PLAIN, "after.bpmn"), "matter_yaml": (matter_yaml, "matter.yaml")}
    names = [getattr(department_label(ctx, d), language[:2]) for d in ("health", "service_center")]
    reason = (f"a new matter whose lanes send work to other departments ({', '.join(names)}) needs an admin"
              if language == "en" else "、".join(names))
    pages = {}
    for action in ("check", "deploy"):
        response = client.post("/designer/upload", data={
            "csrf_token": token, "action": action, "matter_id": "newborn_copy", "variant": "after",
            **{name: (io.BytesIO(data), filename) for name, (data, filename) in files.items()}},
            content_type="multipart/form-data", headers={"Accept-Language": language})
        pages[action] = (response.status_code, response.get_data(as_text=True))
    assert pages["deploy"][0] == 403 and reason in pages["deploy"][1]
    assert pages["check"][0] == 422 and reason in pages["check"][1]
    assert ("nothing was deployed" if language == "en" else "未部署") in pages["check"][1]
    assert "newborn_copy" not in {v.matter_id for v in list_versions(ctx)}


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_a_broken_matter_yaml_is_reported_under_its_own_name_and_line(client, login, language):
    token = login("designer.police")
    matter_yaml = (REPO / "processes/newborn/matter.yaml").read_text(encoding="utf-8").replace(
        "category:", "category: [unclosed\nx:", 1).encode()
    response = client.post("/designer/upload", data={
        "csrf_token": token, "action": "check", "bpmn": (io.BytesIO(NEWBORN_AFTER), "after.bpmn"),
        "matter_yaml": (io.BytesIO(matter_yaml), "matter.yaml")},
        content_type="multipart/form-data", headers={"Accept-Language": language})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    notice = re.search(r'<p class="notice notice-error">(.*?)</p>', page, re.S).group(1)
    assert "matter.yaml" in notice and "after.bpmn" not in notice
    rows = re.findall(r'<tr><td class="mono">([^<]*)</td><td class="mono">([^<]*)</td>', page)
    assert rows and all(file == "matter.yaml" and line.isdigit() for file, line in rows)


def test_a_valid_upload_from_another_modeler_lists_its_warnings(client, login):
    bpmn = (REPO / "tests" / "engine" / "vendor_models" / "zeebe_tasks.bpmn").read_bytes()
    response = upload(client, login("designer.police"), action="check", files={"bpmn": (bpmn, "zeebe_tasks.bpmn")})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "zeebe_tasks.bpmn is valid." in page
    assert "4 warnings: OneThing ignores what these lines name." in page
    rows = re.findall(r'<tr><td class="mono">(\d+)</td><td class="mono">([^<]*)</td><td>([^<]*)</td></tr>', page)
    assert ("18", "notify", "zeebe:taskDefinition is a vendor extension OneThing does not act on; it is ignored") \
        in rows and len(rows) == 4
    plain = upload(client, login("designer.police"), action="check",
                   files={"bpmn": (NEWBORN_AFTER_PLAIN, "after.bpmn")})
    assert "is valid." in plain.get_data(as_text=True) and "warning" not in plain.get_data(as_text=True).lower()


def test_the_case_page_shows_what_a_script_printed(client, login, ctx):
    from engine.catalog import versions as catalog

    deployed = catalog.deploy_path(ctx, REPO / "tests" / "engine" / "vendor_models" / "camunda_review.bpmn")[0]
    number = cases.start_case(ctx, deployed.matter_id, deployed.variant).number
    clerk = Actor("clerk.x", "clerk", "health")
    cases.complete_step(ctx, number, "review", clerk, {"applicant_name": "<Li>", "outcome": "approve"})
    login("admin")
    page = client.get(f"/cases/{number}", headers=ENGLISH).get_data(as_text=True)
    section = re.search(r'<h2 id="printed-h">Script output</h2>(.*?)</section>', page, re.S).group(1)
    assert "记录" in section and '<pre class="mono small">reviewed &lt;Li&gt; approve\n</pre>' in section
