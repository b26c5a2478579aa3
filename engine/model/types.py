"""A loaded, validated BPMN model: what the rest of the code sees instead of SpiffWorkflow's parser."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

STEP_KINDS = ("userTask", "manualTask", "sendTask", "receiveTask", "serviceTask")


@dataclass(frozen=True)
class StepInfo:
    """One step (task) of a model, as written in the BPMN file."""

    id: str
    name: str
    kind: str  # one of STEP_KINDS
    department: str | None  # lane's department (engine.model.lanes), else vendor assignment; "Applicant"
    properties: dict[str, str]
    line: int | None


@dataclass(frozen=True, slots=True)
class Model:
    """A model file that passed every check, immutable once loaded; `spec` and `subprocess_specs` stay in engine/."""

    filename: str
    content_hash: str  # sha256 hex of the file's bytes
    data: bytes
    root: Any  # lxml root element of the hardened parse
    process_id: str
    spec: Any  # SpiffWorkflow BpmnProcessSpec
    subprocess_specs: dict[str, Any]
    lanes: dict[str, str] = field(default_factory=dict)  # department key of a lane (engine.model.lanes) -> lane name
    steps: dict[str, StepInfo] = field(default_factory=dict)  # bpmn id -> step
    flows: dict[str, tuple[str, ...]] = field(default_factory=dict)  # element id -> targets of its sequence flows
    forms: dict[str, Any] = field(default_factory=dict)  # step id -> Form made of its vendor form fields
    warnings: tuple[Any, ...] = ()  # Problems of severity "warning": the model loads, `check` lists them
    decision_files: tuple[str, ...] = ()  # the DMN files (names as given) whose decisions its businessRuleTasks run
    callees: dict[str, Model] = field(default_factory=dict)  # process id -> Model of the other file it calls
    # (transitively; engine.model.calls); their steps, lanes, forms and specs are merged into this model's

    @property
    def calls_key(self) -> str:
        """The content hash of the model and of every file it calls: what its metrics and behaviour depend on."""
        if not self.callees:
            return self.content_hash
        parts = [self.content_hash] + sorted(f"{k}={m.content_hash}" for k, m in self.callees.items())
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()
