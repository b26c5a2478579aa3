"""JSON logs with a request id: one line per request and for every message logged while it is handled.

Every request gets an id: the caller's `X-Request-ID` when it is short and plain (a proxy's or load
balancer's), else a new random one; it comes back in the response's `X-Request-ID` header and is in every
log line written while the request is handled, so one request's lines can be found together. The request
line holds the method, the path without its query string (queries can carry what people typed), the
status and the milliseconds, never bodies or form data.

The lines go to stderr (gunicorn and systemd's journal keep them), one JSON object each:
{"time": ..., "level": "INFO", "logger": "web.app", "message": "request", "request_id": ..., "method": ...}.
"""
from __future__ import annotations

import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request
from flask.logging import default_handler

_PLAIN_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
FIELDS = ("method", "path", "status", "ms")  # the request line's own fields


class JsonFormatter(logging.Formatter):
    """A record as one JSON object (with the traceback, if any, as `exception`)."""

    def format(self, record: logging.LogRecord) -> str:
        line = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
                "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        request_id = getattr(record, "request_id", None)
        if request_id:
            line["request_id"] = request_id
        line.update({name: getattr(record, name) for name in FIELDS if hasattr(record, name)})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class RequestIdFilter(logging.Filter):
    """Adds the current request's id to every record logged while a request is handled."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = g.get("request_id") if has_request_context() else None
        return True


def request_id() -> str:
    """The current request's id (see the module's doc)."""
    return g.get("request_id") or ""


def setup_logging(app: Flask) -> None:
    """JSON lines with the request id on Flask's handler; a request line after every request."""
    default_handler.setFormatter(JsonFormatter())  # Flask's handler (stderr), when logging is not set up otherwise
    if not any(isinstance(item, RequestIdFilter) for item in app.logger.filters):
        app.logger.addFilter(RequestIdFilter())  # on the logger: whatever handler writes the line sees the id
    if app.logger.level == logging.NOTSET:
        app.logger.setLevel(logging.INFO)
    app.before_request(_start)
    app.after_request(_finish)


def _start() -> None:
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if _PLAIN_ID.match(given) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish(response):
    from flask import current_app

    ident = g.get("request_id") or uuid.uuid4().hex
    response.headers["X-Request-ID"] = ident
    started = g.get("request_started")
    elapsed = round((time.perf_counter() - started) * 1000, 1) if started is not None else None
    current_app.logger.info("request", extra={"request_id": ident, "method": request.method, "path": request.path,
                                              "status": response.status_code, "ms": elapsed})
    return response
