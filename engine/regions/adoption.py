"""Where each region stands with a matter's reform: still on `before`, its own reform, published, adopted (as
published or with local changes). The region ranking and the province view show it (issue #13 items 3, 4).

A region's state comes from its own `after` version line (engine/regions/tree.py: a region without one runs its
ancestor's): no own line is "before" (it has not taken the reform up itself, whatever it inherits); a line whose
current version adopted a published reform is "adopted" while its content is the published one's and
"adopted_changed" after local edits; a line that published it is "published"; any other own line is "own".
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.context import EngineContext
from engine.store.tables import ModelVersion
from engine.store.tables_regions import PublishedReform, Region

ADOPTION_STATES = ("before", "own", "published", "adopted", "adopted_changed")
REFORMED = "after"


def adoption_states(ctx: EngineContext, matter_id: str) -> dict[str, str]:
    """Every region's adoption state for `matter_id` (ADOPTION_STATES)."""
    with ctx.read() as session:
        return region_states(session, matter_id)


def region_states(session: Session, matter_id: str) -> dict[str, str]:
    """adoption_states inside the caller's transaction."""
    current: dict[str, ModelVersion] = {}
    for row in session.scalars(select(ModelVersion).where(ModelVersion.matter_id == matter_id,
                                                          ModelVersion.variant == REFORMED)
                               .order_by(ModelVersion.version)):
        current[row.region] = row  # the newest of each region's line wins
    published = {row.id: row for row in session.scalars(
        select(PublishedReform).where(PublishedReform.matter_id == matter_id))}
    publishers = {row.region for row in published.values()}
    shared = {row.id: session.get(ModelVersion, row.model_version_id) for row in published.values()}
    states: dict[str, str] = {}
    for region in session.scalars(select(Region.id)):
        own = current.get(region)
        if own is None:
            states[region] = "before"
        elif region in publishers:
            states[region] = "published"
        elif own.adopted_from is not None and own.adopted_from in published:
            same = _content(own) == _content(shared[own.adopted_from])
            states[region] = "adopted" if same else "adopted_changed"
        else:
            states[region] = "own"
    return states


def _content(row: ModelVersion | None) -> tuple[bytes, str | None, str | None] | None:
    """What a version runs, compared as it is: content hashes differ for the same content (a line's rollback
    retires the older row's hash; the same BPMN with another matter.yaml gets a longer one)."""
    return (row.bpmn, row.matter_yaml, row.decision_tables) if row is not None else None
