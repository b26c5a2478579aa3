"""The sandboxed script engine SpiffWorkflow runs model code with: TaskDataEnvironment's semantics,
restricted compilation (`policy`), runtime guards and a time limit (`guards`), and a size check of
the task data a script leaves behind. Scripts, and expressions that might call or allocate, run in a
worker process (`isolation`); the trivial expressions of most gateways run here.
"""
from __future__ import annotations

import copy
import os
import types
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import BasePythonScriptEngineEnvironment, PythonScriptEngine
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask, SequentialMultiInstanceTask
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState

from engine.errors import SandboxError
from engine.runtime.sandbox import isolation, printing
from engine.runtime.sandbox.guards import GUARDS, context_now, run, sandbox_builtins
from engine.runtime.sandbox.policy import check_source, compile_source

MAX_DATA_ITEMS = 2_000_000  # values in a task's data after a script, shared references counted each time
MAX_DATA_BYTES = 1_000_000  # about the JSON size of a task's data after a script (spiff-arena's limit too)
MAX_INSTANCES = 1_000  # multi-instance cardinality, unless ONETHING_MAX_INSTANCES says otherwise


def max_instances() -> int:
    """Most instances one multi-instance step may have (checked at upload where constant, else at run time)."""
    given = os.environ.get("ONETHING_MAX_INSTANCES", "")
    return int(given) if given.isdigit() and int(given) > 0 else MAX_INSTANCES


def _is_leftover(value: Any) -> bool:
    """Values a script may leave behind that are not data (and would not serialize)."""
    return callable(value) or isinstance(value, (types.ModuleType, range, Iterator))


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    """TaskDataEnvironment's semantics, with restricted compilation, guards and a time limit; in a worker
    process (`isolation`) unless `isolate` is False or the code is an expression that runs in-process."""

    def __init__(self, environment_globals: dict[str, Any] | None = None, time_limit: float = 1.0,
                 now: Callable[[], datetime] | None = None, isolate: bool = True) -> None:
        super().__init__(environment_globals)
        self.time_limit = time_limit
        self.now = now or context_now
        self.isolate = isolate
        self.builtins = sandbox_builtins(now)

    def evaluate(self, expression: str, context: dict[str, Any], external_context: dict[str, Any] | None = None) -> Any:
        """The value of `expression` over the task data."""
        code = self._code(expression, "eval")
        if self.isolate and not isolation.runs_in_process(expression):
            try:
                return isolation.run_isolated("eval", expression, context, external_context or {}, self.globals,
                                              self.time_limit, self.now())
            except isolation.NotData:
                pass  # the engine put an object in the context that cannot cross: run it here, as before
        scope = copy.copy(self.globals)
        scope.update(external_context or {})
        scope.update(context)
        scope.update(GUARDS)
        scope["__builtins__"] = self.builtins
        if ACCESSOR in expression:
            scope["__builtins__"] = dict(self.builtins, **{ACCESSOR: _accessor(context)})
        return run(code, scope, self.time_limit)

    def execute(self, script: str, context: dict[str, Any], external_context: dict[str, Any] | None = None) -> bool:
        """Run `script` with the task data as its globals; remove what is not data afterwards."""
        external_context = external_context or {}
        self._check_overwrite(context, external_context)
        code = self._code(script, "exec")
        if self.isolate and not isolation.runs_in_process(script, "exec"):
            try:
                data = isolation.run_isolated("exec", script, context, external_context, self.globals,
                                              self.time_limit, self.now())
            except isolation.NotData:
                pass  # as in evaluate
            else:
                _check_data_size(data)
                context.clear()
                context.update(data)
                return True
        before = set(context)
        printed = printing.Printed()
        context.update(self.globals)
        context.update(external_context)
        context.update(GUARDS)
        context["_print_"] = printed.factory
        context["__builtins__"] = self.builtins
        try:
            run(code, context, self.time_limit)
        finally:
            self._clean(context, external_context, before)
        _check_data_size(context)
        if printed.text():
            context[printing.PRINTED_KEY] = printed.text()  # SandboxScriptEngine.execute takes it to the log
        return True

    def _code(self, source: str, mode: str) -> types.CodeType:
        code, message = compile_source(source, mode)
        if code is None:
            raise SandboxError(message or "cannot compile")
        return code

    def _check_overwrite(self, context: dict[str, Any], external_context: dict[str, Any]) -> None:
        """Like SpiffWorkflow: task data may not hide predefined functions (or our guards)."""
        taken = (set(self.globals) | set(external_context) | set(GUARDS)) & set(context)
        if taken:
            raise SandboxError(f"task data overwrites predefined names: {', '.join(sorted(taken))}")

    def _clean(self, context: dict[str, Any], external_context: dict[str, Any], before: set[str]) -> None:
        for key in list(context):
            new_private = key.startswith("_") and key not in before
            if (new_private or key in self.globals or key in external_context or key in GUARDS
                    or _is_leftover(context[key])):
                context.pop(key)


ACCESSOR = "case_variable"  # JUEL/FEEL `${input > 1}` becomes `case_variable('input') > 1` (engine.model.dialects)


