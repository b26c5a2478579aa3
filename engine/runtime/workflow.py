"""One case's workflow in memory: start, ready steps, complete, messages, timers. No database here."""
from __future__ import annotations

import copy
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.exceptions import SpiffWorkflowException, TaskNotFoundException, WorkflowException

from engine.errors import InputError, StepNotFound, StepNotReady
from engine.model.reading import named_step
from engine.model.types import Model
from engine.runtime import state as case_state
from engine.runtime.caseflow import CaseWorkflow
from engine.runtime.sandbox import printing
from engine.runtime.timer_values import earliest_due
from engine.text import Listed, Text

MAX_ENGINE_ROUNDS = 1000


@dataclass(frozen=True)
class ReadyStep:
    """A READY manual step of a case, as the engine tells it to the rest of the code."""

    task_id: str
    step_id: str
    name: str
    department: str | None
    kind: str


class CaseError(Exception):
    """A model's own code failed while the case ran (the case goes to its error state)."""


class CaseRuntime:
    """A loaded case: its model, its workflow, and the message events it holds for later."""

    def __init__(self, model: Model, workflow: BpmnWorkflow, script_engine: Any, extra: dict | None = None) -> None:
        self.model = model
        self.workflow = workflow
        self.workflow.script_engine = script_engine  # Spiff does not serialize it: set it on every load
        self.extra = extra or {}
        self.trail: list[str] = []
        self.taken: list[tuple[str, str]] = []
        self.printed: list[printing.Output] = []  # script output not yet in the step log (save_case writes it)

    @classmethod
    def start(cls, model: Model, script_engine: Any, data: dict[str, Any] | None = None) -> CaseRuntime:
        workflow = CaseWorkflow(model.spec, model.subprocess_specs, script_engine=script_engine)
        if data:
            workflow.task_tree.data.update(copy.deepcopy(data))
            for task in workflow.task_tree.children:
                task.data.update(copy.deepcopy(data))
        runtime = cls(model, workflow, script_engine)
        runtime.advance()
        return runtime

    @classmethod
    def without_state(cls, model: Model, script_engine: Any) -> CaseRuntime:
        """A case that never ran here (imported records): its model's workflow unstarted, nothing ready or due."""
        return cls(model, CaseWorkflow(model.spec, model.subprocess_specs, script_engine=script_engine), script_engine)

    @classmethod
    def load(cls, model: Model, text: str, script_engine: Any) -> CaseRuntime:
        workflow, extra = case_state.load_state(text, model.spec, model.subprocess_specs)
        return cls(model, workflow, script_engine, extra)

    def dump(self) -> str:
        return case_state.dump_state(self.workflow, self.extra)

    # -- reading -------------------------------------------------------------------------------
    def ready_steps(self) -> list[ReadyStep]:
        # a scan of the task maps: SpiffWorkflow's own iterator walks the predicted rest of the process on every call
        return [self._ready_step(t) for t in self._all_tasks(TaskState.READY) if t.task_spec.manual]

    def _ready_step(self, task) -> ReadyStep:
        spec = task.task_spec
        step = self.model.steps.get(spec.bpmn_id)
        return ReadyStep(
            task_id=str(task.id),
            step_id=spec.bpmn_id,
            name=spec.bpmn_name or spec.bpmn_id,
            department=step.department if step else spec.lane,
            kind=step.kind if step else type(spec).__name__,
        )

    def find_ready(self, step: str) -> ReadyStep:
        """The READY manual step named by task id or by BPMN id; clear errors otherwise."""
        task = self._find_task(step)
        if task is None:
            known = step in self.model.steps or step in self.model.spec.task_specs
            if known:
                raise StepNotReady(Text("step '%(step)s' is not ready in this case", step=named_step(self.model, step)))
            task_id = len(step) == 36 == 32 + step.count("-")  # a task's UUID: never shown to people
            raise StepNotFound(Text("this step is not part of this case any more") if task_id
                               else Text("no step '%(step)s' in this case's model", step=step))
        named = named_step(self.model, task.task_spec.bpmn_id)
        if not task.task_spec.manual:
            raise StepNotReady(Text("step '%(step)s' is automatic; nobody completes it by hand", step=named))
        if task.state != TaskState.READY:
            raise StepNotReady(Text("step '%(step)s' is not ready (it is %(state)s)", step=named,
                                    state=TaskState.get_name(task.state)))
        return self._ready_step(task)

    def step_id_of(self, step: str) -> str:  # the BPMN id of a step named by task or BPMN id (else `step` itself)
        return getattr(getattr(self._find_task(step), "task_spec", None), "bpmn_id", step)

    def _find_task(self, step: str):
        try:
            task = self.workflow.get_task_from_id(UUID(step))
            if task is not None:
                return task
        except (ValueError, TypeError, TaskNotFoundException):  # not a task id, or no task of this case
            pass
        candidates = [t for t in self.workflow.get_tasks(spec_name=step) if t.task_spec.bpmn_id == step]
        ready = [t for t in candidates if t.state == TaskState.READY]
        if len(ready) > 1:
            raise InputError(Text("step '%(step)s' is ready %(count)s times in this case; name it by task id",
                                  step=named_step(self.model, step), count=len(ready)))
        return ready[0] if ready else (candidates[0] if candidates else None)

    def is_completed(self) -> bool:
        return self.workflow.is_completed()

    def data(self) -> dict[str, Any]:
        return dict(self.workflow.data) if self.workflow.is_completed() else self._latest_data()

    def _latest_data(self) -> dict[str, Any]:
        """Data of every branch, later changes winning (parallel branches each hold their own)."""
        tasks = sorted(self._all_tasks(TaskState.COMPLETED | TaskState.READY | TaskState.STARTED),
                       key=lambda t: t.last_state_change)
        merged: dict[str, Any] = {}
        for task in tasks:
            merged.update(task.data)
        return merged

    def waiting_messages(self) -> list[str]:
        return sorted({e.name for e in self.workflow.waiting_events() if e.event_type == "MessageEventDefinition"})

    def waiting_signals(self) -> list[str]:
        return sorted({e.name for e in self.workflow.waiting_events() if e.event_type == "SignalEventDefinition"})

    def timers(self) -> list[tuple[str, datetime]]:
        """(task id, due time) of every timer the case waits on."""
        found = []
        for task in self._all_tasks(TaskState.WAITING):
            due = earliest_due(task.internal_data.get("event_value"))
            if due is not None:
                found.append((str(task.id), due))
        return found

    def failed_steps(self) -> list[ReadyStep]:
        """The tasks whose run failed (ERROR), as steps: what a case in error waits on."""
        return [self._ready_step(t) for t in self._failed_tasks()]

    def _failed_tasks(self) -> list:
        # a call activity whose subprocess failed is not run again itself: the failed task inside it is
        return [t for t in self._all_tasks(TaskState.ERROR) if t.id not in self.workflow.subprocesses]

    def _all_tasks(self, state: int) -> Iterable:
        yield from (t for t in self.workflow.tasks.values() if t.state & state)
        for sub in self.workflow.subprocesses.values():
            yield from (t for t in sub.tasks.values() if t.state & state)

    # -- changing ------------------------------------------------------------------------------
    def complete(self, task_id: str, data: dict[str, Any]) -> None:
        """Run a READY manual task with the (already validated) form data, then move on."""
        task = self.workflow.get_task_from_id(UUID(task_id))
        if task is None or task.state != TaskState.READY or not task.task_spec.manual:
            raise StepNotReady(Text("step '%(step)s' is not ready", step=named_step(self.model, task.task_spec.bpmn_id))
                               if task is not None else Text("this step is not part of this case any more"))
        started = time.time()
        task.data.update(copy.deepcopy(data))
        self._guard(task.run)
        self.advance(since=started)

    def retry(self, corrections: dict[str, Any] | None = None) -> list[ReadyStep]:
        """Run the failed tasks again (SpiffWorkflow keeps a failed task in ERROR with its data): each goes back
        to READY with `corrections` merged into its data, then the case moves on. A failure again raises
        CaseError and leaves the task in ERROR. Returns the steps run again."""
        failed = self._failed_tasks()
        steps = [self._ready_step(t) for t in failed]
        started = time.time()
        for task in failed:
            task.data.update(copy.deepcopy(corrections or {}))
            task._set_state(TaskState.READY)
        self.advance(since=started)
        return steps

    def send_message(self, name: str, payload: dict[str, Any]) -> None:
        """Deliver a message from outside the case to the event waiting for it."""
        definition = self._waiting_message_definition(name)
        if definition is None:
            raise StepNotReady(Text("the case is not waiting for message '%(message)s' (it waits for: %(waiting)s)",
                                    message=name, waiting=Listed(self.waiting_messages(), Text("no message"))))
        started = time.time()
        try:
            self._guard(lambda: self.workflow.send_event(BpmnEvent(definition, copy.deepcopy(payload))))
        except CaseError as exc:
            if isinstance(exc.__cause__, WorkflowException) and "not waiting" in str(exc.__cause__):
                raise StepNotReady(Text("message '%(message)s' was not accepted: %(reason)s", message=name,
                                        reason=str(exc.__cause__))) from None
            raise
        self.advance(since=started)

    def _waiting_message_definition(self, name: str):
        """The event definition of a catch event waiting for message `name` (parser-specific class)."""
        for task in self.workflow.event_manager.tasks.values():
            definition = getattr(task.task_spec, "event_definition", None)
            for candidate in getattr(definition, "event_definitions", [definition]):
                if isinstance(candidate, MessageEventDefinition) and candidate.name == name:
                    return candidate
        return None

    def advance(self, since: float | None = None) -> None:
        """Run automatic work (scripts, gateways, due timers, messages thrown inside the case).

        `trail` and `taken` then hold what happened since `since` (default: now).
        """
        started = since if since is not None else time.time()
        with printing.collecting() as printed:
            try:
                for _ in range(MAX_ENGINE_ROUNDS):
                    self._guard(self.workflow.refresh_timers)
                    self._guard(self.workflow.do_engine_steps)
                    if not self._guard(self._route_internal_events):
                        break
            finally:
                self.printed += printed
        # A flow is taken when its target is reached (READY, WAITING...), while its source is still the parent.
        reached = self._changed_since(
            started, TaskState.COMPLETED | TaskState.READY | TaskState.WAITING | TaskState.STARTED)
        self.trail = [t.task_spec.bpmn_id for t in reached if t.state == TaskState.COMPLETED]
        self.taken = [(src, t.task_spec.bpmn_id) for t in reached if (src := _bpmn_parent(t)) is not None]

    def _route_internal_events(self) -> bool:
        """Hand messages thrown in this case to its own catch events; keep the rest for later."""
        pending = [case_state.restore_event(e) for e in self.extra.pop("pending_events", [])]
        pending += self.workflow.get_events()
        delivered = False
        kept = []
        for event in pending:
            if self.workflow.event_manager.catch(event, internal=False):
                delivered = True
            else:
                kept.append(event)
        if kept:
            self.extra["pending_events"] = [case_state.convert_event(e) for e in kept]
        return delivered

    def _changed_since(self, started: float, state: int) -> list:
        changed = [t for t in self._all_tasks(state) if t.last_state_change >= started and t.task_spec.bpmn_id]
        changed.sort(key=lambda t: (t.last_state_change, t.depth))
        return changed

    def _guard(self, call) -> Any:
        """Run SpiffWorkflow work; anything the model's own code raises becomes a CaseError."""
        try:
            return call()
        except SpiffWorkflowException as exc:
            raise CaseError(_describe(exc)) from exc
        except (NameError, TypeError, ValueError, KeyError, AttributeError, ArithmeticError, LookupError) as exc:
            raise CaseError(self._missing_collection() or f"{type(exc).__name__}: {exc}") from exc

    def _missing_collection(self) -> str | None:
        """'ELEMENT: multi-instance collection 'x' is not in the case data' for a loop over a missing variable."""
        for task in self._all_tasks(~TaskState.FINISHED_MASK):
            ref = getattr(task.task_spec, "data_input", None)
            if ref is not None and isinstance(task.task_spec, MultiInstanceTask) and not ref.exists(task):
                return (f"{task.task_spec.bpmn_id}: multi-instance collection '{ref.bpmn_id}' is not in the case "
                        "data; give it a list (or set it in an earlier step)")
        return None


def _bpmn_parent(task) -> str | None:
    """The BPMN id of the nearest ancestor that is a BPMN element (skipping Spiff's helper tasks)."""
    parent = task.parent
    while parent is not None and not parent.task_spec.bpmn_id:
        parent = parent.parent
    return parent.task_spec.bpmn_id if parent is not None else None


def _describe(exc: SpiffWorkflowException) -> str:
    task = getattr(exc, "task", None)
    where = f"{task.task_spec.bpmn_id}: " if task is not None and getattr(task.task_spec, "bpmn_id", None) else ""
    inner = exc.__cause__ or getattr(exc, "error", None)
    detail = str(inner) if inner else str(exc)
    message = str(exc) if str(exc) and str(exc) not in detail else detail
    return " ".join(f"{where}{message}".split())  # one line: messages may quote multi-line scripts
