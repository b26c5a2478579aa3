"""The process library on disk: model files under a folder, their check, their static metrics, before vs after."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.errors import ModelError
from engine.matters.files import Matter, Names, load_matter
from engine.model.calls import CalledFile, Library
from engine.model.decisions import dmn_files_beside
from engine.model.loading import load_model
from engine.model.metrics import compare, static_metrics
from engine.model.problems import Problem
from engine.model.xmlsafe import MAX_BYTES
from engine.vocabulary import APPLICANT, VARIANTS

MODEL_SUFFIXES = (".bpmn", ".bpmn20.xml", ".bpmn2")  # the last: jBPM's own


def find_model_files(paths: list[str]) -> tuple[list[Path], list[Problem]]:
    """Model files named by `paths` (files, or folders searched recursively) and a problem for each bad path."""
    files, problems = [], []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.name.endswith(MODEL_SUFFIXES))
            if not found:
                problems.append(Problem(name, None, None, "directory holds no .bpmn, .bpmn20.xml or .bpmn2 file"))
            files += found
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(name, None, None, "no such file or directory"))
    return files, problems


def read_model_file(path: Path) -> bytes:
    """A model file's bytes, one byte over the size limit at most (enough for the loader to refuse it)."""
    with path.open("rb") as handle:
        return handle.read(MAX_BYTES + 1)


def _matter_near(path: Path, matters: dict[Path, Matter | None]) -> tuple[Matter | None, list[Problem]]:
    folder = path.parent
    if folder in matters or not (folder / "matter.yaml").is_file():
        return matters.get(folder), []
    try:
        matters[folder] = load_matter(folder)
        return matters[folder], []
    except ModelError as exc:
        matters[folder] = None
        return None, list(exc.problems)


SHARED = "shared"  # processes/shared/<process_id>/process.bpmn: the departments' shared sub-processes


def shared_files(path: Path) -> list[Path]:
    """The shared sub-processes of the process library a model file sits in: `shared/*/process.bpmn` beside the
    matter folders (for processes/newborn/after.bpmn: processes/shared/*/process.bpmn)."""
    for folder in (path.parent.parent / SHARED, path.parent.parent):
        if folder.name == SHARED and folder.is_dir():
            return sorted(p for p in folder.glob("*/process.bpmn") if p.is_file())
    return []


def called_file(path: Path) -> CalledFile | None:
    """A model file as a call activity's possible target (None when it cannot be read: its own check says why)."""
    try:
        return CalledFile(str(path), read_model_file(path), tuple(sorted(dmn_files_beside(path).items())))
    except OSError:
        return None


def library_of(files: list[Path]) -> Library:
    """What the calls of `files` may reach: the files themselves (checked together, they call each other), then
    the shared sub-processes of the process library they sit in."""
    ordered = list(dict.fromkeys([*files, *(s for f in files for s in shared_files(f))]))
    return tuple(found for p in ordered if (found := called_file(p)) is not None)


def called_paths(path: Path, beside: list[Path]) -> list[Path]:
    """The files among `beside` whose processes the file at `path` calls (transitively): what to deploy with it."""
    from engine.model.calls import called_files

    file = called_file(path)
    return [Path(f.filename) for f in called_files(file, library_of(beside))] if file is not None else []


def check_paths(paths: list[str], *, warnings: bool = False, beside: list[Path] | None = None) -> list[Problem]:
    """Check every model file under `paths` (with matter.yaml next to it, if any); all problems, in order.

    A call activity may name a process of any file given (`onething check parent.bpmn child.bpmn`), of the
    library's shared sub-processes (`library_of`) or of the files `beside` (not checked themselves). With
    `warnings`, the warnings of the files that load too (Problem.is_warning); else only errors."""
    problems: list[Problem] = []
    matters: dict[Path, Matter | None] = {}
    found = [find_model_files([name]) for name in paths]
    library = library_of([path for files, _ in found for path in files] + list(beside or ()))
    for files, missing in found:
        problems += missing
        for path in files:
            problems += _check_file(path, matters, warnings, library)
    return problems


def _check_file(path: Path, matters: dict[Path, Matter | None], warnings: bool, library: Library) -> list[Problem]:
    matter, problems = _matter_near(path, matters)
    try:
        model = load_model(read_model_file(path), str(path), matter=matter, decisions=dmn_files_beside(path),
                           library=library)
        if warnings:
            problems += model.warnings
    except ModelError as exc:
        problems += exc.problems
    except OSError as exc:
        problems.append(Problem(str(path), None, None, f"cannot read file: {exc.strerror or exc}"))
    return problems


def file_metrics(path: Path) -> dict[str, Any]:
    """Static metrics of one model file (its variant from the file name; matter.yaml beside it when present)."""
    matter, problems = _matter_near(path, {})
    if problems:
        raise ModelError(problems)
    try:
        data = read_model_file(path)
    except OSError as exc:
        raise ModelError([Problem(str(path), None, None, f"cannot read file: {exc.strerror or exc}")]) from None
    model = load_model(data, str(path), matter=matter, decisions=dmn_files_beside(path), library=library_of([path]))
    return static_metrics(model, matter, path.stem if path.stem in VARIANTS else None)


def library_comparison(directory: Path) -> dict[str, Any]:
    """Before vs after static metrics of the matter in `directory` (matter.yaml, before.bpmn, after.bpmn)."""
    matter = load_matter(directory)
    figures = {variant: file_metrics(directory / f"{variant}.bpmn") for variant in VARIANTS}
    return {"matter": matter.id, "static": compare(figures["before"], figures["after"])}


def file_names(path: Path) -> tuple[Names | None, dict[str, Names]]:
    """The matter's names and each lane's (department id -> names, the applicant's lane too) from the
    matter.yaml next to a model file, for drawing it in either language; nothing when there is none or it is bad."""
    matter, _ = _matter_near(path, {})
    if matter is None:
        return None, {}
    return matter.names, {APPLICANT: Names("申请人", "Applicant"), **{d.id: d.names for d in matter.departments}}
