"""Drafts of the modeler (issue #12 items 5 and 6): save, list, open, discard and deploy a model not yet deployed.

A matter variant has at most one current draft, shared by the designers of the matter: saving again replaces it
(its author becomes whoever saved last, its revision grows), so every designer of the matter resumes the same
work. A draft lives only in the `drafts` table: cases, the auditor's figures and the deployed versions never read
it. Deploying a draft runs the very check and deploy of an upload (`designer.deploy_upload`): a draft with
problems is refused with them listed; once deployed, the draft is removed (unless saved again meanwhile).

Who may: a designer of a department of the matter (the rule deploying uses, `check_may_deploy`), an admin any
matter. Every save, discard and deploy is written in the design log (engine/catalog/designlog.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.accounts.access import TRUSTED, check_may_deploy
from engine.accounts.users import Actor
from engine.catalog import designer
from engine.catalog.designlog import record
from engine.catalog.versions import Deployed
from engine.context import EngineContext
from engine.errors import Conflict, InputError, ModelError, NotFound
from engine.model.xmlsafe import MAX_BYTES, parse_xml
from engine.regions.lines import check_line, line_region, newest_matter_row
from engine.store.tables import ROOT
from engine.store.tables_design import Draft
from engine.text import Text


@dataclass(frozen=True)
class DraftInfo:
    """A saved draft, without its files."""

    matter_id: str
    variant: str
    filename: str
    author: str  # the account that saved it last
    saved_at: datetime
    revision: int  # 1 for the first save, one more for every save after it
    has_matter_yaml: bool  # False: deploying it uses the matter's deployed matter.yaml
    region: str = ROOT  # the version line it is for (engine/regions/lines.py)


@dataclass(frozen=True)
class DraftDetail:
    """A saved draft with its BPMN and matter.yaml text."""

    info: DraftInfo
    bpmn: bytes
    matter_yaml: str | None


def _info(row: Draft) -> DraftInfo:
    return DraftInfo(row.matter_id, row.variant, row.filename, row.author, row.saved_at, row.revision,
                     row.matter_yaml is not None, row.region)


def _declared(matter_id: str, matter_yaml: str | None) -> set[str] | None:
    """The departments the draft's matter.yaml lists; None without one (or when it does not parse yet)."""
    if matter_yaml is None:
        return None
    try:
        return set(designer.parse_upload_matter(matter_yaml.encode("utf-8"), matter_id).department_ids())
    except ModelError:
        return None


def check_may_edit(ctx: EngineContext, session: Session, actor: Actor, matter_id: str,
                   matter_yaml: str | None, region: str = ROOT) -> None:
    """NotAllowed unless `actor` may change the matter's models in `region`'s lines: a designer of the region and of
    one of its departments (as deployed, and as the draft's matter.yaml declares them), an admin any matter."""
    check_line(session, actor, region)
    if actor.role in TRUSTED:
        return
    deployed = designer.matter_departments(ctx, session, matter_id, region)
    declared = _declared(matter_id, matter_yaml)
    if not deployed and declared is None:
        raise InputError(Text("matter '%(matter)s' is not deployed: its draft needs a matter.yaml that names your "
                              "department", matter=matter_id),
                         fields={"matter_yaml": [Text("required for a new matter")]})
    check_may_deploy(actor, matter_id, deployed, declared if declared is not None else set(deployed))


def _read_input(bpmn: bytes, matter_yaml: bytes | None, variant: str) -> tuple[bytes, str | None]:
    filename = f"{variant}.bpmn"
    if not bpmn.strip():
        raise InputError(Text("the draft has no BPMN"), fields={"bpmn": [Text("required")]})
    parse_xml(bpmn, filename)  # ModelError (with the line) for a file the modeler could not open again
    if matter_yaml is None or not matter_yaml.strip():
        return bpmn, None
    if len(matter_yaml) > MAX_BYTES:
        raise InputError(Text("matter.yaml is larger than %(max)s bytes", max=MAX_BYTES),
                         fields={"matter_yaml": [Text("too large")]})
    try:
        return bpmn, matter_yaml.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(Text("matter.yaml is not UTF-8 text"), fields={"matter_yaml": [Text("not UTF-8")]}) from None


