"""Place a Diagram with dot: node bounds, subprocess bounds, lane bands and pool bands, in BPMN pixels."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from itertools import pairwise

from diagrams.layout_graph import build_layout_graph, home_lane, lane_rank, leaf_lanes, node_size, outgoing
from diagrams.spec import Diagram

POOL_HEADER = 30.0  # the vertical name strip of a pool or lane, as bpmn.io draws it
BAND_PAD = 30.0
MARGIN = 40.0
BLACK_BOX_HEIGHT = 80.0


@dataclass(frozen=True)
class Box:
    """A rectangle in BPMN DI coordinates (y grows downward)."""

    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h


@dataclass
class Placement:
    """Bounds of every node, lane and pool."""

    nodes: dict[str, Box] = field(default_factory=dict)
    lanes: dict[str, Box] = field(default_factory=dict)
    pools: dict[str, Box] = field(default_factory=dict)


def _bb(text: str) -> tuple[float, float, float, float]:
    llx, lly, urx, ury = (float(v) for v in text.split(","))
    return llx, lly, urx, ury


def place(diagram: Diagram, order: dict[str, list[str]] | None = None) -> Placement:
    """Run dot and turn its layout into DI bounds with lanes stacked as horizontal bands."""
    rank = lane_rank(diagram, order or outgoing(diagram))
    graph, maps = build_layout_graph(diagram, order, rank)
    layout = json.loads(graph.pipe(format="json", engine="dot"))
    height = _bb(layout["bb"])[3]
    by_name = {o["name"]: o for o in layout.get("objects", [])}
    raw_nodes: dict[str, Box] = {}
    for node_id, name in maps["nodes"].items():
        obj = by_name.get(name)
        if obj and "pos" in obj:
            x, y = (float(v) for v in obj["pos"].split(","))
            w, h = node_size(diagram.nodes[node_id])
            raw_nodes[node_id] = Box(x - w / 2, height - y - h / 2, w, h)
    raw_clusters: dict[str, Box] = {}
    for name, what in maps["clusters"].items():
        obj = by_name.get(name)
        if obj and "bb" in obj:
            llx, lly, urx, ury = _bb(obj["bb"])
            raw_clusters[what] = Box(llx, height - ury, urx - llx, ury - lly)
    placement = _stack(diagram, raw_nodes, raw_clusters, _bb(layout["bb"])[2], rank)
    for _ in range(3):
        _keep_branch_order(diagram, placement, order or outgoing(diagram))
    saved = (dict(placement.nodes), dict(placement.lanes), dict(placement.pools))
    _refit_bands(diagram, placement, rank)
    if not _order_kept(diagram, placement, order or outgoing(diagram)):
        # branches whose lanes demand contradictory orders: SpiffWorkflow's behaviour wins over tidy bands
        placement.nodes, placement.lanes, placement.pools = saved
    return placement


def _order_kept(diagram: Diagram, placement: Placement, order: dict[str, list[str]]) -> bool:
    for source, wanted in order.items():
        doc = [f.target for f in diagram.flows if f.source == source]
        if not all(t in placement.nodes for t in doc):
            continue
        if sorted(doc, key=lambda t: placement.nodes[t].y) != [t for t in wanted if t in doc]:
            return False
    return True


def _refit_bands(diagram: Diagram, placement: Placement, rank: dict[str, int]) -> None:
    """Grow a lane band (moving everything below it down) where a nudged node pokes out of it."""
    leaves = {p.id: leaf_lanes(diagram, i, rank) for i, p in enumerate(diagram.pools)}
    for lane_id in sorted((la for ls in leaves.values() for la in ls), key=lambda la: placement.lanes[la].y):
        band = placement.lanes[lane_id]
        members = [n for n in placement.nodes if diagram.nodes[n].subkind != "boundary"
                   and _band_of(diagram, n, leaves) == "lane:" + lane_id]
        need = max((placement.nodes[n].bottom + 10 for n in members), default=0.0) - band.bottom
        if need <= 0:
            continue
        cut = band.bottom
        for n, b in placement.nodes.items():
            if b.y >= cut and n not in members:
                placement.nodes[n] = Box(b.x, b.y + need, b.w, b.h)
        for group in (placement.lanes, placement.pools):
            for k, b in group.items():
                if b.y >= cut:
                    group[k] = Box(b.x, b.y + need, b.w, b.h)
                elif b.bottom >= cut:
                    group[k] = Box(b.x, b.y, b.w, b.h + need)


def _keep_branch_order(diagram: Diagram, placement: Placement, order: dict[str, list[str]]) -> None:
    """SpiffWorkflow connects a node's outgoing flows sorted by their targets' DI y (stable over document
    order): nudge a target down where dot's drawing would change that order."""
    for source, wanted in order.items():
        doc = [f.target for f in diagram.flows if f.source == source]
        for prev, target in pairwise(wanted):
            a, b = placement.nodes.get(prev), placement.nodes.get(target)
            if a is None or b is None or prev == target:
                continue
            need = a.y + (0 if doc.index(prev) < doc.index(target) else 1)
            if b.y < need:
                placement.nodes[target] = Box(b.x, need, b.w, b.h)


