"""Case state: a SpiffWorkflow workflow saved without its spec and without finished history.

Plain SpiffWorkflow JSON grows with every task a case has passed, and holds the predicted rest
of the process too, so each load and save costs more as the case and the model grow (see
shared/spiff/notes.md §5). Here a case's state keeps only what the engine still needs:

- the spec is not stored: it is parsed once per model version (by content hash) and handed in;
- finished history is pruned: every task above the lowest common ancestor of all unfinished
  tasks is dropped (the step log in the database keeps the history, with data snapshots);
- predictions are kept: SpiffWorkflow creates a task's children only when it predicts, not when
  the task runs, so the predicted rest of the process must stay in the state (it is small: a
  predicted task has no data of its own).

So the cost of a clerk action does not grow with the steps a case has passed; it is bounded by
the size of the model (the predicted rest of the process).
"""
from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, TaskConverter, WorkflowConverter
from SpiffWorkflow.spiff.serializer import DEFAULT_CONFIG as SPIFF_CONFIG
from SpiffWorkflow.task import Task

from engine.runtime.caseflow import CaseWorkflow

FORMAT = 1


class _SpecByReference(BpmnWorkflowConverter):
    """Workflow converter that leaves the spec out; `restore` is handed the parsed specs instead."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def mapping_to_dict(self, mapping: Any, **kwargs: Any) -> dict[str, Any]:
        """SpiffWorkflow's, but a task converted before (`_PredictedOnce`) is taken as it is, id text and all,
        without a round through the registry: on a long model most of the state."""
        if kwargs:
            return super().mapping_to_dict(mapping, **kwargs)
        found = {}
        for key, value in mapping.items():
            known = _PredictedOnce.known(value) if isinstance(value, Task) else None
            if known is not None:
                found[known[1]] = known[2]
            else:
                found[str(key)] = self.registry.convert(value)
        return found

    def from_dict(self, dct: dict[str, Any]) -> BpmnWorkflow:
        spec, subprocess_specs = dct.pop("spec"), dct.pop("subprocess_specs")
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


_WAITING_AHEAD = TaskState.FUTURE | TaskState.LIKELY | TaskState.MAYBE


class _PredictedOnce(TaskConverter):
    """Task converter that serializes a predicted task (the rest of the process ahead of the case) once per loaded
    workflow: until it changes state, parent or children, or gets data, its dict is the one given last time.

    A case kept live (engine/runtime/live.py) saves its whole state after every step; on a long model most of it
    is the same predicted rest of the process, which costs SpiffWorkflow more to convert than the steps done.
    Only tasks with no data under a parent with none: their stored data changes are empty whatever happens."""

    def to_dict(self, task: Task) -> dict[str, Any]:
        key = _predicted_key(task)
        if key is None:
            return super().to_dict(task)
        known = _PredictedOnce.known(task, key)
        if known is None:
            known = task.workflow.__dict__.setdefault(SEEN, {})[task.id] = (key, str(task.id), super().to_dict(task))
        return known[2]

    @staticmethod
    def known(task: Task, key: tuple | None = None) -> tuple[tuple, str, dict[str, Any]] | None:
        """(its key, its id as text, its dict) as converted before, if the task is still what it was then."""
        known = task.workflow.__dict__.get(SEEN, {}).get(task.id)
        if known is None or known[0] != (key or _predicted_key(task)):
            return None
        return known


SEEN = "_onething_predicted"  # on a workflow: task id -> (key, id text, dict) of its predicted tasks converted


def _forget_gone(workflow: BpmnWorkflow) -> None:
    """Drop the kept conversions of tasks pruned since (a looping case kept live makes new ones every pass)."""
    for flow in [workflow, *workflow.subprocesses.values()]:
        seen = flow.__dict__.get(SEEN)
        if seen and len(seen) > 2 * len(flow.tasks) + 16:
            for task_id in [t for t in seen if t not in flow.tasks]:
                del seen[task_id]


def _predicted_key(task: Task) -> tuple | None:
    """What a predicted task's dict is made of, or None for a task converted every time: one with data, or under a
    parent with data (its data is stored as changes against its parent's: both empty here)."""
    parent = task.parent
    if not task.state & _WAITING_AHEAD or task.data or task.internal_data or parent is None or parent.data:
        return None
    return (task.state, task.last_state_change, task._parent, tuple(task._children), task.triggered)


class _CaseWorkflowByReference(_SpecByReference):
    """Stores a CaseWorkflow under SpiffWorkflow's own type name, and restores every stored workflow as one."""

    def __init__(self, target_class: type, registry: Any) -> None:
        super().__init__(target_class, registry, typename="BpmnWorkflow")


def _make_registry():
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = _SpecByReference
    config[CaseWorkflow] = _CaseWorkflowByReference  # after BpmnWorkflow: its restore is the one kept
    config[Task] = _PredictedOnce
    return BpmnWorkflowSerializer.configure(config)


_REGISTRY = _make_registry()


def dump_state(workflow: BpmnWorkflow, extra: dict[str, Any] | None = None) -> str:
    """Prune the workflow in place and return its state as compact JSON."""
    prune(workflow)
    _forget_gone(workflow)
    body = {"format": FORMAT, "workflow": _REGISTRY.convert(workflow), "extra": extra or {}}
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def load_state(text: str, spec: Any, subprocess_specs: dict[str, Any]) -> tuple[BpmnWorkflow, dict[str, Any]]:
    """Rebuild a workflow from dump_state's JSON and the model's parsed specs."""
    body = json.loads(text)
    if body.get("format") != FORMAT:
        raise ValueError(f"case state format {body.get('format')!r} is not {FORMAT}")
    dct = body["workflow"]
    dct["spec"], dct["subprocess_specs"] = spec, subprocess_specs
    return _REGISTRY.restore(dct), body.get("extra", {})


def prune(workflow: BpmnWorkflow) -> None:
    """Drop finished history above the lowest common ancestor of the unfinished tasks."""
    _drop_history(workflow)


_GONE = TaskState.COMPLETED | TaskState.CANCELLED  # an ERROR task stays: retrying a case in error runs it again


def _drop_history(workflow: BpmnWorkflow) -> None:
    root = workflow.task_tree
    lca, trunk = _first_unfinished_on_the_trunk(root)
    if lca is not None:  # everything above it is the trunk: drop those tasks, no walk over the rest
        if lca.parent is root:
            return
        for task in trunk:
            del workflow.tasks[task.id]
    else:
        unfinished = {t.id: t for t in workflow.tasks.values() if not t.state & _GONE}
        if not unfinished:
            return
        # An unfinished task under an unfinished parent changes nothing of their common ancestor: only the topmost
        # count, so a long predicted rest of the process (a chain of unfinished tasks) costs no walk up per task.
        lca = _lowest_common_ancestor([t for t in unfinished.values() if t._parent not in unfinished])
        if lca is None or lca is root or lca.parent is root:
            return
        keep = _subtree_ids(lca) | {root.id}
        for task_id in [tid for tid in workflow.tasks if tid not in keep]:
            del workflow.tasks[task_id]
    _drop_orphan_subprocesses(workflow)
    root._children = [lca.id]
    lca._parent = root.id
    if workflow.last_task is not None and workflow.last_task.id not in workflow.tasks:
        workflow.last_task = None


def _subtree_ids(top: Any) -> set[UUID]:
    found: set[UUID] = set()
    stack = [top]
    while stack:
        task = stack.pop()
        found.add(task.id)
        stack.extend(c for c in task.children if c is not None)
    return found


def _first_unfinished_on_the_trunk(root: Any) -> tuple[Any, list]:
    """Down from the root through finished tasks of one child each: the first unfinished task, which is then the
    lowest common ancestor of every unfinished task (all lie below it), and the finished tasks passed below the
    root (all there is outside its subtree). (None, []) where the walk cannot tell (a finished task with several
    children or none): the caller looks at every task instead. A case saved before has a trunk of a few tasks, so
    most saves need no walk over the predicted rest of the process."""
    task, passed = root, []
    while task.state & _GONE:
        if len(task._children) != 1:
            return None, []
        if task is not root:
            passed.append(task)
        task = task.workflow.tasks.get(task._children[0])
        if task is None:
            return None, []
    return (task, passed) if task is not root else (None, [])


def _drop_orphan_subprocesses(workflow: BpmnWorkflow) -> None:
    # A call activity dropped with the history is finished; its subworkflow (and theirs) go too.
    while True:
        live = set(workflow.tasks)
        for sub in workflow.subprocesses.values():
            live.update(sub.tasks)
        orphans = [tid for tid in workflow.subprocesses if tid not in live]
        if not orphans:
            return
        for tid in orphans:
            del workflow.subprocesses[tid]


def _lowest_common_ancestor(tasks: list) -> Any:
    def chain(task) -> list:
        path = []
        while task is not None:
            path.append(task)
            task = task.parent
        return path[::-1]

    paths = [chain(t) for t in tasks]
    lca = None
    for level in zip(*paths, strict=False):
        if all(t is level[0] for t in level):
            lca = level[0]
        else:
            break
    return lca


def convert_event(event: Any) -> dict[str, Any]:
    """A BpmnEvent as JSON-able data (for messages a case holds until something catches them)."""
    return _REGISTRY.convert(event)


def restore_event(data: dict[str, Any]) -> Any:
    return _REGISTRY.restore(data)


# what a task, a workflow or a subprocess keeps of the case's data (SpiffWorkflow's serialized keys)
_DATA_KEYS = ("data", "internal_data", "correlations")


def without_data(text: str) -> str:
    """A saved state with every piece of case data emptied: the workflow's and each task's data, the
    changes tasks made (delta), correlations and pending events' payloads, in subprocesses too. The tasks,
    their states and the path stay, so the case still loads (for a finished case: the retention of
    personal data, engine/cases/retention.py)."""
    body = json.loads(text)
    _empty(body["workflow"])
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def _empty(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _empty(item)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key in _DATA_KEYS and isinstance(value, dict):
            node[key] = {}
        elif key == "delta" and isinstance(value, dict):
            node[key] = {"updates": {}, "deletions": []}
        elif key == "bpmn_events" and isinstance(value, list):
            node[key] = []
        else:
            _empty(value)
