"""Load an uploaded BPMN file into a checked `Model`, stage by stage; nothing raw ever escapes.

Stages, in order; the first stage that finds anything raises `ModelError` with *all* its problems:

1. hardened XML parse (`engine.model.xmlsafe.parse_xml`: no DOCTYPE, entities, XInclude; size cap);
2. the BPMN 2.0 XSD plus SpiffWorkflow's extension XSD;
3. an executable process to run (see `choose_process`);
   (a sequence flow without an id gets a stable generated one here: `engine.model.building.name_flows`);
4. references and elements: dangling sequence flows, boundary events attached to nothing,
   call-activity targets missing here and in the library, or calling round in a cycle, elements SpiffWorkflow
   cannot run;
5. JUEL and FEEL expressions and plain ISO 8601 timers made Python (`engine.model.translation`), each
   businessRuleTask's DMN decision table found and checked (`engine.model.decisions`), then
   SpiffWorkflow's own parser (`SpiffBpmnParser`, a fresh one per executable process);
6. every condition, script, timer, loop and payload expression through `engine.runtime.sandbox.check_source`;
7. the step annotations of docs/modeling.md (`engine.model.annotations.check_model`).

A model that loads may carry warnings (`Model.warnings`): vendor extensions OneThing does not act on, generated
flow ids, candidate groups that are not departments (`engine.model.vendor`).

A call activity may name a process of another file given as the `library` (`engine.model.calls`): the called
models load first, and the caller's Model carries them (`Model.callees`), their steps and their parsed specs, so a
case runs into them and the metrics follow the call.
"""
from __future__ import annotations

import hashlib
import re
import sys
import threading
from dataclasses import replace
from functools import lru_cache
from typing import Any

from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask

from engine.errors import ModelError
from engine.model import validation as v
from engine.model.annotations import check_model
from engine.model.building import build_model, name_flows
from engine.model.calls import Library, call_flows, call_problems, call_targets, load_callees, merge_problems
from engine.model.decisions import DecisionSet
from engine.model.parser import OneThingParser
from engine.model.problems import Problem
from engine.model.repairs import drop_duplicate_data_objects, translate_print_scripts
from engine.model.structure import structure_problems
from engine.model.translation import translate_collections, translate_expressions
from engine.model.types import Model
from engine.model.xmlsafe import parse_xml
from engine.text import Listed, Text

MAX_ELEMENTS = 5_000  # flow elements of a model: more is a mistake, and SpiffWorkflow parses in quadratic time
_DEPTH = threading.Lock()

CACHE_SIZE = 128


def _raise_if(problems: list[Problem]) -> None:
    if problems:
        raise ModelError(problems)


def choose_process(root: Any, filename: str, process_id: str | None) -> tuple[str | None, list[Problem]]:
    """The process to run: `process_id` if given; else the only executable one; else the top one.

    With several executable processes, the top one is the first (in file order) that no other
    executable process calls; if every one is called by another, the first.
    """
    all_processes = v.processes(root)
    runnable = [p for p in all_processes if v.is_executable(p)]
    if not all_processes:
        return None, [Problem(filename, root.sourceline, None, Text("no bpmn:process in this file: nothing to run"))]
    if not runnable:
        return None, [
            Problem(filename, p.sourceline, p.get("id"),
                    Text('process has isExecutable="false": OneThing only runs executable processes'))
            for p in all_processes
        ]
    ids = [p.get("id") for p in runnable]
    if process_id is not None:
        if process_id in ids:
            return process_id, []
        return None, [Problem(filename, root.sourceline, process_id,
                              Text("no executable process with this id (executable: %(ids)s)", ids=Listed(ids)))]
    called = {t for p in runnable for _, t in call_targets(p) if t != p.get("id")}
    top = [pid for pid in ids if pid not in called]
    return (top or ids)[0], []


def _spiff_problem(exc: ValidationException, root: Any, filename: str, process: Any) -> Problem:
    message = str(exc.args[0]) if exc.args else str(exc)
    element_id = getattr(exc, "id", None) or process.get("id")
    line = v.line_of(root, element_id) or process.sourceline
    message = re.sub(r"<Element (\S+) at 0x[0-9a-f]+>", r"\1", v.short_names(message)).rstrip(". ")
    return Problem(filename, line, element_id, Text("SpiffWorkflow: %(reason)s", reason=message))


