"""JSON API under /api/: the blueprint, CSRF for session-authenticated unsafe requests, JSON errors.

Resources live in their own modules (sessions, matters, models, cases, public, openapi); each route
is declared with `web.api.routing.api`, which also feeds /api/openapi.json.
"""
from __future__ import annotations

from flask import Blueprint, request
from flask_babel import gettext as _
from marshmallow import ValidationError
from werkzeug.exceptions import Forbidden, HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule

from engine import OneThingError, Throttled
from web.errors import error_body, status_for
from web.session import UNSAFE, csrf_ok, current_actor

bp = Blueprint("api", __name__, url_prefix="/api")
ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "TRACE"]  # HEAD and OPTIONS: Flask answers them


@bp.before_request
def _csrf() -> None:
    """A signed-in session must echo its CSRF token in X-CSRF-Token on every unsafe request."""
    if request.method in UNSAFE and current_actor() is not None and not csrf_ok(request.headers.get("X-CSRF-Token")):
        raise Forbidden(_("missing or wrong CSRF token: send the token from POST /api/session in X-CSRF-Token"))


def json_error(exc: Exception):
    """The JSON answer to an error on an API path."""
    from web.api.routing import json_response

    response = json_response(error_body(exc), status_for(exc))
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    if isinstance(exc, Throttled) and exc.retry_after:
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


bp.register_error_handler(OneThingError, json_error)
bp.register_error_handler(HTTPException, json_error)
bp.register_error_handler(ValidationError, json_error)
for _code in (400, 401, 403, 404, 405, 409, 413, 415, 422, 429):  # before any app-wide handler of the same code
    bp.register_error_handler(_code, json_error)

_known: Map | None = None


def _unknown(path: str):
    """Any other /api/ URL: 405 when the path exists with other methods, else 404 — as JSON."""
    global _known
    from web.api.routing import ROUTES

    if _known is None:
        _known = Map([Rule(r.rule, methods=[r.method], endpoint=r.endpoint) for r in ROUTES])
    try:
        _known.bind("localhost").match("/" + path, method=request.method)
    except MethodNotAllowed as exc:
        raise MethodNotAllowed(exc.valid_methods, _("%(method)s is not allowed on %(path)s", method=request.method,
                                                     path=f"/api/{path}")) from None
    except HTTPException:
        pass
    raise NotFound(_("no API route %(method)s %(path)s", method=request.method, path=f"/api/{path}"))


bp.add_url_rule("/<path:path>", "unknown", _unknown, methods=ALL_METHODS)

from web.api import (  # noqa: E402,F401
    audit_regions,
    cases,
    drafts,
    matter_editor,
    matters,
    models,
    openapi,
    public,
    reforms,
    regions,
    sessions,
)
