"""The OpenAPI document: valid OpenAPI 3.1, and faithful to the route table the server dispatches with."""
from __future__ import annotations

import re

import pytest
from openapi_spec_validator import validate

from web.api.openapi import error_codes, openapi_path, schema_name
from web.api.routing import ROUTES


@pytest.fixture
def document(client) -> dict:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def _fields(schema) -> tuple[set[str], set[str]]:
    """(all field names, required field names) of a marshmallow schema class, as they appear in JSON."""
    loaded = {f.data_key or name: f for name, f in schema().load_fields.items()}
    return set(loaded), {name for name, f in loaded.items() if f.required}


def _resolve(document: dict, node: dict) -> dict:
    if "$ref" not in node:
        return node
    _, _, kind, name = node["$ref"].split("/")
    return document["components"][kind][name]


def test_document_is_valid_openapi_3_1(document):
    assert document["openapi"] == "3.1.0"
    validate(document)  # raises on any structural mistake or dangling $ref


def test_every_route_of_the_table_appears_with_its_method_roles_and_security(document):
    assert ROUTES
    for route in ROUTES:
        op = document["paths"][openapi_path(route.rule)][route.method.lower()]
        assert op["operationId"] == route.endpoint
        assert op["x-roles"] == (list(route.roles) if route.roles is not None else ["anyone"])
        assert ("security" in op) == (route.roles is not None), route.endpoint
        assert {int(code) for code in op["responses"]} == {route.status, *error_codes(route)}, route.endpoint
    documented = sum(len(ops) for ops in document["paths"].values())
    assert documented == len(ROUTES)


def test_request_bodies_are_the_schemas_the_server_validates_with(document):
    with_body = [route for route in ROUTES if route.body is not None]
    assert any(route.upload for route in with_body) and any(not route.upload for route in with_body)
    for route in with_body:
        op = document["paths"][openapi_path(route.rule)][route.method.lower()]
        names, required = _fields(route.body)
        if route.upload:
            schema = op["requestBody"]["content"]["multipart/form-data"]["schema"]
            names |= set(route.upload)
            required.add(route.upload[0])
        else:
            ref = op["requestBody"]["content"]["application/json"]["schema"]
            assert ref == {"$ref": f"#/components/schemas/{schema_name(route.body)}"}, route.endpoint
            schema = _resolve(document, ref)
        assert set(schema.get("properties", {})) == names, route.endpoint
        assert set(schema.get("required", [])) == required, route.endpoint
        assert schema["additionalProperties"] is False  # the server refuses unknown fields (422)


def test_query_parameters_and_responses_follow_their_schemas(document):
    for route in ROUTES:
        op = document["paths"][openapi_path(route.rule)][route.method.lower()]
        query = {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
        assert query == (_fields(route.query)[0] if route.query is not None else set()), route.endpoint
        if route.response is None:
            continue
        schema = op["responses"][str(route.status)]["content"]["application/json"]["schema"]
        ref = schema["items"] if route.many else schema
        assert ref == {"$ref": f"#/components/schemas/{schema_name(route.response)}"}, route.endpoint


def test_error_responses_carry_the_error_schema(document):
    for name, response in document["components"]["responses"].items():
        assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}, name
    error = document["components"]["schemas"]["ErrorDetail"]["properties"]
    assert {"code", "message", "fields", "problems"} <= set(error)


# -- drift the fuzzing found: each is said in the document and answered as said ----------------------------

def test_sign_in_documents_its_401_and_429(document, client):
    responses = document["paths"]["/api/session"]["post"]["responses"]
    assert {"401", "429"} <= set(responses)
    wrong = client.post("/api/session", json={"username": "nobody", "password": "wrong"})
    assert wrong.status_code == 401 and wrong.get_json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("TRACE", "/api/matters", {"GET", "HEAD"}), ("PUT", "/api/session", {"GET", "POST", "DELETE", "HEAD"}),
    ("PATCH", "/api/cases/C1/cancel", {"POST"})])
def test_a_method_a_path_does_not_take_is_a_json_405_with_allow(client, method, path, allowed):
    answer = client.open(path, method=method)
    assert answer.status_code == 405 and answer.mimetype == "application/json"
    assert set(answer.headers["Allow"].split(", ")) == allowed


def test_a_page_405_says_allow_too(client):
    answer = client.open("/login", method="TRACE")
    assert answer.status_code == 405 and "POST" in answer.headers["Allow"]


@pytest.mark.parametrize("path", ["/api/models/%0A/bpmn", "/api/no%0Aroute"])
def test_an_api_path_no_rule_matches_is_a_json_404(client, path):
    answer = client.get(path)
    assert answer.status_code == 404 and answer.mimetype == "application/json"


def test_a_version_id_beyond_the_key_range_is_not_found_not_an_overflow(client, login):
    login("auditor")
    answer = client.get(f"/api/models/{2**31}/bpmn")
    assert answer.status_code == 404 and answer.get_json()["error"]["code"] == "not_found"


def test_request_strings_and_free_form_data_refuse_nul_in_the_document(document):
    schemas = document["components"]["schemas"]
    pattern = re.compile(schemas["Lookup"]["properties"]["number"]["pattern"])
    assert pattern.match("C2026") and not pattern.match("C\x002026")
    data = schemas["Application"]["properties"]["data"]
    assert data["additionalProperties"] == {"$ref": "#/components/schemas/JsonValue"}
    assert not re.match(data["propertyNames"]["pattern"], "a\x00")


@pytest.mark.parametrize(("phone", "taken"), [
    ("", True), ("  ", True), ("13912345678", True), ("+8613912345678", True), ("139 1234-5678", True),
    ("+86 139 1234 5678", True), ("12345", False), ("23912345678", False), ("-", False), ("139123456789", False),
    ("1٣912345678", False)])
def test_the_documented_phone_is_the_phone_the_server_takes(document, client, ctx, phone, taken):
    """The server checks the phone with the form (every wrong field at once); the document says what it takes."""
    from engine.citizen.applications import intake_form
    from engine.matters.forms import example_data

    pattern = re.compile(document["components"]["schemas"]["Application"]["properties"]["phone"]["pattern"])
    assert bool(pattern.match(phone)) is taken
    data = example_data(intake_form(ctx, "newborn"))
    answer = client.post("/api/applications", json={"matter_id": "newborn", "phone": phone, "data": data})
    assert answer.status_code == (201 if taken else 422), answer.get_json()
    if not taken:
        assert list(answer.get_json()["error"]["fields"]) == ["phone"]


@pytest.mark.parametrize(("score", "status"), [(2.0, 404), (True, 422), ("2", 422), (2.5, 422)])
def test_a_whole_number_is_what_json_schema_calls_an_integer(client, score, status):
    answer = client.post("/api/cases/C-none/rating", json={"check": "5678", "score": score})
    assert answer.status_code == status, answer.get_json()
