"""Switching the language on a POST result shows the same result in the other language; nothing typed is lost."""
from __future__ import annotations

import re
from html import unescape

from engine.citizen import applications as citizen
from engine.matters.forms import example_data
from tests.web.conftest import token_of

PHONE = "13800008000"


def _switch_form(page: str) -> tuple[str, dict[str, str]]:
    """The language switch of a page: where it posts and its hidden fields."""
    form = re.search(r'<form method="post" action="([^"]+)" class="lang-switch">(.*?)</form>', page, re.S)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(2)))
    return unescape(form.group(1)), {k: unescape(v) for k, v in fields.items()}


def test_a_progress_lookup_switches_language_and_stays_the_same_lookup(client, ctx):
    number = citizen.apply(ctx, "newborn", example_data(citizen.intake_form(ctx, "newborn")), PHONE)
    token = token_of(client)
    page = client.post("/track", data={"number": number, "check": "8000", "csrf_token": token},
                       headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert 'lang="zh-CN"' in page and number in page
    action, fields = _switch_form(page)
    assert action == "/track" and fields["number"] == number and fields["check"] == "8000"
    switched = client.post(action, data={**fields, "lang": "en"})
    english = switched.get_data(as_text=True)
    assert switched.status_code == 200 and '<html lang="en">' in english and number in english
    assert 'id="next"' in english  # still the case's progress, not the home page
    assert '<html lang="en">' in client.get("/track").get_data(as_text=True)  # and the choice is remembered


def test_a_refused_application_switches_language_with_everything_typed(client, ctx):
    token = token_of(client)
    phone = citizen.application_form(ctx, "newborn").contact.name  # the form's own phone field is the contact
    typed = {phone: "123", "child_name": "王小明", "mother_id": "630104199203152420"}
    page = client.post("/apply/newborn", data={**typed, "csrf_token": token},
                       headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    action, fields = _switch_form(page)
    assert action == "/apply/newborn" and {k: fields[k] for k in typed} == typed
    switched = client.post(action, data={**fields, "lang": "en"})
    english = switched.get_data(as_text=True)
    assert switched.status_code == 422 and '<html lang="en">' in english
    assert 'value="王小明"' in english  # what was typed is still in the form
    assert "Enter an 11-digit mainland mobile number." in english


def test_a_password_is_never_echoed_into_the_switch(client):
    page = client.post("/login", data={"username": "clerk.police", "password": "wrong-password",
                                       "csrf_token": token_of(client)}).get_data(as_text=True)
    action, fields = _switch_form(page)
    assert action == "/lang" and "password" not in fields and "wrong-password" not in page