def size_problems(root: Any, filename: str) -> list[Problem]:
    """More flow elements than a model may have (checked before anything else reads them)."""
    count = sum(1 for local in v.FLOW_NODES for _ in root.iter(v.tag(local)))
    if count <= MAX_ELEMENTS:
        return []
    return [Problem(filename, root.sourceline, None, Text("the model has %(count)s flow elements (tasks, events, "
                                                          "gateways); a model may have at most %(max)s",
                                                          count=format(count, ","), max=format(MAX_ELEMENTS, ",")))]


def _deep_enough(elements: int) -> None:
    """SpiffWorkflow's parser recurses along the flows (two frames a step): let a long chain through.
    Only ever raised, never lowered, so a parse in another thread is not cut short."""
    needed = 1_000 + 3 * elements
    with _DEPTH:
        if sys.getrecursionlimit() < needed:
            sys.setrecursionlimit(needed)


def parse_specs(root: Any, filename: str, make_parser: Any = OneThingParser,
                ) -> tuple[dict[str, tuple[Any, dict[str, Any]]], list[Problem]]:
    """Run SpiffWorkflow's parser on every executable process: {id: (spec, subprocess specs)}, problems.

    A call to a process of another file gets None here; the loader puts the called model's spec in its place."""
    specs, problems = {}, []
    _deep_enough(sum(1 for local in v.FLOW_NODES for _ in root.iter(v.tag(local))))
    for process in filter(v.is_executable, v.processes(root)):
        pid = process.get("id")
        parser = make_parser()  # fresh: after a failure Spiff keeps a half-built spec
        try:
            parser.add_bpmn_xml(root, filename)
            specs[pid] = (parser.get_spec(pid), _subprocess_specs(parser, pid))
        except ValidationException as exc:
            problems.append(_spiff_problem(exc, root, filename, process))
        except Exception as exc:  # Spiff also raises KeyError/TypeError/AttributeError on odd input
            message = Text("SpiffWorkflow could not parse this process: %(reason)s",
                           reason=": ".join((type(exc).__name__, str(exc))))
            problems.append(Problem(filename, process.sourceline, pid, message))
    return specs, problems


def _subprocess_specs(parser: Any, pid: str) -> dict[str, Any]:
    """SpiffWorkflow's `get_subprocess_specs`, with None for a call to another file at any depth (Spiff's own
    requires the targets of calls inside embedded subprocesses to be in the file)."""
    used: dict[str, Any] = {}
    todo = [pid]
    while todo:
        for task_spec in parser.get_spec(todo.pop()).task_specs.values():
            if isinstance(task_spec, SubWorkflowTask) and task_spec.spec not in used:
                used[task_spec.spec] = parser.get_spec(task_spec.spec, required=False)
                if used[task_spec.spec] is not None:
                    todo.append(task_spec.spec)
    return used


def _annotation_problems(model: Model, matter: Any, callees: dict[str, Model]) -> list[Problem]:
    problems = list(check_model(model, matter))
    if matter is not None:  # the called processes' steps are the matter's: its materials, forms, departments
        for callee in callees.values():
            problems += check_model(replace(callee, steps=_own_steps(callee)), matter)
    return problems


def _own_steps(model: Model) -> dict[str, Any]:
    inner = {s for other in model.callees.values() for s in other.steps}
    return {k: s for k, s in model.steps.items() if k not in inner}


def _with_callees(model: Model, callees: dict[str, Model]) -> Model:
    """The model with the called processes' steps, lanes, forms and parsed specs (a case runs into them)."""
    if not callees:
        return model
    specs = {k: s for k, s in model.subprocess_specs.items() if s is not None}
    steps, lanes, forms = {}, {}, {}
    for pid, callee in callees.items():
        specs.setdefault(pid, callee.spec)
        for key, spec in callee.subprocess_specs.items():
            specs.setdefault(key, spec)
        steps.update(callee.steps)
        lanes.update(callee.lanes)
        forms.update(callee.forms)
    return replace(model, callees=callees, subprocess_specs=specs, steps={**steps, **model.steps},
                   lanes={**lanes, **model.lanes}, forms={**forms, **model.forms}, flows=call_flows(model, callees))


