"""Models as designers see them: check and deploy uploads, versions, matters, and static reads of a model."""
from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from engine.catalog import versions as catalog
from engine.context import EngineContext
from engine.errors import InputError, MatterNotFound, ModelError, NotFound, NotYourDepartment
from engine.matters.files import APPLICANT, Matter, Names
from engine.model.types import Model
from engine.model.problems import Problem
from engine.model.xmlsafe import MAX_BYTES
from engine.store.tables import ModelVersion
from engine.accounts.users import Actor

MAX_UPLOAD = MAX_BYTES  # one limit for uploaded files, defined in engine.model.xmlsafe


@dataclass(frozen=True)
class VersionInfo:
    """One deployed version of a matter variant."""

    id: int
    matter_id: str
    variant: str
    version: int
    content_hash: str
    filename: str
    process_id: str
    deployed_at: datetime
    current: bool


@dataclass(frozen=True)
class MatterInfo:
    """A deployed matter: its names, departments and the current version of each variant."""

    id: str
    names: Names
    category: str | None
    departments: tuple[str, ...]
    variants: dict[str, int]


# -- checking and deploying uploads ------------------------------------------------------------------

def _parse_upload_matter(matter_yaml: bytes, matter_id: str | None) -> Matter:
    from engine.matters.files import parse_matter

    if len(matter_yaml) > MAX_UPLOAD:
        raise ModelError([Problem("matter.yaml", None, None, f"larger than {MAX_UPLOAD} bytes")])
    try:  # parse_matter checks the id against the directory name; uploads have no directory
        declared = yaml.safe_load(matter_yaml)
    except (yaml.YAMLError, RecursionError, MemoryError):
        declared = None  # parse_matter below reports what is wrong
    guess = declared.get("id") if isinstance(declared, dict) and isinstance(declared.get("id"), str) else None
    directory = matter_id or guess or "matter"
    return parse_matter(matter_yaml, Path(directory), "matter.yaml")


def _load_upload(bpmn: bytes, filename: str, matter: Matter | None) -> Model:
    from engine.model.loading import load_model

    if len(bpmn) > MAX_UPLOAD:
        raise ModelError([Problem(filename, None, None, f"larger than {MAX_UPLOAD} bytes")])
    return load_model(bpmn, filename, matter=matter)


def check_upload(bpmn: bytes, filename: str, matter_yaml: bytes | None = None) -> list[Problem]:
    """Every problem of an uploaded model (and its matter.yaml); an empty list means it is valid."""
    filename = _clean_filename(filename)
    matter = None
    if matter_yaml is not None:
        try:
            matter = _parse_upload_matter(matter_yaml, None)
        except ModelError as exc:
            return exc.problems
    try:
        _load_upload(bpmn, filename, matter)
    except ModelError as exc:
        return exc.problems
    return []


def deploy_upload(ctx: EngineContext, bpmn: bytes, filename: str, matter_yaml: bytes | None, matter_id: str,
                  variant: str, actor: Actor | None = None) -> catalog.Deployed:
    """Check and deploy an uploaded model; without a matter.yaml the matter's deployed one is used."""
    if variant not in catalog.VARIANTS:
        raise InputError(f"unknown variant {variant!r}", fields={"variant": [f"one of {', '.join(catalog.VARIANTS)}"]})
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,63}", matter_id or ""):
        raise InputError(f"invalid matter id {matter_id!r}", fields={"matter_id": ["lower-case letters, digits, _"]})
    if matter_yaml is not None:
        matter = _parse_upload_matter(matter_yaml, matter_id)
        yaml_text = matter_yaml.decode("utf-8")
    else:
        with ctx.read() as session:
            row = session.scalar(select(ModelVersion).where(ModelVersion.matter_id == matter_id)
                                 .order_by(ModelVersion.deployed_at.desc(), ModelVersion.id.desc()).limit(1))
            if row is None or row.matter_yaml is None:
                raise InputError(f"matter {matter_id!r} has no deployed matter.yaml; upload one with the model",
                                 fields={"matter_yaml": ["required for a new matter"]})
            _, matter = catalog.loaded_version(ctx, session, row.id)
            yaml_text = row.matter_yaml
    if actor is not None and actor.role != "admin":
        if actor.role != "designer" or actor.department not in matter.department_ids():
            raise NotYourDepartment(f"{actor.name} is not a designer of a department of matter {matter_id!r}")
    display = f"{matter_id}/{_clean_filename(filename)}"
    model = _load_upload(bpmn, display, matter)
    with ctx.write() as session:
        # catalog.store_version is the one place that decides "unchanged" vs "new version"
        return catalog.store_version(ctx, session, matter_id, variant, bpmn, display, model, yaml_text)


def _clean_filename(filename: str) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]", "_", (filename or "").replace("\\", "/").rsplit("/", 1)[-1])[:100]
    return name or "upload.bpmn"


# -- versions and matters -----------------------------------------------------------------------------

def list_versions(ctx: EngineContext, matter_id: str | None = None) -> list[VersionInfo]:
    """Deployed versions, newest first per matter variant."""
    with ctx.read() as session:
        query = select(ModelVersion.id, ModelVersion.matter_id, ModelVersion.variant, ModelVersion.version,
                       ModelVersion.content_hash, ModelVersion.filename, ModelVersion.process_id,
                       ModelVersion.deployed_at).order_by(ModelVersion.matter_id, ModelVersion.variant,
                                                          ModelVersion.version.desc())
        if matter_id is not None:
            query = query.where(ModelVersion.matter_id == matter_id)
        rows = session.execute(query).all()
    if matter_id is not None and not rows:
        raise MatterNotFound(f"no deployed matter {matter_id!r}")
    seen: set[tuple[str, str]] = set()
    found = []
    for row in rows:
        key = (row.matter_id, row.variant)
        found.append(VersionInfo(*row, current=key not in seen))
        seen.add(key)
    return found


