"""BPMN XML -> plain data (pools, lanes, nodes, flows) that every drawing and the DI layout start from."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from lxml import etree

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"

EVENTS = {
    "startEvent": "start",
    "intermediateCatchEvent": "intermediate",
    "intermediateThrowEvent": "intermediate",
    "implicitThrowEvent": "intermediate",
    "boundaryEvent": "boundary",
    "endEvent": "end",
}
GATEWAYS = {
    "exclusiveGateway": "exclusive",
    "parallelGateway": "parallel",
    "inclusiveGateway": "inclusive",
    "eventBasedGateway": "eventBased",
    "complexGateway": "complex",
}
TASKS = {
    "task": "task",
    "userTask": "user",
    "manualTask": "manual",
    "serviceTask": "service",
    "sendTask": "send",
    "receiveTask": "receive",
    "scriptTask": "script",
    "businessRuleTask": "businessRule",
    "callActivity": "callActivity",
    "subProcess": "subProcess",
    "transaction": "transaction",
    "adHocSubProcess": "subProcess",
}
CONTAINERS = ("subProcess", "transaction", "adHocSubProcess")
EVENT_MARKERS = {
    "timerEventDefinition": "timer",
    "messageEventDefinition": "message",
    "signalEventDefinition": "signal",
    "errorEventDefinition": "error",
    "escalationEventDefinition": "escalation",
    "conditionalEventDefinition": "conditional",
    "linkEventDefinition": "link",
    "compensateEventDefinition": "compensation",
    "terminateEventDefinition": "terminate",
    "cancelEventDefinition": "cancel",
}


@dataclass
class Lane:
    """A lane: a department (or the applicant)."""

    id: str
    name: str
    parent: str | None = None  # enclosing lane of a nested lane set


@dataclass
class Pool:
    """A participant of a collaboration, or a process drawn on its own."""

    id: str
    name: str
    process_id: str | None
    lanes: list[Lane] = field(default_factory=list)


@dataclass
class Node:
    """A flow node: kind is 'event', 'gateway' or 'task'; subkind refines it (see EVENTS, GATEWAYS, TASKS)."""

    id: str
    name: str
    kind: str
    subkind: str
    tag: str
    pool: str
    lane: str | None = None
    parent: str | None = None  # enclosing subprocess
    marker: str | None = None  # event definition: timer, message, ...
    attached_to: str | None = None  # host of a boundary event
    throwing: bool = False
    expanded: bool = False  # a subprocess whose children are drawn inside it


@dataclass
class Flow:
    """A sequence flow; label is its name or else its condition."""

    id: str
    source: str
    target: str
    label: str = ""
    is_default: bool = False
    conditional: bool = False


@dataclass
class MessageFlow:
    """A message flow between pools (ends may be nodes or pools)."""

    id: str
    source: str
    target: str
    label: str = ""


@dataclass
class Diagram:
    """Everything a drawing needs, and nothing of SpiffWorkflow."""

    pools: list[Pool] = field(default_factory=list)
    nodes: dict[str, Node] = field(default_factory=dict)
    flows: list[Flow] = field(default_factory=list)
    message_flows: list[MessageFlow] = field(default_factory=list)
    old_y: dict[str, float] = field(default_factory=dict)  # y of each element in the file's own DI, if any
    lang: str = "zh"  # the language its names are in, and its drawing's words

    def lane_names(self) -> dict[str, str]:
        """Lane id -> lane name over all pools."""
        return {lane.id: lane.name for pool in self.pools for lane in pool.lanes}


def _name(el: etree._Element, lang: str = "zh") -> str:
    """The element's name in `lang`: English from its name_en property, else (and in Chinese) its name."""
    if lang == "en":
        for prop in el.iterfind(f"{{{BPMN_NS}}}extensionElements/{{{SPIFF_NS}}}properties/{{{SPIFF_NS}}}property"):
            if prop.get("name") == "name_en" and (english := " ".join((prop.get("value") or "").split())):
                return english
    return " ".join((el.get("name") or "").split())


def _local(el: etree._Element) -> str | None:
    if not isinstance(el.tag, str):
        return None
    q = etree.QName(el)
    return q.localname if q.namespace == BPMN_NS else None


def _children(el: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in el if _local(c) == name]


def _text(el: etree._Element | None) -> str:
    return " ".join("".join(el.itertext()).split()) if el is not None else ""


def _lanes(lane_set: etree._Element, parent: str | None, out: list[Lane], lane_of: dict[str, str], lang: str) -> None:
    for el in _children(lane_set, "lane"):
        lane = Lane(el.get("id", ""), _name(el, lang) or el.get("id", ""), parent)
        out.append(lane)
        for ref in _children(el, "flowNodeRef"):
            lane_of[_text(ref)] = lane.id
        for child_set in _children(el, "childLaneSet"):
            _lanes(child_set, lane.id, out, lane_of, lang)


def _marker(el: etree._Element) -> str | None:
    found = [EVENT_MARKERS[n] for c in el if (n := _local(c)) in EVENT_MARKERS]
    if len(found) > 1:
        return "parallelMultiple" if el.get("parallelMultiple") == "true" else "multiple"
    return found[0] if found else None


def _node(el: etree._Element, tag: str, pool: str, parent: str | None, lang: str) -> Node:
    node_id = el.get("id", "")
    name = _name(el, lang)
    if tag in EVENTS:
        return Node(node_id, name, "event", EVENTS[tag], tag, pool, parent=parent, marker=_marker(el),
                    attached_to=el.get("attachedToRef"), throwing=tag in ("intermediateThrowEvent", "endEvent"))
    if tag in GATEWAYS:
        return Node(node_id, name, "gateway", GATEWAYS[tag], tag, pool, parent=parent)
    return Node(node_id, name, "task", TASKS[tag], tag, pool, parent=parent)


