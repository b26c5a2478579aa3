"""The library of reforms (issue #13 item 2): the published reforms, publish, adopt, the diff against the original.

Publishing and adopting are for a designer of the region (their own by default) or an admin; the engine says no
to a designer naming another region. Auditors read the library and the diffs.
"""
from __future__ import annotations

from typing import Any

import engine
from engine import Actor
from web.api.routing import api
from web.app import ctx
from web.schemas_reforms import (
    AdoptionSchema,
    AdoptSchema,
    LibraryEntrySchema,
    LibraryQuery,
    PublicationSchema,
    PublishSchema,
    ReformDiffQuery,
    ReformDiffSchema,
)

DESIGN = ("designer", "admin")
READ = ("designer", "auditor", "admin")


def own_region(actor: Actor, region: str | None) -> str:
    """The region named, else the actor's own (an admin's: the root unless they name one)."""
    return region or (actor.region if actor.role == "designer" else engine.ROOT_REGION)


@api("/library", roles=READ, query=LibraryQuery, response=LibraryEntrySchema, many=True,
     summary="The published reforms, newest first per matter, with the regions that adopted each and their state")
def library(actor: Actor, query: dict[str, Any]) -> list[engine.LibraryEntry]:
    return engine.library_entries(ctx(), query.get("matter"))


@api("/matters/<matter_id>/publish", "POST", roles=DESIGN, body=PublishSchema, response=PublicationSchema,
     summary="Publish the region's own after version of the matter to the library (again: unchanged)")
def publish(actor: Actor, matter_id: str, body: dict[str, Any]) -> engine.Publication:
    return engine.publish_reform(ctx(), matter_id, own_region(actor, body.get("region")), actor, body.get("note"))


@api("/matters/<matter_id>/adopt", "POST", roles=DESIGN, body=AdoptSchema, response=AdoptionSchema,
     summary="Adopt the newest reform a region published as the region's own after version (local changes are "
             "replaced, not merged)")
def adopt(actor: Actor, matter_id: str, body: dict[str, Any]) -> engine.Adoption:
    return engine.adopt_reform(ctx(), matter_id, body["from_"], own_region(actor, body.get("region")), actor)


@api("/matters/<matter_id>/reform-diff", roles=READ, query=ReformDiffQuery, response=ReformDiffSchema,
     summary="A region's after version against the published reform it adopted: steps, departments, time limits, "
             "metrics")
def reform_diff(actor: Actor, matter_id: str, query: dict[str, Any]) -> engine.ReformDiff:
    return engine.reform_diff(ctx(), matter_id, query["region"])
