"""marshmallow schemas of the staff's case list and an admin's actions on a case (issue #11 item 17)."""
from __future__ import annotations

from flask_babel import lazy_gettext
from marshmallow import Schema, fields, validate

from engine import SOURCES, STATUSES, VARIANTS
from web.messages import Object, RequestSchema, Text, WholeNumber, length, number_range, one_of
from web.schemas import NamesSchema


class AdminActionSchema(RequestSchema):
    reason = Text(required=True, validate=length(min=1, max=500))


class RetrySchema(AdminActionSchema):
    data = Object(keys=fields.Str(), load_default=dict)  # corrections merged into the failed step's data


_DATE = validate.Regexp(r"^\d{4}-\d{2}-\d{2}$", error=lazy_gettext("Not a date (YYYY-MM-DD)."))


class CaseListQuery(RequestSchema):
    matter = Text(validate=length(min=1, max=64))
    variant = Text(validate=one_of(VARIANTS))
    status = Text(validate=one_of(STATUSES))
    started_from = Text(validate=_DATE)  # a China date, included
    started_to = Text(validate=_DATE)  # a China date, included
    overdue = Text(load_default="false", validate=one_of(("true", "false")))
    source = Text(load_default="real", validate=one_of(SOURCES))
    sort = Text(load_default="started", validate=one_of(("started", "number", "status")))
    order = Text(load_default="desc", validate=one_of(("asc", "desc")))
    page = WholeNumber(load_default=1, validate=number_range(min=1, max=100_000))
    page_size = WholeNumber(load_default=50, validate=number_range(min=1, max=200))
    region = Text(validate=length(min=1, max=64))  # that region and the ones below it (within your own reach)


class CaseListRowSchema(Schema):
    number = fields.Str()
    matter_id = fields.Str()
    matter = fields.Nested(NamesSchema)
    variant = fields.Str()
    source = fields.Str()
    status = fields.Str()
    started_at = fields.DateTime()
    updated_at = fields.DateTime()
    completed_at = fields.DateTime(allow_none=True)
    error = fields.Str(allow_none=True)
    time_limit_days = fields.Float(allow_none=True)
    overdue = fields.Bool(allow_none=True)
    region = fields.Str()


class CaseListSchema(Schema):
    rows = fields.List(fields.Nested(CaseListRowSchema))
    total = fields.Int()
    page = fields.Int()
    pages = fields.Int()
    page_size = fields.Int()


class IncidentSchema(Schema):
    number = fields.Str()
    matter_id = fields.Str()
    matter = fields.Nested(NamesSchema)
    variant = fields.Str()
    error = fields.Str(allow_none=True)
    step_id = fields.Str(allow_none=True)
    step = fields.Nested(NamesSchema, allow_none=True)
    department = fields.Str(allow_none=True)
    started_at = fields.DateTime()
    since = fields.DateTime()
