"""Engine messages (engine.Text) in the user's language: every template is found by pybabel and translated, and
pages and the API show them in Chinese, departments and steps by their names, never a task's UUID."""
from __future__ import annotations

import ast
import io
import pickle
import re
from functools import cache

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from engine import Listed, Named, Text
from engine.accounts import users
from engine.cases import lifecycle as cases
from engine.catalog.departments import department_label
from engine.citizen import applications as citizen
from engine.matters.forms import example_data
from tests.web.conftest import PASSWORD, REPO

PLACEHOLDER = re.compile(r"%\((\w+)\)s")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
PHONE = "13800008000"


def text_calls() -> list[tuple[str, ast.Call]]:
    """Every Text(...) call in engine/, with where it is."""
    found = []
    for path in sorted((REPO / "engine").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Text":
                found.append((f"{path.relative_to(REPO)}:{node.lineno}", node))
    return found


def engine_templates() -> set[str]:
    return {call.args[0].value for _, call in text_calls()
            if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str)}


@cache
def zh_catalog() -> Catalog:
    with (REPO / "web/translations/zh/LC_MESSAGES/messages.po").open("rb") as handle:
        return read_po(handle)


def zh(msgid: str, **values: str) -> str:
    """The Chinese of a message as the catalog has it (so a test fails until it is translated)."""
    message = zh_catalog().get(msgid)
    assert message is not None and message.string, f"no Chinese for {msgid!r}"
    return message.string % values if values else message.string


def visible(page: str) -> str:
    """The text of the page's main panel, as a reader sees it (no tags, no links' targets)."""
    panel = re.search(r'<section class="panel">(.*?)</section>', page, re.S)
    return re.sub(r"<[^>]+>", " ", panel.group(1) if panel else page)


# -- the templates --------------------------------------------------------------------------------------

def test_text_is_its_english_and_keeps_its_template_values_and_kinds():
    step = Named("register_birth", {"zh": "出生登记", "en": "Register the birth"})
    text = Text("step '%(step)s' is claimed by %(departments)s", step=step,
                departments=Listed(["police", "health"], Text("no department")))
    assert text == "step 'register_birth' is claimed by police, health"
    assert text.template == "step '%(step)s' is claimed by %(departments)s"
    again = pickle.loads(pickle.dumps(text))
    assert again == text and again.template == text.template
    assert again.values["step"].names == step.names and again.values["departments"].items == ("police", "health")
    assert Listed([], Text("none")) == "none" and Listed(["running", "error"], either=True) == "running or error"


def test_every_text_has_a_literal_template_and_gives_exactly_its_placeholders():
    """pybabel extracts only a literal first argument; a missing value would fail when the error is raised."""
    assert len(text_calls()) > 100
    for where, call in text_calls():
        assert call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str), where
        if any(k.arg is None for k in call.keywords):  # **values: checked where they are built
            continue
        assert set(PLACEHOLDER.findall(call.args[0].value)) == {k.arg for k in call.keywords}, where
        assert "%" not in PLACEHOLDER.sub("", call.args[0].value), where


