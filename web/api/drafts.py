"""The modeler's drafts: save, list, open, discard and deploy a draft, forecast a drawn model, the design log."""
from __future__ import annotations

from typing import Any

from flask import Response, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

import engine
from engine import Actor, Deployed
from web.api.reforms import own_region
from web.api.routing import api
from web.app import ctx
from web.schemas import EmptySchema
from web.schemas_drafts import (
    DesignEventSchema,
    DesignLogQuery,
    DraftForecastSchema,
    DraftSchema,
    DraftUploadSchema,
    ForecastUploadSchema,
)
from web.schemas_models import DeployedSchema

DESIGN = ("designer", "admin")


def _files() -> tuple[bytes, bytes | None]:
    bpmn = request.files.get("bpmn")
    if bpmn is None:
        raise BadRequest(_("attach the model as the file field 'bpmn'"))
    matter = request.files.get("matter_yaml")
    return bpmn.read(engine.MAX_MODEL_BYTES + 1), matter.read(engine.MAX_MODEL_BYTES + 1) if matter else None


@api("/drafts", roles=DESIGN, response=DraftSchema, many=True, summary="Every saved draft, by matter and variant")
def list_drafts(actor: Actor) -> list[engine.DraftInfo]:
    return engine.list_drafts(ctx(), region=actor.region if actor.role == "designer" else None)  # theirs, or all


@api("/drafts/<matter_id>/<variant>", "PUT", roles=DESIGN, body=DraftUploadSchema, upload=("bpmn", "matter_yaml"),
     response=DraftSchema, summary="Save the matter variant's draft (replacing the one saved before); a designer "
                                   "of the matter's departments or an admin; logged in the design log")
def save_draft(actor: Actor, matter_id: str, variant: str, body: dict[str, Any]) -> engine.DraftInfo:
    data, matter_yaml = _files()
    return engine.save_draft(ctx(), matter_id, variant, data, matter_yaml, actor)


@api("/drafts/<matter_id>/<variant>/bpmn", roles=DESIGN, produces="application/xml",
     summary="The draft's BPMN file, as saved")
def draft_bpmn(actor: Actor, matter_id: str, variant: str) -> Response:
    draft = engine.get_draft(ctx(), matter_id, variant, own_region(actor, None))
    return Response(draft.bpmn, mimetype="application/xml",
                    headers={"Content-Disposition": f'attachment; filename="{draft.info.filename}"'})


@api("/drafts/<matter_id>/<variant>", "DELETE", roles=DESIGN, status=204,
     summary="Discard the matter variant's draft (logged in the design log)")
def discard_draft(actor: Actor, matter_id: str, variant: str) -> None:
    engine.discard_draft(ctx(), matter_id, variant, actor)


@api("/drafts/<matter_id>/<variant>/deploy", "POST", roles=DESIGN, body=EmptySchema, response=DeployedSchema,
     status=201, summary="Check and deploy the draft as an upload would be (422 with its problems), then remove it")
def deploy_draft(actor: Actor, matter_id: str, variant: str, body: dict[str, Any]) -> Deployed:
    return engine.deploy_draft(ctx(), matter_id, variant, actor)


@api("/drafts/simulate", "POST", roles=DESIGN, body=ForecastUploadSchema, upload=("bpmn", "matter_yaml"),
     response=DraftForecastSchema, summary="Forecast a drawn model: simulated cases of it and of the deployed "
                                           "version it would replace, in a scratch database (nothing is stored)")
def simulate_draft(actor: Actor, body: dict[str, Any]) -> engine.DraftForecast:
    data, matter_yaml = _files()
    return engine.forecast_draft(ctx(), data, matter_yaml, body["matter_id"], body["variant"],
                                 cases=body.get("cases", 50), seed=body.get("seed", 1),
                                 region=actor.region if actor.role == "designer" else engine.ROOT_REGION)


@api("/design-log", roles=DESIGN, query=DesignLogQuery, response=DesignEventSchema, many=True,
     summary="The design log, newest first: every draft save and discard and every deploy, with who and when")
def design_log(actor: Actor, query: dict[str, Any]) -> list[engine.DesignEvent]:
    return engine.design_log(ctx(), query.get("matter"), query.get("limit", 100))
