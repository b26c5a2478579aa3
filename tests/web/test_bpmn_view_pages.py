"""The bpmn-js viewer on the case and model version pages (issue #11 item 18), through Flask's test client: the
viewer, its XML route and its JSON data (step states and times) when the model has BPMN DI; the graphviz drawing
alone for a model without; the case's XML route open to whoever may open the case page, on SQLite and PostgreSQL.

The drawing itself in Chromium: tests/web/test_bpmn_view_browser.py.
"""
from __future__ import annotations

import html
import json
import re
from datetime import timedelta

import pytest
from lxml import etree
from sqlalchemy import update

from engine.accounts import users
from engine.accounts.users import Actor
from engine.cases import lifecycle as cases
from engine.catalog import versions as catalog
from engine.catalog.history import list_versions
from engine.citizen import applications as citizen
from engine.matters.forms import example_data
from engine.model.decisions import dmn_files_beside
from engine.store.tables import Case, OpenStep
from tests.web.conftest import PASSWORD, REPO, sign_in
from tests.web.test_pages_staff import NEWBORN_AFTER, upload
from web.app import create_app

PHONE = "13800008000"
CHINESE = {"Accept-Language": "zh"}
ENGLISH = {"Accept-Language": "en"}
BPMNDI = "{http://www.omg.org/spec/BPMN/20100524/DI}"
NEWBORN_DECISIONS = dmn_files_beside(REPO / "processes" / "newborn" / "after.bpmn")


def without_di(data: bytes) -> bytes:
    """A model file with its BPMN DI (every bpmndi:BPMNDiagram) taken out: the same process, nothing to draw from."""
    root = etree.fromstring(data)
    for diagram in root.findall(f"{BPMNDI}BPMNDiagram"):
        root.remove(diagram)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def viewer_data(page: str) -> dict:
    found = re.search(r'<script type="application/json" id="bpmn-data">(.*?)</script>', page, re.S)
    assert found, "no viewer data in the page"
    return json.loads(html.unescape(found.group(1)))


CALL = "call_birth_registration"  # newborn/after's call of the police's shared sub-process: register_birth's box


def _element(element_id: str):
    found = etree.fromstring(NEWBORN_AFTER).xpath("//*[@id=$id]", id=element_id)
    assert found, element_id
    return found[0]


def english_name(element_id: str) -> str:
    """An element's English name, as newborn/after.bpmn gives it (its name_en property)."""
    names = _element(element_id).xpath(".//*[local-name()='property'][@name='name_en']/@value")
    assert names and names[0] != element_id
    return names[0]


def chinese_name(element_id: str) -> str:
    return _element(element_id).get("name")


def new_case(ctx) -> str:
    return citizen.apply(ctx, "newborn", example_data(citizen.intake_form(ctx, "newborn")), PHONE)


@pytest.fixture
def case_in_progress(ctx):
    """A newborn (after) case whose register_birth the police clerk claimed and completed: the step is done,
    the next steps are ready."""
    number = new_case(ctx)
    step = next(i for i in cases.get_case(ctx, number).ready_steps if i.step_id == "register_birth")
    police = Actor("clerk.police", "clerk", "police")
    cases.claim_step(ctx, number, step.task_id, police)
    view = cases.get_case(ctx, number)
    cases.complete_step(ctx, number, step.task_id, police,
                        {"registration_approved": True, "child_resident_id": "630104202603101024"},
                        expected_version=view.version)
    return number


def test_the_case_page_shows_the_viewer_with_each_steps_state_and_times(client, login, ctx, case_in_progress):
    login("clerk.police")
    page = client.get(f"/cases/{case_in_progress}", headers=ENGLISH).get_data(as_text=True)
    assert f'data-xml-url="/cases/{case_in_progress}/bpmn"' in page
    assert "/static/vendor/bpmn-js/bpmn-navigated-viewer.production.min.js" in page
    assert "/static/bpmn_view.js" in page and "Active steps (ready or waiting)" in page
    assert 'class="graphviz-view"' in page and "<svg" in page  # the graphviz drawing stays until bpmn-js draws
    data = viewer_data(page)
    ready = {i.step_id for i in cases.get_case(ctx, case_in_progress).ready_steps}
    assert ready and "register_birth" not in ready
    assert data["states"][CALL] == "done"  # the called step is drawn as the call's box
    assert {s for s, state in data["states"].items() if state in ("active", "overdue")} >= ready
    passes = data["elements"][CALL]["passes"]
    assert len(passes) == 1 and passes[0][0].startswith("Ready: ") and passes[0][1].startswith("Claimed: ")
    assert any(line.startswith("Completed: ") for line in passes[0]) and "By: clerk.police" in passes[0]
    assert data["elements"][CALL]["name"] == english_name(CALL)
    assert data["elements"][CALL]["department"] == "Public Security Bureau (police station)"
    assert not [line for line in passes[0] if line.startswith("Department: ")]  # the lane's: said once, above
    for step in ready:
        assert data["elements"][step]["passes"][-1][-1] == "Waiting to be completed"
    assert "start" not in {s for s, state in data["states"].items() if state != "done"}


