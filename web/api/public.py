"""For applicants, without sign-in: apply with one form, look up progress, rate a completed case."""
from __future__ import annotations

from typing import Any

from flask import request

import engine
from engine import Actor
from web.api.routing import PUBLIC, api
from web.app import ctx
from web.schemas import (
    ApplicationResultSchema,
    ApplicationSchema,
    LookupSchema,
    MatterSchema,
    ProgressSchema,
    RatingSchema,
)
from web.schemas_regions import RegionSchema


def _client() -> str:
    # behind a proxy, configure werkzeug's ProxyFix so that remote_addr is the applicant's address
    return request.remote_addr or "-"


@api("/applications/matters", roles=PUBLIC, response=MatterSchema, many=True,
     summary="The matters open for applications: those a county or district runs the after variant of (the root's "
             "while it is the only region), as the portal lists them")
def open_matters(actor: Actor | None) -> list[engine.MatterInfo]:
    return engine.open_matters(ctx())


@api("/matters/<matter_id>/regions", roles=PUBLIC, response=RegionSchema, many=True,
     summary="The counties and districts that handle applications for the matter (the root while it is the only "
             "region): the `region` of POST /api/applications")
def handling_regions(actor: Actor | None, matter_id: str) -> list[engine.RegionInfo]:
    return engine.offered_regions(ctx(), matter_id)


@api("/applications", "POST", roles=PUBLIC, body=ApplicationSchema, response=ApplicationResultSchema, status=201,
     summary="Apply for a matter with its intake form; returns the case number")
def apply_for_matter(actor: Actor | None, body: dict[str, Any]) -> dict[str, Any]:
    return {"number": engine.apply(ctx(), body["matter_id"], body["data"], body["phone"], _client(),
                                   region=body.get("region"))}


@api("/lookup", "POST", roles=PUBLIC, body=LookupSchema, response=ProgressSchema, errors=(429,),
     summary="A case's progress by number and the last four digits of the phone, or the whole number (throttled)")
def lookup(actor: Actor | None, body: dict[str, Any]) -> engine.Progress:
    return engine.lookup(ctx(), body["number"], body["check"], _client())


@api("/cases/<number>/rating", "POST", roles=PUBLIC, body=RatingSchema, status=204, errors=(429,),
     summary="Rate a completed case once (1–5, optional comment), with the lookup check")
def rate_case(actor: Actor | None, number: str, body: dict[str, Any]) -> None:
    engine.rate(ctx(), number, body["check"], body["score"], body["comment"], client=_client())
