"""Matters: the list, one matter with its static comparison, its intake form, metrics and the portfolio."""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

import engine
from engine import Actor, Form, NotFound
from web.api.routing import PUBLIC, api
from web.app import ctx
from web.schemas import ComparisonSchema, FormSchema, MatterDetailSchema, MatterSchema, PortfolioSchema
from web.schemas_regions import HandlingQuery

AUDIT = ("auditor", "admin")
CASE_READERS = ("clerk", "auditor", "admin")


@api("/matters", roles=PUBLIC, response=MatterSchema, many=True,
     summary="Deployed matters: those the province runs; for clerks, auditors and admins, those of the regions "
             "whose cases they read (the case list's matter filter)")
def list_matters(actor: Actor | None) -> list[engine.MatterInfo]:
    """Anyone not signed in, applicants and designers get the public catalogue: what the root runs, as the
    citizen's matter list, GET /api/matters/<id> and the intake form show it. Clerks, auditors and admins get the
    twin of the case list's matter filter, so that every matter whose cases they may list with GET /api/cases is
    there: the matters a region whose cases they read runs (a clerk's own region; an auditor's region and those
    below it; every region for an admin or a root auditor), a county's own matter included, each with the versions
    their region runs, else those of the region below with the most real cases of it (as the auditor's figures).
    GET /api/matters/<id> stays the root's: a county's own matter is not found there."""
    if actor is not None and actor.role in CASE_READERS:
        return engine.readable_matters(ctx(), actor)
    return engine.list_matters(ctx())


@api("/matters/<matter_id>", roles=PUBLIC, response=MatterDetailSchema,
     summary="One matter with its static before/after comparison and published sources")
def show_matter(actor: Actor | None, matter_id: str) -> engine.MatterDetail:
    return engine.matter_detail(ctx(), matter_id)


@api("/matters/<matter_id>/intake-form", roles=PUBLIC, query=HandlingQuery, response=FormSchema,
     summary="The one form an applicant fills to apply for the matter: of the version `region` runs when it handles "
             "the matter, else of the first region that does (GET /api/matters/<id>/regions)")
def intake_form(actor: Actor | None, matter_id: str, query: dict[str, Any]) -> Form:
    form = engine.intake_form(ctx(), matter_id, query.get("region"))
    if form is None:
        raise NotFound(_("matter '%(matter)s' has no applicant form", matter=matter_id))
    return form


@api("/matters/<matter_id>/metrics", roles=AUDIT, response=ComparisonSchema,
     summary="Before vs after metrics of one matter (auditors, admins; an auditor below the root: the versions "
             "their region runs, the cases of their region and the regions below it)")
def matter_metrics(actor: Actor, matter_id: str) -> engine.MatterComparison:
    return engine.matter_comparison(ctx(), matter_id, reader=actor)


@api("/portfolio", roles=AUDIT, response=PortfolioSchema,
     summary="Totals over every matter (auditors, admins; an auditor below the root: as their region runs them)")
def portfolio(actor: Actor) -> dict[str, Any]:
    return engine.portfolio(ctx(), reader=actor)
