"""Validation messages: stable ids with English text, and marshmallow's nested messages flattened.

A FieldMessage is a str (its English text, as the API and the CLI show it) that also carries an id and
the values in it; web/ shows it in the user's language through a table keyed by id, never by its text.
"""
from __future__ import annotations

from string import Formatter
from typing import Any

TEXTS: dict[str, str] = {
    "required": "Missing data for required field.",
    "unknown_field": "Unknown field.",
    "not_an_object": "must be an object",
    "not_text": "Not a valid string.",
    "not_whole_number": "Not a valid integer.",
    "not_number": "Not a valid number.",
    "number_too_large": "Number too large.",
    "not_finite": "Special numeric values (nan or infinity) are not permitted.",
    "not_date": "Not a valid date.",
    "not_boolean": "Not a valid boolean.",
    "not_email": "Not a valid email address.",
    "not_phone": "not a mainland mobile number",
    "not_a_choice": "Must be one of: {choices}.",
    "too_long": "Longer than maximum length {max}.",
    "at_least": "Must be greater than or equal to {min}.",
    "at_most": "Must be less than or equal to {max}.",
    "between": "Must be greater than or equal to {min} and less than or equal to {max}.",
    "in_future": "The date is later than today ({today}).",
    "not_bank_account": "A bank account number has 12 to 19 digits.",
    "resident_id_shape": "a resident ID has 17 digits and a check digit or X",
    "resident_id_birth_date": "the birth date in the resident ID is not a date",
    "resident_id_birth_range": "the birth date in the resident ID is out of range",
    "resident_id_check": "the resident ID's check character is wrong",
}

Path_ = tuple[Any, ...]


class FieldMessage(str):
    """A validation message: English text that carries its stable `id` and the `values` shown in it."""

    id: str
    values: dict[str, Any]
    template: str

    def __new__(cls, message_id: str, template: str, **values: Any) -> FieldMessage:
        names = {name for _, name, _, _ in Formatter().parse(template) if name}
        kept = {name: values[name] for name in names if name in values}  # never the input itself: it may be personal
        text = super().__new__(cls, template.format(**kept) if names <= set(kept) else template)
        text.id, text.values, text.template = message_id, kept, template
        return text

    def __getnewargs_ex__(self) -> tuple[tuple[str, str], dict[str, Any]]:
        return (self.id, self.template), self.values  # copy and pickle rebuild it from its parts

    def format(self, *args: Any, **values: Any) -> FieldMessage:
        """Fill in the values marshmallow gives when it raises (min, max, choices...), keeping the id."""
        return FieldMessage(self.id, self.template, **{**self.values, **values})


def message(message_id: str, **values: Any) -> FieldMessage:
    """The message with this id (KeyError for an id not in TEXTS)."""
    return FieldMessage(message_id, TEXTS[message_id], **values)


def flatten_messages(messages: Any, path: Path_ = ()) -> list[tuple[Path_, str]]:
    """Turn marshmallow's nested error dict into (field path, message) pairs; lazy texts become str."""
    if isinstance(messages, dict):
        return [pair for key, value in messages.items() for pair in flatten_messages(value, path + (key,))]
    if isinstance(messages, list):
        return [pair for m in messages for pair in flatten_messages(m, path)]
    return [(path, messages if isinstance(messages, str) else str(messages))]


def messages_by_field(messages: Any) -> dict[str, list[str]]:
    """marshmallow's nested messages as {"a.b": [message, ...]} ("_schema" for the whole object)."""
    flat: dict[str, list[str]] = {}
    for path, text in flatten_messages(messages):
        flat.setdefault(".".join(str(part) for part in path) or "_schema", []).append(text)
    return flat
