"""The marshmallow schema of matter.yaml: which fields, which values, which combinations."""
from __future__ import annotations

import keyword
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from engine.text import Text
from engine.vocabulary import VARIANTS

FIELD_TYPES = ("text", "integer", "number", "date", "boolean", "choice", "resident_id", "phone", "email",
               "bank_account")
STRING_TYPES = ("text", "choice", "resident_id", "phone", "email", "bank_account")
MATERIAL_AFTER = ("applicant", "shared", "e_certificate", "not_needed")
FIGURES = ("steps", "applicant_steps", "trips", "materials", "submissions", "forms", "departments",
           "handoffs", "expected_days", "time_limit_days")
_ID = validate.Regexp(r"^[a-z][a-z0-9_]*$", error="must be lower-case ASCII letters, digits and underscores")
_TEXT = validate.Length(min=1)


class NamesSchema(Schema):
    zh = fields.Str(required=True, validate=_TEXT)
    en = fields.Str(required=True, validate=_TEXT)


class DepartmentSchema(Schema):
    id = fields.Str(required=True, validate=validate.Regexp(r"^[A-Za-z][A-Za-z0-9_]*$"))
    names = fields.Nested(NamesSchema, required=True)


class MaterialSchema(Schema):
    id = fields.Str(required=True, validate=_ID)
    names = fields.Nested(NamesSchema, required=True)
    after = fields.Str(required=True, validate=validate.OneOf(MATERIAL_AFTER))


class ChoiceSchema(Schema):
    value = fields.Str(required=True, validate=_TEXT)
    labels = fields.Nested(NamesSchema, required=True)


def _identifier(value: str) -> None:
    if not value.isidentifier() or keyword.iskeyword(value) or not value.isascii():
        raise ValidationError(Text("must be an ASCII Python identifier (it becomes task data)"))


class FieldSchema(Schema):
    name = fields.Str(required=True, validate=_identifier)
    type = fields.Str(required=True, validate=validate.OneOf(FIELD_TYPES))
    required = fields.Bool(load_default=False)
    labels = fields.Nested(NamesSchema, required=True)
    max_length = fields.Int(strict=True, validate=validate.Range(min=1))
    min = fields.Float()
    max = fields.Float()
    choices = fields.List(fields.Nested(ChoiceSchema), validate=validate.Length(min=1))
    past = fields.Bool()
    example = fields.Raw(allow_none=False)

    @validates_schema
    def _consistent(self, data: dict[str, Any], **kwargs: Any) -> None:
        kind = data.get("type")
        if kind == "choice" and not data.get("choices"):
            raise ValidationError(Text("a choice field needs choices"), "choices")
        if kind != "choice" and "choices" in data:
            raise ValidationError(Text("only a choice field has choices"), "choices")
        if "max_length" in data and kind != "text":
            raise ValidationError(Text("only a text field has max_length"), "max_length")
        for bound in ("min", "max"):
            if bound in data and kind not in ("integer", "number"):
                raise ValidationError(Text("only integer and number fields have %(bound)s", bound=bound), bound)
        if "past" in data and kind != "date":
            raise ValidationError(Text("only a date field has past"), "past")
        if data.get("min") is not None and data.get("max") is not None and data["min"] > data["max"]:
            raise ValidationError(Text("min is greater than max"), "min")
        if data.get("required") and "example" not in data:
            raise ValidationError(Text("a required field needs an example"), "example")


class FormSchema(Schema):
    names = fields.Nested(NamesSchema, required=True)
    filled_by = fields.Str(required=True, validate=validate.OneOf(("applicant", "clerk")))
    # not named `fields`, which is Schema's own attribute (its bound fields); the YAML and loaded key stay "fields"
    form_fields = fields.List(fields.Nested(FieldSchema), required=True, validate=validate.Length(min=1),
                              data_key="fields", attribute="fields")


class TimeLimitsSchema(Schema):
    before = fields.Float(validate=validate.Range(min=0, min_inclusive=False))
    after = fields.Float(validate=validate.Range(min=0, min_inclusive=False))


class SourceSchema(Schema):
    figure = fields.Str(required=True, validate=validate.OneOf(FIGURES))
    variant = fields.Str(required=True, validate=validate.OneOf(VARIANTS))
    value = fields.Float(required=True)
    scope = fields.Str(required=True, validate=validate.OneOf(("national", "province", "city")))
    place = fields.Str(required=True, validate=_TEXT)
    source = fields.Str(required=True, validate=_TEXT)
    unit = fields.Str()
    place_zh = fields.Str(validate=_TEXT)     # the place, citation and unit as the Chinese pages show them
    source_zh = fields.Str(validate=_TEXT)
    unit_zh = fields.Str(validate=_TEXT)
    url = fields.Str(validate=validate.URL(schemes={"http", "https"}, require_tld=True))  # the cited page itself


class ScenarioSchema(Schema):
    name = fields.Str(required=True, validate=_TEXT)
    variant = fields.Str(required=True, validate=validate.OneOf(VARIANTS))
    data = fields.Dict(keys=fields.Str(), load_default=dict)


class MatterSchema(Schema):
    id = fields.Str(required=True, validate=_ID)
    names = fields.Nested(NamesSchema, required=True)
    category = fields.Str(required=True, validate=_TEXT)
    departments = fields.List(fields.Nested(DepartmentSchema), required=True, validate=validate.Length(min=1))
    materials = fields.List(fields.Nested(MaterialSchema), load_default=list)
    time_limits = fields.Nested(TimeLimitsSchema, load_default=dict)
    forms = fields.Dict(keys=fields.Str(validate=_identifier), values=fields.Nested(FormSchema), load_default=dict)
    sources = fields.List(fields.Nested(SourceSchema), load_default=list)
    basis = fields.Str()
    scenarios = fields.List(fields.Nested(ScenarioSchema), load_default=list)
