"""The province's regions as a tree: add, rename, list, and the two walks every scoped rule needs.

`chain` walks up (a region runs its nearest ancestor's version of a matter variant when it has none of its own);
`subtree` walks down (an auditor of a city reads its counties too). The tree is small (a province has about a
hundred cities and counties), so both read the whole table once per transaction.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.context import EngineContext
from engine.errors import InputError, NotFound
from engine.matters.files import Names
from engine.store.tables_regions import ROOT_REGION, Region
from engine.text import Listed, Text
from engine.vocabulary import REGION_LEVELS

REGION_ID = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")


@dataclass(frozen=True)
class RegionInfo:
    """One region: its id, parent (None for the root), level, names and depth in the tree (root 0)."""

    id: str
    parent_id: str | None
    level: str
    names: Names
    depth: int


def add_region(ctx: EngineContext, region_id: str, parent_id: str, name_zh: str, name_en: str) -> RegionInfo:
    """A new region under `parent_id`, one level below it (a city under the province, a county under a city)."""
    problems = _name_problems(name_zh, name_en)
    if not REGION_ID.match(region_id or ""):
        problems["id"] = [Text("lower-case letters, digits, _ and -, starting with a letter (at most 64)")]
    if problems:
        raise InputError(Text("region '%(region)s' cannot be added: %(fields)s", region=region_id,
                              fields=Listed(sorted(problems))), fields=problems)
    with ctx.write() as session:
        regions = _all(session)
        if region_id in regions:
            raise InputError(Text("region '%(region)s' exists already", region=region_id),
                             fields={"id": [Text("taken")]})
        parent = _known(regions, parent_id, "parent")
        depth = REGION_LEVELS.index(parent.level) + 1
        if depth >= len(REGION_LEVELS):
            raise InputError(Text("region '%(region)s' is a %(level)s: nothing is below a county or district",
                                  region=parent_id, level=parent.level), fields={"parent": [Text("a county")]})
        row = Region(id=region_id, parent_id=parent_id, level=REGION_LEVELS[depth], name_zh=name_zh.strip(),
                     name_en=name_en.strip(), created_at=ctx.clock.now())
        session.add(row)
        session.flush()
        return _info(row, depth)


def rename_region(ctx: EngineContext, region_id: str, name_zh: str, name_en: str) -> RegionInfo:
    """Give a region (the root too) new names."""
    problems = _name_problems(name_zh, name_en)
    if problems:
        raise InputError(Text("region '%(region)s' cannot be renamed: %(fields)s", region=region_id,
                              fields=Listed(sorted(problems))), fields=problems)
    with ctx.write() as session:
        regions = _all(session)
        row = _known(regions, region_id, "region")
        row.name_zh, row.name_en = name_zh.strip(), name_en.strip()
        return _info(row, len(_chain(regions, region_id)) - 1)


def list_regions(ctx: EngineContext) -> list[RegionInfo]:
    """Every region, depth first from the root (children by id), as a tree is read."""
    with ctx.read() as session:
        regions = {row.id: _info(row, 0) for row in _all(session).values()}
    children: dict[str | None, list[RegionInfo]] = {}
    for item in sorted(regions.values(), key=lambda r: r.id):
        children.setdefault(item.parent_id, []).append(item)
    found: list[RegionInfo] = []

    def walk(parent: str | None, depth: int) -> None:
        for item in children.get(parent, ()):
            found.append(dataclasses.replace(item, depth=depth))
            walk(item.id, depth + 1)

    walk(None, 0)
    return found


def get_region(ctx: EngineContext, region_id: str) -> RegionInfo:
    """One region (NotFound, naming the known ones, otherwise)."""
    with ctx.read() as session:
        regions = _all(session)
        return _info(_known(regions, region_id, "region"), len(_chain(regions, region_id)) - 1)


def chain(session: Session, region_id: str) -> list[str]:
    """The region and its ancestors, nearest first, ending at the root (NotFound for an unknown region)."""
    regions = _all(session)
    _known(regions, region_id, "region")
    return _chain(regions, region_id)


def subtree(session: Session, region_id: str) -> set[str]:
    """The region and every region below it."""
    _known(_all(session), region_id, "region")
    return below(parents(session), region_id)


def parents(session: Session) -> dict[str, str | None]:
    """Every region's parent (None for the root), from one read of the tree."""
    return dict(session.execute(select(Region.id, Region.parent_id)).tuples().all())


def below(tree: dict[str, str | None], region: str) -> set[str]:
    """`region` and every region under it, over a tree already read (`parents`)."""
    found, grew = {region}, True
    while grew:
        more = {child for child, parent in tree.items() if parent in found} - found
        found |= more
        grew = bool(more)
    return found


def depth_first(tree: dict[str, str | None], region: str) -> list[str]:
    """`region` and every region under it in tree order: depth first, children by id (as `onething region list`)."""
    children: dict[str | None, list[str]] = {}
    for child, parent in sorted(tree.items()):
        children.setdefault(parent, []).append(child)
    found: list[str] = []
    waiting = [region]
    while waiting:
        current = waiting.pop()
        found.append(current)
        waiting.extend(reversed(children.get(current, [])))
    return found


def leaves(tree: dict[str, str | None]) -> set[str]:
    """The regions nothing is below (the root alone when the province has no city yet)."""
    return set(tree) - {parent for parent in tree.values() if parent is not None}


def check_region(session: Session, region_id: str, field: str = "region") -> str:
    """`region_id` if it exists; InputError naming the field and the known regions otherwise."""
    regions = _all(session)
    if region_id not in regions:
        raise InputError(Text("no region '%(region)s'; known: %(regions)s", region=region_id,
                              regions=Listed(sorted(regions))), fields={field: [Text("unknown region")]})
    return region_id


def _all(session: Session) -> dict[str, Region]:
    return {row.id: row for row in session.scalars(select(Region))}


def _known(regions: dict[str, Region], region_id: str, field: str) -> Region:
    row = regions.get(region_id)
    if row is None:
        raise NotFound(Text("no region '%(region)s'; known: %(regions)s", region=region_id,
                            regions=Listed(sorted(regions))), fields={field: [Text("unknown region")]})
    return row


def _chain(regions: dict[str, Region], region_id: str) -> list[str]:
    found: list[str] = []
    current: str | None = region_id
    while current is not None and current not in found:  # a cycle cannot be made through add_region
        found.append(current)
        current = regions[current].parent_id if current in regions else None
    return found


def _info(row: Region, depth: int) -> RegionInfo:
    return RegionInfo(row.id, row.parent_id, row.level, Names(row.name_zh, row.name_en), depth)


def _name_problems(name_zh: str, name_en: str) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    for field, value in (("name_zh", name_zh), ("name_en", name_en)):
        if not (value or "").strip() or len(value) > 255:
            problems[field] = [Text("required, at most 255 characters")]
    return problems


__all__ = ["ROOT_REGION", "RegionInfo", "add_region", "below", "chain", "check_region", "depth_first", "get_region",
           "leaves", "list_regions", "parents", "rename_region", "subtree"]
