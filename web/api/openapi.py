"""GET /api/openapi.json: an OpenAPI 3.1 document generated from the route table and marshmallow schemas."""
from __future__ import annotations

import re
from typing import Any

from flask import current_app
from marshmallow import Schema, fields, validate

from engine import Actor
from web.api.routing import PUBLIC, ROUTES, Route, api, json_response
from web.schemas import ErrorSchema

_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")
_SIMPLE: tuple[tuple[type[fields.Field], dict[str, Any]], ...] = (
    (fields.AwareDateTime, {"type": "string", "format": "date-time"}),
    (fields.DateTime, {"type": "string", "format": "date-time"}),
    (fields.Date, {"type": "string", "format": "date"}),
    (fields.Email, {"type": "string", "format": "email"}),
    (fields.Str, {"type": "string"}),
    (fields.Bool, {"type": "boolean"}),
    (fields.Int, {"type": "integer"}),
    (fields.Float, {"type": "number"}),
    (fields.Number, {"type": "number"}),
)
ERRORS = {400: "Bad request (e.g. a body that is not JSON)", 401: "Not signed in", 403: "Role, department or CSRF",
          404: "Not found", 409: "Conflict", 422: "Invalid fields", 429: "Too many attempts"}


def _name(schema: type[Schema]) -> str:
    return schema.__name__.removesuffix("Schema") or schema.__name__


def _validators(field: fields.Field, out: dict[str, Any]) -> None:
    for v in field.validators:
        if isinstance(v, validate.Length):
            key = ("minItems", "maxItems") if out.get("type") == "array" else ("minLength", "maxLength")
            if v.min is not None:
                out[key[0]] = v.min
            if v.max is not None:
                out[key[1]] = v.max
        elif isinstance(v, validate.Range):
            if v.min is not None:
                out["minimum"] = v.min
            if v.max is not None:
                out["maximum"] = v.max
        elif isinstance(v, validate.OneOf):
            out["enum"] = list(v.choices)
        elif isinstance(v, validate.Regexp):
            out["pattern"] = v.regex.pattern


def field_schema(field: fields.Field, components: dict[str, Any]) -> dict[str, Any]:
    """JSON Schema of one marshmallow field."""
    if isinstance(field, fields.Nested):
        nested = field.nested if isinstance(field.nested, type) else type(field.nested)
        out: dict[str, Any] = {"$ref": f"#/components/schemas/{schema_ref(nested, components)}"}
        return {"type": "array", "items": out} if field.many else out
    if isinstance(field, fields.List):
        out = {"type": "array", "items": field_schema(field.inner, components)}
    elif isinstance(field, fields.Dict):
        out = {"type": "object"}
        if field.value_field is not None:
            out["additionalProperties"] = field_schema(field.value_field, components)
    else:
        out = next((dict(s) for kind, s in _SIMPLE if isinstance(field, kind)), {})
    _validators(field, out)
    if field.allow_none and "type" in out:
        out["type"] = [out["type"], "null"]
    return out


def schema_ref(schema: type[Schema], components: dict[str, Any]) -> str:
    """Add a schema to the components (once) and return its name."""
    name = _name(schema)
    if name not in components:
        components[name] = {}  # placeholder first: schemas may nest each other
        instance = schema()
        props = {f.data_key or key: field_schema(f, components) for key, f in instance.fields.items()}
        required = [f.data_key or key for key, f in instance.fields.items() if f.required]
        body: dict[str, Any] = {"type": "object", "properties": props}
        if schema.__doc__:
            body["description"] = schema.__doc__.strip()
        if required:
            body["required"] = required
        components[name] = body
    return name


def openapi_path(rule: str) -> str:
    """/cases/<number>/steps/<step> -> /api/cases/{number}/steps/{step}."""
    return "/api" + _CONVERTER.sub(lambda m: "{" + m.group(2) + "}", rule)


def _operation(route: Route, components: dict[str, Any]) -> dict[str, Any]:
    op: dict[str, Any] = {"operationId": route.endpoint, "summary": route.summary,
                          "x-roles": list(route.roles) if route.roles is not None else ["anyone"]}
    params = [{"name": m.group(2), "in": "path", "required": True,
               "schema": {"type": "integer" if m.group(1) == "int" else "string"}}
              for m in _CONVERTER.finditer(route.rule)]
    if route.query is not None:
        query = route.query()
        params += [{"name": f.data_key or key, "in": "query", "required": f.required,
                    "schema": field_schema(f, components)} for key, f in query.fields.items()]
    if route.method != "GET" and route.roles is not None:
        params.append({"name": "X-CSRF-Token", "in": "header", "required": True, "schema": {"type": "string"},
                       "description": "the csrf_token from POST /api/session"})
    if params:
        op["parameters"] = params
    if route.roles is not None:
        op["security"] = [{"session": []}]
    if route.body is not None:
        ref = {"$ref": f"#/components/schemas/{schema_ref(route.body, components)}"}
        if route.upload:
            props = {name: {"type": "string", "contentMediaType": "application/octet-stream"} for name in route.upload}
            content = {"multipart/form-data": {"schema": {"allOf": [ref, {"type": "object", "properties": props,
                                                                           "required": [route.upload[0]]}]}}}
        else:
            content = {"application/json": {"schema": ref}}
        op["requestBody"] = {"required": True, "content": content}
    op["responses"] = _responses(route, components)
    return op


def _responses(route: Route, components: dict[str, Any]) -> dict[str, Any]:
    if route.response is not None:
        ref: dict[str, Any] = {"$ref": f"#/components/schemas/{schema_ref(route.response, components)}"}
        schema = {"type": "array", "items": ref} if route.many else ref
        responses = {str(route.status): {"description": "OK", "content": {"application/json": {"schema": schema}}}}
    elif route.status == 204:
        responses = {"204": {"description": "Done"}}
    else:
        schema = {"type": "object"} if route.produces == "application/json" else {"type": "string"}
        responses = {str(route.status): {"description": "OK", "content": {route.produces: {"schema": schema}}}}
    error = {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_ref(ErrorSchema, components)}"}}}}
    codes = [400, 404, 409, 422] + ([401, 403] if route.roles is not None else [])
    codes += [429] if route.endpoint in ("lookup", "rate_case") else []
    codes += [403] if route.method != "GET" and route.roles is None else []  # CSRF when a session is signed in
    for code in sorted(set(codes)):
        responses[str(code)] = {"description": ERRORS[code], **error}
    return responses


def document() -> dict[str, Any]:
    """The whole OpenAPI 3.1 document."""
    components: dict[str, Any] = {}
    paths: dict[str, dict[str, Any]] = {}
    for route in ROUTES:
        paths.setdefault(openapi_path(route.rule), {})[route.method.lower()] = _operation(route, components)
    return {
        "openapi": "3.1.0",
        "info": {"title": "OneThing API", "version": "1",
                 "description": "Errors are {\"error\": {\"code\", \"message\", \"fields\"}}. Unsafe requests of a "
                                "signed-in session need the CSRF token in X-CSRF-Token."},
        "paths": paths,
        "components": {"schemas": dict(sorted(components.items())),
                       "securitySchemes": {"session": {"type": "apiKey", "in": "cookie",
                                                      "name": current_app.config["SESSION_COOKIE_NAME"]}}},
    }


@api("/openapi.json", roles=PUBLIC, summary="This document")
def openapi_document(actor: Actor | None):
    return json_response(document())
