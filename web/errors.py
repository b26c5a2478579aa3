"""The one place that maps errors to HTTP: engine errors, HTTP errors and validation errors.

    ModelError, InputError, marshmallow ValidationError, SandboxError  -> 422
    NotFound (MatterNotFound, CaseNotFound, StepNotFound)             -> 404
    NotAllowed (NotYourDepartment)                                     -> 403
    Conflict (StepNotReady, StaleCase, StepClaimed, CaseClosed)        -> 409
    Throttled                                                          -> 429
    other OneThingError                                                -> 400
    werkzeug HTTPException                                             -> its own code
Bodies are always {"error": {"code", "message", "fields"}} (plus "problems" for a ModelError).
"""
from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext as _
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from engine import (
    Conflict,
    InputError,
    ModelError,
    NotAllowed,
    NotFound,
    OneThingError,
    SandboxError,
    Throttled,
    messages_by_field,
)
from web.messages import field_message
from web.texts import translated

STATUS: tuple[tuple[type[Exception], int], ...] = (
    (ModelError, 422), (InputError, 422), (SandboxError, 422), (NotFound, 404), (NotAllowed, 403),
    (Conflict, 409), (Throttled, 429), (ValidationError, 422), (OneThingError, 400),
)
HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
              409: "conflict", 413: "too_large", 415: "unsupported_media_type", 422: "invalid_input",
              429: "throttled"}


def status_for(exc: BaseException) -> int:
    """The HTTP status of an error (500 only for errors nobody expected)."""
    if isinstance(exc, HTTPException):
        return exc.code or 500
    for kind, status in STATUS:
        if isinstance(exc, kind):
            return status
    return 500


def size_text(size: int) -> str:
    """A byte count for people, rounded down so a limit is never overstated: 10 MiB, 4.5 MiB, 64 KiB, 900 bytes."""
    for unit, scale in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if size >= scale:
            return f"{size * 10 // scale / 10:g} {unit}"
    return f"{size} bytes"


def too_large_message() -> str:
    """What a 413 says: the request limit of this app (ONETHING_MAX_UPLOAD_BYTES, else derived from the file limit)."""
    limit = int(current_app.config["MAX_CONTENT_LENGTH"])
    return _("the request is larger than the limit of %(size)s (%(limit)s bytes)", size=size_text(limit), limit=limit)


def error_body(exc: BaseException) -> dict[str, Any]:
    """{"error": {"code", "message", "fields"}} for any error."""
    if isinstance(exc, HTTPException):
        code = exc.code or 500
        message = too_large_message() if code == 413 else _http_message(exc)
        error: dict[str, Any] = {"code": HTTP_CODES.get(code, "error"), "message": message,
                                 "fields": _translated(getattr(exc, "fields", {}))}
    elif isinstance(exc, ValidationError):
        fields = messages_by_field(exc.messages)
        error = {"code": "invalid_input", "message": _("invalid fields: %(fields)s", fields=", ".join(sorted(fields))),
                 "fields": _translated(fields)}
    elif isinstance(exc, OneThingError):
        error = {"code": exc.code, "message": translated(exc.message), "fields": _translated(exc.fields)}
        if isinstance(exc, ModelError):
            error["problems"] = [problem_body(p) for p in exc.problems]
    else:
        error = {"code": "internal", "message": _("internal error"), "fields": {}}
    return {"error": error}


def _http_message(exc: HTTPException) -> str:
    """An HTTP error's own description (ours are in the user's language already), or for werkzeug's generic one
    a short message in the user's language."""
    if exc.description and exc.description != type(exc).description:
        return str(exc.description)
    generic = {400: _("bad request"), 401: _("sign in first"), 403: _("you may not do this"), 404: _("not found"),
               405: _("method not allowed"), 415: _("unsupported media type"), 429: _("too many requests")}
    return generic.get(exc.code or 500, str(exc.name))


def problem_body(problem: Any) -> dict[str, Any]:
    """A model problem for the API: its message in the user's language, its `text` line as the CLI prints it."""
    return {"file": problem.file, "line": problem.line, "element_id": problem.element_id,
            "message": translated(problem.message), "text": str(problem)}


def _translated(fields: dict[str, list[str]]) -> dict[str, list[str]]:
    """Field messages in the user's language (the language of the pages: session, Accept-Language, zh); the
    error's message and its problems' follow the same rule."""
    return {name: [field_message(m) for m in messages] for name, messages in fields.items()}
