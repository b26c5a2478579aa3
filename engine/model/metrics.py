"""Static metrics of a model variant along its expected path (docs/modeling.md, "Static metrics")."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lxml import etree

from engine.model.annotations import StepAnnotations, parse_step
from engine.model.lanes import lane_department
from engine.model.types import STEP_KINDS, Model, StepInfo
from engine.vocabulary import APPLICANT, VARIANTS

if TYPE_CHECKING:  # pragma: no cover - type hints only
    from engine.matters.files import Matter

METRIC_KEYS = ("steps", "applicant_steps", "trips", "materials", "submissions", "forms", "departments",
               "handoffs", "expected_days", "time_limit_days")
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"


def _local(element: Any) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _properties(element: Any) -> dict[str, str]:
    found = element.findall(f"./{{*}}extensionElements/{{{SPIFF}}}properties/{{{SPIFF}}}property")
    return {p.get("name", ""): p.get("value", "") for p in found}


@dataclass
class _Node:
    """A node of the flattened path graph: a flow node inside one (sub)process occurrence."""

    kind: str
    lane: str | None
    gateway_default: str | None = None  # key of the default target
    out: list[tuple[str, bool]] = field(default_factory=list)  # (target key, has condition), document order
    step: StepAnnotations | None = None


class _Graph:
    """Flattens a process, its embedded subprocesses and call targets (of the file or the files it calls, `others`)
    into one graph: the called process's steps count as the caller's."""

    def __init__(self, root: Any, matter: Matter | None = None, steps: dict[str, StepInfo] | None = None,
                 others: tuple[Any, ...] = ()) -> None:
        self.root = root
        self.matter = matter
        self.departments = {k: s.department for k, s in (steps or {}).items() if s.department}  # lane-less too
        self.processes = {p.get("id"): p for p in root.iter("{*}process")}
        for other in others:  # the file's own processes win, as when it was loaded (engine.model.calls)
            for process in other.iter("{*}process"):
                self.processes.setdefault(process.get("id"), process)
        self.nodes: dict[str, _Node] = {}

    def add_container(self, container: Any, prefix: str, lane: str | None, calls: tuple[str, ...]) -> str | None:
        """Add a process or subprocess's nodes under `prefix`; return its start node key."""
        lanes = self._lanes(container)
        children = [c for c in container if _local(c) and c.get("id")]
        flows = [c for c in children if _local(c) == "sequenceFlow"]
        for child in children:
            kind = _local(child)
            if kind in ("sequenceFlow", "laneSet", "extensionElements", "boundaryEvent", "association",
                        "textAnnotation", "dataObject", "dataObjectReference", "dataStoreReference"):
                continue
            if kind == "subProcess" and child.get("triggeredByEvent") == "true":
                continue
            key = f"{prefix}{child.get('id')}"
            node_lane = lanes.get(child.get("id"), lane) or self.departments.get(child.get("id"))
            self.nodes[key] = _Node(kind, node_lane)
            if kind in STEP_KINDS:
                info = StepInfo(child.get("id"), child.get("name") or "", kind, node_lane, _properties(child),
                                child.sourceline)
                self.nodes[key].step = parse_step(info)
            self._expand(child, key, node_lane, calls)
        for flow in flows:
            source, target = f"{prefix}{flow.get('sourceRef')}", f"{prefix}{flow.get('targetRef')}"
            if source in self.nodes and target in self.nodes:
                exit_key = source + "#exit" if source + "#exit" in self.nodes else source
                has_condition = flow.find("{*}conditionExpression") is not None
                self.nodes[exit_key].out.append((target, has_condition))
        for child in children:
            default = child.get("default")
            key = f"{prefix}{child.get('id')}"
            if default and key in self.nodes:
                default_target = next((f"{prefix}{f.get('targetRef')}" for f in flows if f.get("id") == default), None)
                node = self.nodes.get(key + "#exit", self.nodes[key])
                node.gateway_default = default_target
        return self._start(children, prefix)

    def _expand(self, element: Any, key: str, lane: str | None, calls: tuple[str, ...]) -> None:
        kind = _local(element)
        inner, inner_calls = None, calls
        if kind == "subProcess":
            inner = element
        elif kind == "callActivity" and element.get("calledElement") in self.processes:
            called = element.get("calledElement")
            if called not in calls:
                inner, inner_calls = self.processes[called], calls + (called,)
        if inner is None:
            return
        start = self.add_container(inner, key + "/", lane, inner_calls)
        exit_key = key + "#exit"
        self.nodes[exit_key] = _Node("exit", lane)
        if start is not None:
            self.nodes[key].out.append((start, False))
        inner_keys = [k for k in self.nodes if k.startswith(key + "/") and "/" not in k[len(key) + 1:]]
        for end in [k for k in inner_keys if not self.nodes[k].out]:  # end events and other sinks
            self.nodes[end].out.append((exit_key, False))

    def _lanes(self, container: Any) -> dict[str, str]:
        lanes: dict[str, str] = {}
        for lane_set in container.findall("{*}laneSet"):
            for lane in lane_set.iter("{*}lane"):  # document order: nested lanes override their parent
                for ref in lane.findall("{*}flowNodeRef"):
                    lanes[(ref.text or "").strip()] = lane_department(lane, self.matter)
        return lanes

    def _start(self, children: list[Any], prefix: str) -> str | None:
        starts = [c for c in children if _local(c) == "startEvent"]
        plain = [c for c in starts if not any(_local(x).endswith("EventDefinition") for x in c)]
        chosen = (plain or starts or [None])[0]
        return f"{prefix}{chosen.get('id')}" if chosen is not None else None


