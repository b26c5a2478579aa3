"""The staff's case list page, an admin's buttons on a case page, the incidents page (issue #11 item 17)."""
from __future__ import annotations

import re

from engine.accounts.users import Actor
from engine.cases import lifecycle as cases
from engine.catalog import versions as catalog
from engine.citizen import applications as citizen
from engine.matters.forms import example_data
from tests.engine.conftest import MODELS

ENGLISH = {"Accept-Language": "en"}
PHONE = "13800009000"


def apply(ctx) -> str:
    return citizen.apply(ctx, "newborn", example_data(citizen.intake_form(ctx, "newborn")), PHONE)


def case_in_error(ctx, tmp_path) -> str:
    """A case of the loop model whose script failed on a note that is a number (fixed by a retry with text)."""
    folder = tmp_path / "loopy"
    folder.mkdir()
    (folder / "after.bpmn").write_bytes((MODELS / "loop.bpmn").read_bytes())
    catalog.deploy_path(ctx, folder)
    number = cases.start_case(ctx, "loopy", "after").number
    assert cases.complete_step(ctx, number, "review", Actor("x", "clerk", "police"),
                               {"again": False, "note": 5}).status == "error"
    return number


def test_the_list_shows_the_clerks_cases_with_a_get_form_and_no_script(client, login, ctx):
    ours = apply(ctx)
    login("clerk.police")
    page = client.get("/cases", headers=ENGLISH)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and f'href="/cases/{ours}"' in html
    assert re.search(r'<form method="get" action="/cases" class="filters"', html) and "<script" not in html
    assert "1 case" in html
    assert ours not in client.get("/cases?status=completed", headers=ENGLISH).get_data(as_text=True)
    assert ours in client.get("/cases?matter=newborn&variant=after&status=running&started_from=2000-01-01"
                              "&sort=number&order=asc", headers=ENGLISH).get_data(as_text=True)
    assert client.get("/cases?started_from=yesterday", headers=ENGLISH).status_code == 422
    assert client.get(f"/cases?number={ours}").status_code == 302  # the search box still opens one case


def test_a_clerk_of_a_department_outside_every_matter_lists_no_case(client, login, ctx):
    from engine.accounts.users import add_user
    from tests.web.conftest import PASSWORD

    ours = apply(ctx)
    add_user(ctx, "clerk.tax", PASSWORD, "clerk", "tax")  # every department of processes/ takes part in newborn
    login("clerk.tax")
    html = client.get("/cases", headers=ENGLISH).get_data(as_text=True)
    assert ours not in html and "No case matches these filters." in html


def test_an_admin_suspends_and_resumes_from_the_case_page_with_a_reason(client, login, ctx):
    number = apply(ctx)
    token = login("admin")
    html = client.get(f"/cases/{number}", headers=ENGLISH).get_data(as_text=True)
    assert 'name="action" value="suspend"' in html and 'name="action" value="cancel"' in html
    assert 'value="resume"' not in html and 'value="retry"' not in html and 'name="csrf_token"' in html
    refused = client.post(f"/cases/{number}/act", data={"csrf_token": token, "action": "suspend", "reason": " "},
                          headers=ENGLISH, follow_redirects=True)
    assert "give a reason" in refused.get_data(as_text=True) and cases.get_case(ctx, number).status == "running"
    done = client.post(f"/cases/{number}/act", data={"csrf_token": token, "action": "suspend",
                                                     "reason": "documents checked twice"}, headers=ENGLISH)
    assert done.status_code == 303 and cases.get_case(ctx, number).status == "suspended"
    html = client.get(f"/cases/{number}", headers=ENGLISH).get_data(as_text=True)
    assert 'value="resume"' in html and 'value="suspend"' not in html and "documents checked twice" in html
    again = client.post(f"/cases/{number}/act", data={"csrf_token": token, "action": "suspend", "reason": "x"},
                        headers=ENGLISH, follow_redirects=True)
    assert "Nothing was done" in again.get_data(as_text=True)
    assert client.post(f"/cases/{number}/act", data={"action": "resume", "reason": "x"}).status_code == 403  # no csrf
    client.post(f"/cases/{number}/act", data={"csrf_token": token, "action": "resume", "reason": "back"})
    assert cases.get_case(ctx, number).status == "running"


def test_auditors_and_clerks_get_no_admin_buttons(client, login, ctx):
    number = apply(ctx)
    login("auditor")
    assert 'name="action"' not in client.get(f"/cases/{number}").get_data(as_text=True)
    assert client.get("/cases/incidents").status_code == 403


def test_incidents_list_the_case_in_error_and_a_retry_with_corrected_data_ends_it(client, login, ctx, tmp_path):
    number = case_in_error(ctx, tmp_path)
    token = login("admin")
    html = client.get("/cases/incidents", headers=ENGLISH).get_data(as_text=True)
    assert number in html and "count" in html and "upper" in html
    html = client.get(f"/cases/{number}", headers=ENGLISH).get_data(as_text=True)
    assert 'value="retry"' in html and 'name="data"' in html
    bad = client.post(f"/cases/{number}/act", data={"csrf_token": token, "action": "retry", "reason": "fix",
                                                    "data": "[1]"}, headers=ENGLISH, follow_redirects=True)
    assert "JSON object" in bad.get_data(as_text=True) and cases.get_case(ctx, number).status == "error"
    client.post(f"/cases/{number}/act", data={"csrf_token": token, "action": "retry", "reason": "note corrected",
                                              "data": '{"note": "ok"}'})
    assert cases.get_case(ctx, number).status == "completed"
    assert number not in client.get("/cases/incidents", headers=ENGLISH).get_data(as_text=True)


def test_the_api_lists_cases_and_suspends(client, login, ctx):
    number = apply(ctx)
    token = login("admin")
    listed = client.get("/api/cases?matter=newborn&page_size=5").get_json()
    assert listed["total"] == 1 and listed["rows"][0]["number"] == number and listed["rows"][0]["overdue"] is False
    assert client.get("/api/cases?started_from=2026-02-30").status_code == 422
    held = client.post(f"/api/cases/{number}/suspend", json={"reason": "hold"}, headers={"X-CSRF-Token": token})
    assert held.status_code == 200 and held.get_json()["status"] == "suspended"
    assert client.post(f"/api/cases/{number}/suspend", json={"reason": "hold"},
                       headers={"X-CSRF-Token": token}).status_code == 409
    assert client.post(f"/api/cases/{number}/resume", json={"reason": "go"},
                       headers={"X-CSRF-Token": token}).get_json()["status"] == "running"