def _walk(container: etree._Element, diagram: Diagram, pool: str, parent: str | None,
          defaults: set[str], flows: list[etree._Element], lang: str) -> None:
    for el in container:
        tag = _local(el)
        if tag is None or not el.get("id"):
            continue
        if tag == "sequenceFlow":
            flows.append(el)
        elif tag in EVENTS or tag in GATEWAYS or tag in TASKS:
            node = _node(el, tag, pool, parent, lang)
            diagram.nodes.setdefault(node.id, node)
            if el.get("default"):
                defaults.add(el.get("default"))
            if tag in CONTAINERS:
                before = len(diagram.nodes)
                _walk(el, diagram, pool, node.id, defaults, flows, lang)
                node.expanded = len(diagram.nodes) > before


def _flow(el: etree._Element, defaults: set[str], lang: str) -> Flow:
    cond = next(iter(_children(el, "conditionExpression")), None)
    condition = _text(cond)
    label = _name(el, lang) or condition
    return Flow(el.get("id", ""), el.get("sourceRef", ""), el.get("targetRef", ""), label,
                el.get("id") in defaults, cond is not None)


def diagram_from_root(root: etree._Element, lang: str = "zh") -> Diagram:
    """A parsed BPMN definitions element as a Diagram named in `lang` ("zh" or "en"; English from each element's
    name_en property, its name when it has none); tolerant of odd files."""
    diagram = Diagram(lang=lang)
    processes = {p.get("id", ""): p for p in root if _local(p) == "process"}
    seen: set[str] = set()
    for collab in (c for c in root if _local(c) in ("collaboration", "choreography")):
        for part in _children(collab, "participant"):
            ref = part.get("processRef")
            ref = ref if ref in processes and ref not in seen else None
            diagram.pools.append(Pool(part.get("id", ""), _name(part, lang), ref))
            if ref:
                seen.add(ref)
        for mf in _children(collab, "messageFlow"):
            diagram.message_flows.append(MessageFlow(mf.get("id", ""), mf.get("sourceRef", ""),
                                                     mf.get("targetRef", ""), _name(mf, lang)))
    for pid, proc in processes.items():
        if pid not in seen:
            diagram.pools.append(Pool(pid, _name(proc, lang), pid))
    flow_els: list[etree._Element] = []
    defaults: set[str] = set()
    for pool in diagram.pools:
        proc = processes.get(pool.process_id or "")
        if proc is None:
            continue
        if not pool.name:
            pool.name = _name(proc, lang)
        lane_of: dict[str, str] = {}
        for lane_set in _children(proc, "laneSet"):
            _lanes(lane_set, None, pool.lanes, lane_of, lang)
        start = len(diagram.nodes)
        _walk(proc, diagram, pool.id, None, defaults, flow_els, lang)
        for node in list(diagram.nodes.values())[start:]:
            node.lane = lane_of.get(node.id)
        _inherit_lanes(diagram, list(diagram.nodes.values())[start:])
    for el in flow_els:
        flow = _flow(el, defaults, lang)
        if flow.source in diagram.nodes and flow.target in diagram.nodes:
            diagram.flows.append(flow)
    diagram.old_y = _old_y(root)
    known = set(diagram.nodes) | {p.id for p in diagram.pools}
    diagram.message_flows = [m for m in diagram.message_flows if m.source in known and m.target in known]
    return diagram


def _old_y(root: etree._Element) -> dict[str, float]:
    ys: dict[str, float] = {}
    for shape in root.iter("{http://www.omg.org/spec/BPMN/20100524/DI}BPMNShape"):
        bounds = shape.find("{http://www.omg.org/spec/DD/20100524/DC}Bounds")
        try:
            ys.setdefault(shape.get("bpmnElement", ""), float(bounds.get("y", "0")))
        except (AttributeError, ValueError):
            pass
    return ys


def _inherit_lanes(diagram: Diagram, nodes: list[Node]) -> None:
    """Children of a subprocess and boundary events live in their host's lane."""
    for node in nodes:
        host = diagram.nodes.get(node.parent or node.attached_to or "")
        while host is not None and node.lane is None:
            node.lane = host.lane
            host = diagram.nodes.get(host.parent or "")
        if node.parent:
            top = node
            while top.parent and top.parent in diagram.nodes:
                top = diagram.nodes[top.parent]
            node.lane = top.lane


def read_xml(data: bytes, filename: str, keep_comments: bool = False) -> etree._Element:
    """Parse untrusted BPMN bytes with the engine's hardened parser (ModelError with file and line)."""
    from engine import parse_model_xml

    return parse_model_xml(data, filename, keep_comments=keep_comments)


def load_diagram(data: bytes, filename: str, lang: str = "zh", lanes: Mapping[str, str] | None = None,
                 pool: str | None = None) -> Diagram:
    """BPMN bytes (hardened parser; ModelError on bad XML) as a Diagram named in `lang`, renamed as in `rename`."""
    return rename(diagram_from_root(read_xml(data, filename), lang), lanes, pool)


def rename(diagram: Diagram, lanes: Mapping[str, str] | None = None, pool: str | None = None) -> Diagram:
    """Names the caller knows better than the file: `lanes` by lane id (a lane is a department, named in
    matter.yaml) and `pool` for every process pool (the matter's name); an empty name keeps the file's."""
    for each in diagram.pools:
        each.name = (pool if each.process_id else None) or each.name
        for lane in each.lanes:
            lane.name = (lanes or {}).get(lane.id) or lane.name
    return diagram
