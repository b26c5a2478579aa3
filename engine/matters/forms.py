"""Form data validation: one marshmallow schema per matter.yaml form, shared by the engine and web/.

Every message is a FieldMessage with a stable id (engine.matters.messages), so web/ can show it in the
user's language without reading the English text.
"""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from marshmallow import Schema, ValidationError, fields, post_load, pre_load, validate

from engine.errors import InputError
from engine.matters.messages import message, messages_by_field
from engine.text import Listed, Text

if TYPE_CHECKING:  # pragma: no cover - type hints only
    from engine.matters.files import Form, FormField

PHONE = re.compile(r"^1[3-9][0-9]{9}$")  # ASCII digits: \d would take other scripts' digits too
BANK_ACCOUNT = re.compile(r"^[0-9]{12,19}$")  # ASCII digits only: \d also takes other scripts' digits
_RESIDENT_ID = re.compile(r"^\d{17}[\dX]$")
_WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]
_TEXT_ERRORS = {"invalid": "not_text", "invalid_utf8": "not_text"}
_ERRORS: dict[str, dict[str, str]] = {  # marshmallow's error keys of each field type -> message ids
    "integer": {"invalid": "not_whole_number", "too_large": "number_too_large"},
    "number": {"invalid": "not_number", "too_large": "number_too_large", "special": "not_finite"},
    "date": {"invalid": "not_date"},
    "boolean": {"invalid": "not_boolean"},
    "email": {**_TEXT_ERRORS, "invalid": "not_email"},
}


def resident_id_check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for the first 17 digits of a resident ID."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def check_resident_id(value: str) -> str:
    """Return the ID with an upper-case X, or raise ValidationError saying what is wrong."""
    value = value.strip().upper()
    if not _RESIDENT_ID.match(value):
        raise ValidationError(message("resident_id_shape"))
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(message("resident_id_birth_date")) from None
    if born.year < 1900 or born > dt.date.today():
        raise ValidationError(message("resident_id_birth_range"))
    if resident_id_check_character(value[:17]) != value[17]:
        raise ValidationError(message("resident_id_check"))
    return value


class ResidentId(fields.Str):
    """An 18-character PRC resident ID, cleaned to upper-case X."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return check_resident_id(super()._deserialize(value, attr, data, **kwargs))


def today() -> dt.date:
    """Today in China by the engine's clock (the one a use case set with `using_clock`), not the machine's."""
    from engine.runtime.clock import current_clock
    from engine.runtime.workdays import china_date

    return china_date(current_clock().now())


def not_in_future(value: dt.date) -> dt.date:
    """A date that cannot be later than today (a birth, a death), or ValidationError."""
    now = today()
    if value > now:
        raise ValidationError(message("in_future", today=now.isoformat()))
    return value


class BankAccount(fields.Str):
    """A bank card or account number: 12 to 19 digits; spaces between them are allowed and removed."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = re.sub(r"\s", "", super()._deserialize(value, attr, data, **kwargs))
        if not BANK_ACCOUNT.match(text):
            raise ValidationError(message("not_bank_account"))
        return text


class WholeNumber(fields.Int):
    """An integer; numeric strings and integral floats are accepted, 1.5 is not truncated."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        whole_text = isinstance(value, str) and re.fullmatch(r"\s*[-+]?\d+\s*", value)
        if whole_text or (isinstance(value, float) and value.is_integer()):
            try:
                value = int(value)
            except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
                raise self.make_error("too_large") from None
        return super()._deserialize(value, attr, data, **kwargs)


class _FormSchemaBase(Schema):
    """Base of generated form schemas: blanks count as missing; output is JSON-ready."""

    error_messages = {"unknown": message("unknown_field")}

    @pre_load
    def _drop_blanks(self, data: Any, **kwargs: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v is not None and not (isinstance(v, str) and not v.strip())}
        return data

    @post_load
    def _json_ready(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in data.items()}


def _text_validators(field: FormField) -> list[Any]:
    return [validate.Length(max=field.max_length, error=message("too_long"))] if field.max_length else []


def _range_validators(field: FormField) -> list[Any]:
    if field.min is None and field.max is None:
        return []
    which = "between" if field.min is not None and field.max is not None else "at_least" if field.max is None \
        else "at_most"
    return [validate.Range(min=field.min, max=field.max, error=message(which))]


def _error_messages(kind: str) -> dict[str, Any]:
    ids = {"required": "required", "null": "required", **_ERRORS.get(kind, _TEXT_ERRORS)}
    return {key: message(message_id) for key, message_id in ids.items()}


def _marshmallow_field(field: FormField) -> fields.Field:
    kind = field.type
    kwargs: dict[str, Any] = {"required": field.required, "error_messages": _error_messages(kind)}
    if kind == "text":
        return fields.Str(validate=_text_validators(field), **kwargs)
    if kind == "integer":
        return WholeNumber(validate=_range_validators(field), **kwargs)
    if kind == "number":
        return fields.Float(validate=_range_validators(field), **kwargs)
    if kind == "date":
        return fields.Date(format="iso", validate=[not_in_future] if field.past else [], **kwargs)
    if kind == "boolean":
        return fields.Bool(**kwargs)
    if kind == "choice":
        return fields.Str(validate=validate.OneOf([c.value for c in field.choices], error=message("not_a_choice")),
                          **kwargs)
    if kind == "resident_id":
        return ResidentId(**kwargs)
    if kind == "phone":
        return fields.Str(validate=validate.Regexp(PHONE, error=message("not_phone")), **kwargs)
    if kind == "email":
        return fields.Email(**kwargs)
    if kind == "bank_account":
        return BankAccount(**kwargs)
    raise ValueError(f"unknown field type '{kind}'")


@lru_cache(maxsize=512)
def form_schema(form: Form) -> type[Schema]:
    """The marshmallow Schema class for a form (built once per form)."""
    attrs = {f.name: _marshmallow_field(f) for f in form.fields}
    return type(f"{form.id.title().replace('_', '')}FormSchema", (_FormSchemaBase,), attrs)


def validate_form(form: Form, data: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Clean form data to JSON-ready values, or raise InputError with messages per field."""
    if not isinstance(data, dict):
        raise InputError(Text("form '%(form)s' data must be an object", form=form.id),
                         fields={"_schema": [message("not_an_object")]})
    try:
        return form_schema(form)().load(data, partial=partial)
    except ValidationError as exc:
        flat = messages_by_field(exc.messages)
        raise InputError(Text("form '%(form)s' has invalid fields: %(fields)s", form=form.id,
                              fields=Listed(sorted(flat))), fields=flat) from None


def contact_field(form: Form | None) -> FormField | None:
    """The applicant's contact phone on an intake form: its first required phone field (None: asked apart)."""
    return next((f for f in form.fields if f.type == "phone" and f.required), None) if form else None


def example_data(form: Form) -> dict[str, Any]:
    """The fields' example values (JSON-ready), skipping fields without one."""
    return {f.name: f.example for f in form.fields if f.example is not None}
