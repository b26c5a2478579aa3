"""Call activities across files: where a call's target is, whether calls go round in a cycle, the called models.

A call activity's `calledElement` names a process of the same file or of another file: one given to the same
`onething check` command, a shared sub-process deployed on its own (a department's reusable process,
`engine.catalog.shared`), or one in the `shared/` folder of the process library the file sits in. The loader gets
those other files as a `Library` (a tuple of `CalledFile`); a file's own processes win over a library's.

The checks (`call_problems`): a call names a process that exists (`call activity target 'X' is not deployed or
given`) and is executable; no chain of calls leads back to the calling process, through any number of files
(`process 'A' calls itself through call activities (A -> B -> A)`). Cycles are refused before any called file
is loaded, so loading the called files (`load_callees`, each through the loader with the same library) ends.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from engine.errors import ModelError
from engine.model.problems import Problem
from engine.model.validation import _problem, is_executable, processes, tag
from engine.model.xmlsafe import parse_xml
from engine.text import Text


@dataclass(frozen=True)
class CalledFile:
    """A model file whose processes a call activity may name: its name, bytes and the DMN files beside it."""

    filename: str
    data: bytes = field(repr=False)
    decisions: tuple[tuple[str, bytes], ...] = field(default=(), repr=False)

    @cached_property
    def key(self) -> tuple[str, str]:
        """What identifies it in a cache key: its name and the sha256 of its content (DMN files included)."""
        digest = hashlib.sha256(self.data)
        for name, content in self.decisions:
            digest.update(b"\0" + name.encode() + b"\0" + content)
        return self.filename, digest.hexdigest()


Library = tuple[CalledFile, ...]


@dataclass(frozen=True)
class _Target:
    """A process of a library file: its file, whether it is executable, the processes its calls name."""

    file: CalledFile
    executable: bool
    calls: tuple[str, ...]


def call_targets(process: Any) -> Iterator[tuple[Any, str | None]]:
    """(callActivity element, calledElement) pairs inside a process, embedded subprocesses included."""
    for call in process.iter(tag("callActivity")):
        yield call, call.get("calledElement")


def _scan(file: CalledFile) -> tuple[tuple[str, bool, tuple[str, ...]], ...]:
    """(process id, executable, called ids) of every process of a library file; nothing if it does not parse
    (its own check says why)."""
    try:
        root = parse_xml(file.data, file.filename)
    except ModelError:
        return ()
    return tuple((p.get("id"), is_executable(p), tuple(t for _, t in call_targets(p) if t))
                 for p in processes(root) if p.get("id"))


@lru_cache(maxsize=16)
def _index(library: Library) -> dict[str, _Target]:
    found: dict[str, _Target] = {}
    for file in library:
        for pid, executable, calls in _scan(file):
            found.setdefault(pid, _Target(file, executable, calls))
    return found


def library_targets(library: Library, own: set[str]) -> dict[str, _Target]:
    """The processes the library offers, by id: the first file holding an id wins; the file's own ids are left out."""
    return {pid: target for pid, target in _index(library).items() if pid not in own}


def call_problems(root: Any, filename: str, library: Library = ()) -> list[Problem]:
    """Calls without a target, to an unknown or non-executable process, or round a cycle (across files too)."""
    by_id = {p.get("id"): p for p in processes(root)}
    elsewhere = library_targets(library, set(by_id))
    problems = []
    for process in filter(is_executable, processes(root)):
        for call, target in call_targets(process):
            if not target:
                problems.append(_problem(filename, call, Text("call activity has no calledElement")))
            elif target not in by_id and target not in elsewhere:
                problems.append(_problem(filename, call, Text("call activity target '%(process)s' is not deployed "
                                                              "or given", process=target)))
            elif not (is_executable(by_id[target]) if target in by_id else elsewhere[target].executable):
                problems.append(_problem(filename, call, Text("call activity target process '%(process)s' is not "
                                                              "executable", process=target)))
    return problems + _cycle_problems(by_id, elsewhere, filename)


def _cycle_problems(by_id: dict[str, Any], elsewhere: dict[str, _Target], filename: str) -> list[Problem]:
    graph = {pid: [t for _, t in call_targets(p) if t] for pid, p in by_id.items() if is_executable(p)}
    for pid, found in elsewhere.items():
        graph.setdefault(pid, list(found.calls))
    problems = []
    for start in [pid for pid, p in by_id.items() if is_executable(p)]:
        for call, target in call_targets(by_id[start]):
            path = _path_back(graph, target, start) if target else None
            if path is not None:
                chain = " -> ".join([start, *path])
                problems.append(_problem(filename, call, Text("process '%(process)s' calls itself through call "
                                                              "activities (%(chain)s)", process=start, chain=chain)))
    return problems