def _load(data: bytes, filename: str, process_id: str | None, matter: Any,
          dmn_files: dict[str, bytes] | None = None, library: Library = ()) -> Model:
    root = parse_xml(data, filename)
    _raise_if(size_problems(root, filename))
    warnings = name_flows(root, filename) + drop_duplicate_data_objects(root, filename)
    warnings += translate_print_scripts(root, filename)
    _raise_if(v.xsd_problems(root, filename))
    pid, problems = choose_process(root, filename, process_id)
    if pid is None:  # then problems say why
        raise ModelError(problems)
    _raise_if(v.reference_problems(root, filename)
              + [p for process in filter(v.is_executable, v.processes(root))
                 for p in structure_problems(root, process, filename)]
              + call_problems(root, filename, library))
    _raise_if(translate_expressions(root, filename) + translate_collections(root, filename))
    decisions = DecisionSet(root, filename, dmn_files)  # businessRuleTasks: their DMN decision tables
    _raise_if(decisions.problems)
    specs, problems = parse_specs(root, filename, decisions.parser)
    _raise_if(problems)
    _raise_if(v.expression_problems(root, filename))
    model = replace(build_model(data, filename, root, pid, specs, matter, warnings),
                    decision_files=tuple(decisions.files))
    callees, problems = load_callees(root, filename, library)
    _raise_if(problems + merge_problems(model, callees, filename))
    _raise_if(_annotation_problems(model, matter, callees))
    return _with_callees(model, callees)


def load_model(data: bytes, filename: str, *, process_id: str | None = None, matter: Any = None,
               decisions: dict[str, bytes] | None = None, library: Library = ()) -> Model:
    """Parse and check one BPMN file; raise ModelError listing every problem of the first failing stage.

    `decisions`: the DMN files its businessRuleTasks may use, {file name: bytes} (`engine.model.decisions`);
    `library`: other files whose processes its call activities may name (`engine.model.calls`)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    try:
        return _load(bytes(data), filename, process_id, matter, decisions, tuple(library))
    except ModelError:
        raise
    except Exception as exc:  # the promise: no raw exception escapes, whatever the input
        message = f"unexpected error while checking: {type(exc).__name__}: {exc}"
        raise ModelError([Problem(filename, None, None, message)]) from None


def _matter_key(matter: Any) -> Any:
    try:
        hash(matter)
        return matter
    except TypeError:
        return repr(matter)


class _Source:
    """A model file to load; hashed and compared by its sha256, name and matter only (the cache key)."""

    __slots__ = ("data", "decisions", "filename", "key", "library", "matter", "process_id")

    def __init__(self, data: bytes, filename: str, matter: Any, decisions: dict[str, bytes] | None = None,
                 library: Library = (), process_id: str | None = None) -> None:
        self.data, self.filename, self.matter, self.decisions = data, filename, matter, decisions
        self.library, self.process_id = library, process_id
        dmn = tuple((name, hashlib.sha256(content).hexdigest()) for name, content in sorted((decisions or {}).items()))
        self.key = (hashlib.sha256(data).hexdigest(), filename, _matter_key(matter), dmn,
                    tuple(f.key for f in library), process_id)

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Source) and self.key == other.key


@lru_cache(maxsize=CACHE_SIZE)
def _cached_model(source: _Source) -> Model:
    return load_model(source.data, source.filename, matter=source.matter, decisions=source.decisions,
                      library=source.library, process_id=source.process_id)


# lru_cache lets threads that miss together each parse; they wait for one instead. Re-entrant: a file's called
# files load inside its load (engine.model.calls.load_callees)
_parsing = threading.RLock()


def model_for(data: bytes, filename: str, matter: Any = None, decisions: dict[str, bytes] | None = None, *,
              library: Library = (), process_id: str | None = None) -> Model:
    """load_model through an in-process LRU keyed by the file's sha256 (plus name, matter, library and process).

    Failures are not cached. One parse at a time, so every thread gets the one Model of a file
    (parsing is Python holding the GIL: threads would not parse faster side by side).
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    source = _Source(data, filename, matter, decisions, tuple(library), process_id)
    with _parsing:
        return _cached_model(source)


def clear_cache() -> None:
    """Forget every cached model (tests, redeploys)."""
    _cached_model.cache_clear()