def _chosen(node: _Node, on_stack: set[str]) -> list[str]:
    """Targets the expected path takes from a node (see docs/modeling.md for the rule)."""
    targets = [t for t, _ in node.out]
    if node.kind == "exclusiveGateway" and targets:
        ordered = ([node.gateway_default] if node.gateway_default else []) + targets
        forward = [t for t in ordered if t not in on_stack]
        return forward[:1] or ordered[:1]
    if node.kind == "eventBasedGateway":
        return targets[:1]
    if node.kind == "inclusiveGateway" and targets:
        taken = [t for t in targets if t != node.gateway_default]
        return taken or targets[:1]
    return targets


def expected_path(graph: _Graph, start: str | None) -> tuple[list[str], dict[str, list[str]]]:
    """DFS along the chosen flows from `start`; return nodes in topological order and the kept edges."""
    if start is None:
        return [], {}
    edges: dict[str, list[str]] = {}
    post: list[str] = []
    on_stack = {start}
    stack = [(start, iter(_chosen(graph.nodes[start], on_stack)))]
    edges[start] = []
    while stack:
        key, targets = stack[-1]
        target = next(targets, None)
        if target is None:
            stack.pop()
            on_stack.discard(key)
            post.append(key)
        elif target not in on_stack:  # an edge back onto the stack closes a loop: ignored
            edges[key].append(target)
            if target not in edges:
                edges[target] = []
                on_stack.add(target)
                stack.append((target, iter(_chosen(graph.nodes[target], on_stack))))
    return post[::-1], edges


def _next_steps(graph: _Graph, edges: dict[str, list[str]], key: str) -> set[str]:
    """Steps reached from `key` through kept edges without passing another step."""
    found, seen, todo = set(), set(), list(edges[key])
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        if graph.nodes[current].step is not None:
            found.add(current)
        else:
            todo.extend(edges[current])
    return found


def _critical_path(order: list[str], edges: dict[str, list[str]], weight: dict[str, float]) -> float:
    finish: dict[str, float] = {}
    arrive: dict[str, float] = {}
    for key in order:
        finish[key] = arrive.get(key, 0.0) + weight.get(key, 0.0)
        for target in edges[key]:
            arrive[target] = max(arrive.get(target, 0.0), finish[key])
    return max(finish.values(), default=0.0)


def _counted_materials(notes: StepAnnotations, matter: Matter | None, variant: str | None) -> list[str]:
    if matter is None or variant != "after":
        return list(notes.materials)
    # after the reform a shared / e-certificate / unneeded material is not asked of the applicant
    return [m for m in notes.materials if (x := matter.material(m)) is None or x.after == "applicant"]


def _variant(model: Model, variant: str | None) -> str | None:
    if variant is not None:
        return variant
    for name in VARIANTS:
        if model.process_id.endswith("_" + name) or model.filename.rsplit("/", 1)[-1] == f"{name}.bpmn":
            return name
    return None


def static_metrics(model: Model, matter: Matter | None = None, variant: str | None = None) -> dict[str, Any]:
    """The static metrics of a model along its expected path (keys: METRIC_KEYS)."""
    variant = _variant(model, variant)
    graph = _Graph(model.root, matter, model.steps, tuple(m.root for m in model.callees.values()))
    process = graph.processes.get(model.process_id)
    start = graph.add_container(process, "", None, (model.process_id,)) if process is not None else None
    order, edges = expected_path(graph, start)
    notes = {k: step for k in order if (step := graph.nodes[k].step) is not None}
    steps = list(notes)
    lanes = {k: graph.nodes[k].lane for k in steps}
    materials = {k: _counted_materials(notes[k], matter, variant) for k in steps}
    forms = {n.form for k, n in notes.items() if n.form and (
        (matter is None and lanes[k] == APPLICANT)
        or (matter is not None and n.form in matter.forms and matter.forms[n.form].filled_by == "applicant"))}
    handoffs = sum(1 for k in steps for nxt in _next_steps(graph, edges, k) if lanes[nxt] != lanes[k])
    durations = {k: n.duration.mean_days for k, n in notes.items() if n.duration is not None}
    limits = {k: float(n.time_limit) for k, n in notes.items() if n.time_limit is not None}
    if matter is not None and variant in matter.time_limits:
        time_limit: float | None = matter.time_limits[variant]
    else:
        time_limit = _critical_path(order, edges, limits) if limits else None
    return {
        "steps": len(steps),
        "applicant_steps": sum(1 for k in steps if lanes[k] == APPLICANT),
        "trips": sum(1 for n in notes.values() if n.trip),
        "materials": len({m for ms in materials.values() for m in ms}),
        "submissions": sum(len(ms) for ms in materials.values()),
        "forms": len(forms),
        "departments": len({lane for lane in lanes.values() if lane and lane != APPLICANT}),
        "handoffs": handoffs,
        "expected_days": round(_critical_path(order, edges, durations), 2),
        "time_limit_days": None if time_limit is None else rounded(time_limit),
    }


def rounded(value: float, places: int = 2) -> float | int:
    """A figure as people read it: a whole number as an int, else rounded to `places` decimals."""
    return int(value) if float(value).is_integer() else round(value, places)


def compare(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Before vs after for every metric: {metric: {before, after, change, change_pct}}."""
    result = {}
    for key in [k for k in METRIC_KEYS if k in before or k in after]:
        old, new = before.get(key), after.get(key)
        change = rounded(new - old) if old is not None and new is not None else None
        pct = round(change / old * 100, 1) if change is not None and old else None
        result[key] = {"before": old, "after": new, "change": change, "change_pct": pct}
    return result
