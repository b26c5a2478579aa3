"""Diagram (plain data) -> graphviz.Digraph: pools and lanes as clusters, BPMN-like shapes, flows."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import graphviz

from diagrams.spec import Diagram, Node, Pool
from diagrams.styles import EVENT_MARKERS, GATEWAY_MARKERS, KIND_WORDS, TASK_MARKERS, style

WRAP = 20  # display columns per label line (a Chinese character counts two)


def text(value: str) -> graphviz.quoting.NoHtml:
    """A label that DOT shows verbatim: backslashes kept, quotes escaped, never read as HTML."""
    return graphviz.nohtml(value.replace("\\", "\\\\"))


def lines(*parts: str) -> graphviz.quoting.NoHtml:
    """Several verbatim lines as one label."""
    return graphviz.nohtml("\\n".join(p.replace("\\", "\\\\") for p in parts if p))


def _width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def wrap(value: str, width: int = WRAP, limit: int = 4) -> list[str]:
    """Break a name into lines of at most `width` display columns (spaces preferred for Latin text)."""
    out: list[str] = []
    line, used = "", 0
    for word in re.findall(r"\S+\s*|\s+", value):
        for ch in word if sum(map(_width, word)) > width or _width(word[0]) == 2 else [word]:
            w = sum(map(_width, ch))
            if used + w > width and line.strip():
                out.append(line.rstrip())
                line, used = "", 0
            line, used = line + ch, used + w
    if line.strip():
        out.append(line.rstrip())
    if len(out) > limit:
        out = out[:limit]
        out[-1] = out[-1][:-1] + "…"
    return out


def node_name(prefix: str, bpmn_id: str) -> str:
    """The DOT id of a BPMN element (safe characters only)."""
    return prefix + re.sub(r"[^\w.-]", "_", bpmn_id)


@dataclass
class Overlay:
    """What a drawing adds to the plain model: extra styles and label lines per node, styles per flow."""

    node_meanings: dict[str, list[str]] = field(default_factory=dict)
    node_attrs: dict[str, dict[str, str]] = field(default_factory=dict)
    node_notes: dict[str, str] = field(default_factory=dict)
    flow_meanings: dict[tuple[str, str], list[str]] = field(default_factory=dict)


def _meaning(node: Node) -> list[str]:
    if node.kind == "event":
        return [f"{node.subkind}_event"]
    if node.kind == "gateway":
        return ["gateway"]
    if node.subkind == "callActivity":
        return ["task", "call_activity"]
    if node.subkind in ("subProcess", "transaction"):
        return ["task", "collapsed_subprocess"]
    return ["task"]


def _node_attrs(node: Node, overlay: Overlay, lang: str) -> dict:
    attrs: dict = style(*_meaning(node), *overlay.node_meanings.get(node.id, []))
    attrs.update(overlay.node_attrs.get(node.id, {}))
    note = overlay.node_notes.get(node.id, "")
    # dot expands \N, \G... in tooltips even after a doubled backslash, so show backslashes as ⧵ there
    kind = KIND_WORDS.get(node.tag, {}).get(lang, node.tag)
    attrs["tooltip"] = text((f"{node.name} ({kind})" if node.name else kind).replace("\\", "⧵"))  # no id: words
    if node.kind == "event":
        attrs["label"] = text(EVENT_MARKERS.get(node.marker or "", ""))
        if node.name or note:
            attrs["xlabel"] = lines(*wrap(node.name, 16, 2), note)
    elif node.kind == "gateway":
        attrs["label"] = text(GATEWAY_MARKERS.get(node.subkind, ""))
        if node.name or note:
            attrs["xlabel"] = lines(*wrap(node.name, 16, 2), note)
    else:
        marker = TASK_MARKERS.get(node.subkind, "")
        if node.subkind in ("subProcess", "transaction"):
            marker = "⊞"
        attrs["label"] = lines(marker, *wrap(node.name or node.id), note)
    return attrs


class Builder:
    """Adds one Diagram's pools, lanes, nodes and flows to a graph, every DOT id under one prefix."""

    def __init__(self, diagram: Diagram, overlay: Overlay | None = None, prefix: str = "") -> None:
        self.diagram, self.overlay, self.prefix = diagram, overlay or Overlay(), prefix
        self.children: dict[tuple[str, str], list[Node]] = {}
        self.inner: dict[str, str] = {}  # expanded subprocess -> cluster name
        self.pool_cluster: dict[str, str] = {}
        self.anchor: dict[str, str] = {}  # pool -> a node standing for it (message flows)
        for pool in diagram.pools:
            lanes = {lane.id for lane in pool.lanes}
            for node in diagram.nodes.values():
                if node.pool != pool.id:
                    continue
                if node.parent in diagram.nodes:
                    key = ("node", node.parent)
                elif node.lane in lanes:
                    key = ("lane", node.lane)
                else:
                    key = ("pool", pool.id)
                self.children.setdefault(key, []).append(node)

    def name(self, bpmn_id: str) -> str:
        return node_name(self.prefix, bpmn_id)

    def build(self, graph: graphviz.Digraph) -> None:
        """Draw everything into graph (a Digraph or a subgraph)."""
        for i, pool in enumerate(self.diagram.pools):
            self._pool(graph, i, pool)
        self._flows(graph)

    def _pool(self, graph: graphviz.Digraph, i: int, pool: Pool) -> None:
        has_content = any(k[1] == pool.id or (k[0] == "lane" and k[1] in {la.id for la in pool.lanes})
                          for k in self.children) or pool.lanes
        if not has_content:
            self.anchor[pool.id] = self.name("pool_" + pool.id)
            graph.node(self.anchor[pool.id], label=lines(*wrap(pool.name or pool.id)), **style("black_box"))
            return
        cluster = f"cluster_{self.prefix}pool{i}"
        self.pool_cluster[pool.id] = cluster
        with graph.subgraph(name=cluster) as pg:
            pg.attr(**style("pool"))
            if pool.name:  # an empty cluster label crashes dot 2.43's xlabel placement
                pg.attr(label=text(pool.name))
            for lane in pool.lanes:
                if lane.parent is None:
                    self._lane(pg, pool, lane.id)
            self._nodes(pg, ("pool", pool.id))
        first = next((n for n in self.diagram.nodes.values() if n.pool == pool.id and n.id not in self.inner), None)
        if first is not None:
            self.anchor[pool.id] = self.name(first.id)

    def _lane(self, graph: graphviz.Digraph, pool: Pool, lane_id: str) -> None:
        lane = next(la for la in pool.lanes if la.id == lane_id)
        with graph.subgraph(name=f"cluster_{self.prefix}lane_{self.name(lane_id)}") as lg:
            lg.attr(label=text(lane.name or lane.id), **style("lane"))
            for child in pool.lanes:
                if child.parent == lane_id:
                    self._lane(lg, pool, child.id)
            self._nodes(lg, ("lane", lane_id))
            if not any(la.parent == lane_id for la in pool.lanes) and not self.children.get(("lane", lane_id)):
                lg.node(self.name("empty_" + lane_id), label="", style="invis", width="0.3", height="0.3")

    def _nodes(self, graph: graphviz.Digraph, key: tuple[str, str]) -> None:
        for node in self.children.get(key, []):
            if node.expanded and self.children.get(("node", node.id)):
                cluster = f"cluster_{self.prefix}sub_{self.name(node.id)}"
                self.inner[node.id] = cluster
                with graph.subgraph(name=cluster) as sg:
                    sg.attr(label=lines(*wrap(node.name or node.id, 30, 2)), **style("subprocess"))
                    sg.attr(**{k: v for k, v in style(*self.overlay.node_meanings.get(node.id, [])).items()
                               if k in ("color", "penwidth")})
                    self._nodes(sg, ("node", node.id))
            else:
                graph.node(self.name(node.id), **_node_attrs(node, self.overlay, self.diagram.lang))
                if node.attached_to in self.diagram.nodes and node.attached_to not in self.inner:
                    graph.edge(self.name(node.attached_to), self.name(node.id), **style("attachment"))

    def _end(self, bpmn_id: str, last: bool) -> tuple[str, dict[str, str]]:
        """The DOT node an edge uses for an element, with lhead/ltail when it is a cluster."""
        key = "ltail" if last else "lhead"
        if bpmn_id in self.inner:
            kids = [n.id for n in self.children[("node", bpmn_id)]]
            ends = {f.source if last else f.target for f in self.diagram.flows if f.source in kids and f.target in kids}
            free = [k for k in kids if k not in ends] or kids
            inner, _ = self._end(free[-1] if last else free[0], last)
            return inner, {key: self.inner[bpmn_id]}
        if bpmn_id in self.anchor and bpmn_id not in self.diagram.nodes:
            return self.anchor[bpmn_id], ({key: self.pool_cluster[bpmn_id]} if bpmn_id in self.pool_cluster else {})
        return self.name(bpmn_id), {}

    def _flows(self, graph: graphviz.Digraph) -> None:
        for flow in self.diagram.flows:
            meanings = ["sequence_flow"]
            if flow.is_default:
                meanings.append("default_flow")
            elif flow.conditional and self.diagram.nodes[flow.source].kind != "gateway":
                meanings.append("conditional_flow")
            meanings += self.overlay.flow_meanings.get((flow.source, flow.target), [])
            tail, t_attrs = self._end(flow.source, True)
            head, h_attrs = self._end(flow.target, False)
            attrs = {**style(*meanings), **t_attrs, **h_attrs}
            if flow.label:
                attrs["label"] = lines(*wrap(flow.label, 24, 2))
            graph.edge(tail, head, **attrs)
        for mf in self.diagram.message_flows:
            tail, t_attrs = self._end(mf.source, True)
            head, h_attrs = self._end(mf.target, False)
            attrs = {**style("message_flow"), **t_attrs, **h_attrs}
            if mf.label:
                attrs["label"] = lines(*wrap(mf.label, 24, 2))
            if tail != head:
                graph.edge(tail, head, **attrs)


def new_graph(title: str | None = None) -> graphviz.Digraph:
    """An empty digraph carrying the graph, node and edge defaults of the style table."""
    g = graphviz.Digraph("onething", graph_attr=style("graph"), node_attr=style("node"), edge_attr=style("edge"))
    if title:
        g.attr(label=text(title), labelloc="t", fontsize="16")
    return g


def render_diagram(diagram: Diagram, title: str | None = None, overlay: Overlay | None = None) -> graphviz.Digraph:
    """The plain drawing of a model."""
    g = new_graph(title)
    Builder(diagram, overlay).build(g)
    return g


def to_image(graph: graphviz.Digraph, fmt: str = "svg") -> bytes:
    """Run dot and return the image bytes (svg or png)."""
    return graph.pipe(format=fmt, engine="dot")
