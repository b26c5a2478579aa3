"""marshmallow schemas of the JSON API: every request body (load) and every response (dump)."""
from __future__ import annotations

from flask_babel import lazy_gettext
from marshmallow import Schema, fields, validate

from engine import CLAIMED, DUE_STATES, SORTS, VARIANTS
from web.messages import Object, RequestSchema, Text, WholeNumber, length, number_range, one_of

_TEXT = length(min=1, max=200)
_CHECK = validate.Regexp(r"^(\d{4}|(\+86)?1[3-9]\d{9})$",  # or the whole mobile number (docs/web.md)
                         error=lazy_gettext("Enter the last four digits of the phone."))
# engine.citizen.checking.clean_phone: spaces and dashes anywhere, +86 in front, then a mainland mobile number
_PHONE = r"^(\s*|[\s-]*(\+[\s-]*8[\s-]*6)?[\s-]*1[\s-]*[3-9]([\s-]*[0-9]){9}[\s-]*)$"  # blank: the form's


# -- requests (messages in the user's language: web.messages) ------------------------------------------

class LoginSchema(RequestSchema):
    username = Text(required=True, validate=length(min=1, max=64))
    password = Text(required=True, validate=length(min=1, max=200))


class StartCaseSchema(RequestSchema):
    matter_id = Text(required=True, validate=length(min=1, max=64))
    variant = Text(load_default="after", validate=one_of(VARIANTS))
    data = Object(keys=fields.Str(), load_default=dict)


class CompleteStepSchema(RequestSchema):
    data = Object(keys=fields.Str(), load_default=dict)
    expected_version = WholeNumber(strict=True, validate=number_range(min=1))


class EmptySchema(RequestSchema):
    """A request without fields (claim, release, logout)."""


class MessageSchema(RequestSchema):
    name = Text(required=True, validate=_TEXT)
    payload = Object(keys=fields.Str(), load_default=dict)


class CancelSchema(RequestSchema):
    reason = Text(load_default="", validate=length(max=500))


class LookupSchema(RequestSchema):
    number = Text(required=True, validate=length(min=1, max=32))
    check = Text(required=True, validate=_CHECK)


class ApplicationSchema(RequestSchema):
    matter_id = Text(required=True, validate=length(min=1, max=64))
    # default: the intake form's contact phone field; checked with the form (engine.citizen.checking), so that
    # every wrong field is reported at once; the pattern says in the document what that check takes
    phone = Text(load_default="", validate=length(max=20), metadata={"pattern": _PHONE})
    data = Object(keys=fields.Str(), required=True)
    # the county or district that handles it (GET /api/matters/<id>/regions: those that run it); default: the root
    region = Text(validate=length(min=1, max=64))


class RatingSchema(RequestSchema):
    check = Text(required=True, validate=_CHECK)
    score = WholeNumber(required=True, strict=True, validate=number_range(min=1, max=5))
    comment = Text(load_default="", validate=length(max=500))


class WorklistQuery(RequestSchema):
    """Filters, order and page of the worklist; `cursor` is the next_cursor of the page before (same sort)."""

    limit = WholeNumber(load_default=50, validate=number_range(min=1, max=200))
    department = Text(validate=length(min=1, max=64))
    matter = Text(validate=length(min=1, max=64))
    step = Text(validate=length(min=1, max=255))
    due = Text(validate=one_of(DUE_STATES))
    claimed = Text(load_default="any", validate=one_of(CLAIMED))
    search = Text(load_default="", validate=length(max=100))
    sort = Text(load_default="arrival", validate=one_of(SORTS))
    order = Text(load_default="asc", validate=one_of(("asc", "desc")))
    cursor = Text(validate=length(min=1, max=300))
    region = Text(validate=length(min=1, max=64))  # that region and the ones below it (within your own reach)


class DoneQuery(RequestSchema):
    limit = WholeNumber(load_default=50, validate=number_range(min=1, max=200))
    cursor = Text(validate=length(min=1, max=300))


# -- responses ----------------------------------------------------------------------------------------

class ActorSchema(Schema):
    name = fields.Str()
    role = fields.Str()
    department = fields.Str(allow_none=True)
    region = fields.Str()


class SessionSchema(Schema):
    actor = fields.Nested(ActorSchema)
    csrf_token = fields.Str()


class NamesSchema(Schema):
    zh = fields.Str()
    en = fields.Str()


class MatterSchema(Schema):
    id = fields.Str()
    names = fields.Nested(NamesSchema)
    category = fields.Str(allow_none=True)
    departments = fields.List(fields.Str())
    variants = fields.Dict(keys=fields.Str(), values=fields.Int())


class SourceSchema(Schema):
    figure = fields.Str()
    variant = fields.Str()
    value = fields.Float()
    scope = fields.Str()
    place = fields.Str()
    source = fields.Str()
    unit = fields.Str(allow_none=True)
    place_zh = fields.Str(allow_none=True)
    source_zh = fields.Str(allow_none=True)
    unit_zh = fields.Str(allow_none=True)
    url = fields.Str(allow_none=True)


