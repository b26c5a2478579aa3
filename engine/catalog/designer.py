"""Models as designers see them: check and deploy uploads, versions, matters, and static reads of a model."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.accounts.access import check_may_change_departments, check_may_deploy
from engine.accounts.users import Actor
from engine.catalog import versions as catalog
from engine.context import EngineContext
from engine.errors import InputError, MatterNotFound, ModelError, NotAllowed
from engine.matters.files import Matter, Names
from engine.model.calls import Library
from engine.model.problems import Problem
from engine.model.reading import all_departments
from engine.model.types import Model
from engine.model.xmlsafe import MAX_BYTES
from engine.regions import tree as regions
from engine.regions.lines import check_line, line_region, newest_matter_row
from engine.store.tables import ROOT, ModelVersion
from engine.text import Listed, Text
from engine.vocabulary import APPLICANT, VARIANTS

MAX_UPLOAD = MAX_BYTES  # one limit for uploaded files, defined in engine.model.xmlsafe


@dataclass(frozen=True)
class ModelFile:
    """A deployed model's BPMN file, for drawing and download."""

    data: bytes
    filename: str


@dataclass(frozen=True)
class MatterInfo:
    """A deployed matter: its names, departments and the current version of each variant."""

    id: str
    names: Names
    category: str | None
    departments: tuple[str, ...]
    variants: dict[str, int]


# -- checking and deploying uploads ------------------------------------------------------------------

def parse_upload_matter(matter_yaml: bytes, matter_id: str | None) -> Matter:
    from engine.matters.files import parse_matter

    if len(matter_yaml) > MAX_UPLOAD:
        raise ModelError([Problem("matter.yaml", None, None, Text("larger than %(max)s bytes", max=MAX_UPLOAD))])
    try:  # parse_matter checks the id against the directory name; uploads have no directory
        declared = yaml.safe_load(matter_yaml)
    except (yaml.YAMLError, RecursionError, MemoryError):
        declared = None  # parse_matter below reports what is wrong
    guess = declared.get("id") if isinstance(declared, dict) and isinstance(declared.get("id"), str) else None
    directory = matter_id or guess or "matter"
    return parse_matter(matter_yaml, Path(directory), "matter.yaml")


def _load_upload(bpmn: bytes, filename: str, matter: Matter | None,
                 decisions: dict[str, bytes] | None = None, ctx: EngineContext | None = None) -> Model:
    """The upload checked; with the engine's context, its call activities may name the deployed shared
    sub-processes (engine.catalog.shared)."""
    from engine.model.loading import load_model

    if len(bpmn) > MAX_UPLOAD:
        raise ModelError([Problem(filename, None, None, Text("larger than %(max)s bytes", max=MAX_UPLOAD))])
    return load_model(bpmn, filename, matter=matter, decisions=decisions, library=deployed_library(ctx))


def deployed_library(ctx: EngineContext | None) -> Library:
    """The newest deployed shared sub-processes, as the files an upload's call activities may name."""
    from engine.catalog import shared

    if ctx is None:
        return ()
    with ctx.read() as session:
        return shared.library(shared.deployed_files(ctx, session, shared.current_pins(session)))


def deployed_decisions(ctx: EngineContext, matter_id: str) -> dict[str, bytes]:
    """The DMN files last deployed with the matter (uploads are BPMN only: a new model uses the tables deployed
    from its matter directory by `onething deploy`)."""
    from engine.model.decisions import decisions_from_stored

    with ctx.read() as session:
        stored = session.scalar(select(ModelVersion.decision_tables)
                                .where(ModelVersion.matter_id == matter_id, ModelVersion.decision_tables.is_not(None))
                                .order_by(ModelVersion.deployed_at.desc(), ModelVersion.id.desc()).limit(1))
    return decisions_from_stored(stored, matter_id) or {}


def check_upload(bpmn: bytes, filename: str, matter_yaml: bytes | None = None, *,
                 ctx: EngineContext | None = None, matter_id: str | None = None, variant: str | None = None,
                 actor: Actor | None = None, warnings: bool = False) -> list[Problem]:
    """Every problem of an uploaded model (and its matter.yaml); an empty list means it is valid.

    With `warnings`, a model that loads gives its warnings (Problem.is_warning): valid, but worth reading.

    Given the matter (and the engine's context), it checks what deploying it as `actor` would: against the
    deployed matter.yaml when none is uploaded, and who may deploy it with which departments (a variant
    assumed "after" when none is given), so that check and deploy agree on one upload.
    """
    if ctx is None or not matter_id:
        filename = _clean_filename(filename)
        matter = None
        try:
            if matter_yaml is not None:
                matter = parse_upload_matter(matter_yaml, None)
            model = _load_upload(bpmn, filename, matter, ctx=ctx)
        except ModelError as exc:
            return exc.problems
        return list(model.warnings) if warnings else []
    try:
        model = prepare_upload(ctx, bpmn, filename, matter_yaml, matter_id, variant or "after", actor,
                               line_region(actor))[0]
    except ModelError as exc:
        return exc.problems
    except (InputError, NotAllowed) as exc:  # the very message deploying refuses with
        about = "matter.yaml" if "matter_yaml" in exc.fields else f"{matter_id}/{_clean_filename(filename)}"
        return [Problem(about, None, None, exc.message)]
    return list(model.warnings) if warnings else []


