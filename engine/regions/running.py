"""What each region runs of a matter, and the static figures of those versions (issue #13 items 3, 4).

The rule is designer.current_version_ids' (a region runs its own newest version of a variant, else its nearest
ancestor's), applied to every region at once from one read of the version lines and one of the tree, so a ranking
over a hundred regions costs two queries, not two hundred (tests/engine/test_region_ranking.py holds both to each
other). Static figures are computed once per version (ctx.caches, as the auditor's other pages).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit.comparison import cached_static_metrics
from engine.catalog import versions as catalog
from engine.context import EngineContext
from engine.model.metrics import compare
from engine.regions.tree import below, check_region, parents
from engine.store.tables import ModelVersion
from engine.vocabulary import VARIANTS


@dataclass(frozen=True)
class Running:
    """The current version of one variant as a region runs it."""

    version_id: int
    number: int  # the version number on its line
    line: str  # the region whose line it is (the region itself, or the ancestor it inherits from)


def scoped(session: Session, scope: str) -> tuple[dict[str, str | None], set[str]]:
    """The tree, and `scope` with every region below it (what an auditor of `scope` reads); InputError for an
    unknown region."""
    check_region(session, scope)
    tree = parents(session)
    return tree, below(tree, scope)


def running_versions(session: Session, matter_ids: Iterable[str], tree: dict[str, str | None],
                     regions: Iterable[str]) -> dict[str, dict[str, dict[str, Running]]]:
    """matter -> region -> variant -> the version that region runs (variants it runs nothing of left out)."""
    wanted = list(matter_ids)
    newest: dict[tuple[str, str, str], Running] = {}  # (matter, line, variant) -> its newest version
    for matter_id, line, variant, number, version_id in session.execute(
            select(ModelVersion.matter_id, ModelVersion.region, ModelVersion.variant, ModelVersion.version,
                   ModelVersion.id).where(ModelVersion.matter_id.in_(wanted)).order_by(ModelVersion.version)):
        newest[(matter_id, line, variant)] = Running(version_id, number, line)
    found: dict[str, dict[str, dict[str, Running]]] = {m: {} for m in wanted}
    for region in regions:
        lines = _chain(tree, region)
        for matter_id in wanted:
            runs: dict[str, Running] = {}
            for variant in VARIANTS:
                hit = next((newest[(matter_id, line, variant)] for line in lines
                            if (matter_id, line, variant) in newest), None)
                if hit is not None:
                    runs[variant] = hit
            found[matter_id][region] = runs
    return found


def static_of(ctx: EngineContext, session: Session, runs: dict[str, Running],
              memo: dict[int, dict[str, Any]] | None = None) -> dict[str, dict[str, Any]]:
    """variant -> the static metrics of the version a region runs (computed once per version; `memo`, one
    request's figures by version id, saves even the cache's look-ups when many regions run the same version)."""
    memo = {} if memo is None else memo
    figures = {}
    for variant, running in runs.items():
        if running.version_id not in memo:
            model, matter = catalog.loaded_version(ctx, session, running.version_id)
            memo[running.version_id] = cached_static_metrics(ctx, model, matter, variant)
        figures[variant] = memo[running.version_id]
    return figures


def static_comparison(ctx: EngineContext, session: Session, runs: dict[str, Running],
                      memo: dict[int, dict[str, Any]] | None = None) -> dict[str, dict[str, Any]]:
    """Before vs after of the versions a region runs, as `onething compare` prints it ({metric: {before, ...}})."""
    figures = static_of(ctx, session, runs, memo)
    return compare(figures.get("before", {}), figures.get("after", {}))


def _chain(tree: dict[str, str | None], region: str) -> list[str]:
    found: list[str] = []
    current: str | None = region
    while current is not None and current not in found:
        found.append(current)
        current = tree.get(current)
    return found
