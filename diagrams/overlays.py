"""Drawings with something on top of the model: a case's state, step durations, before vs after."""
from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import pairwise

import graphviz

from diagrams.render import Builder, Overlay, new_graph, text
from diagrams.spec import Diagram
from diagrams.styles import HEAT_DARK_FROM, HEAT_SCALE, STATE_LABELS, heat_colour, style, word

STATES = tuple(STATE_LABELS)


@dataclass
class CaseOverlay:
    """A case as plain data: the state of each step, and every element it completed in order."""

    step_states: dict[str, str] = field(default_factory=dict)
    trail: list[str] = field(default_factory=list)
    taken: list[tuple[str, str]] | None = None  # (source, target) of every flow the case took, when the engine knows


def taken_flows(trail: Iterable[str]) -> set[tuple[str, str]]:
    """(source, target) pairs passed one after the other on a trail."""
    return set(pairwise(trail))


def _legend(graph: graphviz.Digraph, name: str, title: str, items: list[tuple[str, dict[str, str]]]) -> None:
    with graph.subgraph(name=f"cluster_legend_{name}") as lg:
        lg.attr(label=text(title), **style("legend"))
        previous = None
        for i, (label, attrs) in enumerate(items):
            node = f"legend_{name}_{i}"
            lg.node(node, label=text(label), **{**style("legend_item"), **attrs})
            if previous:
                lg.edge(previous, node, style="invis")
            previous = node


def render_case(diagram: Diagram, overlay: CaseOverlay | Mapping, title: str | None = None,
                lang: str = "zh") -> graphviz.Digraph:
    """The model with each step coloured by its state in one case and the path taken drawn bold; the legend in
    `lang` (the diagram itself was named in its language by load_diagram)."""
    if isinstance(overlay, Mapping):
        taken = overlay.get("taken")
        overlay = CaseOverlay(dict(overlay.get("step_states", {})), list(overlay.get("trail", [])),
                              [tuple(pair) for pair in taken] if taken is not None else None)
    done = set(overlay.trail)
    marks = Overlay()
    for node in diagram.nodes.values():
        state = overlay.step_states.get(node.id) or ("completed" if node.id in done else "not_reached")
        marks.node_meanings[node.id] = [state if state in STATES else "not_reached"]
    for pair in (set(map(tuple, overlay.taken)) if overlay.taken is not None else taken_flows(overlay.trail)):
        marks.flow_meanings[pair] = ["taken"]
    g = new_graph(title)
    Builder(diagram, marks).build(g)
    taken = {"shape": "plaintext", "style": "", "fontcolor": style("taken")["color"]}
    _legend(g, "case", word("legend", lang), [(STATE_LABELS[s].get(lang, STATE_LABELS[s]["zh"]), style("task", s))
                                              for s in STATES] + [(word("path_taken", lang), taken)])
    return g


def _shown(value: float, mode: str, lang: str) -> str:
    """Hours (duration mode) or a count (frequency mode) as a drawing writes them."""
    if mode != "duration":
        return f"{value:.0f}"
    return word("hours", lang) % (f"{value:.1f}" if value < 100 else f"{value:.0f}")


def render_heat(diagram: Diagram, durations: Mapping[str, float | list[float]],
                title: str | None = None, mode: str = "duration", lang: str = "zh") -> graphviz.Digraph:
    """The model with each step coloured on one sequential scale: by its median duration in hours
    (`mode="duration"`), or by how many times cases passed it (`mode="frequency"`), like Optimize's heat maps."""
    medians = {k: (statistics.median(v) if isinstance(v, (list, tuple)) else float(v))
               for k, v in durations.items() if k in diagram.nodes and (v or v == 0)}
    low, high = (min(medians.values()), max(medians.values())) if medians else (0.0, 0.0)
    marks = Overlay()
    for node_id, value in medians.items():
        colour = heat_colour(value, low, high)
        attrs = {"fillcolor": colour, "style": "rounded,filled" if diagram.nodes[node_id].kind == "task" else "filled"}
        if HEAT_SCALE.index(colour) >= HEAT_DARK_FROM:
            attrs["fontcolor"] = "white"
        marks.node_attrs[node_id] = attrs
        marks.node_notes[node_id] = word("median" if mode == "duration" else "times", lang) % _shown(value, mode, lang)
    g = new_graph(title)
    Builder(diagram, marks).build(g)
    step = (high - low) / len(HEAT_SCALE) if high > low else 0.0
    items = []
    for i, colour in enumerate(HEAT_SCALE if step else HEAT_SCALE[:1]):
        a, b = low + i * step, low + (i + 1) * step if step else high
        attrs = {"fillcolor": colour, **({"fontcolor": "white"} if i >= HEAT_DARK_FROM else {})}
        items.append((f"{_shown(a, mode, lang)} – {_shown(b, mode, lang)}", attrs))
    _legend(g, "heat", word("median_duration" if mode == "duration" else "frequency", lang), items)
    return g


HEADLINE = ("steps", "trips", "materials", "departments", "expected_days")


def headline(name: str, metrics: Mapping, lang: str = "zh") -> graphviz.quoting.NoHtml:
    """The label over one variant: its name and its static metrics, named in `lang`."""
    parts = []
    for key in HEADLINE:
        label = word(key, lang)
        if key in metrics and metrics[key] is not None:
            value = metrics[key]
            parts.append(f"{label} {value:g}" if isinstance(value, float) else f"{label} {value}")
    line = " · ".join(parts)
    return graphviz.nohtml("\\l".join(p.replace("\\", "\\\\") for p in (name, line) if p) + "\\l")


def render_compare(before: Diagram, after: Diagram, before_metrics: Mapping, after_metrics: Mapping,
                   title: str | None = None, lang: str = "zh") -> graphviz.Digraph:
    """Both variants of a matter in one graph, each under a headline of its static metrics in `lang`."""
    g = new_graph(title)
    # dot stacks the clusters of a rankdir=LR graph bottom-up, so after is added first to land below
    for prefix, name, diagram, metrics in (("after__", "after", after, after_metrics),
                                           ("before__", "before", before, before_metrics)):
        with g.subgraph(name=f"cluster_{prefix}variant") as vg:
            vg.attr(label=headline(word(name, lang), metrics, lang), **style("headline"))
            Builder(diagram, prefix=prefix).build(vg)
    return g
