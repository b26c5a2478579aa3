"""Drawings as inline SVG: rendered by diagrams/, cleaned so that nothing in a model can run in the page."""
from __future__ import annotations

from functools import lru_cache

from lxml import etree
from markupsafe import Markup

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
_DROP = {"script", "foreignObject", "iframe", "object", "embed", "use", "image", "animate", "set"}


def clean_svg(data: bytes, title: str = "") -> Markup:
    """dot's SVG without prolog, scripts, event handlers, external links or inline styles (CSP)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True)
    root = etree.fromstring(data, parser)
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        local = etree.QName(element).localname
        if local in _DROP:
            element.getparent().remove(element)
            continue
        for name in list(element.attrib):
            attr = etree.QName(name).localname.lower()
            value = element.attrib[name].strip().lower()
            if attr.startswith("on") or attr == "style" or (attr == "href" and not value.startswith("#")):
                del element.attrib[name]
    for key in ("width", "height"):
        root.attrib.pop(key, None)  # the CSS sizes it; viewBox keeps the proportions
    root.set("role", "img")
    root.set("class", "diagram")
    if title:
        root.set("aria-label", title)
    return Markup(etree.tostring(root, encoding="unicode"))


class _Drawing:
    """A graph to draw; hashed and compared by its cache key only, so lru_cache keys on that."""

    __slots__ = ("graph", "key", "title")

    def __init__(self, graph, key: str, title: str) -> None:
        self.graph, self.key, self.title = graph, key, title

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Drawing) and self.key == other.key


def _render(graph, title: str) -> Markup:
    from diagrams.render import to_image

    return clean_svg(to_image(graph, "svg"), title)


@lru_cache(maxsize=128)
def _cached_svg(drawing: _Drawing) -> Markup:
    return _render(drawing.graph, drawing.title)


def svg_of(graph, key: str | None = None, title: str = "") -> Markup:
    """Run dot on a graphviz graph (cached by `key`, e.g. a version's content hash) and clean the SVG."""
    return _render(graph, title) if key is None else _cached_svg(_Drawing(graph, key, title))


def case_svg(ctx, number: str, title: str) -> Markup:
    """A case drawn with its step states (engine.cases.insight.case_overlay + diagrams.render_case)."""
    from diagrams.overlays import CaseOverlay, render_case
    from diagrams.spec import load_diagram
    from engine import case_overlay

    overlay = case_overlay(ctx, number)
    graph = render_case(load_diagram(overlay.data, overlay.filename),
                        CaseOverlay(overlay.step_states, overlay.trail, overlay.taken), title=number)
    key = "case:" + str(hash((overlay.filename, overlay.data, tuple(sorted(overlay.step_states.items())),
                               tuple(overlay.trail))))
    return svg_of(graph, key, title)


def model_svg(data: bytes, filename: str, title: str) -> Markup:
    """The plain drawing of a model file."""
    import hashlib

    from diagrams.render import render_diagram
    from diagrams.spec import load_diagram

    graph = render_diagram(load_diagram(data, filename), title=filename)
    return svg_of(graph, "model:" + hashlib.sha256(data).hexdigest(), title)


def compare_svg(before: tuple[bytes, str], after: tuple[bytes, str], before_metrics: dict, after_metrics: dict,
                title: str) -> Markup:
    """Before and after of a matter side by side with their headline metrics."""
    import hashlib

    from diagrams.overlays import render_compare
    from diagrams.spec import load_diagram

    graph = render_compare(load_diagram(*before), load_diagram(*after), before_metrics, after_metrics, title=title)
    content = before[0] + b"\0" + after[0] + repr((before_metrics, after_metrics)).encode()
    key = "compare:" + hashlib.sha256(content).hexdigest()
    return svg_of(graph, key, title)


def heat_svg(data: bytes, filename: str, values: dict[str, float], mode: str, title: str) -> Markup:
    """A model coloured by measured values per step: `mode` duration (hours) or frequency (cases)."""
    import hashlib

    from diagrams.overlays import render_heat
    from diagrams.spec import load_diagram

    graph = render_heat(load_diagram(data, filename), values, title=title, mode=mode)
    key = "heat:" + hashlib.sha256(data + repr((sorted(values.items()), mode, title)).encode()).hexdigest()
    return svg_of(graph, key, title)
