"""The regions' API: a region as listed, and the bodies that add and rename one."""
from __future__ import annotations

from marshmallow import Schema, fields

from web.messages import RequestSchema, Text, length
from web.schemas import NamesSchema


class RegionSchema(Schema):
    id = fields.Str()
    parent_id = fields.Str(allow_none=True)
    level = fields.Str()  # province | city | county
    names = fields.Nested(NamesSchema)
    depth = fields.Int()  # 0 for the root


class RegionAddSchema(RequestSchema):
    id = Text(required=True, validate=length(min=1, max=64))
    parent = Text(required=True, validate=length(min=1, max=64))
    name_zh = Text(required=True, validate=length(min=1, max=255))
    name_en = Text(required=True, validate=length(min=1, max=255))


class RegionRenameSchema(RequestSchema):
    name_zh = Text(required=True, validate=length(min=1, max=255))
    name_en = Text(required=True, validate=length(min=1, max=255))


class HandlingQuery(RequestSchema):
    """Whose version of a matter: a region that handles applications for it (GET /api/matters/<id>/regions)."""

    region = Text(validate=length(min=1, max=64))
