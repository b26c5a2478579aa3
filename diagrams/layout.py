"""Write BPMN DI (shapes, lanes as bands, orthogonal edges) computed by dot into a BPMN file."""
from __future__ import annotations

import re
from itertools import pairwise

from lxml import etree

from diagrams.placement import Box, Placement, place
from diagrams.spec import BPMN_NS, Diagram, diagram_from_root, read_xml

BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DI_NS = "http://www.omg.org/spec/DD/20100524/DI"
Point = tuple[float, float]


def desired_order(diagram: Diagram) -> dict[str, list[str]]:
    """Outgoing targets per node in the order SpiffWorkflow connects them (by old DI y, else document order)."""
    order: dict[str, list[str]] = {}
    for flow in diagram.flows:
        order.setdefault(flow.source, []).append(flow.target)
    return {src: sorted(targets, key=lambda t: diagram.old_y.get(t, 0.0)) for src, targets in order.items()}


def route(source: Box, target: Box, source_kind: str = "task", target_kind: str = "task",
          from_below: bool = False) -> list[Point]:
    """Orthogonal waypoints from one box to another, the way BPMN modelers draw sequence flows."""
    same_row = abs(source.cy - target.cy) < 1 or (abs(source.cy - target.cy) < 15
                                                   and target.y + 5 <= source.cy <= target.bottom - 5)
    if target.x >= source.right + 10:
        if same_row:
            return [(source.right, source.cy), (target.x, source.cy)]
        if from_below or source_kind == "gateway":
            y0 = source.bottom if target.cy > source.cy else source.y
            return [(source.cx, y0), (source.cx, target.cy), (target.x, target.cy)]
        if target_kind == "gateway":
            y1 = target.y if source.cy < target.cy else target.bottom
            return [(source.right, source.cy), (target.cx, source.cy), (target.cx, y1)]
        mid = (source.right + target.x) / 2
        return [(source.right, source.cy), (mid, source.cy), (mid, target.cy), (target.x, target.cy)]
    low = max(source.bottom, target.bottom) + 20
    return [(source.cx, source.bottom), (source.cx, low), (target.cx, low), (target.cx, target.bottom)]


def _hits(points: list[Point], box: Box) -> bool:
    """True when an orthogonal polyline runs through the inside of box (touching its border is fine)."""
    for (x0, y0), (x1, y1) in pairwise(points):
        if abs(x0 - x1) < 0.5 and box.x + 1 < x0 < box.right - 1 and min(y0, y1) < box.bottom - 1 \
                and max(y0, y1) > box.y + 1:
            return True
        if abs(y0 - y1) < 0.5 and box.y + 1 < y0 < box.bottom - 1 and min(x0, x1) < box.right - 1 \
                and max(x0, x1) > box.x + 1:
            return True
    return False


def clear_route(points: list[Point], source: Box, target: Box, obstacles: list[Box],
                from_below: bool = False) -> list[Point]:
    """points, or where they run through another shape, the first forward route that runs through none:
    an L (along the source's row, then into the target's top or bottom); from a boundary event, down,
    along, then up or down to the target's row; else a detour over (or under) the shapes in the way."""
    if not any(_hits(points, b) for b in obstacles) or target.x < source.right + 10:
        return points
    gap = target.x - source.right
    candidates: list[list[Point]] = []
    if from_below:
        y = source.bottom + 15
        x = target.x - min(20.0, gap / 2)
        candidates.append([(source.cx, source.bottom), (source.cx, y), (x, y), (x, target.cy), (target.x, target.cy)])
    else:
        if abs(target.cy - source.cy) >= 1:
            end = (target.cx, target.y) if target.cy > source.cy else (target.cx, target.bottom)
            candidates.append([(source.right, source.cy), (target.cx, source.cy), end])
        stub = source.right + min(20.0, gap / 2)
        over = target.cy <= source.cy
        for side in (over, not over):
            in_way = [b for b in obstacles if _hits(points, b)]
            for _ in range(4):
                if side:
                    y = min([target.y, source.y] + [b.y for b in in_way]) - 15
                    end = (target.cx, target.y)
                else:
                    y = max([target.bottom, source.bottom] + [b.bottom for b in in_way]) + 15
                    end = (target.cx, target.bottom)
                detour = [(source.right, source.cy), (stub, source.cy), (stub, y), (target.cx, y), end]
                more = [b for b in obstacles if _hits(detour, b) and b not in in_way]
                if not more:
                    candidates.append(detour)
                    break
                in_way += more
    for candidate in candidates:
        if not any(_hits(candidate, b) for b in obstacles):
            return candidate
    return points


