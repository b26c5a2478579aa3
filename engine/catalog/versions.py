"""Deployed model versions: deploy files by content hash, find the current version, load a version."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from engine.context import EngineContext
from engine.errors import MatterNotFound, ModelError, NotFound
from engine.model.problems import Problem
from engine.model.types import Model
from engine.regions import tree as regions
from engine.store.tables import ROOT, ModelVersion
from engine.text import Listed, Text


@dataclass(frozen=True)
class Deployed:
    """What deploying one file did."""

    matter_id: str
    variant: str
    version: int
    status: str  # new | unchanged | restored (the content of an older version made current again)
    filename: str
    restored: int | None = None  # for `restored`: the older version whose content this one carries


def model_files(path: Path) -> list[tuple[Path, Path]]:
    """(matter directory, BPMN file) pairs under a processes/ folder, a matter folder or one file (shared
    sub-processes aside: `engine.catalog.shared.shared_dirs`)."""
    from engine.catalog.shared import is_shared_dir

    if path.is_file():
        return [(path.parent, path)]
    if is_shared_dir(path):
        return []
    if (path / "matter.yaml").exists() or any(path.glob("*.bpmn")):
        return [(path, f) for f in sorted(path.glob("*.bpmn"))]
    if path.is_dir():
        return [(d, f) for d in sorted(p for p in path.iterdir() if p.is_dir() and not is_shared_dir(p))
                for f in sorted(d.glob("*.bpmn"))]
    raise ModelError([Problem(str(path), None, None, "no such file or directory")])


def deploy_path(ctx: EngineContext, path: str | Path, calls: tuple[Path, ...] = (),
                region: str = ROOT) -> list[Deployed]:
    """Check and deploy every model under `path`; all-or-nothing: one invalid file deploys nothing.

    The shared sub-processes of the process library (`processes/shared/*`, for a matter folder the one beside it)
    are checked and deployed with them, first: a matter's call activities are checked against them and the
    deployed ones. `calls`: other model files to deploy as shared sub-processes (`onething run FILE CALLED...`).
    `region`: whose version lines the matters go to (the root's by default; shared sub-processes are province-wide)."""
    from engine.catalog import shared

    path = Path(path)
    found = shared.shared_dirs(path) or shared.shared_dirs(path.parent if path.is_dir() else path.parent.parent)
    with ctx.read() as session:
        deployed = shared.library(shared.deployed_files(ctx, session, shared.current_pins(session)))
    on_disk, problems = shared.check_dirs(found, calls, deployed)
    library = tuple(f for _, _, f in on_disk) + deployed
    loaded, more = _check_matters(path, library)
    if problems + more:
        raise ModelError(problems + more)
    with ctx.write() as session:
        regions.check_region(session, region)
        done = [store_version(ctx, session, *item[:6], decision_tables=item[6], region=region) for item in loaded]
        return done + [shared.stored(ctx, session, spec, file, model) for spec, model, file in on_disk]


_Checked = tuple[str, str, bytes, str, Model, str | None, str | None]  # store_version's arguments, then the tables


def _check_matters(path: Path, library: Any) -> tuple[list[_Checked], list[Problem]]:
    from engine.matters.files import load_matter
    from engine.model.decisions import dmn_files_beside, stored_decisions
    from engine.model.loading import load_model

    loaded: list[_Checked] = []
    problems: list[Problem] = []
    for directory, file in model_files(path):
        matter = None
        try:
            if (directory / "matter.yaml").exists():
                matter = load_matter(directory)
            data, dmn = file.read_bytes(), dmn_files_beside(file)
            model = load_model(data, str(file), matter=matter, decisions=dmn, library=library)
            tables, dmn_problems = stored_decisions(model, dmn)
            if dmn_problems:
                raise ModelError(dmn_problems)
        except ModelError as exc:
            problems.extend(exc.problems)
            continue
        except OSError as exc:
            problems.append(Problem(str(file), None, None, f"cannot read: {exc.strerror}"))
            continue
        matter_id = matter.id if matter is not None else directory.name
        yaml_text = (directory / "matter.yaml").read_text(encoding="utf-8") if matter is not None else None
        loaded.append((matter_id, file.stem, data, _display_name(file), model, yaml_text, tables))
    return loaded, problems


def _display_name(file: Path) -> str:
    return f"{file.parent.name}/{file.name}"


def store_version(ctx: EngineContext, session: Session, matter_id: str, variant: str, data: bytes, filename: str,
                  model: Model, yaml_text: str | None, deployed_by: str | None = None,
                  decision_tables: str | None = None, source: str = "files", region: str = ROOT,
                  adopted_from: int | None = None) -> Deployed:
    """Store a checked model as a new version, or report the identical one already stored; `deployed_by` is the
    account that deployed it (None from `onething deploy` and the demo); `decision_tables` its DMN files (JSON, from
    `engine.model.decisions.stored_decisions`), part of the content: a changed table is a new version.

    Every deploy is written in the design log (engine/catalog/designlog.py) in the same transaction, with
    `source`: draft, upload, restore, files or adopt. `region`: whose version line (the root's by default); a new
    version keeps the lineage of the line's current one (`adopted_from`, engine/regions/library.py) unless given."""
    from engine.catalog.designlog import record

    line = _Line(region, matter_id, variant)
    deployed = _store(ctx, session, line, data, filename, model, yaml_text, deployed_by, decision_tables,
                      adopted_from)
    record(ctx, session, deployed_by, "deploy", matter_id, variant, deployed.version, deployed.status, source,
           region=region)
    return deployed


@dataclass(frozen=True)
class _Line:
    """One version line: a region's versions of a matter variant."""

    region: str
    matter_id: str
    variant: str

    def where(self) -> tuple[Any, ...]:
        return (ModelVersion.region == self.region, ModelVersion.matter_id == self.matter_id,
                ModelVersion.variant == self.variant)


def _store(ctx: EngineContext, session: Session, line: _Line, data: bytes, filename: str, model: Model,
           yaml_text: str | None, deployed_by: str | None, decision_tables: str | None,
           adopted_from: int | None) -> Deployed:
    matter_id, variant = line.matter_id, line.variant
    content = data + (b"\0" + decision_tables.encode() if decision_tables else b"")
    digest = hashlib.sha256(content).hexdigest()
    same = session.scalar(select(ModelVersion).where(*line.where(), ModelVersion.content_hash == digest))
    newest_row = session.scalar(select(ModelVersion).where(*line.where()).order_by(ModelVersion.version.desc())
                                .limit(1))
    newest = newest_row.version if newest_row is not None else 0
    if adopted_from is None and newest_row is not None:
        adopted_from = newest_row.adopted_from
    if same is not None and (yaml_text is None or same.matter_yaml == yaml_text):
        if same.version == newest:
            return Deployed(matter_id, variant, same.version, "unchanged", filename)
        return _restore(ctx, session, same, newest + 1, filename, deployed_by, adopted_from)
    if same is not None:  # same BPMN, new matter.yaml: a new version with a distinct key
        digest = hashlib.sha256(content + (yaml_text or "").encode()).hexdigest()
    session.add(ModelVersion(
        matter_id=matter_id, variant=variant, version=newest + 1, content_hash=digest, filename=filename,
        process_id=model.process_id, bpmn=data, matter_yaml=yaml_text, decision_tables=decision_tables,
        deployed_at=ctx.clock.now(), deployed_by=deployed_by, region=line.region, adopted_from=adopted_from))
    session.flush()
    return Deployed(matter_id, variant, newest + 1, "new", filename)


def _restore(ctx: EngineContext, session: Session, older: ModelVersion, version: int, filename: str,
             deployed_by: str | None, adopted_from: int | None) -> Deployed:
    """Deploying the content of an older version again makes it current: a new version that carries it (a
    rollback, said as such). The older row keeps its content under a retired key, as content keys are unique."""
    digest = older.content_hash
    older.content_hash = hashlib.sha256(f"{digest}:retired at version {version}".encode()).hexdigest()
    session.flush()
    session.add(ModelVersion(
        matter_id=older.matter_id, variant=older.variant, version=version, content_hash=digest, filename=filename,
        process_id=older.process_id, bpmn=older.bpmn, matter_yaml=older.matter_yaml,
        decision_tables=older.decision_tables, deployed_at=ctx.clock.now(), deployed_by=deployed_by,
        restored_from=older.version, region=older.region, adopted_from=adopted_from))
    session.flush()
    return Deployed(older.matter_id, older.variant, version, "restored", filename, restored=older.version)


def current_version(session: Session, matter_id: str, variant: str, region: str = ROOT) -> ModelVersion:
    """The version of a matter variant that `region` runs: its own newest, else its nearest ancestor's."""
    row = None
    for line in regions.chain(session, region) if region != ROOT else (ROOT,):
        row = session.scalar(select(ModelVersion)
                             .where(ModelVersion.region == line, ModelVersion.matter_id == matter_id,
                                    ModelVersion.variant == variant)
                             .order_by(ModelVersion.version.desc()).limit(1))
        if row is not None:
            return row
    known = session.scalars(select(ModelVersion.matter_id).distinct()).all()
    if known:
        raise MatterNotFound(Text("no deployed '%(variant)s' variant of matter '%(matter)s'; deployed matters: "
                                  "%(matters)s", variant=variant, matter=matter_id, matters=Listed(sorted(known))))
    raise MatterNotFound(Text("no deployed '%(variant)s' variant of matter '%(matter)s'; nothing is deployed yet "
                              "(run `onething deploy`)", variant=variant, matter=matter_id))


def loaded_version(ctx: EngineContext, session: Session, version_id: int,
                   calls: dict[str, int] | None = None) -> tuple[Model, Any]:
    """The checked Model and Matter of a version, parsed once per context (ctx.caches.versions).

    A model that calls shared sub-processes runs the versions `calls` pins (a case's `Case.calls`), else the
    newest deployed ones (`engine.catalog.shared`)."""
    from engine.catalog import shared

    if not calls:
        plain = ctx.caches.versions.get(version_id)
        if plain is not None and not plain[0].callees:  # a version that calls no shared sub-process
            return plain
        calls = shared.current_pins(session)
    key = (version_id, frozenset(calls.items()))

    def load() -> tuple[Model, Any]:
        row = session.get(ModelVersion, version_id)
        if row is None:
            raise NotFound(Text("no model version %(version)s", version=version_id))
        ctx.caches.version_numbers.put(version_id, row.version)
        return load_version_row(row, shared.library(shared.deployed_files(ctx, session, calls)))

    loaded = ctx.caches.pinned.get_or_compute(key, load)
    first = ctx.caches.versions.put(version_id, loaded)  # for a caller, only a sign that it calls: pins decide
    return first if not loaded[0].callees else loaded


def pins_to_start(ctx: EngineContext, session: Session, version_id: int) -> dict[str, int]:
    """The shared sub-process versions a case of this version starts with: the newest of each it calls."""
    from engine.catalog import shared

    model = loaded_version(ctx, session, version_id)[0]
    if not model.callees:
        return {}
    current = shared.current_pins(session)
    return shared.pins_for(model, current, shared.deployed_files(ctx, session, current))


def version_number(ctx: EngineContext, session: Session, version_id: int) -> int:
    """The human version number (1, 2, ...) of a stored version id; versions never change, so cached."""
    number = ctx.caches.version_numbers.get(version_id)
    if number is None:
        stored = session.scalar(select(ModelVersion.version).where(ModelVersion.id == version_id))
        if stored is None:
            raise NotFound(Text("no model version %(version)s", version=version_id))
        number = ctx.caches.version_numbers.put(version_id, stored)
    return number


def load_version_row(row: ModelVersion, library: Any = ()) -> tuple[Model, Any]:
    from engine.matters.files import parse_matter
    from engine.model.decisions import decisions_from_stored
    from engine.model.loading import model_for

    matter = None
    if row.matter_yaml is not None:
        matter = parse_matter(row.matter_yaml.encode("utf-8"), Path(row.matter_id), f"{row.matter_id}/matter.yaml")
    unloaded = "decision_tables" in inspect(row).unloaded  # deferred by migrations older than the column (0010)
    decisions = None if unloaded else decisions_from_stored(row.decision_tables, row.matter_id)
    return model_for(row.bpmn, row.filename, matter, decisions, library=library), matter
