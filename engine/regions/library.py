"""The province's library of reforms (issue #13 item 2): a region publishes its reformed (`after`) version of a
matter, another region adopts it as a new version of its own `after` line, and later takes a newer publication.

A publication points at the version as it was published (`published_reforms`); an adopted version points at the
publication (`model_versions.adopted_from`), and every later version of the adopter's line keeps that lineage
(engine/catalog/versions.py), so local adjustments (edits deployed into the region's line) stay "adopted with
local changes" (engine/regions/adoption.py). Taking a newer publication is adopting again: it replaces the local
version with the published one as it is; local changes are not merged.

Who may: a designer of the region (publishing for it or adopting into it), an admin (any region); the CLI and the
demo pass no actor. Each use case is one transaction.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.accounts.access import check_may_deploy
from engine.accounts.users import Actor
from engine.catalog import versions as catalog
from engine.context import EngineContext
from engine.errors import Conflict, InputError, MatterNotFound
from engine.regions import tree
from engine.regions.adoption import REFORMED, region_states
from engine.regions.lines import check_region_designer
from engine.store.tables import ModelVersion
from engine.store.tables_regions import PublishedReform
from engine.text import Listed, Text


@dataclass(frozen=True)
class Publication:
    """What publishing did: `status` published (a new number) or unchanged (that version is published already)."""

    id: int
    matter_id: str
    region: str
    number: int
    version: int  # the publisher's version number of its `after` line
    status: str  # published | unchanged
    published_at: datetime
    published_by: str | None
    note: str | None


@dataclass(frozen=True)
class Adoption:
    """What adopting did: the new version of the adopter's `after` line and the publication it carries."""

    matter_id: str
    region: str
    from_region: str
    number: int  # the publication's number
    version: int  # the adopter's version number
    status: str  # new | restored | unchanged (catalog.store_version)
    replaced_local_changes: bool  # the region's line had changes of its own: they are not merged, only replaced


@dataclass(frozen=True)
class Adopter:
    region: str
    state: str  # adopted | adopted_changed (engine/regions/adoption.py)


@dataclass(frozen=True)
class LibraryEntry:
    """One published reform with who runs it: `newest` is the publisher's newest publication of the matter."""

    publication: Publication
    newest: bool
    adopters: tuple[Adopter, ...]


@dataclass(frozen=True)
class ReformUpdate:
    """A matter a region adopted: the publication it runs and the publisher's newest one."""

    matter_id: str
    from_region: str
    adopted_number: int
    newest_number: int
    newer: bool  # the publisher published a newer reform since: adopting again takes it
    state: str  # adopted | adopted_changed
    advice: str | None  # what taking it means, when there is something to take


def own_line(session: Session, matter_id: str, region: str) -> ModelVersion | None:
    """The newest version of `region`'s own `after` line of the matter (None: it runs an ancestor's, or none)."""
    return session.scalar(select(ModelVersion).where(ModelVersion.matter_id == matter_id,
                                                     ModelVersion.variant == REFORMED, ModelVersion.region == region)
                          .order_by(ModelVersion.version.desc()).limit(1))


def check_matter(session: Session, matter_id: str) -> None:
    """MatterNotFound (naming the deployed ones) for a matter no region has deployed."""
    known = sorted(session.scalars(select(ModelVersion.matter_id).distinct()))
    if matter_id not in known:
        raise MatterNotFound(Text("no deployed matter '%(matter)s'; deployed matters: %(matters)s", matter=matter_id,
                                  matters=Listed(known, Text("none"))), fields={"matter_id": [Text("unknown matter")]})