def message_route(source: Box, target: Box) -> list[Point]:
    """Vertical waypoints between pools (a message flow)."""
    down = target.cy >= source.cy
    y0, y1 = (source.bottom, target.y) if down else (source.y, target.bottom)
    x0 = source.cx if source.w < 400 else min(max(target.cx, source.x + 20), source.right - 20)
    x1 = target.cx if target.w < 400 else min(max(x0, target.x + 20), target.right - 20)
    if abs(x0 - x1) < 1:
        return [(x0, y0), (x1, y1)]
    mid = (y0 + y1) / 2
    return [(x0, y0), (x0, mid), (x1, mid), (x1, y1)]


def _bounds(parent: etree._Element, box: Box) -> None:
    etree.SubElement(parent, f"{{{DC_NS}}}Bounds", x=_n(box.x), y=_n(box.y), width=_n(box.w), height=_n(box.h))


def _n(value: float) -> str:
    return str(int(round(value)))


class _Ids:
    def __init__(self, root: etree._Element) -> None:
        self.used = {el.get("id") for el in root.iter() if isinstance(el.tag, str) and el.get("id")}

    def new(self, base: str) -> str:
        candidate, i = f"{base}_di", 1
        while candidate in self.used:
            candidate, i = f"{base}_di{i}", i + 1
        self.used.add(candidate)
        return candidate


def _plane_target(root: etree._Element, diagram: Diagram) -> str:
    collab = root.find(f"{{{BPMN_NS}}}collaboration")
    if collab is not None and collab.get("id"):
        return collab.get("id")
    return diagram.pools[0].process_id or diagram.pools[0].id if diagram.pools else ""


def _write_di(root: etree._Element, diagram: Diagram, placement: Placement) -> None:
    olds = root.findall(f"{{{BPMNDI_NS}}}BPMNDiagram")
    after = [c for c in root if isinstance(c.tag, str) and etree.QName(c).localname == "relationship"]
    index = root.index(olds[0]) if olds else (root.index(after[0]) if after else len(root))
    for old in olds:
        root.remove(old)
    ids = _Ids(root)
    nsmap = {"bpmndi": BPMNDI_NS, "dc": DC_NS, "di": DI_NS}
    dia = etree.Element(f"{{{BPMNDI_NS}}}BPMNDiagram", nsmap=nsmap, id=ids.new("BPMNDiagram"))
    root.insert(index, dia)
    plane = etree.SubElement(dia, f"{{{BPMNDI_NS}}}BPMNPlane", id=ids.new("BPMNPlane"),
                             bpmnElement=_plane_target(root, diagram))
    has_collab = root.find(f"{{{BPMN_NS}}}collaboration") is not None
    for pool in diagram.pools:
        if has_collab and pool.id in placement.pools and pool.id != pool.process_id:
            shape = etree.SubElement(plane, f"{{{BPMNDI_NS}}}BPMNShape", id=ids.new(pool.id),
                                     bpmnElement=pool.id, isHorizontal="true")
            _bounds(shape, placement.pools[pool.id])
        for lane in pool.lanes:
            if lane.id in placement.lanes:
                shape = etree.SubElement(plane, f"{{{BPMNDI_NS}}}BPMNShape", id=ids.new(lane.id),
                                         bpmnElement=lane.id, isHorizontal="true")
                _bounds(shape, placement.lanes[lane.id])
    for node in diagram.nodes.values():
        box = placement.nodes.get(node.id)
        if box is None:
            continue
        attrs = {"id": ids.new(node.id), "bpmnElement": node.id}
        if node.subkind in ("subProcess", "transaction"):
            attrs["isExpanded"] = "true" if node.expanded else "false"
        _bounds(etree.SubElement(plane, f"{{{BPMNDI_NS}}}BPMNShape", **attrs), box)
    kinds = {n.id: n.kind for n in diagram.nodes.values()}
    for flow in diagram.flows:
        s, t = placement.nodes.get(flow.source), placement.nodes.get(flow.target)
        if s and t:
            boundary = diagram.nodes[flow.source].subkind == "boundary"
            points = route(s, t, kinds[flow.source], kinds[flow.target], boundary)
            _edge(plane, ids, flow.id, clear_route(points, s, t, _obstacles(diagram, placement, flow), boundary))
    for mf in diagram.message_flows:
        s = placement.nodes.get(mf.source) or placement.pools.get(mf.source)
        t = placement.nodes.get(mf.target) or placement.pools.get(mf.target)
        if s and t:
            _edge(plane, ids, mf.id, message_route(s, t))
    etree.indent(dia, space="  ", level=1)
    dia.tail = "\n  " if dia.getnext() is not None else "\n"
    previous = dia.getprevious()
    if previous is not None and (previous.tail is None or not previous.tail.strip()):
        previous.tail = "\n  "


