"""JSON logs with a request id: every request gets one, returns it, and its log lines carry it."""
from __future__ import annotations

import json
import logging

from web.logs import JsonFormatter


def _request_lines(caplog) -> list[dict]:
    formatter = JsonFormatter()
    return [json.loads(formatter.format(record)) for record in caplog.records if record.getMessage() == "request"]


def test_each_request_logs_one_json_line_with_its_id(client, caplog):
    caplog.set_level(logging.INFO)
    response = client.get("/healthz?phone=13912345678", headers={"X-Request-ID": "lb-42.a_b"})
    assert response.headers["X-Request-ID"] == "lb-42.a_b"
    line, = _request_lines(caplog)
    assert {key: line[key] for key in ("level", "message", "request_id", "method", "path", "status")} == {
        "level": "INFO", "message": "request", "request_id": "lb-42.a_b", "method": "GET", "path": "/healthz",
        "status": 200}
    assert line["ms"] >= 0 and line["time"].endswith("+00:00")
    assert "13912345678" not in json.dumps(line)  # the query string is never logged


def test_an_unsafe_or_missing_id_is_replaced_by_a_new_one(client, caplog):
    caplog.set_level(logging.INFO)
    first = client.get("/login", headers={"X-Request-ID": "evil\u2028id" + "x" * 80})
    second = client.get("/login")
    ids = [first.headers["X-Request-ID"], second.headers["X-Request-ID"]]
    assert all(len(ident) == 32 and int(ident, 16) >= 0 for ident in ids) and ids[0] != ids[1]
    assert [line["request_id"] for line in _request_lines(caplog)] == ids


def test_refused_requests_are_logged_with_their_status(client, caplog):
    caplog.set_level(logging.INFO)
    assert client.get("/apply?x=%00").status_code == 400
    line, = _request_lines(caplog)
    assert line["status"] == 400 and line["request_id"]


def test_messages_logged_during_a_request_carry_its_id(app, caplog):
    caplog.set_level(logging.INFO)

    @app.get("/test-log")
    def log_something():
        app.logger.warning("something to see")
        return "ok"

    response = app.test_client().get("/test-log", headers={"X-Request-ID": "r1"})
    warning = next(record for record in caplog.records if record.getMessage() == "something to see")
    assert response.headers["X-Request-ID"] == "r1"
    assert json.loads(JsonFormatter().format(warning))["request_id"] == "r1"
