"""Words the engine gives in English that pages show in the user's language: metric names, statuses, field errors."""
from __future__ import annotations

import re
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
            "error": _("error")}.get(status, status)


_FIXED = {
    "Missing data for required field.": lambda: _("Required."),
    "Field may not be null.": lambda: _("Required."),
    "Not a valid integer.": lambda: _("Enter a whole number."),
    "Not a valid number.": lambda: _("Enter a number."),
    "Not a valid date.": lambda: _("Enter a date (YYYY-MM-DD)."),
    "Not a valid boolean.": lambda: _("Choose yes or no."),
    "Not a valid email address.": lambda: _("Enter a valid e-mail address."),
    "Not a valid string.": lambda: _("Enter text."),
    "Unknown field.": lambda: _("Unknown field."),
    "not a mainland mobile number": lambda: _("Enter an 11-digit mainland mobile number."),
    "a resident ID has 17 digits and a check digit or X": lambda: _("A resident ID has 17 digits and a check digit or X."),
    "the birth date in the resident ID is not a date": lambda: _("The birth date in the resident ID is not a date."),
    "the birth date in the resident ID is out of range": lambda: _("The birth date in the resident ID is out of range."),
    "the resident ID's check character is wrong": lambda: _("The resident ID's check character is wrong."),
    "must be 1 to 5": lambda: _("Choose a score from 1 to 5."),
    "at most 500 characters": lambda: _("At most 500 characters."),
}


def field_message(message: str) -> str:
    """An engine/marshmallow validation message in the user's language (unknown ones as they are)."""
    fixed = _FIXED.get(message)
    if fixed is not None:
        return fixed()
    if message.startswith("Must be one of"):
        return _("Choose one of the options.")
    match = re.match(r"Longer than maximum length (\d+)\.", message)
    if match:
        return _("At most %(n)s characters.", n=match.group(1))
    match = re.match(r"Must be (greater than or equal to|less than or equal to) ([-\d.]+)(?: and (less than or equal to) ([-\d.]+))?\.", message)
    if match:
        if match.group(3):
            return _("Must be between %(a)s and %(b)s.", a=match.group(2), b=match.group(4))
        if match.group(1).startswith("greater"):
            return _("Must be at least %(a)s.", a=match.group(2))
        return _("Must be at most %(a)s.", a=match.group(2))
    return message


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
