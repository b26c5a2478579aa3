"""marshmallow schemas of the designers' API: model uploads and checks, deployed versions, their diffs."""
from __future__ import annotations

from flask_babel import lazy_gettext
from marshmallow import Schema, fields, validate

from engine import VARIANTS
from web.messages import RequestSchema, Text, WholeNumber, length, number_range, one_of
from web.schemas import ProblemSchema

_MATTER_ID = validate.Regexp(r"^[a-z][a-z0-9_]{0,63}$",
                             error=lazy_gettext("Lower-case letters, digits and _, starting with a letter."))


# -- requests -------------------------------------------------------------------------------------------

class UploadSchema(RequestSchema):
    """Form fields of a model upload (multipart/form-data with files `bpmn` and optional `matter_yaml`)."""

    matter_id = Text(required=True, validate=_MATTER_ID)
    variant = Text(required=True, validate=one_of(VARIANTS))
    region = Text(validate=length(min=1, max=64), metadata={
        "description": "whose version line: a designer's own region (the default); an admin any (default: root)"})


class CheckUploadSchema(RequestSchema):
    """Form fields of a model check (multipart/form-data with files `bpmn` and optional `matter_yaml`).

    With `matter_id` the check runs what deploying would (the deployed matter.yaml when none is uploaded,
    who may deploy which lanes; `variant` defaults to after) and reports each refusal as a problem."""

    matter_id = Text(validate=_MATTER_ID)
    variant = Text(validate=one_of(VARIANTS))


class VersionsQuery(RequestSchema):
    matter = Text(validate=length(min=1, max=64))
    region = Text(validate=length(min=1, max=64), metadata={
        "description": "the lines this region reads: its own, else its nearest ancestor's"})


# -- responses ------------------------------------------------------------------------------------------

class SavingsSchema(Schema):
    before = fields.Dict(metadata={"description": "static metrics of the before side (docs/metrics.md)"})
    after = fields.Dict(metadata={"description": "static metrics of the after side"})
    comparison = fields.Dict(metadata={"description": "per metric: before, after, change, change_pct"})


class CheckResultSchema(Schema):
    valid = fields.Bool()
    problems = fields.List(fields.Nested(ProblemSchema))
    savings = fields.Nested(SavingsSchema, metadata={
        "description": "a valid model checked with a matter id: its static metrics (read with the uploaded "
                       "matter_yaml, else the deployed one) beside the deployed other variant's"})
    warnings = fields.List(fields.Nested(ProblemSchema), metadata={
        "description": "a valid model's warnings: vendor extensions (Camunda, Flowable, Zeebe) OneThing ignores..."})


class DeployedSchema(Schema):
    matter_id = fields.Str()
    variant = fields.Str()
    version = fields.Int()
    status = fields.Str(metadata={"description": "new | unchanged | restored (an older version's content, "
                                                 "made current again as this version)"})
    filename = fields.Str()
    restored = fields.Int(allow_none=True, metadata={"description": "for restored: the older version"})


class VersionSchema(Schema):
    id = fields.Int()
    matter_id = fields.Str()
    variant = fields.Str()
    version = fields.Int()
    content_hash = fields.Str()
    filename = fields.Str()
    process_id = fields.Str()
    deployed_at = fields.DateTime()
    deployed_by = fields.Str(allow_none=True, metadata={"description": "the account; null: `onething deploy`"})
    restored_from = fields.Int(allow_none=True, metadata={"description": "a rollback: the version it brings back"})
    current = fields.Bool()
    region = fields.Str(metadata={"description": "whose version line"})


class ChangeSchema(Schema):
    kind = fields.Str(metadata={"description": "added | removed | changed"})
    what = fields.Str(metadata={"description": "step | lane | flow | annotation | form | field"})
    key = fields.Str()
    before = fields.Str(allow_none=True)
    after = fields.Str(allow_none=True)


class VersionDiffSchema(Schema):
    old = fields.Nested(VersionSchema)
    new = fields.Nested(VersionSchema)
    changes = fields.List(fields.Nested(ChangeSchema))


class DiffQuery(RequestSchema):
    """The other version: the changes go from it to this one."""

    with_ = WholeNumber(required=True, data_key="with", validate=number_range(min=1))