def _accessor(context: dict[str, Any]) -> Callable[[str], Any]:
    """`case_variable(name)`: the case variable `name` of this evaluation's data, for names Python code may not
    write (`input`, `open`...). It reads the data only, never the engine's globals or builtins."""
    def case_variable(name: str) -> Any:
        if not isinstance(name, str) or name not in context:
            raise NameError(f"name {name!r} is not defined")
        return context[name]
    return case_variable


def _check_data_size(data: dict[str, Any]) -> None:
    """Refuse task data too big to save: `[[0] * 10**6] * 10**6` is small in memory but 10**12 values in JSON,
    `[s] * 200` of a million-character `s` is 200 MB of JSON. Counts values and (about) the bytes of their JSON."""
    values, size = 0, 0
    stack: list[Any] = [data]
    while stack:
        value = stack.pop()
        values += 1
        if isinstance(value, str):
            size += len(value) + 2
        elif isinstance(value, dict):
            size += 2 + sum(len(str(key)) + 4 for key in value)
            stack.extend(value.values())
        elif isinstance(value, (list, tuple, set)):
            values += len(value)
            size += 2 + len(value)
            if values <= MAX_DATA_ITEMS:
                stack.extend(value)
        else:
            size += 8  # a number, true, false or null: a few characters
        if values > MAX_DATA_ITEMS:
            raise SandboxError(f"the script left more than {MAX_DATA_ITEMS:,} values in the task data; "
                               "the case could not be saved")
        if size > MAX_DATA_BYTES:
            raise SandboxError(f"the script left task data of more than {MAX_DATA_BYTES // 1_000_000} MB; "
                               "the case could not be saved")


class SandboxScriptEngine(PythonScriptEngine):
    """PythonScriptEngine over a SandboxEnvironment whose errors say what went wrong."""

    def validate(self, expression: str) -> None:
        """Raise SandboxError unless `expression` compiles in the sandbox."""
        message = check_source(expression, "eval")
        if message:
            raise SandboxError(message)

    def execute(self, task: Any, script: str, external_context: dict[str, Any] | None = None) -> Any:
        """As PythonScriptEngine.execute; what the script printed goes to the case's log (`printing`)."""
        try:
            return super().execute(task, script, external_context)
        finally:
            text = task.data.pop(printing.PRINTED_KEY, None)
            if text:
                spec = task.task_spec
                printing.record(printing.Output(str(task.id), spec.bpmn_id or spec.name,
                                                spec.bpmn_name or spec.bpmn_id or spec.name, text))

    def evaluate(self, task: Any, expression: str, external_context: dict[str, Any] | None = None) -> Any:
        """As PythonScriptEngine.evaluate, with the cause added to the error; a multi-instance cardinality
        above `max_instances()` is refused before SpiffWorkflow creates the instances."""
        counters = loop_counters(task)
        if counters:
            external_context = {**counters, **(external_context or {})}
        try:
            value = super().evaluate(task, expression, external_context)
        except WorkflowTaskException as exc:
            cause = exc.__context__
            if cause is not None and not isinstance(cause, SpiffWorkflowException):
                exc.add_note(f"{type(cause).__name__}: {cause}")
            raise
        spec = getattr(task, "task_spec", None)
        if isinstance(spec, MultiInstanceTask) and expression == spec.cardinality and isinstance(value, int):
            limit = max_instances()
            if value > limit:
                raise WorkflowTaskException(f"multi-instance cardinality {value:,} is more than the {limit:,} "
                                            "instances a step may have (ONETHING_MAX_INSTANCES)", task=task)
        return value


def loop_counters(task: Any) -> dict[str, int]:
    """Camunda's multi-instance variables for an expression evaluated on a multi-instance step or one of its
    instances: nrOfInstances, nrOfActiveInstances, nrOfCompletedInstances and (in an instance) loopCounter, from
    0. Case data of the same name wins; elsewhere the names are undefined, as in Camunda."""
    spec = getattr(task, "task_spec", None)
    parent = getattr(task, "parent", None)
    if isinstance(spec, MultiInstanceTask):
        loop, instance = task, None
    elif parent is not None and isinstance(parent.task_spec, MultiInstanceTask) \
            and parent.task_spec.task_spec == getattr(spec, "name", None):
        loop, instance = parent, task
    else:
        return {}
    instances = [c for c in loop.children if c.task_spec.name == loop.task_spec.task_spec]
    completed = len(loop.internal_data.get("merged", []))
    active = sum(not c.has_state(TaskState.FINISHED_MASK) for c in instances)
    total = len(instances)
    if isinstance(loop.task_spec, SequentialMultiInstanceTask):
        remaining = len(loop.internal_data.get("remaining", []))
        total = loop.internal_data.get("cardinality") or completed + active + remaining
    counters = {"nrOfInstances": total, "nrOfActiveInstances": active, "nrOfCompletedInstances": completed}
    if instance is not None:
        counters["loopCounter"] = instances.index(instance)
    return counters


def make_script_engine(time_limit: float = 1.0, now: Callable[[], datetime] | None = None) -> PythonScriptEngine:
    """A script engine that runs model code in the sandbox, `time_limit` seconds per evaluation."""
    return SandboxScriptEngine(environment=SandboxEnvironment(time_limit=time_limit, now=now))
