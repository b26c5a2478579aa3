"""marshmallow schemas of the library of reforms (issue #13 item 2): publish, adopt, the library, the reform diff."""
from __future__ import annotations

from marshmallow import Schema, fields

from web.messages import RequestSchema, Text, length
from web.schemas_models import ChangeSchema

_REGION = length(min=1, max=64)


class PublishSchema(RequestSchema):
    """Publish a region's own after version (a designer's own region by default; an admin names it)."""

    region = Text(validate=_REGION)
    note = Text(validate=length(max=2000))


class AdoptSchema(RequestSchema):
    """Adopt the newest reform `from` published into `region` (a designer's own by default)."""

    from_ = Text(required=True, data_key="from", validate=_REGION)
    region = Text(validate=_REGION)


class LibraryQuery(RequestSchema):
    matter = Text(validate=length(min=1, max=64))


class ReformDiffQuery(RequestSchema):
    region = Text(required=True, validate=_REGION)


class PublicationSchema(Schema):
    id = fields.Int()
    matter_id = fields.Str()
    region = fields.Str(metadata={"description": "the publishing region"})
    number = fields.Int(metadata={"description": "1, 2, ... per matter and publishing region"})
    version = fields.Int(metadata={"description": "the publisher's version of its after line"})
    status = fields.Str(metadata={"description": "published | unchanged (that version is published already)"})
    published_at = fields.DateTime()
    published_by = fields.Str(allow_none=True)
    note = fields.Str(allow_none=True)


class AdoptionSchema(Schema):
    matter_id = fields.Str()
    region = fields.Str()
    from_region = fields.Str()
    number = fields.Int(metadata={"description": "the publication adopted"})
    version = fields.Int(metadata={"description": "the adopter's new version of its after line"})
    status = fields.Str(metadata={"description": "new | restored | unchanged"})
    replaced_local_changes = fields.Bool(metadata={"description": "the region's local changes were replaced, "
                                                                  "not merged"})


class AdopterSchema(Schema):
    region = fields.Str()
    state = fields.Str(metadata={"description": "adopted | adopted_changed"})


class LibraryEntrySchema(Schema):
    publication = fields.Nested(PublicationSchema)
    newest = fields.Bool(metadata={"description": "the publisher's newest publication of the matter"})
    adopters = fields.List(fields.Nested(AdopterSchema))


class ReformItemSchema(Schema):
    kind = fields.Str(metadata={"description": "added | removed | renamed | changed"})
    key = fields.Str(metadata={"description": "a step id, a department id, or 'matter' for its time limit"})
    shared = fields.Str(allow_none=True, metadata={"description": "as published"})
    local = fields.Str(allow_none=True, metadata={"description": "as the region runs it"})


class ReformDiffSchema(Schema):
    matter_id = fields.Str()
    region = fields.Str()
    from_region = fields.Str()
    number = fields.Int()
    shared_version = fields.Int()
    local_version = fields.Int()
    steps = fields.List(fields.Nested(ReformItemSchema))
    departments = fields.List(fields.Nested(ReformItemSchema))
    time_limits = fields.List(fields.Nested(ReformItemSchema))
    metrics = fields.Dict(metadata={"description": "{shared, local, comparison}: static metrics (docs/metrics.md)"})
    changes = fields.List(fields.Nested(ChangeSchema), metadata={"description": "every change, as the version "
                                                                             "diff says it"})