def version_file(ctx: EngineContext, version_id: int) -> tuple[bytes, str]:
    """The BPMN bytes and file name of a deployed version."""
    with ctx.read() as session:
        row = session.get(ModelVersion, version_id)
        if row is None:
            raise NotFound(f"no model version {version_id}")
        return row.bpmn, row.filename.rsplit("/", 1)[-1]


def current_models(ctx: EngineContext, matter_id: str) -> dict[str, tuple[Model, Matter | None]]:
    """The loaded current model (and matter) of each deployed variant of a matter."""
    with ctx.read() as session:
        ids = session.execute(select(ModelVersion.variant, ModelVersion.id).where(ModelVersion.matter_id == matter_id)
                              .order_by(ModelVersion.version)).all()
        current = {variant: version_id for variant, version_id in ids}  # the last one wins: the newest
        return {variant: catalog.loaded_version(ctx, session, vid) for variant, vid in current.items()}


def list_matters(ctx: EngineContext) -> list[MatterInfo]:
    """Every deployed matter with its current versions."""
    with ctx.read() as session:
        rows = session.execute(select(ModelVersion.matter_id, ModelVersion.variant, ModelVersion.version,
                                      ModelVersion.id).order_by(ModelVersion.matter_id, ModelVersion.version)).all()
        current: dict[str, dict[str, tuple[int, int]]] = {}
        for matter_id, variant, version, vid in rows:
            current.setdefault(matter_id, {})[variant] = (version, vid)
        found = []
        for matter_id, variants in current.items():
            newest = max(variants.values(), key=lambda v: v[1])[1]
            model, matter = catalog.loaded_version(ctx, session, newest)
            found.append(_matter_info(matter_id, model, matter, {k: v[0] for k, v in variants.items()}))
    return found


def get_matter(ctx: EngineContext, matter_id: str) -> MatterInfo:
    """One deployed matter (MatterNotFound otherwise)."""
    for info in list_matters(ctx):
        if info.id == matter_id:
            return info
    raise MatterNotFound(f"no deployed matter {matter_id!r}")


def _matter_info(matter_id: str, model: Model, matter: Matter | None, variants: dict[str, int]) -> MatterInfo:
    if matter is not None:
        return MatterInfo(matter_id, matter.names, matter.category, tuple(d.id for d in matter.departments), variants)
    lanes = tuple(sorted(lane for lane in model.lanes if lane != APPLICANT))
    return MatterInfo(matter_id, Names(matter_id, matter_id), None, lanes, variants)


def matter_departments(ctx: EngineContext, matter_id: str) -> frozenset[str]:
    """Departments (lanes and matter.yaml departments) of every current variant of a matter."""
    found: set[str] = set()
    for model, matter in current_models(ctx, matter_id).values():
        found.update(lane for lane in model.lanes if lane != APPLICANT)
        if matter is not None:
            found.update(matter.department_ids())
    return frozenset(found)


# -- static reads of one model ------------------------------------------------------------------------

def _flows(model: Model) -> dict[str, list[str]]:
    cache = model.__dict__.setdefault("_onething_flows", {})
    if not cache:
        for flow in model.root.iter("{*}sequenceFlow"):
            cache.setdefault(flow.get("sourceRef"), []).append(flow.get("targetRef"))
    return cache


def first_applicant_step(model: Model) -> str | None:
    """The first userTask in the Applicant lane reachable from the process's start event (breadth first)."""
    process = next((p for p in model.root.iter("{*}process") if p.get("id") == model.process_id), None)
    if process is None:
        return None
    starts = [e.get("id") for e in process.findall("{*}startEvent")]
    flows, seen, todo = _flows(model), set(starts), deque(starts)
    while todo:
        node = todo.popleft()
        step = model.steps.get(node)
        if step is not None and step.kind == "userTask" and step.department == APPLICANT:
            return node
        for target in flows.get(node, []):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return None


def next_steps(model: Model, step_id: str) -> list[str]:
    """Steps directly after `step_id` along sequence flows, passing gateways and events."""
    flows, found, seen, todo = _flows(model), [], {step_id}, deque(_flows(model).get(step_id, []))
    while todo:
        node = todo.popleft()
        if node in seen:
            continue
        seen.add(node)
        if node in model.steps:
            found.append(node)
        else:
            todo.extend(flows.get(node, []))
    return found


def step_name_en(model: Model, step_id: str) -> str:
    """A step's English name (its name_en property, else its id)."""
    step = model.steps.get(step_id)
    return (step.properties.get("name_en") if step else None) or step_id


def department_names(model: Model, matter: Matter | None, department: str | None) -> Names:
    """A department's names from matter.yaml, else its lane name."""
    if department == APPLICANT:
        return Names("申请人", "Applicant")
    if matter is not None:
        for item in matter.departments:
            if item.id == department:
                return item.names
    name = model.lanes.get(department or "", "") or department or "-"
    return Names(name, department or "-")


def variant_models(ctx: EngineContext) -> dict[str, dict[str, tuple[Model, Any]]]:
    """Loaded current models of every deployed matter, by matter id and variant."""
    return {info.id: current_models(ctx, info.id) for info in list_matters(ctx)}
