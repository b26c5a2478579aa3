"""Validation messages in the user's language: engine messages by id, the API schemas' by lazy gettext."""
from __future__ import annotations

import re

import pytest

from engine.matters.messages import TEXTS, message
from tests.web.conftest import token_of
from web.messages import BY_ID, field_message

CJK = re.compile(r"[\u4e00-\u9fff]")
VALUES = {"max": 50, "min": 1, "choices": "male, female"}


def test_every_engine_message_id_has_a_translation():
    assert set(BY_ID) == set(TEXTS)


@pytest.mark.parametrize("message_id", sorted(TEXTS))
def test_each_engine_message_is_shown_in_chinese_and_in_english(app, message_id):
    shown = message(message_id).format(**VALUES)
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        zh = field_message(shown)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        en = field_message(shown)
    assert CJK.search(zh) and not CJK.search(en), (zh, en)
    for value in shown.values.values():  # the limits are shown; the choices are on the page beside the message
        assert isinstance(value, str) or (str(value) in zh and str(value) in en)


def test_text_without_an_id_is_shown_as_it_is(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert field_message("Not a valid string.") == "Not a valid string."  # no matching on English text


@pytest.mark.parametrize("language, expected", [
    ("zh-CN", ["身份证号校验码错误。", "请输入 11 位中国大陆手机号码。", "必填。"]),
    ("en", ["The resident ID&#39;s check character is wrong.", "Enter an 11-digit mainland mobile number.",
            "Required."]),
])
def test_the_apply_page_shows_field_errors_in_the_users_language(client, language, expected):
    token = token_of(client)
    response = client.post("/apply/newborn", headers={"Accept-Language": language},
                           data={"csrf_token": token, "phone": "13912345678",
                                 "mother_id": "630104199203152420", "child_name": "王小明"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert expected[0] in page and expected[2] in page  # the wrong check character; the missing fields
    assert expected[1] not in page
    wrong_phone = client.post("/apply/newborn", headers={"Accept-Language": language},
                              data={"csrf_token": token, "phone": "123"}).get_data(as_text=True)
    assert expected[1] in wrong_phone


@pytest.mark.parametrize("language, expected", [
    ("zh-CN", {"number": ["请输入 1 至 32 个字符。"], "check": ["请输入手机号码后四位。"], "extra": ["未知字段。"]}),
    ("en", {"number": ["Enter 1 to 32 characters."], "check": ["Enter the last four digits of the phone."],
            "extra": ["Unknown field."]}),
])
def test_api_schema_messages_follow_the_language(client, language, expected):
    response = client.post("/api/lookup", json={"number": "", "check": "12", "extra": 1},
                           headers={"Accept-Language": language})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid_input" and error["fields"] == expected


def test_api_engine_messages_follow_the_language(client):
    body = {"matter_id": "newborn", "phone": "123", "data": {}}
    zh = client.post("/api/applications", json=body, headers={"Accept-Language": "zh-CN"}).get_json()["error"]
    en = client.post("/api/applications", json=body, headers={"Accept-Language": "en"}).get_json()["error"]
    assert zh["fields"]["phone"][0] == "请输入 11 位中国大陆手机号码。" and zh["fields"]["child_name"] == ["必填。"]
    assert en["fields"]["phone"][0] == "Enter an 11-digit mainland mobile number."
    assert en["fields"]["child_name"] == ["Required."]  # the form's problems come with the phone's
    assert zh["code"] == en["code"] == "invalid_input"
