"""Staff outside a case learn nothing about it: every action answers exactly as for a case number that does not exist.

A clerk of the tax department takes no part in newborn. Whatever state a newborn case is in (running, claimed,
cancelled with a reason, completed), each API route and page with a case number answers them with the same
status and body as for an unknown number (the number itself, which they typed, aside), and changes nothing.
"""
from __future__ import annotations

import pytest

from engine.accounts import users
from engine.accounts.users import Actor
from engine.cases import lifecycle as cases
from engine.citizen import applications as citizen
from engine.matters.forms import example_data
from tests.web.conftest import PASSWORD, finish_case

PHONE = "13800008000"
SECRET = "the applicant moved to Lhasa"
STEPS = ("register_birth", "cremate")  # a step of the case, and one it does not have


def _api(number: str, step: str) -> list[tuple[str, str, dict | None]]:
    base = f"/api/cases/{number}"
    return [("GET", base, None), ("GET", f"{base}/steps", None),
            ("POST", f"{base}/steps/{step}/claim", {}), ("POST", f"{base}/steps/{step}/release", {}),
            ("POST", f"{base}/steps/{step}/complete", {"data": {"registration_approved": True}}),
            ("POST", f"{base}/messages", {"name": "hukou_registered"}), ("POST", f"{base}/cancel", {"reason": "x"})]


def _pages(number: str, step: str) -> list[tuple[str, str, dict | None]]:
    form = {"expected_version": "2", "registration_approved": "yes"}
    return [("GET", f"/cases/{number}", None), ("GET", f"/cases/{number}/bpmn", None),
            ("GET", f"/work/{number}/{step}", None),
            ("POST", f"/work/{number}/{step}/claim", {}), ("POST", f"/work/{number}/{step}/release", {}),
            ("POST", f"/work/{number}/{step}/complete", form)]


def _case_in(ctx, state: str) -> str:
    number = citizen.apply(ctx, "newborn", example_data(citizen.intake_form(ctx, "newborn")), PHONE)
    police = Actor("clerk.police", "clerk", "police")
    if state == "claimed":
        cases.claim_step(ctx, number, "register_birth", police)
    elif state == "cancelled":
        cases.cancel_case(ctx, number, police, SECRET)
    elif state == "completed":
        finish_case(ctx, number)
    return number


def _missing(number: str) -> str:
    """A number of the same shape that no case has."""
    return number[:-5] + ("ZZZZZ" if not number.endswith("ZZZZZ") else "YYYYY")


class Session:
    """A test client signed in through the API; the same session cookie and CSRF token serve the pages."""

    def __init__(self, client, username: str) -> None:
        self.client = client
        response = client.post("/api/session", json={"username": username, "password": PASSWORD})
        assert response.status_code == 200, response.get_json()
        self.token = response.get_json()["csrf_token"]

    def send(self, method: str, url: str, body: dict | None, api: bool):
        if method == "GET":
            return self.client.get(url)
        if api:
            return self.client.post(url, json=body, headers={"X-CSRF-Token": self.token})
        return self.client.post(url, data={**(body or {}), "csrf_token": self.token})


def _answer(session: Session, method: str, url: str, body: dict | None, api: bool, number: str) -> tuple[int, str]:
    response = session.send(method, url, body, api)
    return response.status_code, response.get_data(as_text=True).replace(number, "<number>")


@pytest.fixture
def outsider(ctx, client):
    users.add_user(ctx, "clerk.tax", PASSWORD, "clerk", "tax")
    return Session(client, "clerk.tax")


@pytest.mark.parametrize("state", ["running", "claimed", "cancelled", "completed"])
def test_a_clerk_outside_the_case_gets_the_answer_of_an_unknown_number(ctx, outsider, state):
    number = _case_in(ctx, state)
    missing = _missing(number)
    before = cases.get_case(ctx, number)
    log = len(cases.step_log(ctx, number))
    for step in STEPS:
        for api, routes in ((True, _api), (False, _pages)):
            for (method, url, body), (_, unknown_url, _) in zip(routes(number, step), routes(missing, step),
                                                               strict=True):
                seen = _answer(outsider, method, url, body, api, number)
                unknown = _answer(outsider, method, unknown_url, body, api, missing)
                assert unknown[0] == 404, (unknown_url, unknown)
                assert seen == unknown, (state, method, url)
                assert SECRET not in seen[1]
    after = cases.get_case(ctx, number)
    assert (after.version, after.status, len(cases.step_log(ctx, number))) == (before.version, before.status, log)


def test_the_same_actions_still_tell_clerks_of_the_case_what_is_wrong(ctx, client):
    """The uniform 404 is for staff outside the case: a clerk of a department of the matter is told why."""
    number = _case_in(ctx, "cancelled")
    health = Session(client, "clerk.health")
    status, body = _answer(health, "POST", f"/api/cases/{number}/cancel", {"reason": "y"}, True, number)
    assert status == 409 and SECRET in body
    status, _ = _answer(health, "POST", f"/api/cases/{number}/steps/register_birth/claim", {}, True, number)
    assert status == 409
    assert _answer(health, "GET", f"/cases/{number}", None, False, number)[0] == 200


def test_designers_get_the_answer_of_an_unknown_number_from_the_engine(ctx):
    """The rule lives in the engine: any caller (CLI, API, pages) outside the case gets CaseNotFound."""
    from engine import CaseNotFound, case_summary, step_detail

    number = _case_in(ctx, "running")
    designer = Actor("designer.police", "designer", "police")
    tax = Actor("clerk.tax", "clerk", "tax")
    for actor in (designer, tax):
        for call in (lambda a: case_summary(ctx, number, a), lambda a: step_detail(ctx, number, "register_birth", a),
                     lambda a: cases.claim_step(ctx, number, "register_birth", a),
                     lambda a: cases.release_step(ctx, number, "register_birth", a),
                     lambda a: cases.complete_step(ctx, number, "register_birth", a, {}),
                     lambda a: cases.send_message(ctx, number, "hukou_registered", {}, actor=a),
                     lambda a: cases.cancel_case(ctx, number, a, "x")):
            with pytest.raises(CaseNotFound) as caught:
                call(actor)
            assert caught.value.message == f"no case {number!r}"