def publish_reform(ctx: EngineContext, matter_id: str, region: str, actor: Actor | None = None,
                   note: str | None = None) -> Publication:
    """Publish `region`'s current own `after` version of the matter to the library (a new number), or say that
    exactly this version is its newest publication already (`unchanged`)."""
    note = (note or "").strip() or None
    if note is not None and len(note) > 2000:
        raise InputError(Text("the note is too long: at most 2000 characters"),
                         fields={"note": [Text("too long")]})
    with ctx.write() as session:
        tree.check_region(session, region)
        check_matter(session, matter_id)
        _check_designer(ctx, session, actor, matter_id, region, Text("publish a reform"))
        own = own_line(session, matter_id, region)
        if own is None:
            runs = catalog.current_version(session, matter_id, REFORMED, region) if _has_after(session, matter_id) \
                else None
            where = (Text("it runs version %(version)s of region '%(owner)s'", version=runs.version, owner=runs.region)
                     if runs is not None else Text("no region has an after version"))
            raise InputError(Text("region '%(region)s' has no after version of its own of matter '%(matter)s' to "
                                  "publish (%(where)s): deploy or adopt one in '%(region)s' first", region=region,
                                  matter=matter_id, where=where), fields={"region": [Text("no own after version")]})
        newest = _newest_publication(session, matter_id, region)
        if newest is not None and newest.model_version_id == own.id:
            return _publication(newest, own.version, "unchanged")
        row = PublishedReform(matter_id=matter_id, variant=REFORMED, region=region,
                              number=(newest.number if newest is not None else 0) + 1, model_version_id=own.id,
                              published_at=ctx.clock.now(), published_by=actor.name if actor else None, note=note)
        session.add(row)
        session.flush()
        return _publication(row, own.version, "published")


def adopt_reform(ctx: EngineContext, matter_id: str, from_region: str, region: str,
                 actor: Actor | None = None) -> Adoption:
    """Make the newest reform `from_region` published the current version of `region`'s own `after` line
    (its BPMN, matter.yaml and decision tables, its lineage the publication). Local changes are replaced."""
    with ctx.write() as session:
        tree.check_region(session, from_region, "from")
        tree.check_region(session, region)
        check_matter(session, matter_id)
        if from_region == region:
            raise InputError(Text("region '%(region)s' published this reform itself: a region adopts another "
                                  "region's reform", region=region), fields={"from": [Text("another region")]})
        _check_designer(ctx, session, actor, matter_id, region, Text("adopt a reform"))
        published = _newest_publication(session, matter_id, from_region)
        if published is None:
            publishers = sorted(set(session.scalars(select(PublishedReform.region)
                                                    .where(PublishedReform.matter_id == matter_id))))
            nobody = Text("nobody yet")
            raise InputError(Text("region '%(from_region)s' has published no reform of matter '%(matter)s'; "
                                  "published by: %(regions)s", from_region=from_region, matter=matter_id,
                                  regions=Listed(publishers, nobody)),
                             fields={"from": [Text("nothing published")]})
        shared = session.get(ModelVersion, published.model_version_id)
        assert shared is not None  # a foreign key
        own = own_line(session, matter_id, region)
        if own is not None and own.adopted_from == published.id and _same_content(own, shared):
            raise Conflict(Text("region '%(region)s' already runs reform %(number)s of '%(from_region)s' for "
                                "matter '%(matter)s' as published", region=region, number=published.number,
                                from_region=from_region, matter=matter_id))
        changed = own is not None and own.adopted_from is not None and region_states(
            session, matter_id).get(region) == "adopted_changed"
        model, _matter = catalog.loaded_version(ctx, session, shared.id)
        done = catalog.store_version(ctx, session, matter_id, REFORMED, shared.bpmn, shared.filename, model,
                                     shared.matter_yaml, actor.name if actor else None,
                                     decision_tables=shared.decision_tables, source="adopt", region=region,
                                     adopted_from=published.id)
        if done.status == "unchanged" and own is not None:  # identical content of its own: now it is adopted
            own.adopted_from = published.id
        return Adoption(matter_id, region, from_region, published.number, done.version, done.status, changed)


