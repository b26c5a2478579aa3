"""Matters: the list, one matter with its static comparison, its intake form, metrics and the portfolio."""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

import engine
from engine import Actor, Form, NotFound
from web.api.routing import PUBLIC, api
from web.app import ctx
from web.schemas import ComparisonSchema, FormSchema, MatterDetailSchema, MatterSchema, PortfolioSchema

AUDIT = ("auditor", "admin")


@api("/matters", roles=PUBLIC, response=MatterSchema, many=True, summary="Deployed matters")
def list_matters(actor: Actor | None) -> list[engine.MatterInfo]:
    return engine.list_matters(ctx())


@api("/matters/<matter_id>", roles=PUBLIC, response=MatterDetailSchema,
     summary="One matter with its static before/after comparison and published sources")
def show_matter(actor: Actor | None, matter_id: str) -> engine.MatterDetail:
    return engine.matter_detail(ctx(), matter_id)


@api("/matters/<matter_id>/intake-form", roles=PUBLIC, response=FormSchema,
     summary="The one form an applicant fills to apply for the matter")
def intake_form(actor: Actor | None, matter_id: str) -> Form:
    form = engine.intake_form(ctx(), matter_id)
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