def _stack(diagram: Diagram, raw_nodes: dict[str, Box], raw_clusters: dict[str, Box], width: float,
           rank: dict[str, int]) -> Placement:
    """Restack lane clusters as full-width bands in declaration order, moving their nodes along."""
    placement = Placement()
    depth_max = max((_depth(p.lanes, lane.id) for p in diagram.pools for lane in p.lanes), default=0)
    left = POOL_HEADER * (depth_max + 2)
    full = left + width + 2 * MARGIN
    xs = [b.x for b in raw_nodes.values()] + [b.x for k, b in raw_clusters.items() if k.startswith("node:")]
    shift_x = MARGIN + left - min(xs, default=0.0) + 20  # clear of the innermost lane's name strip
    cursor = MARGIN
    node_shift: dict[str, float] = {}
    leaves = {p.id: leaf_lanes(diagram, i, rank) for i, p in enumerate(diagram.pools)}
    for pool in sorted(diagram.pools, key=lambda p: diagram.old_y.get(p.id, 0.0)):
        top = cursor
        bands = [("lane:" + lane_id, lane_id) for lane_id in leaves[pool.id]] or [("pool:" + pool.id, None)]
        for key, lane_id in bands:
            cluster = raw_clusters.get(key)
            members = [n for n in raw_nodes if _band_of(diagram, n, leaves) == key]
            boxes = [raw_nodes[n] for n in members] + [b for k, b in raw_clusters.items()
                                                       if k.startswith("node:") and k[5:] in diagram.nodes
                                                       and _band_of(diagram, k[5:], leaves) == key]
            if cluster is None or not members:
                band_h = BLACK_BOX_HEIGHT if lane_id is None and pool.process_id is None else 2 * BAND_PAD + 40
                old_top = 0.0
            else:
                old_top = min(b.y for b in boxes)
                old_bottom = max(b.bottom for b in boxes)
                band_h = old_bottom - old_top + 2 * BAND_PAD
            for n in members:
                node_shift[n] = cursor + BAND_PAD - old_top
            if lane_id is not None:
                depth = _depth(pool.lanes, lane_id)
                placement.lanes[lane_id] = Box(MARGIN + POOL_HEADER * (depth + 1), cursor,
                                               full - POOL_HEADER * (depth + 1), band_h)
            cursor += band_h
        placement.pools[pool.id] = Box(MARGIN, top, full, cursor - top)
        for lane in reversed(pool.lanes):  # parent lanes span their children
            if lane.id not in placement.lanes:
                kids = [placement.lanes[c.id] for c in pool.lanes if c.parent == lane.id and c.id in placement.lanes]
                if kids:
                    depth = _depth(pool.lanes, lane.id)
                    y0, y1 = min(k.y for k in kids), max(k.bottom for k in kids)
                    placement.lanes[lane.id] = Box(MARGIN + POOL_HEADER * (depth + 1), y0,
                                                   full - POOL_HEADER * (depth + 1), y1 - y0)
        cursor += MARGIN / 2
    for node_id, box in raw_nodes.items():
        placement.nodes[node_id] = Box(box.x + shift_x, box.y + node_shift.get(node_id, 0.0), box.w, box.h)
    for node_id in diagram.nodes:
        cluster = raw_clusters.get("node:" + node_id)
        if cluster is not None and node_id in placement.nodes:
            continue
        if cluster is not None:
            members = [n for n in raw_nodes if _inside(diagram, n, node_id)]
            dy = node_shift.get(members[0], 0.0) if members else 0.0
            placement.nodes[node_id] = Box(cluster.x + shift_x, cluster.y + dy, cluster.w, cluster.h)
    _attach_boundary_events(diagram, placement)
    return placement


def _band_of(diagram: Diagram, node_id: str, leaves: dict[str, list[str]]) -> str:
    node = diagram.nodes[node_id]
    while node.parent in diagram.nodes:
        node = diagram.nodes[node.parent]
    if leaves.get(node.pool):
        return "lane:" + str(home_lane(diagram, node, leaves))
    return "pool:" + node.pool


def _inside(diagram: Diagram, node_id: str, container: str) -> bool:
    node = diagram.nodes[node_id]
    while node.parent in diagram.nodes:
        if node.parent == container:
            return True
        node = diagram.nodes[node.parent]
    return False


def _depth(lanes: list, lane_id: str) -> int:
    parents = {lane.id: lane.parent for lane in lanes}
    depth, current = 0, parents.get(lane_id)
    while current is not None and depth < 20:
        depth, current = depth + 1, parents.get(current)
    return depth


def _attach_boundary_events(diagram: Diagram, placement: Placement) -> None:
    """Sit boundary events on the lower edge of their host, right to left."""
    count: dict[str, int] = {}
    for node in diagram.nodes.values():
        host = placement.nodes.get(node.attached_to or "")
        if node.subkind != "boundary" or host is None:
            continue
        k = count.get(node.attached_to, 0)
        count[node.attached_to] = k + 1
        slots = max(1, int((host.w - 20) // 40))
        cx = host.right - 28 - 40 * (k % slots)
        placement.nodes[node.id] = Box(cx - 18, host.bottom - 18, 36, 36)