def test_pybabel_finds_every_engine_text_through_babel_cfg():
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with (REPO / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = {message for _file, _line, message, *_ in extract_from_dir(
        str(REPO / "engine"), [(pattern.removeprefix("engine/"), method) for pattern, method in method_map],
        {pattern.removeprefix("engine/"): options for pattern, options in options_map.items()},
        keywords=DEFAULT_KEYWORDS)}
    assert engine_templates() <= found, sorted(engine_templates() - found)


def test_every_engine_text_has_a_chinese_translation_with_its_placeholders():
    missing, different = [], []
    for template in sorted(engine_templates()):
        message = zh_catalog().get(template)
        if message is None or not message.string:
            missing.append(template)
        elif sorted(PLACEHOLDER.findall(message.string)) != sorted(PLACEHOLDER.findall(template)):
            different.append(template)
    assert not missing, f"{len(missing)} engine messages have no Chinese: {missing[:5]}"
    assert not different, f"placeholders differ in Chinese: {different}"


# -- pages and the API in Chinese ---------------------------------------------------------------------

@pytest.fixture
def newborn_case(ctx):
    form = citizen.intake_form(ctx, "newborn")
    number = citizen.apply(ctx, "newborn", example_data(form), PHONE)
    step = next(i for i in cases.get_case(ctx, number).ready_steps if i.step_id == "register_birth")
    return number, step


def test_a_step_done_by_a_colleague_is_told_in_chinese_with_names_and_no_uuid(client, login, ctx, newborn_case):
    number, step = newborn_case
    users.add_user(ctx, "clerk.police2", PASSWORD, "clerk", "police")
    cases.complete_step(ctx, number, step.task_id, users.get_actor(ctx, "clerk.police2"),
                        {"registration_approved": True, "child_resident_id": "630104202603101024"})
    token = login("clerk.police")
    response = client.post(f"/work/{number}/{step.task_id}/claim", data={"csrf_token": token},
                           headers={"Accept-Language": "zh"})
    assert response.status_code == 409
    text = visible(response.get_data(as_text=True))
    said = zh("step '%(step)s' of case %(number)s is not waiting for anyone now", step=step.step_name, number=number)
    assert said in text
    now = cases.get_case(ctx, number).ready_steps
    assert now, "the case waits for the next departments"
    for item in now:
        assert department_label(ctx, item.department).zh in text
        assert not re.search(rf"\b{re.escape(item.department)}\b", text)
    assert not UUID.search(text) and "register_birth" not in text and "is not waiting" not in text
    opened = client.get(f"/work/{number}/{step.task_id}", headers={"Accept-Language": "zh"})  # the step's own page
    assert opened.status_code == 409
    assert said in visible(opened.get_data(as_text=True)) and not UUID.search(visible(opened.get_data(as_text=True)))


def _upload(client, token, language: str, **form):
    bpmn = (REPO / "processes/newborn/after.bpmn").read_bytes()
    return client.post("/designer/upload", data={"csrf_token": token, "variant": "after",
                                                 "bpmn": (io.BytesIO(form.pop("bpmn", bpmn)), "after.bpmn"), **form},
                       content_type="multipart/form-data", headers={"Accept-Language": language})


def test_the_designers_check_problems_and_field_errors_are_in_chinese(client, login):
    token = login("designer.police")
    doctype = b'<?xml version="1.0"?><!DOCTYPE x><definitions/>'
    checked = _upload(client, token, "zh", action="check", bpmn=doctype).get_data(as_text=True)
    assert zh("DOCTYPE declarations are not allowed in BPMN uploads") in checked
    assert "DOCTYPE declarations are not allowed" not in checked
    refused = _upload(client, token, "zh", action="deploy", matter_id="Bad-Id")
    assert refused.status_code == 422
    assert zh("lower-case letters, digits, _") in refused.get_data(as_text=True)
    assert "lower-case letters" not in refused.get_data(as_text=True)
    english = _upload(client, token, "en", action="deploy", matter_id="Bad-Id").get_data(as_text=True)
    assert "lower-case letters, digits, _" in english


def test_api_errors_follow_the_users_language_with_names_for_ids(app, ctx, newborn_case):
    number, step = newborn_case
    api = app.test_client()
    signed = api.post("/api/session", json={"username": "clerk.health", "password": PASSWORD})
    headers = {"X-CSRF-Token": signed.get_json()["csrf_token"]}
    url = f"/api/cases/{number}/steps/register_birth/claim"
    police = department_label(ctx, "police")
    chinese = api.post(url, headers={**headers, "Accept-Language": "zh"})
    assert chinese.status_code == 403
    message = chinese.get_json()["error"]["message"]
    assert message == zh("%(user)s (%(role)s, %(department_own)s) may not work step '%(step)s' of department "
                         "'%(department)s'", user="clerk.health", role=zh("clerk"),
                         department_own=department_label(ctx, "health").zh, step=step.step_name, department=police.zh)
    english = api.post(url, headers={**headers, "Accept-Language": "en"}).get_json()["error"]["message"]
    assert english == (f"clerk.health (clerk, {department_label(ctx, 'health').en}) may not work step "
                       f"'register_birth' of department '{police.en}'")


def test_statuses_lists_and_nested_texts_follow_the_users_language(app):
    from web.texts import translated

    text = Text("case %(number)s is %(status)s: only a case that is %(statuses)s can be suspended", number="N1",
                status="cancelled", statuses=Listed(["running", "error"], either=True))
    nested = Text("the case is not waiting for message '%(message)s' (it waits for: %(waiting)s)", message="m",
                  waiting=Listed([], Text("no message")))
    with app.test_request_context(headers={"Accept-Language": "zh"}):
        assert translated(text) == zh(text.template, number="N1", status=zh("cancelled"),
                                      statuses=zh("in progress") + "或" + zh("error"))
        assert translated(nested) == zh(nested.template, message="m", waiting=zh("no message"))
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert translated(text) == "case N1 is cancelled: only a case that is in progress or error can be suspended"
        assert translated(nested) == str(nested)