def _path_back(graph: dict[str, list[str]], node: str, goal: str) -> list[str] | None:
    """A call chain from node back to goal (inclusive), or None; iterative DFS."""
    stack, seen = [(node, [node])], set()
    while stack:
        current, path = stack.pop()
        if current == goal:
            return path
        if current in seen:
            continue
        seen.add(current)
        stack.extend((t, path + [t]) for t in graph.get(current, []))
    return None


def external_calls(root: Any, library: Library) -> list[tuple[Any, str, CalledFile]]:
    """(call element, target id, file holding it) of every call of an executable process to another file."""
    by_id = {p.get("id") for p in processes(root)}
    elsewhere = library_targets(library, by_id)
    return [(call, target, elsewhere[target].file)
            for process in filter(is_executable, processes(root))
            for call, target in call_targets(process) if target and target not in by_id and target in elsewhere]


def load_callees(root: Any, filename: str, library: Library) -> tuple[dict[str, Any], list[Problem]]:
    """The Model of every process this file calls in another file, by process id (their own callees too), and a
    problem at each call whose file does not load. Called files load without a matter: the caller's matter checks
    their steps (`engine.model.loading`)."""
    from engine.model.loading import model_for

    callees: dict[str, Any] = {}
    problems = []
    for call, target, file in external_calls(root, library):
        if target in callees:
            continue
        try:
            model = model_for(file.data, file.filename, decisions=dict(file.decisions) or None, library=library,
                              process_id=target)
        except ModelError as exc:
            first = next((str(p) for p in exc.problems), "")
            problems.append(_problem(filename, call, Text("called process '%(process)s' (%(file)s) has problems: "
                                                          "%(first)s", process=target, file=file.filename,
                                                          first=first)))
            continue
        callees[target] = model
        for pid, inner in model.callees.items():
            callees.setdefault(pid, inner)
    return callees, problems


def merge_problems(model: Any, callees: dict[str, Any], filename: str) -> list[Problem]:
    """A step of a called process whose id is also a step of the caller or of another called process: the
    worklist and the step log name steps by id, so each id must be one step."""
    problems: list[Problem] = []
    owner = {step_id: model.process_id for step_id in model.steps}
    for pid, callee in callees.items():
        inner = {s for other in callee.callees.values() for s in other.steps}
        for step_id, step in callee.steps.items():
            if step_id in inner:
                continue
            if step_id in owner:
                problems.append(Problem(filename, step.line, step_id, Text(
                    "step '%(step)s' of called process '%(process)s' (%(file)s) has the id of a step of "
                    "'%(other)s'; step ids must differ across the processes a model calls", step=step_id,
                    process=pid, file=callee.filename, other=owner[step_id])))
            owner.setdefault(step_id, pid)
    return problems


def call_flows(model: Any, callees: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """The model's flows (source -> targets) with the called processes' and the way through each call to another
    file: a call activity leads to the called process's start events, its end events to the call's own targets.
    So "the steps after this one" and "the first applicant step" read through a call like through a subprocess."""
    flows = dict(model.flows)
    for callee in callees.values():
        for source, targets in callee.flows.items():
            flows.setdefault(source, targets)
    for call, target in ((c, t) for p in filter(is_executable, processes(model.root)) for c, t in call_targets(p)):
        if target not in callees or call.get("id") is None:
            continue
        process = next((p for p in processes(callees[target].root) if p.get("id") == target), None)
        if process is None:
            continue
        after = flows.get(call.get("id"), ())
        flows[call.get("id")] = tuple(e.get("id") for e in process.findall(tag("startEvent")))
        for end in process.findall(tag("endEvent")):
            flows[end.get("id")] = tuple(dict.fromkeys(flows.get(end.get("id"), ()) + after))
    return flows


def called_files(file: CalledFile, library: Library) -> list[CalledFile]:
    """The library files whose processes `file` calls, directly or through them (what a dry run deploys with it)."""
    own = {pid for pid, _, _ in _scan(file)}
    index = library_targets(library, own)
    todo = [t for _, _, calls in _scan(file) for t in calls]
    found: dict[str, CalledFile] = {}
    while todo:
        target = index.get(todo.pop())
        if target is None or target.file.filename in found:
            continue
        found[target.file.filename] = target.file
        todo += [t for _, _, calls in _scan(target.file) for t in calls]
    return list(found.values())


def step_calls(model: Any) -> dict[str, str]:
    """Each step of a process the model calls in another file -> the call activity of the model's own file that
    runs it (through further calls too): where a drawing of the model's file shows that step's state."""
    found: dict[str, str] = {}
    for process in filter(is_executable, processes(model.root)):
        for call, target in call_targets(process):
            if target in model.callees and call.get("id"):
                for step_id in model.callees[target].steps:
                    found.setdefault(step_id, call.get("id"))
    return found
