"""The OpenAPI document: valid OpenAPI 3.1, and faithful to the route table the server dispatches with."""
from __future__ import annotations

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
