"""Malformed API requests get a 4xx in the API's error shape and a message that says what to send instead."""
from __future__ import annotations

import io
import uuid

import pytest

from tests.web.conftest import PASSWORD, REPO


@pytest.fixture(autouse=True)
def english(client):
    """These tests read the messages in English (the next test reads them in Chinese)."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def test_the_api_says_what_to_send_in_the_users_language(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    wrong = client.post("/api/session", json={"username": "designer.police", "password": "wrong-one"})
    assert error_of(wrong, 401)["message"] == "用户名或密码错误"
    assert error_of(client.post("/api/lookup", data="3", content_type="application/json"), 400)["message"] == \
        "请求体必须是 JSON 对象"
    assert error_of(client.get("/api/cases"), 401)["message"] == "请先登录（POST /api/session）"
    unknown = error_of(client.get("/api/no-such-route"), 404)["message"]
    assert unknown == "没有 API 路由 GET /api/no-such-route"
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert error_of(client.get("/api/no-such-route"), 404)["message"] == "no API route GET /api/no-such-route"


@pytest.fixture
def designer(client):
    """The test client signed in through the API as a designer; returns the CSRF header."""
    response = client.post("/api/session", json={"username": "designer.police", "password": PASSWORD})
    assert response.status_code == 200
    return {"X-CSRF-Token": response.get_json()["csrf_token"]}


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    error = response.get_json()["error"]
    assert set(error) >= {"code", "message", "fields"}
    return error


def test_a_wrong_password_is_401_and_signs_nobody_in(client):
    error = error_of(client.post("/api/session", json={"username": "designer.police", "password": "wrong-one"}), 401)
    assert error["code"] == "unauthorized" and error["message"] == "wrong username or password"
    assert client.get("/api/session").status_code == 401


def test_a_model_must_come_as_a_multipart_file_named_bpmn(client, designer):
    as_json = error_of(client.post("/api/models/check", json={"bpmn": "<definitions/>"}, headers=designer), 400)
    assert "multipart/form-data" in as_json["message"]
    model = (REPO / "processes" / "newborn" / "after.bpmn").read_bytes()
    misnamed = client.post("/api/models/check", headers=designer,
                           data={"model": (io.BytesIO(model), "after.bpmn")}, content_type="multipart/form-data")
    assert "file field 'bpmn'" in error_of(misnamed, 400)["message"]


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "3"])
def test_a_json_body_must_be_an_object(client, body):
    response = client.post("/api/lookup", data=body, content_type="application/json")
    assert error_of(response, 400)["message"] == "the body must be a JSON object"


def test_an_unknown_matter_has_no_intake_form(client):
    error = error_of(client.get("/api/matters/no_such_matter/intake-form"), 404)
    assert error["code"] == "not_found" and "no_such_matter" in error["message"]


def test_a_task_id_of_no_case_is_404_not_a_server_error(client, ctx):
    from engine.citizen import applications as citizen
    from engine.matters.forms import example_data

    number = citizen.apply(ctx, "newborn", example_data(citizen.intake_form(ctx, "newborn")), "13800008000")
    session = client.post("/api/session", json={"username": "clerk.police", "password": PASSWORD}).get_json()
    token = session["csrf_token"]
    response = client.post(f"/api/cases/{number}/steps/{uuid.uuid4()}/complete", json={"data": {}},
                           headers={"X-CSRF-Token": token})
    assert error_of(response, 404)["code"] == "not_found"
