"""Real SVG from real `dot` for every runnable or renderable corpus file and every model in processes/."""
from __future__ import annotations

from pathlib import Path

import pytest
from diagram_helpers import corpus_files, process_files

from diagrams.render import render_diagram, to_image
from diagrams.spec import load_diagram
from engine.errors import ModelError
from tests.corpus import CORPUS

MALFORMED = {"bpmn-js/fixtures/bpmn/draw/events.bpmn"}  # an undeclared namespace prefix: not XML


@pytest.mark.skipif(not CORPUS.is_dir(), reason="BPMN corpus not present")
@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: str(p.relative_to(CORPUS)))
def test_corpus_file_renders_to_svg(path: Path):
    data = path.read_bytes()
    if str(path.relative_to(CORPUS)) in MALFORMED:
        with pytest.raises(ModelError, match=r"events\.bpmn:\d+: .*not well-formed"):
            load_diagram(data, str(path))
        return
    diagram = load_diagram(data, str(path))
    svg = to_image(render_diagram(diagram, path.name))
    assert svg.rstrip().endswith(b"</svg>")
    assert svg.count(b'class="node"') >= sum(1 for n in diagram.nodes.values() if not n.expanded)


@pytest.mark.parametrize("path", process_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_process_model_renders_with_its_departments(path: Path):
    diagram = load_diagram(path.read_bytes(), str(path))
    svg = to_image(render_diagram(diagram)).decode()
    for name in diagram.lane_names().values():
        assert f">{name}</text>" in svg
    assert 'font-family="Noto Sans CJK SC' in svg


def test_corpus_list_is_not_empty_when_the_corpus_exists():
    if CORPUS.is_dir():
        assert len(corpus_files()) > 50
