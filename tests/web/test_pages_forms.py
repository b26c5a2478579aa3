"""What applicants see when a form is refused: each field's reason in their own language; tracking and rating errors."""
from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from engine.citizen import applications as citizen
from engine.matters.forms import example_data
from tests.web.conftest import REPO, finish_case, token_of

PHONE = "13800008000"
ENGLISH = {"Accept-Language": "en"}
CHINESE = {"Accept-Language": "zh-CN"}


def chinese(message: str) -> str:
    """The Chinese for an English message id, from the catalog the app compiles."""
    with (REPO / "web/translations/zh/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="zh")
    text = catalog[message].string
    assert text and text != message, f"no Chinese for {message!r}"
    return text


def posted(ctx, matter_id: str, **changes: str) -> dict[str, str]:
    """The matter's intake form filled with its examples as a browser posts them, then `changes`."""
    values = {k: ("yes" if v is True else "no" if v is False else str(v))
              for k, v in example_data(citizen.intake_form(ctx, matter_id)).items()}
    return {**values, "applicant_phone": PHONE, **changes}


# kind: (matter, field, posted value, message id, its values). The engine reads a form's bounds as floats, so
# "at least 0" may read "0.0" (reported, not wanted): both spellings pass, any other text fails.
REFUSALS = {
    "min": ("business_startup", "employee_count", "-1", "Must be at least %(a)s.", {"a": ("0", "0.0")}),
    "length": ("business_startup", "company_name", "公" * 101, "At most %(n)s characters.", {"n": ("100",)}),
    "integer": ("business_startup", "employee_count", "1.5", "Enter a whole number.", {}),
    "required": ("business_startup", "address", "", "Required.", {}),
    "choice": ("after_death", "death_place", "nowhere", "Choose one of the options.", {}),
}


def spellings(text: str, values: dict[str, tuple[str, ...]]) -> set[str]:
    if not values:
        return {text}
    (name, options), = values.items()
    return {text % {name: option} for option in options}


def field_errors(page: str) -> dict[str, str]:
    return dict(re.findall(r'id="f-(\w+)-error">([^<]*)</p>', page))


@pytest.mark.parametrize("kind", list(REFUSALS))
def test_a_refused_field_says_why_in_the_applicants_language(client, ctx, kind):
    matter_id, field, value, message_id, values = REFUSALS[kind]
    data = {**posted(ctx, matter_id, **{field: value}), "csrf_token": token_of(client)}
    response = client.post(f"/apply/{matter_id}", data=data, headers=ENGLISH)
    assert response.status_code == 422
    errors = field_errors(response.get_data(as_text=True))
    assert set(errors) == {field} and errors[field] in spellings(message_id, values)
    in_chinese = field_errors(client.post(f"/apply/{matter_id}", data=data, headers=CHINESE).get_data(as_text=True))
    assert in_chinese[field] in spellings(chinese(message_id), values)


def test_the_applied_page_without_an_application_goes_to_the_start(client):
    response = client.get("/applied")
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_tracking_needs_both_the_number_and_the_phone_digits(client):
    response = client.post("/track", data={"number": "20260101-AAAAA", "check": "", "csrf_token": token_of(client)},
                           headers=ENGLISH)
    assert response.status_code == 400
    assert "Enter the case number and the last four digits of your phone." in response.get_data(as_text=True)


@pytest.fixture
def completed(ctx) -> str:
    """A business start-up case applied for online and driven to its end."""
    number = citizen.apply(ctx, "business_startup", example_data(citizen.intake_form(ctx, "business_startup")), PHONE)
    finish_case(ctx, number)
    return number


@pytest.mark.parametrize("score,comment,field,message", [
    ("five", "", "score", "Choose a score from 1 to 5."),
    ("9", "", "score", "Must be between 1 and 5."),
    ("4", "好" * 501, "comment", "At most 500 characters."),
])
def test_a_rating_is_checked_before_it_is_kept(client, completed, score, comment, field, message):
    rate = {"number": completed, "check": PHONE[-4:], "csrf_token": token_of(client)}
    response = client.post("/track/rate", data={**rate, "score": score, "comment": comment}, headers=ENGLISH)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(rf'<p class="field-error">{re.escape(message)}</p>', page) and completed in page
    assert client.post("/track/rate", data={**rate, "score": "4"}).status_code == 200  # nothing was kept


def test_a_running_case_cannot_be_rated(client, ctx):
    number = citizen.apply(ctx, "newborn", example_data(citizen.intake_form(ctx, "newborn")), PHONE)
    response = client.post("/track/rate", data={"number": number, "check": PHONE[-4:], "score": "4",
                                                "csrf_token": token_of(client)})
    assert response.status_code == 409
