"""The clerk's pages when others act first: claims, stale versions, closed cases; and where a clerk goes next."""
from __future__ import annotations

import re

import pytest

from engine.accounts.users import Actor
from engine.cases import lifecycle as cases
from engine.citizen import applications as citizen
from engine.matters.forms import example_data

PHONE = "13800008000"
POLICE = Actor("clerk.police", "clerk", "police")
APPROVED = {"registration_approved": "yes", "child_resident_id": "630104202603101024"}


@pytest.fixture
def newborn(ctx):
    """new() applies for a newborn case and returns (number, task id of the police's register_birth)."""

    def new() -> tuple[str, str]:
        number = citizen.apply(ctx, "newborn", example_data(citizen.intake_form(ctx, "newborn")), PHONE)
        return number, next(i.task_id for i in cases.get_case(ctx, number).ready_steps if i.step_id == "register_birth")

    return new


def version_on(client, number: str, task: str) -> str:
    page = client.get(f"/work/{number}/{task}").get_data(as_text=True)
    return re.search(r'name="expected_version" value="(\d+)"', page).group(1)


def test_claiming_from_the_step_page_stays_on_the_step(client, login, newborn):
    number, task = newborn()
    token = login("clerk.police")
    response = client.post(f"/work/{number}/{task}/claim", data={"csrf_token": token, "back": "step"})
    assert response.status_code == 302 and response.headers["Location"] == f"/work/{number}/{task}"


def test_a_step_a_colleague_claimed_cannot_be_released_by_me(client, login, ctx, newborn):
    number, task = newborn()
    cases.claim_step(ctx, number, task, Actor("clerk.police.2", "clerk", "police"))
    token = login("clerk.police")
    response = client.post(f"/work/{number}/{task}/release", data={"csrf_token": token},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 409
    assert "A colleague has claimed this step." in response.get_data(as_text=True)
    assert cases.get_case(ctx, number).ready_steps[0].claimed_by == "clerk.police.2"


def test_a_completion_without_a_version_number_is_a_bad_request(client, login, newborn):
    number, task = newborn()
    token = login("clerk.police")
    response = client.post(f"/work/{number}/{task}/complete", data={"csrf_token": token, "expected_version": "x",
                                                                   **APPROVED})
    assert response.status_code == 400


def test_a_case_that_moved_on_while_the_clerk_typed_saves_nothing(client, login, ctx, newborn):
    number, task = newborn()
    token = login("clerk.police")
    version = version_on(client, number, task)
    cases.send_message(ctx, number, "hukou_registered", {}, actor=POLICE)  # the step stays ready; the case moves on
    response = client.post(f"/work/{number}/{task}/complete", data={"csrf_token": token, "expected_version": version,
                                                                   **APPROVED}, headers={"Accept-Language": "en"})
    assert response.status_code == 409
    assert "Someone else changed this case while you were working on it." in response.get_data(as_text=True)
    assert not [e for e in cases.step_log(ctx, number) if e.step_id == "register_birth" and e.event == "completed"]


def test_a_cancelled_case_takes_no_more_claims(client, login, ctx, newborn):
    number, task = newborn()
    cases.cancel_case(ctx, number, POLICE, "applied twice")
    token = login("clerk.police")
    response = client.post(f"/work/{number}/{task}/claim", data={"csrf_token": token},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "This case is closed; nothing was saved." in page


def test_after_completing_a_step_the_clerk_gets_the_oldest_step_on_the_list(client, login, newborn):
    first, first_task = newborn()
    second, second_task = newborn()
    token = login("clerk.police")
    response = client.post(f"/work/{first}/{first_task}/complete", data={
        "csrf_token": token, "expected_version": version_on(client, first, first_task), **APPROVED})
    assert response.status_code == 302 and response.headers["Location"] == f"/work/{second}/{second_task}"
    response = client.post(f"/work/{second}/{second_task}/complete", data={
        "csrf_token": token, "expected_version": version_on(client, second, second_task), **APPROVED})
    assert response.status_code == 302 and response.headers["Location"] == "/worklist"


def test_the_admin_sees_every_departments_work_and_gives_a_claimed_step_to_another_clerk(client, login, ctx,
                                                                                          newborn):
    """The admin's list linked 45 steps to pages that all answered 403 and spoke of "your department"."""
    from engine.accounts import users

    users.add_user(ctx, "clerk.police2", "password-2", "clerk", "police")
    number, task = newborn()
    cases.claim_step(ctx, number, task, POLICE)
    login("admin")
    page = client.get("/worklist", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "every department" in page and "your department" not in page
    for link in re.findall(r'href="(/work/[^"]+)"', page):  # nothing on the admin's list leads to a 403
        assert client.get(link).status_code != 403, link
    assert f"/work/{number}/{task}/reassign" in page and "clerk.police2" in page
    token = login("admin")
    response = client.post(f"/work/{number}/{task}/reassign", data={"csrf_token": token, "clerk": "clerk.police2"})
    assert response.status_code == 302
    step = next(i for i in cases.get_case(ctx, number).ready_steps if i.task_id == task)
    assert step.claimed_by == "clerk.police2"
    claim = [e for e in cases.step_log(ctx, number) if e.event == "claimed"][-1]
    assert claim.actor == "clerk.police2" and claim.data == {"reassigned_by": "admin", "from": "clerk.police"}
    refused = client.post(f"/work/{number}/{task}/reassign", data={"csrf_token": token, "clerk": "clerk.health"})
    assert refused.status_code == 303  # not a clerk of the police: said on the list, nothing changed
    assert next(i for i in cases.get_case(ctx, number).ready_steps if i.task_id == task).claimed_by == "clerk.police2"


def test_the_admins_reassign_list_offers_only_clerks_of_the_cases_region(client, login, ctx):
    """A step of county a1's case goes to a1's police clerks only, a root case's to the root's (issue #13)."""
    from engine.accounts import users
    from engine.regions.tree import add_region

    add_region(ctx, "ca", "province", "甲市", "City A")
    add_region(ctx, "a1", "ca", "甲一县", "County A1")
    users.add_user(ctx, "clerk.police.a1", "password-2", "clerk", "police", region="a1")
    data = example_data(citizen.intake_form(ctx, "newborn"))
    numbers = {region: citizen.apply(ctx, "newborn", data, PHONE, region=None if region == "province" else region)
               for region in ("province", "a1")}
    login("admin")
    page = client.get("/worklist", headers={"Accept-Language": "en"}).get_data(as_text=True)
    offered = {}
    for region, number in numbers.items():
        task = next(i.task_id for i in cases.get_case(ctx, number).ready_steps if i.step_id == "register_birth")
        form = re.search(rf'action="/work/{number}/{task}/reassign".*?</select>', page, re.S)
        assert form is not None, region
        offered[region] = set(re.findall(r"<option>([^<]+)</option>", form.group(0)))
    assert offered == {"province": {"clerk.police"}, "a1": {"clerk.police.a1"}}


def test_only_an_admin_reassigns(client, login, newborn):
    number, task = newborn()
    token = login("clerk.police")
    response = client.post(f"/work/{number}/{task}/reassign", data={"csrf_token": token, "clerk": "clerk.police"})
    assert response.status_code == 403
