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
    _titles_in_words(root, title)
    for key in ("width", "height"):
        root.attrib.pop(key, None)  # the CSS sizes it; viewBox keeps the proportions
    root.set("role", "img")
    root.set("class", "diagram")
    if title:
        root.set("aria-label", title)
    return Markup(etree.tostring(root, encoding="unicode"))


def _titles_in_words(root, title: str) -> None:
    """dot titles every node, edge and lane with its internal id (`cluster_lane_police`), which a browser shows on
    hover: say what the element's own tooltip or label says instead (in the drawing's language), or nothing."""
    for element in list(root.iter(f"{{{SVG}}}title")):
        group = element.getparent()
        if group.get("class") == "graph":
            shown = title
        else:
            tips = [a.get(f"{{{XLINK}}}title") for a in group.iter(f"{{{SVG}}}a") if a.get(f"{{{XLINK}}}title")]
            words = ("".join(text.itertext()).strip() for text in group.iter(f"{{{SVG}}}text"))
            shown = tips[0] if tips else " ".join(w for w in words if w)
        if shown:
            element.text = shown
        else:
            group.remove(element)


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


def _diagram(data: bytes, filename: str, lang: str, matter: object | None = None):
    """A model named in the page's language. In English, lanes take their department's names from the deployed
    matter.yaml files (the applicant's lane: Applicant) and the process pool the matter's names when known; in
    Chinese the file's own names stay, as they were drawn before."""
    import engine
    from diagrams.spec import load_diagram, rename

    diagram = load_diagram(data, filename, lang)
    if lang != "en":
        return diagram
    from web.app import ctx

    lanes = {lane.id: _in(lang, engine.Names("申请人", "Applicant") if lane.id == engine.APPLICANT
                          else engine.department_label(ctx(), lane.id))
             for pool in diagram.pools for lane in pool.lanes}
    return rename(diagram, lanes, _in(lang, matter) or None)


def _in(lang: str, names) -> str:
    """A zh/en pair (Names or dict) in `lang`; empty when there is none."""
    if names is None:
        return ""
    if isinstance(names, dict):
        return names.get(lang) or ""
    return getattr(names, lang, "") or ""


def _key(kind: str, lang: str, diagram, *content: object) -> str:
    """A drawing's cache key: what it shows, in which language, under which lane and pool names."""
    import hashlib

    names = [(p.name, [(la.id, la.name) for la in p.lanes]) for p in diagram.pools]
    return f"{kind}:{lang}:" + hashlib.sha256(repr((names, *content)).encode()).hexdigest()


def named_diagram(data: bytes, filename: str, lang: str, matter: object | None = None):
    """A model file as a diagrams.Diagram named in the page's language (as the drawings name it)."""
    return _diagram(data, filename, lang, matter)


def case_svg(ctx, number: str, title: str, lang: str = "zh", matter: object | None = None,
             overlay=None) -> Markup:
    """A case drawn with its step states (engine.cases.insight.case_overlay, read here unless given, +
    diagrams.render_case)."""
    from diagrams.overlays import CaseOverlay, render_case
    from engine import case_overlay

    overlay = overlay or case_overlay(ctx, number)
    diagram = _diagram(overlay.data, overlay.filename, lang, matter)
    graph = render_case(diagram, CaseOverlay(overlay.step_states, overlay.trail, overlay.taken), title=number,
                        lang=lang)
    key = _key("case", lang, diagram, overlay.filename, overlay.data, sorted(overlay.step_states.items()),
               overlay.trail, overlay.taken)
    return svg_of(graph, key, title)


def model_svg(data: bytes, filename: str, title: str, lang: str = "zh", matter: object | None = None) -> Markup:
    """The plain drawing of a model file, named in `lang`."""
    from diagrams.render import render_diagram

    diagram = _diagram(data, filename, lang, matter)
    return svg_of(render_diagram(diagram, title=filename), _key("model", lang, diagram, data, filename), title)


def compare_svg(before: tuple[bytes, str], after: tuple[bytes, str], before_metrics: dict, after_metrics: dict,
                title: str, lang: str = "zh", matter: object | None = None) -> Markup:
    """Before and after of a matter side by side with their headline metrics, in `lang`."""
    from diagrams.overlays import render_compare

    first, second = _diagram(*before, lang, matter), _diagram(*after, lang, matter)
    graph = render_compare(first, second, before_metrics, after_metrics, title=title, lang=lang)
    key = _key("compare", lang, first, before[0], after[0], before_metrics, after_metrics, title,
               [(p.name, [la.name for la in p.lanes]) for p in second.pools])
    return svg_of(graph, key, title)


def heat_svg(data: bytes, filename: str, values: dict[str, float], mode: str, title: str, lang: str = "zh",
             matter: object | None = None) -> Markup:
    """A model coloured by measured values per step: `mode` duration (hours) or frequency (cases), in `lang`."""
    from diagrams.overlays import render_heat

    diagram = _diagram(data, filename, lang, matter)
    graph = render_heat(diagram, values, title=title, mode=mode, lang=lang)
    return svg_of(graph, _key("heat", lang, diagram, data, sorted(values.items()), mode, title), title)
