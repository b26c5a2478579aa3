"""What applicants see when a form is refused: each field's reason in their own language; tracking and rating errors."""
from __future__ import annotations

import re
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from babel.messages.pofile import read_po
from flask import render_template

from engine.citizen import applications as citizen
from engine.matters.forms import contact_field, example_data
from engine.runtime.workdays import china_date
from engine.views import Deadline
from tests.web.conftest import REPO, finish_case, token_of

PHONE = "13800008000"
ENGLISH = {"Accept-Language": "en"}
CHINESE = {"Accept-Language": "zh-CN"}


def chinese(message: str) -> str:
    """The Chinese for an English message id, from the catalog the app compiles."""
    with (REPO / "web/translations/zh/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="zh")
    entry = catalog.get(message)
    text = entry.string if entry is not None else None
    assert text and text != message, f"no Chinese for {message!r}"
    return text


def posted(ctx, matter_id: str, **changes: str) -> dict[str, str]:
    """The matter's intake form filled with its examples as a browser posts them, then `changes`."""
    form = citizen.intake_form(ctx, matter_id)
    values = {k: ("yes" if v is True else "no" if v is False else str(v)) for k, v in example_data(form).items()}
    return {**values, contact_field(form).name: PHONE, **changes}  # the form's own phone is the lookup phone


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
    assert re.search(rf'<p class="field-error"[^>]*>{re.escape(message)}</p>', page) and completed in page
    assert client.post("/track/rate", data={**rate, "score": "4"}).status_code == 200  # nothing was kept


def test_a_running_case_cannot_be_rated(client, ctx):
    number = citizen.apply(ctx, "newborn", example_data(citizen.intake_form(ctx, "newborn")), PHONE)
    response = client.post("/track/rate", data={"number": number, "check": PHONE[-4:], "score": "4",
                                                "csrf_token": token_of(client)})
    assert response.status_code == 409


def test_every_wrong_field_is_marked_at_once_in_the_applicants_language(client, ctx):
    """Only the phone was marked when everything was wrong; a birth date in 2030 and an account 'abc' passed."""
    data = {**posted(ctx, "newborn", phone="123", birth_date="2030-01-01", bank_account="abc", child_name=""),
            "csrf_token": token_of(client)}
    wanted = {"phone": "Enter an 11-digit mainland mobile number.", "birth_date": "The date cannot be later than today",
              "bank_account": "Enter a bank account number of 12 to 19 digits.", "child_name": "Required."}
    for headers, texts in ((ENGLISH, wanted), (CHINESE, {k: chinese(v) for k, v in {
            **wanted, "birth_date": "The date cannot be later than today (%(d)s)."}.items()})):
        response = client.post("/apply/newborn", data=data, headers=headers)
        assert response.status_code == 422
        errors = field_errors(response.get_data(as_text=True))
        assert set(errors) == set(wanted), errors
        for name, text in texts.items():
            assert errors[name].startswith(text.split("%(d)s")[0]), (name, errors[name])
    today = china_date(ctx.clock.now()).isoformat()
    assert today in field_errors(client.post("/apply/newborn", data=data, headers=ENGLISH).get_data(as_text=True))[
        "birth_date"]


def test_the_api_marks_every_wrong_field_at_once(client, ctx):
    data = {**example_data(citizen.intake_form(ctx, "newborn")), "birth_date": "2030-01-01", "bank_account": "abc"}
    response = client.post("/api/applications", json={"matter_id": "newborn", "phone": "123", "data": data},
                           headers=ENGLISH)
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert set(fields) == {"phone", "birth_date", "bank_account"}
    assert fields["bank_account"] == ["Enter a bank account number of 12 to 19 digits."]
    assert fields["birth_date"][0].startswith("The date cannot be later than today")
    right = {**data, "birth_date": "2025-03-10", "bank_account": "6222 0202 0011 2233 445", "phone": PHONE}
    without = client.post("/api/applications", json={"matter_id": "newborn", "data": right})
    assert without.status_code == 201  # no phone apart: the form's own phone is the lookup phone
    lookup = client.post("/api/lookup", json={"number": without.get_json()["number"], "check": PHONE[-4:]})
    assert lookup.status_code == 200


def test_the_phone_is_asked_once(client, ctx):
    for matter_id in ("newborn", "business_startup", "after_death"):
        page = client.get(f"/apply/{matter_id}", headers=ENGLISH).get_data(as_text=True)
        assert page.count('type="tel"') == 1 and "applicant_phone" not in page, matter_id
        assert "last four digits of this phone" in page
    response = client.post("/apply/newborn", data={**posted(ctx, "newborn"), "csrf_token": token_of(client)})
    assert response.status_code == 302
    with client.session_transaction() as session:
        number = session["applied"]
    progress = client.post("/track", data={"number": number, "check": PHONE[-4:], "csrf_token": token_of(client)})
    assert progress.status_code == 200


@pytest.mark.parametrize("headers", [ENGLISH, CHINESE])
def test_a_refused_rating_keeps_the_chosen_score_and_comment_and_thanks_once(client, completed, headers):
    rate = {"number": completed, "check": PHONE[-4:], "csrf_token": token_of(client)}
    page = client.post("/track/rate", data={**rate, "score": "2", "comment": "慢" * 501},
                       headers=headers).get_data(as_text=True)
    assert re.findall(r'value="(\d)" required checked', page) == ["2"]
    assert re.search(r'<textarea id="comment"[^>]*>' + "慢" * 501 + "</textarea>", page)
    page = client.post("/track/rate", data={**rate, "score": "2", "comment": "好"}, headers=headers).get_data(
        as_text=True)
    thanks = "Thank you for your rating" if headers is ENGLISH else chinese("Thank you for your rating.").rstrip("。")
    assert page.count(thanks) == 1 and "★★☆☆☆" in page


def chinese_plural(singular: str) -> str:
    """The Chinese of a count message: Chinese has one form, for one and for many."""
    with (REPO / "web/translations/zh/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="zh")
    entry = catalog.get(singular)
    assert entry is not None and isinstance(entry.string, tuple) and entry.string[0], f"no Chinese for {singular!r}"
    return entry.string[0]


@pytest.mark.parametrize("days, english, singular", [
    (1, "1 working day left", "%(num)s working day left"), (2, "2 working days left", "%(num)s working day left"),
    (5, "5 working days left", "%(num)s working day left"),
    (-1, "Overdue by 1 working day", "Overdue by %(num)s working day"),
    (-3, "Overdue by 3 working days", "Overdue by %(num)s working day"),
])
def test_a_count_agrees_with_its_number_in_both_languages(app, days, english, singular):
    """'1 working days left' was shown: every count message of the pages goes through ngettext."""
    item = SimpleNamespace(deadline=Deadline(datetime(2026, 1, 9, 1, 0, tzinfo=UTC), days))
    with app.test_request_context(headers=ENGLISH):
        badge = render_template("worklist/_badge.html", e=item)
    assert re.search(rf">{english}</span>", badge), badge
    with app.test_request_context(headers=CHINESE):
        badge = render_template("worklist/_badge.html", e=item)
    assert chinese_plural(singular) % {"num": abs(days)} in badge


def test_no_count_message_of_the_pages_is_a_plain_gettext():
    """A message with a number before a plural noun (days, steps, cases...) must be an ngettext."""
    counted = re.compile(r"""\b_\(['"][^'"]*%\(\w+\)s [a-z ]*?(days|steps|cases|matters|departments|problems)\b""")
    files = [path for path in (REPO / "web").rglob("*") if path.suffix in (".html", ".py")]
    found = [f"{path.relative_to(REPO)}:{number}" for path in files
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if counted.search(line)]
    assert found == []
