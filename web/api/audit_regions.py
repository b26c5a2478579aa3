"""The auditor's reports across regions: the ranking of the regions on a matter and the province view, each over
the signed-in auditor's own region and the regions below it."""
from __future__ import annotations

from typing import Any

import engine
from engine import Actor
from web.api.routing import api
from web.app import ctx
from web.schemas_audit_regions import ProvinceQuery, ProvinceSchema, RankingQuery, RegionRankingSchema

AUDIT = ("auditor", "admin")


@api("/audit/matters/<matter_id>/regions", roles=AUDIT, query=RankingQuery, response=RegionRankingSchema,
     summary="The regions ranked on one matter: static figures of the version each runs, measured ones of its "
             "cases, rating, share on after, adoption (auditors and admins, their own region and below)")
def region_ranking(actor: Actor, matter_id: str, query: dict[str, Any]) -> engine.RegionRanking:
    return engine.region_ranking(ctx(), matter_id, scope=actor.region, **query)


@api("/audit/province", roles=AUDIT, query=ProvinceQuery, response=ProvinceSchema,
     summary="Every matter across the regions: how many adopted the reform and what it saved in the last 365 days "
             "(auditors and admins, their own region and below)")
def province(actor: Actor, query: dict[str, Any]) -> engine.ProvinceView:
    return engine.province_view(ctx(), scope=actor.region, **query)
