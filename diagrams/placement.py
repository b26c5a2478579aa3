"""Place a Diagram with dot: node bounds, subprocess bounds, lane bands and pool bands, in BPMN pixels."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from itertools import pairwise

import graphviz

from diagrams.spec import Diagram, Node

SIZES = {"task": (100.0, 80.0), "event": (36.0, 36.0), "gateway": (50.0, 50.0)}
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


def _size(node: Node) -> tuple[float, float]:
    return SIZES[node.kind]


def _leaf_lanes(diagram: Diagram, pool_index: int, rank: dict[str, int] | None = None) -> list[str]:
    lanes = diagram.pools[pool_index].lanes
    parents = {lane.parent for lane in lanes}
    leaves = [lane.id for lane in lanes if lane.id not in parents]
    return sorted(leaves, key=lambda lane_id: (rank or {}).get(lane_id, 0))


def lane_rank(diagram: Diagram, order: dict[str, list[str]]) -> dict[str, int]:
    """Stacking order of lanes: their old DI order or declaration order, bent where needed so that
    branches into different lanes keep the top-to-bottom order SpiffWorkflow connects them in."""
    declared = [lane.id for pool in diagram.pools for lane in pool.lanes]
    key = {lane_id: (diagram.old_y.get(lane_id, 0.0), i) for i, lane_id in enumerate(declared)}
    above: dict[str, set[str]] = {lane_id: set() for lane_id in declared}
    for targets in order.values():
        lanes = [diagram.nodes[t].lane for t in targets if t in diagram.nodes]
        for a, b in pairwise(lanes):
            if a != b and a in above and b in above and a not in above[b] | _below(above, b):
                above[b].add(a)  # a must be drawn above b
    result: list[str] = []
    pending = set(declared)
    while pending:
        free = [lane_id for lane_id in pending if not (above[lane_id] & pending)] or list(pending)
        chosen = min(free, key=key.__getitem__)
        result.append(chosen)
        pending.discard(chosen)
    return {lane_id: i for i, lane_id in enumerate(result)}


def _below(above: dict[str, set[str]], lane_id: str) -> set[str]:
    """Lanes already required to be below lane_id (to refuse a constraint that would make a cycle)."""
    seen: set[str] = set()
    stack = [lane_id]
    while stack:
        current = stack.pop()
        for other, ups in above.items():
            if current in ups and other not in seen:
                seen.add(other)
                stack.append(other)
    return seen


def _home_lane(diagram: Diagram, node: Node, leaves: dict[str, list[str]]) -> str | None:
    """The leaf lane a top-level node is drawn in (the first lane if its file put it in none)."""
    pool_leaves = leaves.get(node.pool) or []
    if node.lane in pool_leaves:
        return node.lane
    for lane in next(p for p in diagram.pools if p.id == node.pool).lanes:  # a node in a parent lane
        if lane.parent == node.lane and lane.id in pool_leaves:
            return lane.id
    return pool_leaves[0] if pool_leaves else None


def build_layout_graph(diagram: Diagram, order: dict[str, list[str]] | None = None,
                       rank: dict[str, int] | None = None) -> tuple[graphviz.Digraph, dict]:
    """A digraph of fixed-size boxes in lane/pool/subprocess clusters; returns it with the name maps."""
    g = graphviz.Digraph("layout", graph_attr={"rankdir": "LR", "nodesep": "0.45", "ranksep": "0.6",
                                                "ordering": "out", "newrank": "true",
                                                "compound": "true"},
                         node_attr={"shape": "box", "fixedsize": "true", "label": ""})
    names = {node_id: f"n{i}" for i, node_id in enumerate(diagram.nodes)}
    leaves = {p.id: _leaf_lanes(diagram, i, rank) for i, p in enumerate(diagram.pools)}
    children: dict[str | None, list[Node]] = {}
    for node in diagram.nodes.values():
        if node.subkind == "boundary" and node.attached_to in diagram.nodes:
            continue
        key = node.parent if node.parent in diagram.nodes else ("lane:" + str(_home_lane(diagram, node, leaves))
                                                                 if leaves.get(node.pool) else "pool:" + node.pool)
        children.setdefault(key, []).append(node)
    clusters: dict[str, str] = {}
    inner_names: dict[str, str] = {}  # expanded subprocess -> its cluster

    def add_nodes(sub: graphviz.Digraph, key: str) -> None:
        for node in children.get(key, []):
            if node.expanded and children.get(node.id):
                name = f"cluster_s{len(clusters)}"
                clusters[name] = "node:" + node.id
                inner_names[node.id] = name
                with sub.subgraph(name=name, graph_attr={"margin": "20"}) as inner:
                    add_nodes(inner, node.id)
            else:
                w, h = _size(node)
                sub.node(names[node.id], width=f"{w / 72:.4f}", height=f"{h / 72:.4f}")

    for pi, pool in sorted(enumerate(diagram.pools), key=lambda ip: diagram.old_y.get(ip[1].id, 0.0)):
        with g.subgraph(name=f"cluster_p{pi}") as pg:
            clusters[f"cluster_p{pi}"] = "pool:" + pool.id
            if leaves[pool.id]:
                for lane_id in leaves[pool.id]:
                    name = f"cluster_l{len(clusters)}"
                    clusters[name] = "lane:" + lane_id
                    with pg.subgraph(name=name, graph_attr={"margin": "16"}) as lg:
                        add_nodes(lg, "lane:" + lane_id)
                        if not children.get("lane:" + lane_id):
                            lg.node(f"empty{len(clusters)}", width="0.5", height="0.5", style="invis")
            else:
                add_nodes(pg, "pool:" + pool.id)
                if not children.get("pool:" + pool.id):
                    pg.node(f"empty{len(clusters)}", width="1.4", height="0.8", style="invis")
    hosts = {n.id: n.attached_to for n in diagram.nodes.values()
             if n.subkind == "boundary" and n.attached_to in diagram.nodes}
    edges = order or _outgoing(diagram)
    for src, targets in edges.items():
        for target in reversed(targets):  # dot's LR turn puts the first out-edge lowest
            if src not in diagram.nodes or target not in diagram.nodes:
                continue
            tail, head = hosts.get(src, src), hosts.get(target, target)
            attrs = {}
            # dot cannot end an edge at a cluster: aim at a child and clip at the cluster (compound edges)
            if tail in inner_names:
                attrs["ltail"] = inner_names[tail]
                tail = _edge_child(diagram, children, tail, last=True)
            if head in inner_names:
                attrs["lhead"] = inner_names[head]
                head = _edge_child(diagram, children, head, last=False)
            if tail != head:
                g.edge(names[tail], names[head], **attrs)
    return g, {"nodes": names, "clusters": clusters}


def _edge_child(diagram: Diagram, children: dict, container: str, last: bool) -> str:
    """The innermost drawn node an edge to or from an expanded subprocess stands on."""
    while children.get(container):
        kids = [n.id for n in children[container]]
        ends = {f.source if last else f.target for f in diagram.flows if f.source in kids and f.target in kids}
        free = [k for k in kids if k not in ends] or kids
        container = free[-1] if last else free[0]
        if not children.get(container):
            break
    return container


def _outgoing(diagram: Diagram) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for flow in diagram.flows:
        out.setdefault(flow.source, []).append(flow.target)
    return out


def _bb(text: str) -> tuple[float, float, float, float]:
    llx, lly, urx, ury = (float(v) for v in text.split(","))
    return llx, lly, urx, ury


def place(diagram: Diagram, order: dict[str, list[str]] | None = None) -> Placement:
    """Run dot and turn its layout into DI bounds with lanes stacked as horizontal bands."""
    rank = lane_rank(diagram, order or _outgoing(diagram))
    graph, maps = build_layout_graph(diagram, order, rank)
    layout = json.loads(graph.pipe(format="json", engine="dot"))
    height = _bb(layout["bb"])[3]
    by_name = {o["name"]: o for o in layout.get("objects", [])}
    raw_nodes: dict[str, Box] = {}
    for node_id, name in maps["nodes"].items():
        obj = by_name.get(name)
        if obj and "pos" in obj:
            x, y = (float(v) for v in obj["pos"].split(","))
            w, h = _size(diagram.nodes[node_id])
            raw_nodes[node_id] = Box(x - w / 2, height - y - h / 2, w, h)
    raw_clusters: dict[str, Box] = {}
    for name, what in maps["clusters"].items():
        obj = by_name.get(name)
        if obj and "bb" in obj:
            llx, lly, urx, ury = _bb(obj["bb"])
            raw_clusters[what] = Box(llx, height - ury, urx - llx, ury - lly)
    placement = _stack(diagram, raw_nodes, raw_clusters, _bb(layout["bb"])[2], rank)
    for _ in range(3):
        _keep_branch_order(diagram, placement, order or _outgoing(diagram))
    saved = (dict(placement.nodes), dict(placement.lanes), dict(placement.pools))
    _refit_bands(diagram, placement, rank)
    if not _order_kept(diagram, placement, order or _outgoing(diagram)):
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
    leaves = {p.id: _leaf_lanes(diagram, i, rank) for i, p in enumerate(diagram.pools)}
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
    leaves = {p.id: _leaf_lanes(diagram, i, rank) for i, p in enumerate(diagram.pools)}
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
        return "lane:" + str(_home_lane(diagram, node, leaves))
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
