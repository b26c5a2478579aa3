"""`onething layout` and `onething render` on real files."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from diagram_helpers import REPO, lane_model, process_files
from web.cli import cli


def _run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_layout_writes_a_laid_out_file(tmp_path: Path):
    src = tmp_path / "m.bpmn"
    src.write_text(lane_model(), encoding="utf-8")
    result = _run("layout", str(src), "-o", str(tmp_path / "out.bpmn"))
    assert result.exit_code == 0, result.output
    assert b"BPMNShape" in (tmp_path / "out.bpmn").read_bytes()


def test_bad_input_is_one_line_and_exit_1(tmp_path: Path):
    bad = tmp_path / "bad.bpmn"
    bad.write_text("<bpmn:definitions", encoding="utf-8")
    for args in (["layout", str(bad), "-o", str(tmp_path / "o.bpmn")], ["render", str(bad)],
                 ["render", str(tmp_path / "missing.bpmn")], ["render", "no_such_matter"]):
        result = _run(*args)
        assert result.exit_code == 1
        assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output


def test_render_file_to_svg_and_png(tmp_path: Path):
    src = tmp_path / "m.bpmn"
    src.write_text(lane_model(), encoding="utf-8")
    assert _run("render", str(src), "-o", str(tmp_path / "m.svg")).exit_code == 0
    assert (tmp_path / "m.svg").read_bytes().rstrip().endswith(b"</svg>")
    assert _run("render", str(src), "-o", str(tmp_path / "m.png")).exit_code == 0
    assert (tmp_path / "m.png").read_bytes()[:4] == b"\x89PNG"


def test_render_compare_of_a_matter(tmp_path: Path):
    matters = sorted({p.parent.name for p in process_files()
                      if (p.parent / "before.bpmn").is_file() and (p.parent / "after.bpmn").is_file()})
    if not matters:
        return
    out = tmp_path / "c.svg"
    result = _run("render", matters[0], "--compare", "-o", str(out))
    assert result.exit_code == 0, result.output
    svg = out.read_text(encoding="utf-8")
    assert "改革前 before" in svg and "改革后 after" in svg


def test_diagrams_never_import_flask():
    code = ("import sys, diagrams.spec, diagrams.render, diagrams.overlays, diagrams.layout;"
            "assert 'flask' not in sys.modules, 'flask imported'")
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)
