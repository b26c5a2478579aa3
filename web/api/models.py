"""Models for designers: check an upload, deploy it, list versions, download a version's BPMN."""
from __future__ import annotations

from typing import Any

from flask import Response, request
from werkzeug.exceptions import BadRequest

from engine.catalog import designer
from engine.catalog.versions import Deployed
from engine.accounts.users import Actor
from web.api.routing import api, ctx
from web.auth import check_may_deploy
from web.schemas import CheckResultSchema, CheckUploadSchema, DeployedSchema, UploadSchema, VersionSchema, VersionsQuery

DESIGN = ("designer", "admin")
READ = ("designer", "auditor", "admin")


def _files() -> tuple[bytes, str, bytes | None]:
    bpmn = request.files.get("bpmn")
    if bpmn is None:
        raise BadRequest("attach the model as the file field 'bpmn'")
    matter = request.files.get("matter_yaml")
    return bpmn.read(designer.MAX_UPLOAD + 1), bpmn.filename or "upload.bpmn", (
        matter.read(designer.MAX_UPLOAD + 1) if matter is not None else None)


@api("/models/check", "POST", roles=DESIGN, body=CheckUploadSchema, upload=("bpmn", "matter_yaml"),
     response=CheckResultSchema, summary="Check an uploaded model (and matter.yaml) without deploying it")
def check_model(actor: Actor, body: dict[str, Any]) -> dict[str, Any]:
    data, filename, matter_yaml = _files()
    problems = designer.check_upload(data, filename, matter_yaml)
    return {"valid": not problems, "problems": problems}


@api("/models", "POST", roles=DESIGN, body=UploadSchema, upload=("bpmn", "matter_yaml"), response=DeployedSchema,
     status=201, summary="Deploy an uploaded model as a new version (identical content: unchanged)")
def deploy_model(actor: Actor, body: dict[str, Any]) -> Deployed:
    check_may_deploy(ctx(), actor, body["matter_id"])
    data, filename, matter_yaml = _files()
    return designer.deploy_upload(ctx(), data, filename, matter_yaml, body["matter_id"], body["variant"], actor)


@api("/models", roles=READ, query=VersionsQuery, response=VersionSchema, many=True,
     summary="Deployed versions, newest first per matter variant")
def list_versions(actor: Actor, query: dict[str, Any]) -> list[designer.VersionInfo]:
    return designer.list_versions(ctx(), query.get("matter"))


@api("/models/<int:version_id>/bpmn", roles=READ, produces="application/xml",
     summary="Download the BPMN file of a version")
def download_version(actor: Actor, version_id: int) -> Response:
    data, filename = designer.version_file(ctx(), version_id)
    return Response(data, mimetype="application/xml",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
