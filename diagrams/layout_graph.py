"""The graph dot lays out for a Diagram: fixed-size boxes in lane, pool and subprocess clusters, in lane order."""
from __future__ import annotations

from itertools import pairwise

import graphviz

from diagrams.spec import Diagram, Node

SIZES = {"task": (100.0, 80.0), "event": (36.0, 36.0), "gateway": (50.0, 50.0)}


def node_size(node: Node) -> tuple[float, float]:
    """Width and height of a node's shape in BPMN pixels."""
    return SIZES[node.kind]


def leaf_lanes(diagram: Diagram, pool_index: int, rank: dict[str, int] | None = None) -> list[str]:
    """The innermost lanes of a pool, in stacking order."""
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


def home_lane(diagram: Diagram, node: Node, leaves: dict[str, list[str]]) -> str | None:
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
    leaves = {p.id: leaf_lanes(diagram, i, rank) for i, p in enumerate(diagram.pools)}
    children: dict[str | None, list[Node]] = {}
    for node in diagram.nodes.values():
        if node.subkind == "boundary" and node.attached_to in diagram.nodes:
            continue
        key = node.parent if node.parent in diagram.nodes else ("lane:" + str(home_lane(diagram, node, leaves))
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
                w, h = node_size(node)
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
    edges = order or outgoing(diagram)
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


def outgoing(diagram: Diagram) -> dict[str, list[str]]:
    """Each node's outgoing targets in document order."""
    out: dict[str, list[str]] = {}
    for flow in diagram.flows:
        out.setdefault(flow.source, []).append(flow.target)
    return out
