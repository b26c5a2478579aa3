"""Models for designers: check an upload, deploy it, list versions, download a version's BPMN."""
from __future__ import annotations

from typing import Any

from flask import Response, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

import engine
from engine import Actor, Deployed
from web.api.matter_editor import problem
from web.api.routing import api
from web.app import ctx
from web.errors import problem_body
from web.schemas import EmptySchema
from web.schemas_models import (
    CheckResultSchema,
    CheckUploadSchema,
    DeployedSchema,
    DiffQuery,
    UploadSchema,
    VersionDiffSchema,
    VersionSchema,
    VersionsQuery,
)

DESIGN = ("designer", "admin")
READ = ("designer", "auditor", "admin")


def _files() -> tuple[bytes, str, bytes | None]:
    bpmn = request.files.get("bpmn")
    if bpmn is None:
        raise BadRequest(_("attach the model as the file field 'bpmn'"))
    matter = request.files.get("matter_yaml")
    return bpmn.read(engine.MAX_MODEL_BYTES + 1), bpmn.filename or "upload.bpmn", (
        matter.read(engine.MAX_MODEL_BYTES + 1) if matter is not None else None)


@api("/models/check", "POST", roles=DESIGN, body=CheckUploadSchema, upload=("bpmn", "matter_yaml"),
     response=CheckResultSchema, summary="Check an uploaded model (and matter.yaml) without deploying it")
def check_model(actor: Actor, body: dict[str, Any]) -> dict[str, Any]:
    data, filename, matter_yaml = _files()
    found = engine.check_upload(data, filename, matter_yaml, ctx=ctx(), actor=actor,  # as deploying would
                                matter_id=body.get("matter_id"), variant=body.get("variant"), warnings=True)
    problems = [p for p in found if not p.is_warning]
    result: dict[str, Any] = {"valid": not problems, "problems": [problem(p) for p in problems],  # matter.yaml's too
                              "warnings": [problem_body(p) for p in found if p.is_warning]}
    if not problems and body.get("matter_id"):  # what it saves against the deployed matter (with the edited one)
        variant = body.get("variant") or "after"
        region = actor.region if actor.role == "designer" else engine.ROOT_REGION  # beside what its line runs
        result["savings"] = engine.draft_savings(ctx(), data, filename, body["matter_id"], variant, matter_yaml,
                                                 region)
    return result


@api("/models", "POST", roles=DESIGN, body=UploadSchema, upload=("bpmn", "matter_yaml"), response=DeployedSchema,
     status=201, summary="Deploy an uploaded model as a new version (identical content: unchanged)")
def deploy_model(actor: Actor, body: dict[str, Any]) -> Deployed:
    data, filename, matter_yaml = _files()
    return engine.deploy_upload(ctx(), data, filename, matter_yaml, body["matter_id"], body["variant"], actor,
                                region=body.get("region"))


@api("/models", roles=READ, query=VersionsQuery, response=VersionSchema, many=True,
     summary="Deployed versions, newest first per matter variant")
def list_versions(actor: Actor, query: dict[str, Any]) -> list[engine.VersionInfo]:
    return engine.list_versions(ctx(), query.get("matter"), query.get("region"))


@api("/models/<int:version_id>/bpmn", roles=READ, produces="application/xml",
     summary="Download the BPMN file of a version")
def download_version(actor: Actor, version_id: int) -> Response:
    file = engine.get_version(ctx(), version_id).file
    return Response(file.data, mimetype="application/xml",
                    headers={"Content-Disposition": f'attachment; filename="{file.filename}"'})


@api("/models/<int:version_id>/diff", roles=READ, query=DiffQuery, response=VersionDiffSchema,
     summary="What changed from version `with` to this one (steps, lanes, flows, annotations, forms)")
def diff_versions(actor: Actor, version_id: int, query: dict[str, Any]) -> engine.VersionDiff:
    return engine.version_diff(ctx(), query["with_"], version_id)


@api("/models/<int:version_id>/restore", "POST", roles=DESIGN, body=EmptySchema, response=DeployedSchema,
     summary="Make an older version current again (a rollback, as a new version carrying its content)")
def restore_version(actor: Actor, version_id: int, body: dict[str, Any]) -> Deployed:
    return engine.restore_version(ctx(), version_id, actor)
