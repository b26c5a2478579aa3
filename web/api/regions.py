"""The province's regions: the tree for anyone signed in, adding and renaming for admins."""
from __future__ import annotations

from typing import Any

import engine
from engine import Actor
from web.api.routing import SIGNED_IN, api
from web.app import ctx
from web.schemas_regions import RegionAddSchema, RegionRenameSchema, RegionSchema

ADMIN = ("admin",)


@api("/regions", roles=SIGNED_IN, response=RegionSchema, many=True,
     summary="Every region (province, cities, counties and districts), depth first from the root")
def list_regions(actor: Actor) -> list[engine.RegionInfo]:
    return engine.list_regions(ctx())


@api("/regions", "POST", roles=ADMIN, body=RegionAddSchema, response=RegionSchema, status=201,
     summary="Add a region one level below its parent (a city under the province, a county under a city; admins)")
def add_region(actor: Actor, body: dict[str, Any]) -> engine.RegionInfo:
    return engine.add_region(ctx(), body["id"], body["parent"], body["name_zh"], body["name_en"])


@api("/regions/<region_id>", "POST", roles=ADMIN, body=RegionRenameSchema, response=RegionSchema,
     summary="Give a region new Chinese and English names (admins)")
def rename_region(actor: Actor, region_id: str, body: dict[str, Any]) -> engine.RegionInfo:
    return engine.rename_region(ctx(), region_id, body["name_zh"], body["name_en"])