def save_draft(ctx: EngineContext, matter_id: str, variant: str, bpmn: bytes, matter_yaml: bytes | None,
               actor: Actor, region: str | None = None) -> DraftInfo:
    """Save (or replace) the matter variant's draft of `region`'s line (the actor's: engine/regions/lines.py) as
    `actor`; problems of the model do not stop a save (a draft is work in progress), but the file must be XML and
    the actor a designer of the matter."""
    designer.check_names(matter_id, variant)
    data, yaml_text = _read_input(bpmn, matter_yaml, variant)
    line = line_region(actor, region)
    try:
        with ctx.write() as session:
            check_may_edit(ctx, session, actor, matter_id, yaml_text, line)
            row = session.scalar(select(Draft).where(*_of(matter_id, variant, line)).with_for_update())
            if row is None:
                row = Draft(matter_id=matter_id, variant=variant, filename=f"{variant}.bpmn", revision=0, region=line)
                session.add(row)
            row.bpmn, row.matter_yaml, row.author = data, yaml_text, actor.name
            row.saved_at, row.revision = ctx.clock.now(), row.revision + 1
            record(ctx, session, actor.name, "save", matter_id, variant, region=line)
            session.flush()
            return _info(row)
    except IntegrityError:  # another designer saved the first draft of this variant at the same moment
        raise Conflict(Text("the draft of %(matter)s %(variant)s was saved by someone else just now; save again",
                            matter=matter_id, variant=variant)) from None


def list_drafts(ctx: EngineContext, matter_id: str | None = None, region: str | None = None) -> list[DraftInfo]:
    """Every saved draft (or a matter's, or a region's lines'), by matter and variant."""
    query = select(Draft).order_by(Draft.matter_id, Draft.variant, Draft.region)
    if matter_id:
        query = query.where(Draft.matter_id == matter_id)
    if region is not None:
        query = query.where(Draft.region == region)
    with ctx.read() as session:
        return [_info(row) for row in session.scalars(query)]


def _of(matter_id: str, variant: str, region: str) -> tuple[Any, ...]:
    return Draft.matter_id == matter_id, Draft.variant == variant, Draft.region == region


def find_draft(ctx: EngineContext, matter_id: str, variant: str, region: str = ROOT) -> DraftDetail | None:
    """The matter variant's draft of `region`'s line, or None."""
    with ctx.read() as session:
        row = session.scalar(select(Draft).where(*_of(matter_id, variant, region)))
        return DraftDetail(_info(row), row.bpmn, row.matter_yaml) if row is not None else None


def get_draft(ctx: EngineContext, matter_id: str, variant: str, region: str = ROOT) -> DraftDetail:
    """The matter variant's draft of `region`'s line (NotFound without one)."""
    found = find_draft(ctx, matter_id, variant, region)
    if found is None:
        raise NotFound(Text("no draft of %(matter)s %(variant)s", matter=matter_id, variant=variant))
    return found


def discard_draft(ctx: EngineContext, matter_id: str, variant: str, actor: Actor, region: str | None = None) -> None:
    """Throw the matter variant's draft of the actor's line away (whoever may edit it; NotFound without a draft)."""
    line = line_region(actor, region)
    with ctx.write() as session:
        row = session.scalar(select(Draft).where(*_of(matter_id, variant, line)).with_for_update())
        if row is None:
            raise NotFound(Text("no draft of %(matter)s %(variant)s", matter=matter_id, variant=variant))
        check_may_edit(ctx, session, actor, matter_id, row.matter_yaml, line)
        session.delete(row)
        record(ctx, session, actor.name, "discard", matter_id, variant, region=line)


def deploy_draft(ctx: EngineContext, matter_id: str, variant: str, actor: Actor, region: str | None = None) -> Deployed:
    """Check and deploy the matter variant's draft of the actor's line as an upload would be (ModelError listing its
    problems, NotAllowed for who may not), then remove it, unless it was saved again in the meantime."""
    line = line_region(actor, region)
    draft = get_draft(ctx, matter_id, variant, line)
    yaml_bytes = draft.matter_yaml.encode("utf-8") if draft.matter_yaml is not None else None
    deployed = designer.deploy_upload(ctx, draft.bpmn, draft.info.filename, yaml_bytes, matter_id, variant, actor,
                                      source="draft", region=line)
    with ctx.write() as session:
        session.execute(delete(Draft).where(*_of(matter_id, variant, line), Draft.revision == draft.info.revision))
    return deployed


def deployed_matter_yaml(ctx: EngineContext, matter_id: str, region: str = ROOT) -> str | None:
    """The matter.yaml text deployed last for the matter as `region` reads it (what a draft without one deploys
    with); None if none."""
    with ctx.read() as session:
        row = newest_matter_row(session, matter_id, region)
        return row.matter_yaml if row is not None else None
