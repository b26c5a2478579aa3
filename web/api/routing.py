"""The API's route table: one decorator declares a route's method, roles, request and response schemas.

The same table drives dispatch (sign-in and role checks, body parsing, response dumping) and the
OpenAPI document, so the two cannot drift apart.
"""
from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, request
from flask_babel import gettext as _
from marshmallow import Schema
from werkzeug.exceptions import BadRequest, Forbidden, Unauthorized

from engine import Actor
from web.jsoninput import Refused, loads
from web.session import current_actor

PUBLIC: tuple[str, ...] | None = None
SIGNED_IN = ("designer", "clerk", "auditor", "admin")


@dataclass(frozen=True)
class Route:
    """One API route as declared."""

    rule: str
    method: str
    endpoint: str
    summary: str
    roles: tuple[str, ...] | None  # None: no sign-in needed
    body: type[Schema] | None
    query: type[Schema] | None
    response: type[Schema] | None
    many: bool
    status: int
    upload: tuple[str, ...]  # file fields of a multipart body
    produces: str
    errors: tuple[int, ...]  # error statuses beyond those its roles, method and body imply (openapi.error_codes)


ROUTES: list[Route] = []




def json_response(value: Any, status: int = 200) -> Response:
    return Response(json.dumps(value, ensure_ascii=False), status=status, mimetype="application/json")


def authorize(roles: tuple[str, ...] | None) -> Actor | None:
    """The signed-in actor; 401 when a route needs sign-in and nobody is, 403 for a role not allowed."""
    actor = current_actor()
    if roles is None:
        return actor
    if actor is None:
        raise Unauthorized(_("sign in first (POST /api/session)"))
    if actor.role not in roles:
        raise Forbidden(_("a %(role)s may not do this; allowed: %(roles)s", role=actor.role, roles=", ".join(roles)))
    return actor


class BadBody(BadRequest):
    """400 for a body that is not JSON we take (web.jsoninput), with the field message when it has a place."""

    def __init__(self, refused: Refused) -> None:
        super().__init__(f"the body {refused.message}")
        self.fields = refused.fields


def json_body() -> Any:
    """The request body as parsed JSON; 400 with a clear message (and the field) when it is not JSON we take."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    if not request.is_json:
        raise BadRequest(_("send the body as JSON with Content-Type: application/json"))
    try:
        return loads(raw)
    except Refused as exc:
        raise BadBody(exc) from None


def _load_body(schema: type[Schema], upload: tuple[str, ...]) -> dict[str, Any]:
    if upload:
        if not request.mimetype == "multipart/form-data":
            raise BadRequest(_("send a model as multipart/form-data with a file field 'bpmn'"))
        data = request.form.to_dict()
    else:
        data = json_body()
    if not isinstance(data, dict):
        raise BadRequest(_("the body must be a JSON object"))
    return schema().load(data)


def api(rule: str, method: str = "GET", *, roles: tuple[str, ...] | None, summary: str,
        body: type[Schema] | None = None, query: type[Schema] | None = None, response: type[Schema] | None = None,
        many: bool = False, status: int = 200, upload: tuple[str, ...] = (), produces: str = "application/json",
        errors: tuple[int, ...] = ()) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare and register an API route on `bp`; the view gets actor=, body=, query= and URL values."""
    from web.api import bp

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def view(**values: Any) -> Response:
            actor = authorize(roles)
            if query is not None:
                values["query"] = query().load(request.args.to_dict())
            if body is not None:
                values["body"] = _load_body(body, upload)
            result = func(actor=actor, **values)
            if isinstance(result, Response):
                return result
            if response is None:
                return Response(status=204)
            return json_response(response().dump(result, many=many), status)

        _register(bp, rule, method, func.__name__, view)
        ROUTES.append(Route(rule, method, func.__name__, summary, roles, body, query, response, many, status,
                            upload, produces, errors))
        return func

    return decorate


def _register(bp: Blueprint, rule: str, method: str, endpoint: str, view: Callable[..., Any]) -> None:
    bp.add_url_rule(rule, endpoint, view, methods=[method])
