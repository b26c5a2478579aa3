"""`onething layout` (write BPMN DI) and `onething render` (draw a model, a case, durations, before/after)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import click

import engine
from web.commands.common import ctx, fail as _fail, refusal, setting


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        _fail(f"{path}: cannot read ({exc.strerror or exc})")
    return b""


def _processes_path() -> Path:
    return Path(setting("PROCESSES_PATH") or "processes")


def _model_file(target: str, variant: str) -> Path:
    """A FILE as given, or processes/<matter>/<variant>.bpmn for a MATTER."""
    path = Path(target)
    if path.suffix or path.exists():
        if not path.is_file():
            _fail(f"{target}: no such file")
        return path
    candidate = _processes_path() / target / f"{variant}.bpmn"
    if not candidate.is_file():
        _fail(f"{target}: unknown matter (no {candidate})")
    return candidate


def _metrics(path: Path) -> dict[str, Any]:
    """Static metrics of a variant for the drawing's headline; none when the engine cannot compute them."""
    import engine

    try:
        return engine.file_metrics(path)
    except engine.OneThingError as exc:  # the headline is optional; the drawing is what was asked for
        click.echo(f"warning: no metrics for {path}: {exc}", err=True)
        return {}




TITLE_WORDS = {  # a drawing's title in the language it is drawn in (the CLI has no gettext)
    "zh": {"before": "改革前", "after": "改革后", "heat": "{} · {} · 热力图", "model": "{} · {}", "case": "办件 {}"},
    "en": {"before": "before", "after": "after", "heat": "{} · {} · heat map", "model": "{} · {}", "case": "Case {}"},
}


def _title(kind: str, target: str, path: Path | None, variant: str, lang: str) -> str:
    """A drawing's title: the matter's name in `lang` (from the matter.yaml beside the file), its variant in
    words; a file without a matter.yaml keeps its file name."""
    words = TITLE_WORDS[lang]
    if kind == "case":
        return words["case"].format(target)
    names = engine.file_names(path)[0] if path is not None else None
    name = getattr(names, lang, None) or (path.name if path is not None and path.suffix else target)
    if kind == "compare":
        return name
    if names is None and kind == "model":
        return name
    return words[kind].format(name, words[variant])


def _load(data: bytes, path: Path, lang: str) -> Any:
    """A model file as a Diagram in `lang`; in English named by the matter.yaml next to it when there is one."""
    from diagrams.spec import load_diagram

    if lang != "en":
        return load_diagram(data, str(path), lang)
    matter, lanes = engine.file_names(path)
    return load_diagram(data, str(path), lang, {k: v.en for k, v in lanes.items()}, matter.en if matter else None)


def _case_diagram(data: bytes, filename: str, number: str, lang: str) -> Any:
    """A case's model file as a Diagram in `lang`: in English, its lanes and pool named as the deployed matter
    names them (the case's file may be nowhere on disk)."""
    from diagrams.spec import load_diagram, rename

    diagram = load_diagram(data, filename, lang)
    if lang != "en":
        return diagram
    names = engine.get_matter(ctx(), engine.get_case(ctx(), number).matter_id).names
    lanes = {lane.id: "Applicant" if lane.id == engine.APPLICANT
             else getattr(engine.department_label(ctx(), lane.id), "en", "") for pool in diagram.pools
             for lane in pool.lanes}
    return rename(diagram, lanes, names.en)


def _case_overlay(number: str) -> tuple[bytes, str, dict, list, list]:
    from engine import case_overlay

    overlay = case_overlay(ctx(), number)
    return overlay.data, overlay.filename, overlay.step_states, overlay.trail, overlay.taken


def _durations(matter: str, variant: str) -> dict[str, float]:
    from engine import step_durations

    return step_durations(ctx(), matter, variant)