class ComparisonSchema(Schema):
    matter_id = fields.Str()
    names = fields.Nested(NamesSchema)
    before_version = fields.Int(allow_none=True)
    after_version = fields.Int(allow_none=True)
    before = fields.Dict()
    after = fields.Dict()
    comparison = fields.Dict()
    sources = fields.List(fields.Nested(SourceSchema))
    measured = fields.Dict()
    region = fields.Str(allow_none=True, metadata={"description": "the region whose cases, with those of the regions "
                                                                  "below it, the measured figures are (null: every "
                                                                  "region)"})
    version_region = fields.Str(allow_none=True, metadata={
        "description": "the region below the reader's whose versions these are, when the reader's region runs none "
                       "of the matter (null: its own)"})
    version_region_names = fields.Nested(NamesSchema, allow_none=True)


class MatterDetailSchema(Schema):
    matter = fields.Nested(MatterSchema)
    comparison = fields.Nested(ComparisonSchema)


class PortfolioSchema(Schema):
    matters = fields.List(fields.Str())
    metrics = fields.Dict()
    version_regions = fields.Dict(keys=fields.Str(), values=fields.Str(), metadata={
        "description": "matter -> the region below the reader's whose versions stand for it (its region runs none)"})


class ChoiceSchema(Schema):
    value = fields.Str()
    labels = fields.Nested(NamesSchema)


class FormFieldSchema(Schema):
    name = fields.Str()
    type = fields.Str()
    required = fields.Bool()
    labels = fields.Nested(NamesSchema)
    max_length = fields.Int(allow_none=True)
    min = fields.Float(allow_none=True)
    max = fields.Float(allow_none=True)
    past = fields.Bool()
    choices = fields.List(fields.Nested(ChoiceSchema))


class FormSchema(Schema):
    id = fields.Str()
    names = fields.Nested(NamesSchema)
    filled_by = fields.Str()
    form_fields = fields.List(fields.Nested(FormFieldSchema), data_key="fields", attribute="fields")


class ProblemSchema(Schema):
    file = fields.Str()
    line = fields.Int(allow_none=True)
    element_id = fields.Str(allow_none=True)
    message = fields.Str()
    text = fields.Str(metadata={"description": "the whole problem as one line: file:line: element: message"})


class WorkItemSchema(Schema):
    case_number = fields.Str()
    task_id = fields.Str()
    step_id = fields.Str()
    step_name = fields.Str()
    department = fields.Str(allow_none=True)
    ready_at = fields.DateTime()
    claimed_by = fields.Str(allow_none=True)
    claimed_at = fields.DateTime(allow_none=True)
    matter_id = fields.Str(allow_none=True)
    variant = fields.Str(allow_none=True)
    time_limit = fields.Int(allow_none=True)
    due = fields.DateTime(allow_none=True)
    days_left = fields.Int(allow_none=True)
    colour = fields.Str()


class WorklistPageSchema(Schema):
    items = fields.List(fields.Nested(WorkItemSchema))
    next_cursor = fields.Str(allow_none=True)
    total = fields.Int()


class DoneItemSchema(Schema):
    case_number = fields.Str()
    task_id = fields.Str()
    step_id = fields.Str()
    step = fields.Nested(NamesSchema)
    matter = fields.Nested(NamesSchema)
    department = fields.Nested(NamesSchema)
    ready_at = fields.DateTime()
    completed_at = fields.DateTime()


class DonePageSchema(Schema):
    items = fields.List(fields.Nested(DoneItemSchema))
    next_cursor = fields.Str(allow_none=True)
    total = fields.Int()


class CaseSchema(Schema):
    number = fields.Str()
    matter_id = fields.Str()
    variant = fields.Str()
    model_version = fields.Int()
    status = fields.Str()
    version = fields.Int()
    started_at = fields.DateTime()
    updated_at = fields.DateTime()
    completed_at = fields.DateTime(allow_none=True)
    error = fields.Str(allow_none=True)
    ready_steps = fields.List(fields.Nested(WorkItemSchema))
    waiting_messages = fields.List(fields.Str())
    timers = fields.List(fields.DateTime())
    data = fields.Dict()
    trail = fields.List(fields.Str())
    region = fields.Str()  # where the case is handled (GET /api/regions)


class LogEntrySchema(Schema):
    step_id = fields.Str()
    step_name = fields.Str()
    department = fields.Str(allow_none=True)
    event = fields.Str()
    actor = fields.Str(allow_none=True)
    ready_at = fields.DateTime()
    claimed_at = fields.DateTime(allow_none=True)
    at = fields.DateTime()
    data = fields.Dict(allow_none=True)


class ProgressSchema(Schema):
    number = fields.Str()
    matter_id = fields.Str()
    matter_zh = fields.Str()
    matter_en = fields.Str()
    status = fields.Str()
    stage_zh = fields.Str()
    stage_en = fields.Str()
    next_zh = fields.Str()
    next_en = fields.Str()
    steps_done = fields.Int()
    steps_expected = fields.Int()
    started_at = fields.DateTime()
    completed_at = fields.DateTime(allow_none=True)
    can_rate = fields.Bool()
    rating = fields.Int(allow_none=True)
    rating_comment = fields.Str(allow_none=True)


class ApplicationResultSchema(Schema):
    number = fields.Str()


class ErrorDetailSchema(Schema):
    code = fields.Str()
    message = fields.Str()
    problems = fields.List(fields.Nested(ProblemSchema))
    field_messages = fields.Dict(keys=fields.Str(), values=fields.List(fields.Str()), data_key="fields",
                                 attribute="fields")


class ErrorSchema(Schema):
    error = fields.Nested(ErrorDetailSchema)
