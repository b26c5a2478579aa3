"""GET /api/openapi.json: the OpenAPI 3.1 document, built by apispec from the route table and marshmallow schemas."""
from __future__ import annotations

import re
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin, OpenAPIConverter
from flask import current_app
from marshmallow import Schema, fields

from engine import Actor
from web.api.routing import PUBLIC, ROUTES, Route, api, json_response
from web.messages import Object, Text
from web.schemas import ErrorSchema

_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")
ERRORS = {400: ("BadRequest", "Bad request (e.g. a body that is not JSON)"), 401: ("Unauthorized", "Not signed in"),
          403: ("Forbidden", "Role, department or CSRF"),
          404: ("NotFound", "Not found (a case you take no part in too)"), 409: ("Conflict", "Conflict"),
          413: ("TooLarge", "The request is larger than the upload limit"),
          422: ("InvalidInput", "Invalid fields"),
          429: ("Throttled", "Too many attempts: wait Retry-After seconds; code full_phone_required: "
                             "send the whole mobile number as the check (docs/web.md)")}
DESCRIPTION = ("Errors are {\"error\": {\"code\", \"message\", \"fields\"}}. Unsafe requests of a signed-in session "
               "need the CSRF token in X-CSRF-Token. Bodies are read strictly (web.jsoninput): no NUL characters, "
               "lone surrogates, NaN or infinite numbers, integers of more than 4,300 digits, or nesting deeper "
               "than 32; a method a path does not take is a 405 with Allow.")
NO_NUL = "^[^\\x00]*$"  # web.jsoninput refuses NUL anywhere in a body (PostgreSQL text cannot hold it)
# Free-form data (form fields, message payloads): any JSON the body reader takes, as a recursive schema.
JSON_VALUE = {"description": "Any JSON value without NUL characters in strings or names",
              "anyOf": [{"type": "string", "pattern": NO_NUL}, {"type": ["number", "boolean", "null"]},
                        {"type": "array", "items": {"$ref": "#/components/schemas/JsonValue"}},
                        {"type": "object", "propertyNames": {"pattern": NO_NUL},
                         "additionalProperties": {"$ref": "#/components/schemas/JsonValue"}}]}


def schema_name(schema: type[Schema] | Schema) -> str:
    """The component name of a marshmallow schema: its class name without the Schema suffix."""
    cls = schema if isinstance(schema, type) else type(schema)
    return cls.__name__.removesuffix("Schema") or cls.__name__


def openapi_path(rule: str) -> str:
    """/cases/<number>/steps/<step> -> /api/cases/{number}/steps/{step}."""
    return "/api" + _CONVERTER.sub(lambda m: "{" + m.group(2) + "}", rule)


def error_codes(route: Route) -> list[int]:
    """The error statuses a route can answer with, from its roles, method and uploads."""
    codes = {400, 404, 409, 422}
    if route.roles is not None:
        codes |= {401, 403}
    elif route.method != "GET":
        codes.add(403)  # CSRF, when the caller has a signed-in session
    codes.update(route.errors)
    if route.body is not None:
        codes.add(413)  # any body past the request limit
    return sorted(codes)


def _strict_strings(self: OpenAPIConverter, field: fields.Field, ret: dict[str, Any]) -> dict[str, Any]:
    """What the body reader refuses, said in the schema: strings and free-form names never hold NUL,
    free-form values are JsonValue."""
    if isinstance(field, Text) and "pattern" not in ret:
        return {"pattern": NO_NUL}
    if isinstance(field, Object) and field.value_field is None:
        return {"propertyNames": {"pattern": NO_NUL},
                "additionalProperties": {"$ref": "#/components/schemas/JsonValue"}}
    return {}


def _parameters(route: Route) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [
        {"name": m.group(2), "in": "path", "required": True,
         "schema": {"type": "integer" if m.group(1) == "int" else "string"}} for m in _CONVERTER.finditer(route.rule)]
    if route.query is not None:
        params.append({"in": "query", "schema": route.query})  # the marshmallow plugin expands it field by field
    return params