def _obstacles(diagram: Diagram, placement: Placement, flow) -> list[Box]:
    """Shapes a sequence flow must not run through: all but its ends, their subprocesses and their boundary events."""
    skip = {flow.source, flow.target}
    for end in (flow.source, flow.target):
        node = diagram.nodes.get(end)
        while node is not None and node.parent in diagram.nodes:
            skip.add(node.parent)
            node = diagram.nodes[node.parent]
    hosts = {flow.source, flow.target}
    return [box for node_id, box in placement.nodes.items() if node_id not in skip
            and not (diagram.nodes[node_id].subkind == "boundary" and diagram.nodes[node_id].attached_to in hosts)]


def _edge(plane: etree._Element, ids: _Ids, element: str, points: list[Point]) -> None:
    edge = etree.SubElement(plane, f"{{{BPMNDI_NS}}}BPMNEdge", id=ids.new(element), bpmnElement=element)
    for x, y in points:
        etree.SubElement(edge, f"{{{DI_NS}}}waypoint", x=_n(x), y=_n(y))


def add_di(data: bytes, filename: str) -> bytes:
    """Lay a BPMN file out with dot and return it with fresh DI (any old DI replaced)."""
    root = read_xml(data, filename, keep_comments=True)
    _drop_repeated_data_objects(root)
    diagram = diagram_from_root(root)
    placement = place(diagram, desired_order(diagram))
    _write_di(root, diagram, placement)
    return _splice(data, root, filename) or etree.tostring(root.getroottree(), xml_declaration=True,
                                                          encoding="UTF-8") + b"\n"


def _drop_repeated_data_objects(root: etree._Element) -> None:
    """Leave out a dataObject declared again identically (check ignores the repeat with a warning): bpmn-js refuses
    the file's duplicate id, so the laid-out file would not open without warnings."""
    for process in root.iter(f"{{{BPMN_NS}}}process"):
        seen: set[tuple] = set()
        for element in process.findall(f"{{{BPMN_NS}}}dataObject"):
            key = tuple(sorted(element.attrib.items()))
            if key in seen and not len(element) and not (element.text or "").strip():
                process.remove(element)
            seen.add(key)


_OLD_DI = re.compile(rb"[ \t]*<(?:[\w.-]+:)?BPMNDiagram\b.*</(?:[\w.-]+:)?BPMNDiagram>[ \t]*\r?\n?", re.S)
_END = re.compile(rb"</(?:[\w.-]+:)?definitions>\s*$")


def _splice(data: bytes, root: etree._Element, filename: str) -> bytes | None:
    """The original bytes with only the DI replaced, so a file laid out in place keeps its formatting."""
    new = root.find(f"{{{BPMNDI_NS}}}BPMNDiagram")
    if new is None or new.getnext() is not None:
        return None
    fragment = etree.tostring(new, encoding="unicode", with_tail=False)
    old = list(_OLD_DI.finditer(data))
    end = _END.search(data)
    if len(old) > 1 or end is None:
        return None
    text = b"  " + fragment.encode("utf-8") + b"\n"
    if old:
        spliced = data[: old[0].start()] + text + data[old[0].end():]
    else:
        head = data[: end.start()].rstrip(b" \t")
        spliced = head + (b"" if head.endswith(b"\n") else b"\n") + text + data[end.start():]
    try:
        again = read_xml(spliced, filename, keep_comments=True)
    except Exception:
        return None
    same = etree.tostring(again, method="c14n") == etree.tostring(root, method="c14n")
    return spliced if same else None