def check_names(matter_id: str, variant: str) -> None:
    """InputError for a variant or matter id that no deploy (and no draft) can have."""
    if variant not in VARIANTS:
        raise InputError(Text("unknown variant '%(variant)s'", variant=variant),
                         fields={"variant": [Text("one of %(choices)s", choices=Listed(VARIANTS))]})
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,63}", matter_id or ""):
        raise InputError(Text("invalid matter id '%(matter)s'", matter=matter_id),
                         fields={"matter_id": [Text("lower-case letters, digits, _")]})


def prepare_upload(ctx: EngineContext, bpmn: bytes, filename: str, matter_yaml: bytes | None, matter_id: str,
                   variant: str, actor: Actor | None, region: str = ROOT) -> tuple[Model, Matter, str, str]:
    """What deploying into `region`'s line checks before it stores: the upload, its matter and who deploys it (the
    model, its matter, its display name and the matter.yaml text to store); raises what deploying would."""
    check_names(matter_id, variant)
    if matter_yaml is not None:
        matter = parse_upload_matter(matter_yaml, matter_id)
        yaml_text = matter_yaml.decode("utf-8")
    else:
        with ctx.read() as session:
            row = newest_matter_row(session, matter_id, region)
            if row is None or row.matter_yaml is None:
                raise InputError(Text("matter '%(matter)s' has no deployed matter.yaml; upload one with the model",
                                      matter=matter_id), fields={"matter_yaml": [Text("required for a new matter")]})
            _, matter = catalog.loaded_version(ctx, session, row.id)
            yaml_text = row.matter_yaml
    display = f"{matter_id}/{_clean_filename(filename)}"
    model = _load_upload(bpmn, display, matter, deployed_decisions(ctx, matter_id), ctx)
    if actor is not None:
        with ctx.read() as session:
            check_deployer(ctx, session, actor, matter_id, variant, matter, model, region)
    return model, matter, display, yaml_text


def check_deployer(ctx: EngineContext, session: Session, actor: Actor, matter_id: str, variant: str,
                   matter: Matter, model: Model, region: str = ROOT) -> None:
    """NotAllowed unless `actor` may deploy `model` as the matter's variant into `region`'s line (its region,
    departments, shared matters)."""
    check_line(session, actor, region)
    deployed = matter_departments(ctx, session, matter_id, region)
    check_may_deploy(actor, matter_id, deployed, set(matter.department_ids()))
    current = _current_departments(ctx, session, matter_id, variant, region)
    check_may_change_departments(actor, matter_id, variant, current, deployed, model_departments(model))


def deploy_upload(ctx: EngineContext, bpmn: bytes, filename: str, matter_yaml: bytes | None, matter_id: str,
                  variant: str, actor: Actor, source: str = "upload", region: str | None = None) -> catalog.Deployed:
    """Check and deploy an uploaded model for `actor` (a designer of the matter, or an admin) into the version line
    of `region` (engine/regions/lines.py: a designer's own region by default, an admin's the root).

    Without a matter.yaml the matter's deployed one is used. `check_upload` with the same matter runs the
    same checks (`prepare_upload`), so what deploying refuses, checking reports.
    """
    line = line_region(actor, region)
    model, matter, display, yaml_text = prepare_upload(ctx, bpmn, filename, matter_yaml, matter_id, variant, None, line)
    tables = stored_tables(ctx, matter_id, model)
    with ctx.write() as session:  # who may deploy is checked again in the writing transaction
        check_deployer(ctx, session, actor, matter_id, variant, matter, model, line)
        # catalog.store_version is the one place that decides "unchanged" vs "new version"
        return catalog.store_version(ctx, session, matter_id, variant, bpmn, display, model, yaml_text, actor.name,
                                     decision_tables=tables, source=source, region=line)


def stored_tables(ctx: EngineContext, matter_id: str, model: Model) -> str | None:
    from engine.model.decisions import stored_decisions

    return stored_decisions(model, deployed_decisions(ctx, matter_id))[0] if model.decision_files else None


def model_departments(model: Model) -> set[str]:
    """The departments a model sends work to (its lanes, the applicant's aside)."""
    return {s.department for s in model.steps.values() if s.department not in (None, APPLICANT)}


