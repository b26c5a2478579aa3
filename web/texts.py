"""Engine messages (engine.Text) in the user's language, for pages and API alike.

A Text carries its gettext template and its values: the template is looked up in the catalog, and each value
is shown as the page shows such a thing — a department by its name, a step by its name, a status as a word
(see engine/text.py for the placeholder names). Any other message is shown as it is.
"""
from __future__ import annotations

from typing import Any

from flask import has_app_context
from flask_babel import get_locale, gettext, gettext as _

from engine import FieldMessage, Listed, Named, Text
from engine.text import When


def translated(message: Any) -> str:
    """A message in the user's language: a Text translated with its values shown, a FieldMessage by its id,
    anything else as it is."""
    if isinstance(message, Text):
        return gettext(message.template, **{name: _shown(name, value) for name, value in message.values.items()})
    if isinstance(message, FieldMessage):
        from web.messages import field_message

        return field_message(message)
    return str(message)


def _shown(name: str, value: Any) -> Any:
    if isinstance(value, Listed):
        if not value.items:
            return translated(value.empty)
        shown = [_shown(name, item) for item in value.items]
        if _lang() == "zh":
            return ("或" if value.either else "、").join(str(s) for s in shown)
        return (" or " if value.either else ", ").join(str(s) for s in shown)
    if isinstance(value, Text | FieldMessage):
        return translated(value)
    if isinstance(value, Named):
        return _label(value.names) or str(value)
    if isinstance(value, When):
        from web.pages import local_time

        return gettext("%(time)s (Beijing time)", time=local_time(value.at))
    if name.startswith("department") and isinstance(value, str):
        return _department(value)
    if name.startswith("status") and isinstance(value, str):
        from web.pages.words import status_label

        return status_label(value)
    if name in ("field", "choices", "value") and isinstance(value, str):  # a query filter and its choices
        from web.pages.words import query_word

        return query_word(name, value)
    if name == "role" and isinstance(value, str):
        return {"designer": _("designer"), "clerk": _("clerk"), "auditor": _("auditor"), "admin": _("admin"),
                "applicant": _("applicant"), "system": _("system")}.get(value, value)
    if name == "state" and isinstance(value, str):  # a SpiffWorkflow task state
        return {"COMPLETED": _("completed"), "CANCELLED": _("cancelled"), "ERROR": _("error"), "READY": _("ready"),
                "STARTED": _("in progress"), "WAITING": _("waiting")}.get(value, _("not reached yet"))
    return value


def _lang() -> str:
    return str(get_locale() or "zh")


def _label(names: Any) -> str:
    from web.pages import label

    return label(names) if names is not None else ""


def _department(department: str) -> str:
    """A department's name in the page's language; its id when no deployed matter names it."""
    if not has_app_context():
        return department
    import engine
    from web.app import ctx

    try:
        return _label(engine.department_label(ctx(), department)) or department
    except Exception:  # noqa: BLE001 - a message must still be shown when the names cannot be read
        return department
