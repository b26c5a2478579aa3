"""Staff read case data and step-log data under the form's labels, choices by their names, yes/no in words."""
from __future__ import annotations

import re

import pytest

from engine.cases import lifecycle as cases
from engine.cases.driving import drive_case
from engine.citizen import applications as citizen
from engine.matters.forms import example_data
from engine.vocabulary import APPLICANT
from tests.web.conftest import DEPARTMENTS, finish_case

ZH = {"Accept-Language": "zh-CN"}
EN = {"Accept-Language": "en"}


def pairs(page: str) -> list[tuple[str, str]]:
    """The (label, value) pairs of every <dl> of labelled data on a page."""
    return re.findall(r"<dt(?: class=\"mono\")?>([^<]*)</dt><dd>([^<]*)</dd>", page)


def staff_step(ctx, number: str):
    """The first ready step of a department, the applicant's own steps done with their forms' examples."""
    drive_case(ctx, number, {"child_gender": "female"},
               before_each=lambda: cases.get_case(ctx, number).ready_steps[0].department == APPLICANT)
    item = cases.get_case(ctx, number).ready_steps[0]
    assert item.department in DEPARTMENTS
    return item


@pytest.fixture
def number(ctx) -> str:
    data = {**example_data(citizen.intake_form(ctx, "newborn")), "child_gender": "female", "ops_note": "walk-in"}
    return cases.start_case(ctx, "newborn", "after", data).number


@pytest.mark.parametrize(("headers", "sex", "female", "note"), [(ZH, "新生儿性别", "女", "ops_note"),
                                                                (EN, "Child&#39;s sex", "Female", "ops_note")])
def test_the_step_page_shows_case_data_under_labels_and_choice_names(client, ctx, login, number, headers, sex,
                                                                     female, note):
    item = staff_step(ctx, number)
    login(f"clerk.{item.department}")
    page = client.get(f"/work/{number}/{item.task_id}", headers=headers).get_data(as_text=True)
    shown = dict(pairs(page))
    assert shown[sex] == female
    assert shown[note] == "walk-in"  # no form field: its key
    assert "child_gender" not in shown and '<dt class="mono">ops_note</dt>' in page
    assert client.get(f"/api/cases/{number}").get_json()["data"]["child_gender"] == "female"  # the API: raw


@pytest.mark.parametrize(("headers", "approved", "yes"), [(ZH, "准予登记", "是"), (EN, "Approved", "Yes")])
def test_the_case_page_shows_step_log_data_under_labels_with_yes_and_no(client, ctx, login, number, headers,
                                                                        approved, yes):
    finish_case(ctx, number)
    login("admin")
    page = client.get(f"/cases/{number}", headers=headers).get_data(as_text=True)
    shown = pairs(page)
    assert (approved, yes) in shown
    assert not [p for p in shown if p[0] in ("registration_approved", "child_gender") or p[1] in ("True", "female")]
    steps = client.get(f"/api/cases/{number}/steps").get_json()
    assert any(e["data"] and e["data"].get("registration_approved") is True for e in steps)  # the API: raw


@pytest.mark.parametrize(("headers", "name"), [(ZH, "新生儿姓名"), (EN, "Child&#39;s name")])
def test_auditors_read_labels_beside_masked_values_never_unmasked(client, ctx, login, number, headers, name):
    finish_case(ctx, number)
    login("auditor")
    page = client.get(f"/cases/{number}", headers=headers).get_data(as_text=True)
    assert "王小明" not in page and "630104199203152426" not in page
    shown = pairs(page)
    assert (name, "王*明") in shown
