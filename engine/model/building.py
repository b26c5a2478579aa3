"""Build the `Model` of a checked file: its steps, their departments (lanes, else vendor assignment), flows, forms.

Also the structural repair before anything reads the flows: a sequence flow without an id gets a stable one.
"""
from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from engine.model import validation as v
from engine.model.lanes import process_lanes
from engine.model.problems import Problem, warning
from engine.model.types import STEP_KINDS, Model, StepInfo
from engine.model.vendor import assigned_department, extension_warnings
from engine.model.vendor_forms import vendor_form
from engine.text import Text

if TYPE_CHECKING:  # pragma: no cover - type hints only
    from engine.matters.files import Form, Matter


def name_flows(root: Any, filename: str) -> list[Problem]:
    """Give each sequence flow without an id `Flow_` + 8 hex digits of sha1(source, target, ordinal), in the tree.

    The same file always gets the same ids (so a case's saved state finds its flows again); a warning says so."""
    taken = {e.get("id") for e in root.iter() if isinstance(e.tag, str) and e.get("id")}
    seen: dict[tuple[str, str], int] = {}
    found = []
    for flow in root.iter(v.tag("sequenceFlow")):
        if flow.get("id"):
            continue
        ends = (flow.get("sourceRef") or "", flow.get("targetRef") or "")
        ordinal = seen[ends] = seen.get(ends, 0) + 1
        digest = hashlib.sha1(f"{ends[0]}\n{ends[1]}\n{ordinal}".encode(), usedforsecurity=False).hexdigest()
        new_id = f"Flow_{digest[:8]}"
        while new_id in taken:
            new_id += "_"
        taken.add(new_id)
        flow.set("id", new_id)
        found.append(warning(filename, flow.sourceline, new_id, Text(
            "sequence flow from '%(source)s' to '%(target)s' has no id; OneThing calls it '%(flow)s'",
            source=ends[0], target=ends[1], flow=new_id)))
    return found


def _department(node: Any, lane_of: dict[str, str]) -> str | None:
    while node is not None:  # a step inside an embedded subprocess is in the subprocess's lane
        if node.get("id") in lane_of:
            return lane_of[node.get("id")]
        node = node.getparent()
    return None


_PROPERTY_NS = {**v.NS, "camunda": "http://camunda.org/schema/1.0/bpmn", "zeebe": "http://camunda.org/schema/zeebe/1.0"}


def _properties(node: Any) -> dict[str, str]:
    """A step's properties: spiffworkflow:properties, else Camunda Modeler's extension properties (camunda: or
    zeebe:properties, the same name/value pairs)."""
    for prefix in ("spiffworkflow", "camunda", "zeebe"):
        found = node.xpath(f"./bpmn:extensionElements/{prefix}:properties//{prefix}:property", namespaces=_PROPERTY_NS)
        if found:
            return {p.get("name"): p.get("value") for p in found}
    return {}


def _steps(process: Any, lane_of: dict[str, str], matter: Matter | None, filename: str,
           ) -> tuple[dict[str, StepInfo], dict[str, Form], list[Problem]]:
    kinds = {v.tag(kind): kind for kind in STEP_KINDS}
    departments = matter.department_ids() if matter is not None else None
    steps, forms, warnings = {}, {}, []
    for node in process.iter(*kinds):
        step_id = node.get("id")
        department, messages = assigned_department(node, _department(node, lane_of), departments)
        warnings += [warning(filename, node.sourceline, step_id, m) for m in messages]
        step = steps[step_id] = StepInfo(id=step_id, name=node.get("name") or "", kind=kinds[node.tag],
                                         department=department, properties=_properties(node), line=node.sourceline)
        form, messages_ = vendor_form(node, step, filename)
        warnings += messages_
        if form is not None:
            forms[step_id] = form
    return steps, forms, warnings


def _flows(root: Any) -> dict[str, tuple[str, ...]]:
    """Sequence flows of the whole file as source id -> target ids, in file order."""
    targets: dict[str, list[str]] = {}
    for flow in root.iter("{*}sequenceFlow"):
        targets.setdefault(flow.get("sourceRef"), []).append(flow.get("targetRef"))
    return {source: tuple(found) for source, found in targets.items()}


def build_model(data: bytes, filename: str, root: Any, pid: str, specs: dict[str, Any], matter: Matter | None,
                warnings: list[Problem]) -> Model:
    """The Model of a file that passed the checks, with `warnings` and the vendor extension warnings."""
    process = next(p for p in v.processes(root) if p.get("id") == pid)
    lanes, lane_of = process_lanes(process, matter)
    steps, forms, step_warnings = _steps(process, lane_of, matter, filename)
    spec, subprocess_specs = specs[pid]
    return Model(
        filename=filename,
        content_hash=hashlib.sha256(data).hexdigest(),
        data=data,
        root=root,
        process_id=pid,
        spec=spec,
        subprocess_specs=subprocess_specs,
        lanes=lanes,
        steps=steps,
        flows=_flows(root),
        forms=forms,
        warnings=tuple(warnings + step_warnings + extension_warnings(root, filename)),
    )