def _in_words(svg: bytes, title: str) -> bytes:
    """dot's SVG with every hover title in words (web.pages.drawing), never an internal id (`cluster_lane_police`)."""
    from lxml import etree

    from web.pages.drawing import _titles_in_words

    root = etree.fromstring(svg, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
    _titles_in_words(root, title)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _write(graph: Any, out: Path, title: str = "") -> None:
    import graphviz

    from diagrams.render import to_image

    fmt = out.suffix.lstrip(".").lower() or "svg"
    if fmt not in ("svg", "png", "pdf", "dot"):
        _fail(f"{out}: output must end in .svg, .png, .pdf or .dot")
    try:
        image = graph.source.encode() if fmt == "dot" else to_image(graph, fmt)
    except graphviz.ExecutableNotFound:
        _fail("graphviz `dot` is not installed (apt-get install graphviz)")
    except graphviz.CalledProcessError as exc:
        _fail(f"dot failed: {(exc.stderr or b'').decode(errors='replace').strip()}")
    out.write_bytes(_in_words(image, title) if fmt == "svg" else image)
    click.echo(f"wrote {out}")


def register(cli: click.Group) -> None:
    """Add `layout` and `render` to the `onething` group."""

    @cli.command("layout")
    @click.argument("file", type=click.Path(path_type=Path))
    @click.option("-o", "--output", "out", type=click.Path(path_type=Path), required=True, help="where to write")
    def layout_command(file: Path, out: Path) -> None:
        """Lay FILE out with graphviz and write it with fresh BPMN DI."""
        import graphviz

        from diagrams.layout import add_di
        from engine import ModelError, same_behaviour, xsd_problem

        data = _read(file)
        try:
            result = add_di(data, str(file))
        except ModelError as exc:
            raise refusal(exc) from None
        except graphviz.ExecutableNotFound:
            _fail("graphviz `dot` is not installed (apt-get install graphviz)")
        problem = xsd_problem(result, str(file))
        if problem:
            _fail(f"laid-out file fails the BPMN schema: {problem}")
        if not same_behaviour(data, result, str(file)):
            _fail(f"{file}: the laid-out file would load differently in SpiffWorkflow; not written")
        out.write_bytes(result)
        click.echo(f"wrote {out}")

    @cli.command("render")
    @click.argument("target")
    @click.option("--variant", type=click.Choice(["before", "after"]), default="after", show_default=True)
    @click.option("--case", "case_number", help="colour the steps of this case")
    @click.option("--heat", is_flag=True, help="colour steps by measured median duration")
    @click.option("--compare", is_flag=True, help="draw before and after of a matter together")
    @click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
                  help="language of names and legends (English from name_en and matter.yaml, else Chinese)")
    @click.option("-o", "--output", "out", type=click.Path(path_type=Path), help="out.svg or out.png")
    def render_command(target: str, variant: str, case_number: str | None, heat: bool, compare: bool,
                       lang: str, out: Path | None) -> None:
        """Draw FILE or MATTER (a model, a case, durations, or before vs after) with graphviz."""
        from diagrams.overlays import CaseOverlay, render_case, render_compare, render_heat
        from diagrams.render import render_diagram
        from engine import OneThingError

        try:
            if compare:
                sides = []
                for side in engine.VARIANTS:
                    path = _model_file(target, side)
                    data = _read(path)
                    sides.append((_load(data, path, lang), _metrics(path)))
                title = _title("compare", target, path, variant, lang)
                graph = render_compare(sides[0][0], sides[1][0], sides[0][1], sides[1][1], title=title, lang=lang)
                default = f"{target}-compare.svg"
            elif case_number:
                data, filename, states, trail, taken = _case_overlay(case_number)
                title = _title("case", case_number, None, variant, lang)
                graph = render_case(_case_diagram(data, filename, case_number, lang),
                                    CaseOverlay(states, trail, taken), title=title, lang=lang)
                default = f"case-{case_number}.svg"
            else:
                path = _model_file(target, variant)
                diagram = _load(_read(path), path, lang)
                title = _title("heat" if heat else "model", target, path, variant, lang)
                if heat:
                    graph = render_heat(diagram, _durations(target, variant), title=title, lang=lang)
                else:
                    graph = render_diagram(diagram, title=title)
                default = f"{Path(target).stem if path.suffix else target}-{variant}.svg"
        except OneThingError as exc:
            raise refusal(exc) from None
        _write(graph, out or Path(default), title)