def _request_body(route: Route, converter: OpenAPIConverter) -> dict[str, Any]:
    if not route.upload:
        return {"required": True, "content": {"application/json": {"schema": route.body}}}
    # A multipart body is one object of form fields and files: the form schema's properties (it refuses
    # unknown fields, so a $ref to it could not also hold the files) plus the file parts.
    schema = converter.schema2jsonschema(route.body)
    schema["properties"].update({name: {"type": "string", "contentMediaType": "application/octet-stream"}
                                 for name in route.upload})
    schema["required"] = [*schema.get("required", []), route.upload[0]]
    if route.body.__doc__:
        schema["description"] = route.body.__doc__.strip()
    return {"required": True, "content": {"multipart/form-data": {"schema": schema}}}


def _responses(route: Route) -> dict[int, Any]:
    if route.response is not None:
        schema: Any = {"type": "array", "items": route.response} if route.many else route.response
        ok: dict[str, Any] = {"description": "OK", "content": {"application/json": {"schema": schema}}}
    elif route.status == 204:
        ok = {"description": "Done"}
    else:
        kind = "object" if route.produces == "application/json" else "string"
        ok = {"description": "OK", "content": {route.produces: {"schema": {"type": kind}}}}
    return {route.status: ok, **{code: ERRORS[code][0] for code in error_codes(route)}}


def operation(route: Route, converter: OpenAPIConverter) -> dict[str, Any]:
    """The OpenAPI operation of one route (marshmallow schemas are resolved by the plugin)."""
    op: dict[str, Any] = {"operationId": route.endpoint, "summary": route.summary,
                          "x-roles": list(route.roles) if route.roles is not None else ["anyone"]}
    params = _parameters(route)
    if params:
        op["parameters"] = params
    if route.roles is not None:  # an unsafe request of a session also echoes its CSRF token (web.api._csrf)
        op["security"] = [{"session": [], "csrf": []} if route.method != "GET" else {"session": []}]
    if route.body is not None:
        op["requestBody"] = _request_body(route, converter)
    op["responses"] = _responses(route)
    return op


def build_spec(cookie_name: str) -> APISpec:
    """An APISpec holding every route of the table, its schemas and the shared error responses."""
    plugin = MarshmallowPlugin(schema_name_resolver=schema_name)
    spec = APISpec("OneThing API", "1", "3.1.0", plugins=[plugin], info={"description": DESCRIPTION})
    converter = plugin.converter
    if converter is None:  # pragma: no cover - APISpec(plugins=...) has just set it
        raise RuntimeError("the marshmallow plugin was not initialised")
    converter.add_attribute_function(_strict_strings)
    spec.components.schema("JsonValue", JSON_VALUE)
    spec.components.security_scheme("session", {"type": "apiKey", "in": "cookie", "name": cookie_name})
    spec.components.security_scheme("csrf", {"type": "apiKey", "in": "header", "name": "X-CSRF-Token",
                                             "description": "the csrf_token from POST /api/session"})
    for route in ROUTES:  # documented schemas first, so their docstrings become descriptions
        schema = route.body if not route.upload else None
        if schema is not None and schema.__doc__ and schema_name(schema) not in spec.components.schemas:
            spec.components.schema(schema_name(schema), {"description": schema.__doc__.strip()}, schema=schema)
    error = {"application/json": {"schema": ErrorSchema}}
    for name, description in ERRORS.values():
        response: dict[str, Any] = {"description": description, "content": error}
        if name == "Throttled":
            response["headers"] = {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}
        spec.components.response(name, response)
    for route in ROUTES:
        spec.path(path=openapi_path(route.rule), operations={route.method.lower(): operation(route, converter)})
    return spec


def document() -> dict[str, Any]:
    """The whole OpenAPI 3.1 document."""
    return build_spec(current_app.config["SESSION_COOKIE_NAME"]).to_dict()


@api("/openapi.json", roles=PUBLIC, summary="This document")
def openapi_document(actor: Actor | None):
    return json_response(document())
