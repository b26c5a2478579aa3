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

from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from engine import (Conflict, InputError, ModelError, NotAllowed, NotFound, OneThingError, SandboxError,
                           Throttled)

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


def flatten_fields(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested messages as {"a.b": [message, ...]}."""
    if isinstance(messages, dict):
        flat: dict[str, list[str]] = {}
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            for k, v in flatten_fields(value, name).items():
                flat.setdefault(k, []).extend(v)
        return flat
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return {prefix or "_schema": list(messages)}
    if isinstance(messages, list):
        flat = {}
        for item in messages:
            for k, v in flatten_fields(item, prefix).items():
                flat.setdefault(k, []).extend(v)
        return flat
    return {prefix or "_schema": [str(messages)]}


def error_body(exc: BaseException) -> dict[str, Any]:
    """{"error": {"code", "message", "fields"}} for any error."""
    if isinstance(exc, HTTPException):
        code = exc.code or 500
        error: dict[str, Any] = {"code": HTTP_CODES.get(code, "error"), "message": exc.description or exc.name,
                                 "fields": {}}
    elif isinstance(exc, ValidationError):
        fields = flatten_fields(exc.messages)
        error = {"code": "invalid_input", "message": "invalid fields: " + ", ".join(sorted(fields)), "fields": fields}
    elif isinstance(exc, OneThingError):
        error = {"code": exc.code, "message": exc.message, "fields": dict(exc.fields)}
        if isinstance(exc, ModelError):
            error["problems"] = [{"file": p.file, "line": p.line, "element_id": p.element_id, "message": p.message,
                                  "text": str(p)} for p in exc.problems]
    else:
        error = {"code": "internal", "message": "internal error", "fields": {}}
    return {"error": error}
