"""Shared sub-processes: a department's reusable process that matters call, deployed and versioned on its own.

On disk, `processes/shared/<process_id>/process.yaml` (names, the owning department, sources) and
`process.bpmn` (one executable process, id `<process_id>`). Deployed, each is a row of `shared_versions`
(content-hashed versions, like a matter variant's). A matter's model that calls one is checked and loaded with the
deployed ones as its library (`engine.model.calls`); a case pins, when it starts, the versions of every process its
model calls (`cases.calls`), so a new version changes new cases only.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.context import EngineContext
from engine.errors import ModelError
from engine.matters.files import Names
from engine.model.calls import CalledFile, Library
from engine.model.problems import Problem
from engine.store.tables import SharedVersion
from engine.text import Listed, Text

SPEC_FILE, MODEL_FILE = "process.yaml", "process.bpmn"
_KEYS = ("id", "names", "department", "basis", "sources")


@dataclass(frozen=True)
class SharedSpec:
    """A shared sub-process's process.yaml."""

    id: str
    names: Names
    department: str | None  # None: a file given to `onething run` to call, without a process.yaml
    text: str | None  # the file as written, stored with each version


def shared_dirs(path: Path) -> list[Path]:
    """Shared sub-process folders under `path`: a processes/ folder (its shared/*), shared/ itself, or one."""
    if (path / SPEC_FILE).is_file():
        return [path]
    folder = path if path.name == "shared" else path / "shared"
    return sorted(d for d in folder.glob("*") if (d / SPEC_FILE).is_file()) if folder.is_dir() else []


def is_shared_dir(path: Path) -> bool:
    """A folder holding a shared sub-process (or the shared/ folder): not a matter's."""
    return (path / SPEC_FILE).is_file() or path.name == "shared"


def load_spec(directory: Path) -> SharedSpec:
    """process.yaml of a shared sub-process folder, checked: ModelError with every mistake otherwise."""
    path = directory / SPEC_FILE
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ModelError([Problem(name, None, None, Text("cannot read: %(reason)s", reason=str(exc)))]) from None
    if not isinstance(data, dict):
        raise ModelError([Problem(name, 1, None, Text("process.yaml must be a mapping (id, names, department)"))])
    problems = [Problem(name, None, key, Text("unknown key (allowed: %(keys)s)", keys=Listed(_KEYS)))
                for key in data if key not in _KEYS]
    if data.get("id") != directory.name:
        problems.append(Problem(name, None, "id", Text("id '%(id)s' is not the folder's name '%(folder)s'",
                                                       id=data.get("id"), folder=directory.name)))
    names: Any = data.get("names")
    if not (isinstance(names, dict) and all(isinstance(names.get(k), str) and names[k] for k in ("zh", "en"))):
        problems.append(Problem(name, None, "names", Text("names needs zh and en")))
    if not (isinstance(data.get("department"), str) and re.fullmatch(r"[a-z][a-z0-9_]*", data["department"])):
        problems.append(Problem(name, None, "department", Text("department: the id of the department that owns "
                                                               "the process (lower-case letters, digits, _)")))
    if problems:
        raise ModelError(problems)
    return SharedSpec(data["id"], Names(names["zh"], names["en"]), data["department"], text)


def display_name(directory: Path) -> str:
    return f"shared/{directory.name}/{MODEL_FILE}"


def current_pins(session: Session) -> dict[str, int]:
    """{process id: id of its newest deployed version} of every shared sub-process."""
    rows = session.execute(select(SharedVersion.process_id, SharedVersion.id).order_by(SharedVersion.version)).all()
    return {process_id: row_id for process_id, row_id in rows}  # the last one wins: the newest


def deployed_files(ctx: EngineContext, session: Session, pins: dict[str, int]) -> dict[int, CalledFile]:
    """The pinned versions as files a call may reach, by version id (versions never change: cached)."""
    def load(row_id: int) -> CalledFile:
        row = session.get(SharedVersion, row_id)
        if row is None:
            raise ModelError([Problem("shared", None, None, Text("no shared process version %(id)s", id=row_id))])
        return CalledFile(row.filename, row.bpmn)

    return {row_id: ctx.caches.shared_files.get_or_compute(row_id, partial(load, row_id))
            for row_id in sorted(pins.values())}