def library_entries(ctx: EngineContext, matter_id: str | None = None) -> list[LibraryEntry]:
    """Every published reform (or a matter's), newest first per matter, with the regions running it."""
    with ctx.read() as session:
        query = select(PublishedReform).order_by(PublishedReform.matter_id, PublishedReform.published_at.desc(),
                                                 PublishedReform.id.desc())
        if matter_id:
            check_matter(session, matter_id)
            query = query.where(PublishedReform.matter_id == matter_id)
        rows = list(session.scalars(query))
        states = {m: region_states(session, m) for m in {r.matter_id for r in rows}}
        running = _running(session, {r.matter_id for r in rows})
        newest: dict[tuple[str, str], int] = {}
        for r in rows:
            newest[(r.matter_id, r.region)] = max(newest.get((r.matter_id, r.region), 0), r.number)
        found = []
        for r in rows:
            adopters = tuple(Adopter(region, states[r.matter_id].get(region, "adopted"))
                             for region, adopted in sorted(running.get(r.matter_id, {}).items()) if adopted == r.id)
            found.append(LibraryEntry(_publication(r, _version_of(session, r), "published"),
                                      r.number == newest[(r.matter_id, r.region)], adopters))
        return found


def reform_updates(ctx: EngineContext, region: str) -> list[ReformUpdate]:
    """For each matter `region` adopted: the publication it runs, the publisher's newest, and whether it is newer."""
    with ctx.read() as session:
        tree.check_region(session, region)
        found = []
        for row in session.scalars(select(ModelVersion.matter_id).where(ModelVersion.region == region,
                                                                         ModelVersion.variant == REFORMED).distinct()):
            own = own_line(session, row, region)
            if own is None or own.adopted_from is None:
                continue
            adopted = session.get(PublishedReform, own.adopted_from)
            assert adopted is not None
            newest = _newest_publication(session, row, adopted.region)
            assert newest is not None
            state = region_states(session, row).get(region, "adopted")
            newer = newest.number > adopted.number
            advice = None
            if newer:
                advice = Text("'%(from_region)s' published reform %(number)s: adopting again takes it as published",
                              from_region=adopted.region, number=newest.number)
                if state == "adopted_changed":
                    advice = Text("%(advice)s; your local changes are not merged: make them again afterwards",
                                  advice=advice)
            found.append(ReformUpdate(row, adopted.region, adopted.number, newest.number, newer, state, advice))
        return sorted(found, key=lambda u: u.matter_id)


def _check_designer(ctx: EngineContext, session: Session, actor: Actor | None, matter_id: str, region: str,
                    what: str) -> None:
    """A designer of the region whose department takes part in the matter (as the region runs it), or an admin."""
    from engine.catalog.designer import matter_departments

    check_region_designer(actor, region, what)
    if actor is not None and actor.role == "designer":
        departments = matter_departments(ctx, session, matter_id, region)
        check_may_deploy(actor, matter_id, departments, departments)


def _has_after(session: Session, matter_id: str) -> bool:
    return (session.scalar(select(func.count()).select_from(ModelVersion).where(
        ModelVersion.matter_id == matter_id, ModelVersion.variant == REFORMED)) or 0) > 0


def _newest_publication(session: Session, matter_id: str, region: str) -> PublishedReform | None:
    return session.scalar(select(PublishedReform).where(PublishedReform.matter_id == matter_id,
                                                        PublishedReform.region == region)
                          .order_by(PublishedReform.number.desc()).limit(1))


def _same_content(one: ModelVersion, other: ModelVersion) -> bool:
    return (one.bpmn, one.matter_yaml, one.decision_tables) == (other.bpmn, other.matter_yaml, other.decision_tables)


def _running(session: Session, matters: set[str]) -> dict[str, dict[str, int | None]]:
    """matter -> region -> the publication its own current `after` version carries (None: its own reform)."""
    found: dict[str, dict[str, int | None]] = {}
    for row in session.execute(select(ModelVersion.matter_id, ModelVersion.region, ModelVersion.adopted_from)
                               .where(ModelVersion.matter_id.in_(matters), ModelVersion.variant == REFORMED)
                               .order_by(ModelVersion.version)):
        found.setdefault(row.matter_id, {})[row.region] = row.adopted_from  # the newest of each line wins
    return found


def _version_of(session: Session, row: PublishedReform) -> int:
    return session.scalar(select(ModelVersion.version).where(ModelVersion.id == row.model_version_id)) or 0


def _publication(row: PublishedReform, version: int, status: str) -> Publication:
    return Publication(row.id, row.matter_id, row.region, row.number, version, status, row.published_at,
                       row.published_by, row.note)
