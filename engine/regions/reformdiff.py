"""A region's adopted reform against the shared original (issue #13 item 2): what its local adjustments changed.

The region's current `after` version is compared with the published version it adopted: steps added, removed or
renamed, departments (their own department names too), time limits (the matter's and each step's), and the static
metrics of both (engine/model/metrics.py). The full list of changes is the version diff's own
(engine/catalog/diff.py `model_changes`), so both diffs say the same thing about the same two models.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.catalog import versions as catalog
from engine.catalog.diff import Change, model_changes
from engine.context import EngineContext
from engine.errors import InputError
from engine.matters.files import Matter
from engine.model.metrics import compare, static_metrics
from engine.model.types import Model
from engine.regions import tree
from engine.regions.adoption import REFORMED
from engine.regions.library import check_matter, own_line
from engine.store.tables import ModelVersion
from engine.store.tables_regions import PublishedReform
from engine.text import Text


@dataclass(frozen=True)
class Item:
    """One difference: `kind` added | removed | renamed (steps, departments) or changed (time limits)."""

    kind: str
    key: str
    shared: str | None  # as published
    local: str | None  # as the region runs it


@dataclass(frozen=True)
class ReformDiff:
    matter_id: str
    region: str
    from_region: str
    number: int  # the publication the region adopted
    shared_version: int  # the publisher's version number
    local_version: int  # the region's version number
    steps: tuple[Item, ...]
    departments: tuple[Item, ...]
    time_limits: tuple[Item, ...]
    metrics: dict[str, Any]  # {"shared": {...}, "local": {...}, "comparison": {metric: {before, after, change...}}}
    changes: tuple[Change, ...]  # everything, as the version diff says it

    @property
    def unchanged(self) -> bool:
        return not self.changes and not self.time_limits and not self.departments


def reform_diff(ctx: EngineContext, matter_id: str, region: str) -> ReformDiff:
    """`region`'s current `after` version of the matter against the published reform it adopted."""
    with ctx.read() as session:
        tree.check_region(session, region)
        check_matter(session, matter_id)
        own = own_line(session, matter_id, region)
        if own is None or own.adopted_from is None:
            raise InputError(Text("region '%(region)s' has adopted no published reform of matter '%(matter)s': "
                                  "there is no shared original to compare with", region=region, matter=matter_id),
                             fields={"region": [Text("nothing adopted")]})
        published = session.get(PublishedReform, own.adopted_from)
        shared_row = session.get(ModelVersion, published.model_version_id) if published is not None else None
        assert published is not None and shared_row is not None  # foreign keys
        shared = catalog.loaded_version(ctx, session, shared_row.id)
        local = catalog.loaded_version(ctx, session, own.id)
        shared_metrics = static_metrics(shared[0], shared[1], REFORMED)
        local_metrics = static_metrics(local[0], local[1], REFORMED)
        return ReformDiff(
            matter_id, region, published.region, published.number, shared_row.version, own.version,
            steps=_steps(shared[0], local[0]), departments=_departments(shared, local),
            time_limits=_time_limits(shared, local),
            metrics={"shared": shared_metrics, "local": local_metrics,
                     "comparison": compare(shared_metrics, local_metrics)},
            changes=model_changes(shared, local))


def _items(shared: dict[str, str], local: dict[str, str], changed: str) -> tuple[Item, ...]:
    found = []
    for key in sorted(shared.keys() | local.keys()):
        before, after = shared.get(key), local.get(key)
        if before != after:
            kind = "added" if before is None else "removed" if after is None else changed
            found.append(Item(kind, key, before, after))
    return tuple(found)


def _steps(shared: Model, local: Model) -> tuple[Item, ...]:
    return _items({s.id: s.name for s in shared.steps.values()}, {s.id: s.name for s in local.steps.values()},
                  "renamed")


def _department_names(model: Model, matter: Matter | None) -> dict[str, str]:
    """Department id -> its names as the matter.yaml gives them ("zh / en"), else its lane's name."""
    names = {key: name for key, name in model.lanes.items()}
    if matter is not None:
        names.update({d.id: f"{d.names.zh} / {d.names.en}" for d in matter.departments})
    return names


def _departments(shared: tuple[Model, Matter | None], local: tuple[Model, Matter | None]) -> tuple[Item, ...]:
    return _items(_department_names(*shared), _department_names(*local), "renamed")


def _limits(model: Model, matter: Matter | None) -> dict[str, str]:
    """"matter" -> the matter's time limit for `after` (working days), each step id -> its own time limit."""
    found = {s.id: s.properties["time_limit"] for s in model.steps.values() if s.properties.get("time_limit")}
    if matter is not None and REFORMED in matter.time_limits:
        found["matter"] = f"{matter.time_limits[REFORMED]:g}"
    return found


def _time_limits(shared: tuple[Model, Matter | None], local: tuple[Model, Matter | None]) -> tuple[Item, ...]:
    return _items(_limits(*shared), _limits(*local), "changed")