def pins_for(model: Any, pins: dict[str, int], files: dict[int, CalledFile]) -> dict[str, int]:
    """The versions among `pins` that the model calls (transitively): what a case starting with it pins."""
    called = {callee.filename for callee in model.callees.values()}
    return {pid: row_id for pid, row_id in pins.items() if files[row_id].filename in called}


def library(files: dict[int, CalledFile]) -> Library:
    return tuple(files[k] for k in sorted(files))


@dataclass(frozen=True)
class DeployedShared:
    """What deploying one shared sub-process did."""

    process_id: str
    version: int
    status: str  # new | unchanged
    filename: str


def store_shared(ctx: EngineContext, session: Session, spec: SharedSpec, data: bytes, filename: str,
                 deployed_by: str | None = None) -> DeployedShared:
    """Store a checked shared sub-process as a new version, or report the identical newest one."""
    digest = hashlib.sha256(data + b"\0" + (spec.text or "").encode()).hexdigest()
    newest = session.scalar(select(SharedVersion).where(SharedVersion.process_id == spec.id)
                            .order_by(SharedVersion.version.desc()).limit(1))
    if newest is not None and newest.content_hash == digest:
        return DeployedShared(spec.id, newest.version, "unchanged", filename)
    number = (session.scalar(select(func.max(SharedVersion.version))
                             .where(SharedVersion.process_id == spec.id)) or 0) + 1
    if newest is not None:  # content keys are unique per process: an older version's content deployed again
        digest = hashlib.sha256(f"{digest}:{number}".encode()).hexdigest() if session.scalar(
            select(SharedVersion.id).where(SharedVersion.process_id == spec.id,
                                           SharedVersion.content_hash == digest)) else digest
    session.add(SharedVersion(process_id=spec.id, version=number, content_hash=digest, filename=filename, bpmn=data,
                              process_yaml=spec.text, department=spec.department, deployed_at=ctx.clock.now(),
                              deployed_by=deployed_by))
    session.flush()
    return DeployedShared(spec.id, number, "new", filename)


def check_dirs(dirs: list[Path], calls: tuple[Path, ...], deployed: Library,
               ) -> tuple[list[tuple[SharedSpec, Any, CalledFile]], list[Problem]]:
    """Check shared sub-process folders (and files given to call) for deploying: (spec, model, file) each, and the
    problems; they may call each other and the deployed ones."""
    from engine.model.loading import load_model

    specs: list[tuple[SharedSpec | None, CalledFile]] = []
    problems: list[Problem] = []
    for directory in dirs:
        try:
            spec = load_spec(directory)
            specs.append((spec, CalledFile(display_name(directory), (directory / MODEL_FILE).read_bytes())))
        except ModelError as exc:
            problems += exc.problems
        except OSError as exc:
            problems.append(Problem(str(directory / MODEL_FILE), None, None,
                                    Text("cannot read: %(reason)s", reason=exc.strerror or str(exc))))
    for file in calls:
        try:
            specs.append((None, CalledFile(str(file), file.read_bytes())))
        except OSError as exc:
            problems.append(Problem(str(file), None, None, Text("cannot read: %(reason)s",
                                                                reason=exc.strerror or str(exc))))
    library = tuple(f for _, f in specs) + deployed
    checked = []
    for given, called in specs:
        try:
            model = load_model(called.data, called.filename, library=library)
        except ModelError as exc:
            problems += exc.problems
            continue
        spec = given or SharedSpec(model.process_id, Names(model.process_id, model.process_id), None, None)
        problems += _spec_problems(spec, model, called.filename)
        checked.append((spec, model, called))
    return checked, problems


def _spec_problems(spec: SharedSpec, model: Any, filename: str) -> list[Problem]:
    from engine.model.reading import all_departments

    if spec.text is None:
        return []
    problems = []
    if model.process_id != spec.id:
        problems.append(Problem(filename, None, model.process_id, Text(
            "the executable process's id must be the shared process's id '%(id)s'", id=spec.id)))
    if spec.department not in all_departments(model):
        problems.append(Problem(filename, None, spec.department, Text(
            "the owning department '%(department)s' (process.yaml) has no lane in the process",
            department=spec.department)))
    return problems


def stored(ctx: EngineContext, session: Session, spec: SharedSpec, file: CalledFile, model: Any) -> Any:
    """Store one checked shared sub-process; the answer reads as a matter variant's: `<process id>/shared`."""
    from engine.catalog.versions import Deployed

    done = store_shared(ctx, session, spec, file.data, file.filename)
    return Deployed(spec.id, "shared", done.version, done.status, done.filename)
