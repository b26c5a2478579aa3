"""Validation messages in the user's language, for pages and API alike.

Messages made in web/ (the API's marshmallow schemas) are lazy gettext strings, set through marshmallow's
`error_messages` and validator `error`s. Messages made by the engine are FieldMessages; they are shown
through a table keyed by their stable id (engine.matters.messages.TEXTS), never by their English text.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from flask_babel import gettext as _, lazy_gettext
from marshmallow import Schema, fields, validate

from engine import Text as Text_


def _num(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


BY_ID: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "required": lambda v: _("Required."),
    "unknown_field": lambda v: _("Unknown field."),
    "not_an_object": lambda v: _("Enter an object of fields."),
    "not_text": lambda v: _("Enter text."),
    "not_whole_number": lambda v: _("Enter a whole number."),
    "not_number": lambda v: _("Enter a number."),
    "number_too_large": lambda v: _("The number is too large."),
    "not_finite": lambda v: _("Enter a number."),
    "not_date": lambda v: _("Enter a date (YYYY-MM-DD)."),
    "not_boolean": lambda v: _("Choose yes or no."),
    "not_email": lambda v: _("Enter a valid e-mail address."),
    "not_phone": lambda v: _("Enter an 11-digit mainland mobile number."),
    "not_a_choice": lambda v: _("Choose one of the options."),
    "too_long": lambda v: _("At most %(n)s characters.", n=v["max"]),
    "at_least": lambda v: _("Must be at least %(a)s.", a=_num(v["min"])),
    "at_most": lambda v: _("Must be at most %(a)s.", a=_num(v["max"])),
    "between": lambda v: _("Must be between %(a)s and %(b)s.", a=_num(v["min"]), b=_num(v["max"])),
    "in_future": lambda v: _("The date cannot be later than today (%(d)s).", d=v.get("today", "")),
    "not_bank_account": lambda v: _("Enter a bank account number of 12 to 19 digits."),
    "resident_id_shape": lambda v: _("A resident ID has 17 digits and a check digit or X."),
    "resident_id_birth_date": lambda v: _("The birth date in the resident ID is not a date."),
    "resident_id_birth_range": lambda v: _("The birth date in the resident ID is out of range."),
    "resident_id_check": lambda v: _("The resident ID's check character is wrong."),
}


def field_message(message: str) -> str:
    """A validation message in the user's language: FieldMessages by id, Texts by their template, other text as
    it is."""
    translate = BY_ID.get(getattr(message, "id", ""))
    if translate is not None:
        return translate(message.values)  # type: ignore[attr-defined]
    from web.texts import translated

    return translated(message) if isinstance(message, Text_) else str(message)


# -- the API schemas' fields and validators, with lazy messages --------------------------------------

_FIELD = {"required": lazy_gettext("Required."), "null": lazy_gettext("Required.")}


class Text(fields.Str):
    """A string field whose messages follow the user's language."""

    default_error_messages = {**_FIELD, "invalid": lazy_gettext("Enter text."),
                              "invalid_utf8": lazy_gettext("Enter text.")}


class WholeNumber(fields.Int):
    """An integer field whose messages follow the user's language."""

    default_error_messages = {**_FIELD, "invalid": lazy_gettext("Enter a whole number."),
                              "too_large": lazy_gettext("The number is too large.")}

    def _validated(self, value: Any) -> int:
        """As JSON Schema's "integer" has it: 2.0 is the whole number 2; true and false are not numbers."""
        if isinstance(value, bool):
            raise self.make_error("invalid")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return super()._validated(value)


class Object(fields.Dict):
    """An object field whose messages follow the user's language."""

    default_error_messages = {**_FIELD, "invalid": lazy_gettext("Enter an object of fields.")}


class RequestSchema(Schema):
    """Base of the API's request schemas: unknown fields are refused in the user's language."""

    error_messages = {"unknown": lazy_gettext("Unknown field.")}


def length(min: int | None = None, max: int | None = None) -> validate.Length:
    """validate.Length with one message in the user's language for the bounds it has."""
    if min and max:
        error = lazy_gettext("Enter %(a)s to %(b)s characters.", a=min, b=max)
    elif max:
        error = lazy_gettext("At most %(n)s characters.", n=max)
    else:
        error = lazy_gettext("At least %(n)s characters.", n=min)
    return validate.Length(min=min, max=max, error=error)


def number_range(min: int | None = None, max: int | None = None) -> validate.Range:
    """validate.Range with one message in the user's language for the bounds it has."""
    if min is not None and max is not None:
        error = lazy_gettext("Must be between %(a)s and %(b)s.", a=min, b=max)
    elif max is not None:
        error = lazy_gettext("Must be at most %(a)s.", a=max)
    else:
        error = lazy_gettext("Must be at least %(a)s.", a=min)
    return validate.Range(min=min, max=max, error=error)


def one_of(choices: Sequence[str]) -> validate.OneOf:
    """validate.OneOf naming the choices, in the user's language."""
    return validate.OneOf(choices, error=lazy_gettext("Choose one of: %(choices)s.", choices=", ".join(choices)))
