"""`onething compare MATTER --by-region`: the plain comparison's figures, once per region (issue #13 item 3).

Per region: the static before vs after of the versions it runs (its own, else its nearest ancestor's) and the
measured figures of the cases handled in that region itself (engine/audit/measured.py with a region filter, which
ranks the selected summaries: the running totals are per matter, variant and source only).
"""
from __future__ import annotations

from datetime import date
from typing import Any

from engine.audit.measured import measured_in
from engine.context import EngineContext
from engine.errors import MatterNotFound
from engine.regions.ranking import tree_order
from engine.regions.running import running_versions, scoped, static_comparison
from engine.text import Text
from engine.vocabulary import ROOT_REGION


def compare_by_region(ctx: EngineContext, matter_id: str, *, scope: str = ROOT_REGION, source: str = "real",
                      since: date | None = None, until: date | None = None) -> dict[str, Any]:
    """{"matter": id, "regions": {region: {"static": ..., "measured": ...}}}, regions in the tree's order."""
    with ctx.read() as session:
        tree, regions = scoped(session, scope)
        runs = running_versions(session, [matter_id], tree, regions)[matter_id]
        if not any(runs.values()):
            raise MatterNotFound(Text("no deployed matter '%(matter)s'", matter=matter_id))
        memo: dict[int, dict[str, Any]] = {}
        return {"matter": matter_id, "regions": {
            line.id: {"static": static_comparison(ctx, session, runs[line.id], memo),
                      "measured": measured_in(session, matter_id, source=source, since=since, until=until,
                                              region=line.id)}
            for line in tree_order(session, regions)}}