def test_a_step_past_its_time_limit_is_marked_overdue(client, login, ctx):
    number = new_case(ctx)
    with ctx.write() as session:  # register_birth (3 working days) became ready a month ago
        case_id = session.query(Case.id).filter(Case.number == number).scalar()
        ready_at = session.query(OpenStep.ready_at).filter(OpenStep.case_id == case_id,
                                                           OpenStep.step_id == "register_birth").scalar()
        session.execute(update(OpenStep).where(OpenStep.case_id == case_id, OpenStep.step_id == "register_birth")
                        .values(ready_at=ready_at - timedelta(days=30)))
    login("clerk.police")
    data = viewer_data(client.get(f"/cases/{number}", headers=ENGLISH).get_data(as_text=True))
    assert data["states"][CALL] == "overdue"
    assert "Waiting to be completed" in data["elements"][CALL]["passes"][-1]


def test_the_viewer_data_follows_the_page_language(client, login, case_in_progress):
    login("auditor")
    page = client.get(f"/cases/{case_in_progress}", headers=CHINESE).get_data(as_text=True)
    item = viewer_data(page)["elements"][CALL]
    assert item["name"] == chinese_name(CALL)
    assert item["name"] != english_name(CALL) and not item["name"].isascii()
    assert item["department"] and not item["department"].isascii()


def test_the_case_model_route_gives_the_cases_own_model_file(client, login, case_in_progress):
    login("auditor")
    answer = client.get(f"/cases/{case_in_progress}/bpmn")
    assert answer.status_code == 200 and answer.mimetype == "application/xml"
    assert answer.data == NEWBORN_AFTER
    assert client.get("/cases/NO-SUCH-CASE/bpmn").status_code == 404


def test_the_version_page_shows_the_viewer_with_names_in_the_page_language(client, login, ctx):
    login("designer.police")
    version = next(v.id for v in list_versions(ctx, "newborn") if v.variant == "after")
    page = client.get(f"/designer/versions/{version}", headers=ENGLISH).get_data(as_text=True)
    assert f'data-xml-url="/designer/versions/{version}/bpmn"' in page and "Graphviz drawing" in page
    data = viewer_data(page)
    assert data["states"] == {}
    assert data["elements"][CALL]["name"] == english_name(CALL)
    assert "Active steps (ready or waiting)" not in page  # no case, no legend of states


def test_a_model_without_di_keeps_the_graphviz_drawing_alone(client, login, ctx):
    token = login("designer.police")
    deployed = upload(client, token, action="deploy", matter_id="newborn", variant="after",
                      files={"bpmn": (without_di(NEWBORN_AFTER), "after.bpmn")})
    assert deployed.status_code == 200, deployed.get_data(as_text=True)[-800:]
    newest = next(v.id for v in list_versions(ctx, "newborn") if v.variant == "after")
    page = client.get(f"/designer/versions/{newest}").get_data(as_text=True)
    assert "<svg" in page and 'id="bpmn-view"' not in page and "bpmn-data" not in page
    assert "bpmn-navigated-viewer" not in page and "bpmn_view.js" not in page
    number = new_case(ctx)  # runs on the version without DI
    login("admin")
    page = client.get(f"/cases/{number}").get_data(as_text=True)
    assert "<svg" in page and 'id="bpmn-view"' not in page and "bpmn-navigated-viewer" not in page


@pytest.fixture
def app_on(db_url):
    """The pages' app on a fresh database (SQLite, then PostgreSQL) with newborn deployed and a few accounts."""
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": db_url,
                      "PROCESSES_PATH": str(REPO / "processes")})
    from web.app import engine_context

    ctx = engine_context(app)
    ctx.init_db()
    for name, role, department in (("clerk.police", "clerk", "police"), ("clerk.tax", "clerk", "tax"),
                                   ("designer.police", "designer", "police"), ("auditor", "auditor", None)):
        users.add_user(ctx, name, PASSWORD, role, department)  # before deploying: tax takes part in no matter
    catalog.deploy_path(ctx, REPO / "processes" / "newborn")
    yield app, ctx
    ctx.engine.dispose()


def test_the_case_model_route_is_open_to_whoever_may_open_the_case_page(app_on):
    app, ctx = app_on
    number = new_case(ctx)
    applicant = app.test_client()  # the applicant who applied: a session, no account
    assert applicant.get(f"/cases/{number}/bpmn").status_code == 302
    assert "/login" in applicant.get(f"/cases/{number}/bpmn").headers["Location"]
    for user, status in (("clerk.police", 200), ("auditor", 200), ("clerk.tax", 404), ("designer.police", 403)):
        client = app.test_client()
        assert sign_in(client, user).status_code == 302
        page, xml = client.get(f"/cases/{number}"), client.get(f"/cases/{number}/bpmn")
        assert xml.status_code == page.status_code == status, user
        if status == 200:
            assert xml.data == (REPO / "processes" / "newborn" / "after.bpmn").read_bytes()
        else:
            assert b"<bpmn:definitions" not in xml.data and b"definitions" not in xml.data