def _current_departments(ctx: EngineContext, session: Session, matter_id: str, variant: str,
                         region: str = ROOT) -> set[str] | None:
    """The departments of the variant's current version as `region` runs it; None before its first version."""
    try:
        version = catalog.current_version(session, matter_id, variant, region)
    except MatterNotFound:
        return None
    return model_departments(catalog.loaded_version(ctx, session, version.id)[0])


def _clean_filename(filename: str) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]", "_", (filename or "").replace("\\", "/").rsplit("/", 1)[-1])[:100]
    return name or "upload.bpmn"


# -- versions and matters -----------------------------------------------------------------------------

def deployed_matter_ids(session: Session) -> list[str]:
    """Ids of every matter with a deployed version, sorted."""
    return list(session.scalars(select(ModelVersion.matter_id).distinct().order_by(ModelVersion.matter_id)))


def current_version_ids(session: Session, matter_id: str, region: str = ROOT) -> dict[str, int]:
    """The stored id of the current version of each deployed variant of a matter, as `region` runs it (its own
    newest, else its nearest ancestor's: engine/regions/tree.py)."""
    lines = regions.chain(session, region) if region != ROOT else [ROOT]
    rows = session.execute(select(ModelVersion.region, ModelVersion.variant, ModelVersion.id)
                           .where(ModelVersion.matter_id == matter_id, ModelVersion.region.in_(lines))
                           .order_by(ModelVersion.version)).all()
    found: dict[str, int] = {}
    for line in reversed(lines):  # the root first: a nearer region's own line wins
        found.update({variant: version_id for owner, variant, version_id in rows if owner == line})
    return found


def current_models(ctx: EngineContext, session: Session, matter_id: str,
                   region: str = ROOT) -> dict[str, tuple[Model, Matter | None]]:
    """The loaded current model (and matter) of each deployed variant of a matter (engine-internal)."""
    return {variant: catalog.loaded_version(ctx, session, vid)
            for variant, vid in current_version_ids(session, matter_id, region).items()}


def current_model_files(ctx: EngineContext, matter_id: str, region: str = ROOT) -> dict[str, ModelFile]:
    """The BPMN file of the current version of each deployed variant of a matter, as `region` runs it."""
    with ctx.read() as session:
        return {variant: ModelFile(model.data, model.filename)
                for variant, (model, _matter) in current_models(ctx, session, matter_id, region).items()}


def list_matters(ctx: EngineContext, region: str = ROOT) -> list[MatterInfo]:
    """Every deployed matter with the current versions `region` runs (a matter only another region has aside)."""
    with ctx.read() as session:
        found = []
        for matter_id in deployed_matter_ids(session):
            version_ids = current_version_ids(session, matter_id, region)
            if version_ids:
                found.append(_matter_info_of(ctx, session, matter_id, version_ids))
    return found


def get_matter(ctx: EngineContext, matter_id: str) -> MatterInfo:
    """One deployed matter (MatterNotFound otherwise)."""
    with ctx.read() as session:
        return matter_info(ctx, session, matter_id)


def matter_info(ctx: EngineContext, session: Session, matter_id: str, region: str = ROOT) -> MatterInfo:
    """One deployed matter inside the caller's transaction (MatterNotFound otherwise)."""
    version_ids = current_version_ids(session, matter_id, region)
    if not version_ids:
        raise MatterNotFound(Text("no deployed matter '%(matter)s'", matter=matter_id))
    return _matter_info_of(ctx, session, matter_id, version_ids)


def _matter_info_of(ctx: EngineContext, session: Session, matter_id: str, version_ids: dict[str, int]) -> MatterInfo:
    model, matter = catalog.loaded_version(ctx, session, max(version_ids.values()))
    numbers = {variant: catalog.version_number(ctx, session, vid) for variant, vid in version_ids.items()}
    return _matter_info(matter_id, model, matter, numbers)


def _matter_info(matter_id: str, model: Model, matter: Matter | None, variants: dict[str, int]) -> MatterInfo:
    if matter is not None:
        return MatterInfo(matter_id, matter.names, matter.category, tuple(d.id for d in matter.departments), variants)
    lanes = tuple(sorted(all_departments(model)))
    return MatterInfo(matter_id, Names(matter_id, matter_id), None, lanes, variants)


def matter_departments(ctx: EngineContext, session: Session, matter_id: str, region: str = ROOT) -> frozenset[str]:
    """Departments (lanes and matter.yaml departments) of every current variant of a matter (as `region` runs it)."""
    found: set[str] = set()
    for model, matter in current_models(ctx, session, matter_id, region).values():
        found.update(all_departments(model))
        if matter is not None:
            found.update(matter.department_ids())
    return frozenset(found)
