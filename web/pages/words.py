"""Words the engine gives in English that pages show in the user's language: metric names and statuses.

Field errors are translated by message id in web.messages.
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _


def metric_label(key: str) -> str:
    return {
        "steps": _("Steps"), "applicant_steps": _("Applicant steps"), "trips": _("Trips"),
        "materials": _("Materials"), "submissions": _("Submissions"), "forms": _("Forms"),
        "departments": _("Departments"), "handoffs": _("Handoffs"), "expected_days": _("Expected days"),
        "time_limit_days": _("Time limit (working days)"),
    }.get(key, key)


def status_label(status: str) -> str:
    return {"running": _("in progress"), "completed": _("completed"), "cancelled": _("cancelled"),
            "error": _("error"), "suspended": _("suspended")}.get(status, status)


def case_event_label(event: str) -> str:
    """A step-log event of a whole case (engine.CASE_EVENTS) as the case page names it."""
    return {"case_suspended": _("suspended"), "case_resumed": _("resumed"), "case_retried": _("failed step retried"),
            "case_cancelled": _("cancelled")}.get(event, event)


def admin_action_label(action: str) -> str:
    return {"cancel": _("Cancel the case"), "suspend": _("Suspend"), "resume": _("Resume"),
            "retry": _("Retry the failed step")}.get(action, action)


def source_label(source: str) -> str:
    return {"real": _("real cases"), "imported": _("imported records"), "simulated": _("simulated (forecast)")}.get(
        source, source)


def query_word(name: str, value: str) -> str:
    """A query field (`name` "field") or one of its choices as the filter forms word it, else as it is."""
    if name == "field":
        return {"source": _("Source"), "variant": _("Variant"), "status": _("Status"), "sort": _("Sort by"),
                "started_from": _("Started from"), "started_to": _("to"), "since": _("Finished from"),
                "until": _("to")}.get(value, value)
    if value in ("before", "after"):
        return _("before") if value == "before" else _("after")
    if value in ("real", "imported", "simulated"):
        return source_label(value)
    return status_label(value)


def num(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def signed(value: Any) -> str:
    if value is None:
        return "—"
    text = num(value)
    return text if text.startswith("-") or text == "0" else "+" + text
