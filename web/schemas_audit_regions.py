"""marshmallow schemas of the region ranking and the province view (issue #13 items 3, 4)."""
from __future__ import annotations

from flask_babel import lazy_gettext
from marshmallow import Schema, fields

from engine import SOURCES
from web.messages import RequestSchema, Text, length, one_of
from web.schemas import NamesSchema

ADOPTION = "before | own | published | adopted | adopted_changed (docs/metrics.md, \"Regions\")"


class Day(fields.Date):
    """A YYYY-MM-DD date whose message follows the user's language."""

    default_error_messages = {"required": lazy_gettext("Required."), "null": lazy_gettext("Required."),
                              "invalid": lazy_gettext("Enter a date (YYYY-MM-DD)."),
                              "format": lazy_gettext("Enter a date (YYYY-MM-DD).")}


class RankingQuery(RequestSchema):
    source = Text(load_default="real", validate=one_of(SOURCES))
    since = Day(metadata={"description": "cases finished on or after this China date"})
    until = Day(metadata={"description": "cases finished on or before this China date"})
    sort = Text(load_default="median_days", validate=length(min=1, max=32), metadata={
        "description": "median_days, p90_days, on_time_rate, rating, after_share, cases, adoption, steps, trips, "
                       "materials or region (the tree's order); best first unless `order` says otherwise"})
    order = Text(validate=one_of(("asc", "desc")))


class ProvinceQuery(RequestSchema):
    source = Text(load_default="real", validate=one_of(SOURCES))


class FinishedSchema(Schema):
    cases = fields.Int(metadata={"description": "finished cases of the variant handled in the region itself"})
    completed = fields.Int()
    median_days = fields.Float(allow_none=True, metadata={"description": "working days, over every finished case"})
    p90_days = fields.Float(allow_none=True)
    on_time_rate = fields.Float(allow_none=True)
    rating = fields.Float(allow_none=True, metadata={"description": "the applicants' mean score (1-5)"})
    rated = fields.Int()


class RegionRowSchema(Schema):
    rank = fields.Int()
    region = fields.Str()
    names = fields.Nested(NamesSchema)
    level = fields.Str()
    parent_id = fields.Str(allow_none=True)
    depth = fields.Int()
    adoption = fields.Str(metadata={"description": ADOPTION})
    variant = fields.Str(allow_none=True, metadata={"description": "after when the region runs it, else before"})
    version = fields.Int(allow_none=True)
    line = fields.Str(allow_none=True, metadata={"description": "the region whose version line it runs"})
    static = fields.Dict(keys=fields.Str(), values=fields.Float(allow_none=True))
    measured = fields.Dict(keys=fields.Str(), values=fields.Nested(FinishedSchema))
    cases = fields.Int()
    after_share = fields.Float(allow_none=True)


class RegionRankingSchema(Schema):
    matter_id = fields.Str()
    names = fields.Nested(NamesSchema)
    source = fields.Str()
    since = fields.Date(allow_none=True)
    until = fields.Date(allow_none=True)
    sort = fields.Str()
    descending = fields.Bool()
    rows = fields.List(fields.Nested(RegionRowSchema))


class RegionSavingSchema(Schema):
    region = fields.Str()
    names = fields.Nested(NamesSchema)
    leaf = fields.Bool()
    adoption = fields.Str(metadata={"description": ADOPTION})
    cases_per_year = fields.Int()
    after_cases_per_year = fields.Int()
    trips_saved_per_case = fields.Float(allow_none=True)
    days_saved_per_case = fields.Float(allow_none=True)
    basis = fields.Str(metadata={"description": "measured | model | none"})
    trips_saved_per_year = fields.Float(allow_none=True)
    days_saved_per_year = fields.Float(allow_none=True)


class MatterProvinceSchema(Schema):
    matter_id = fields.Str()
    names = fields.Nested(NamesSchema)
    leaves = fields.Int()
    adopted = fields.Int()
    states = fields.Dict(keys=fields.Str(), values=fields.Int())
    cases_per_year = fields.Int()
    after_cases_per_year = fields.Int()
    trips_saved_per_year = fields.Float()
    days_saved_per_year = fields.Float()
    trips_saved_per_case = fields.Float(allow_none=True)
    days_saved_per_case = fields.Float(allow_none=True)
    regions = fields.List(fields.Nested(RegionSavingSchema))


class ProvinceSchema(Schema):
    scope = fields.Str()
    source = fields.Str()
    matters = fields.List(fields.Nested(MatterProvinceSchema))
