"""The modeler's matter editor: a deployed matter.yaml as rows to edit, and edited rows back to matter.yaml text.

Both answer as `onething check` would: the problems of the written text, each naming its field path
(`materials.2.after`) in `element_id`, messages in the user's language.
"""
from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

import engine
from engine import Actor
from web.api.routing import api
from web.app import ctx
from web.errors import problem_body
from web.messages import Object, RequestSchema, Text, length
from web.schemas import ProblemSchema

DESIGN = ("designer", "admin")
_MATTER_ID = validate.Regexp(r"^[a-z][a-z0-9_]{0,63}$")


class MatterYamlRequest(RequestSchema):
    """The editor's structure (docs/modeling.md, "The matter editor") and the matter it edits."""

    structure = Object(keys=fields.Str(), metadata={
        "description": "matter.yaml's fields, forms as a list of rows each with its id"})
    yaml = Text(validate=length(max=engine.MAX_MODEL_BYTES), metadata={
        "description": "instead of structure: matter.yaml text, read back into the editor's structure"})
    matter_id = Text(validate=_MATTER_ID, metadata={"description": "the deployed matter the editor opened"})

    @validates_schema
    def _one(self, data: dict[str, Any], **kwargs: Any) -> None:
        if ("structure" in data) == ("yaml" in data):
            raise ValidationError(_("Send either structure or yaml."), "structure")


class MatterYamlSchema(Schema):
    yaml = fields.Str(metadata={"description": "matter.yaml in the repository's format"})
    structure = fields.Dict(allow_none=True, metadata={
        "description": "the editor's structure (null: the yaml sent is no YAML mapping)"})
    valid = fields.Bool()
    problems = fields.List(fields.Nested(ProblemSchema), metadata={
        "description": "what `onething check` says of the text; element_id is the field path (materials.2.after)"})


class MatterEditorSchema(Schema):
    matter_id = fields.Str()
    structure = fields.Dict(metadata={"description": "the deployed matter.yaml as the editor's rows"})
    yaml = fields.Str(metadata={"description": "the deployed matter.yaml text"})


def _marshmallow_words() -> list[tuple[re.Pattern[str], Any]]:
    """marshmallow's own messages in matter.yaml's schema, each with its words in the user's language."""
    return [
        (re.compile(r"^Missing data for required field\.$"), lambda m: _("Required.")),
        (re.compile(r"^Must be one of: (.*)\.$"), lambda m: _("Choose one of: %(choices)s.", choices=m[1])),
        (re.compile(r"^Not a valid number\.$"), lambda m: _("Enter a number.")),
        (re.compile(r"^Not a valid string\.$"), lambda m: _("Enter text.")),
        (re.compile(r"^Not a valid URL\.$"), lambda m: _("Enter a web address (http or https).")),
        (re.compile(r"^Shorter than minimum length (\d+)\.$"), lambda m: _("Required.")),
        (re.compile(r"^Must be greater than 0\.0?\.?$"), lambda m: _("Enter a number greater than 0.")),
        (re.compile(r"^must be lower-case ASCII letters, digits and underscores$"),
         lambda m: _("Lower-case letters, digits and _, starting with a letter.")),
        (re.compile(r"^String does not match expected pattern\.$"),
         lambda m: _("Letters, digits and _, starting with a letter.")),
    ]


def problem(found: engine.Problem) -> dict[str, Any]:
    """A matter.yaml problem for the editor: marshmallow's plain English words in the user's language."""
    body = problem_body(found)
    if type(found.message) is str:
        for pattern, words in _marshmallow_words():
            match = pattern.match(found.message)
            if match:
                body["message"] = words(match)
                break
    return body


@api("/matters/<matter_id>/editor", roles=DESIGN, response=MatterEditorSchema,
     summary="A deployed matter's matter.yaml as the matter editor's rows (designers of its departments, admins)")
def matter_editor(actor: Actor, matter_id: str) -> dict[str, Any]:
    return engine.matter_editor(ctx(), matter_id, actor)


@api("/matters/yaml", "POST", roles=DESIGN, body=MatterYamlRequest, response=MatterYamlSchema,
     summary="The matter editor's rows as matter.yaml text (or text as rows), with what `onething check` says")
def matter_yaml(actor: Actor, body: dict[str, Any]) -> dict[str, Any]:
    text, found, structure = engine.edit_matter(ctx(), body.get("structure"), actor, body.get("matter_id"),
                                                body.get("yaml"))
    return {"yaml": text, "valid": not found, "problems": [problem(p) for p in found], "structure": structure}
