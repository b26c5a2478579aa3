"""marshmallow schemas of the modeler's drafts, their forecast and the design log (issue #12 items 5 and 6)."""
from __future__ import annotations

from flask_babel import lazy_gettext
from marshmallow import Schema, fields, validate

from engine import VARIANTS
from web.messages import RequestSchema, Text, WholeNumber, length, number_range, one_of

_MATTER_ID = validate.Regexp(r"^[a-z][a-z0-9_]{0,63}$",
                             error=lazy_gettext("Lower-case letters, digits and _, starting with a letter."))


class DraftUploadSchema(RequestSchema):
    """A draft's files (multipart/form-data with `bpmn` and optional `matter_yaml`); no other fields."""


class ForecastUploadSchema(RequestSchema):
    """Form fields of a forecast (multipart/form-data with files `bpmn` and optional `matter_yaml`): the drawn
    model simulated as the matter's variant, beside the deployed version it would replace."""

    matter_id = Text(required=True, validate=_MATTER_ID)
    variant = Text(required=True, validate=one_of(VARIANTS))
    cases = WholeNumber(validate=number_range(min=1, max=200))
    seed = WholeNumber(validate=number_range(min=0, max=2**31 - 1))


class DesignLogQuery(RequestSchema):
    matter = Text(validate=length(min=1, max=64))
    limit = WholeNumber(validate=number_range(min=1, max=500))


class DraftSchema(Schema):
    matter_id = fields.Str()
    variant = fields.Str()
    filename = fields.Str()
    author = fields.Str(metadata={"description": "the account that saved it last"})
    saved_at = fields.DateTime()
    revision = fields.Int(metadata={"description": "1 for the first save, one more for every save after it"})
    has_matter_yaml = fields.Bool(metadata={"description": "false: deploying uses the deployed matter.yaml"})
    region = fields.Str(metadata={"description": "the version line it is for"})


class ForecastSchema(Schema):
    label = fields.Str(metadata={"description": "draft | deployed"})
    variant = fields.Str()
    version = fields.Int(allow_none=True, metadata={"description": "the deployed version; null for the draft"})
    cases = fields.Int()
    completed = fields.Int()
    stuck = fields.Int()
    median_workdays = fields.Float(allow_none=True)
    p90_workdays = fields.Float(allow_none=True)
    on_time_share = fields.Float(allow_none=True, metadata={"description": "null: the matter has no time limit"})
    steps_per_case = fields.Float(allow_none=True)


class DraftForecastSchema(Schema):
    matter_id = fields.Str()
    variant = fields.Str()
    cases = fields.Int()
    seed = fields.Int()
    arrivals = fields.Float(metadata={"description": "cases per working day, the same for every run"})
    seconds = fields.Float()
    runs = fields.List(fields.Nested(ForecastSchema), metadata={
        "description": "the deployed version the draft would replace (if any), then the draft"})


class DesignEventSchema(Schema):
    at = fields.DateTime()
    actor = fields.Str(allow_none=True, metadata={"description": "null: `onething deploy` or the demo"})
    action = fields.Str(metadata={"description": "save | discard | deploy"})
    matter_id = fields.Str()
    variant = fields.Str()
    version = fields.Int(allow_none=True)
    status = fields.Str(allow_none=True, metadata={"description": "deploy: new | unchanged | restored"})
    source = fields.Str(allow_none=True, metadata={"description": "deploy: draft | upload | restore | files"})
