"""`onething layout` and `onething render` on real files."""
from __future__ import annotations

import os
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
    assert matters, "processes/ has no matter with both variants"
    out = tmp_path / "c.svg"
    result = _run("render", matters[0], "--compare", "-o", str(out))
    assert result.exit_code == 0, result.output
    svg = out.read_text(encoding="utf-8")
    assert "改革前" in svg and "改革后" in svg and ">Before<" not in svg


def test_wrong_targets_and_formats_are_one_line_each(tmp_path: Path):
    src = tmp_path / "m.bpmn"
    src.write_text(lane_model(), encoding="utf-8")
    cases = {
        ("render", str(REPO / "processes" / "newborn")): "no such file",
        ("render", str(src), "-o", str(tmp_path / "m.txt")): "output must end in .svg, .png, .pdf or .dot",
        ("layout", str(tmp_path), "-o", str(tmp_path / "o.bpmn")): "cannot read",
    }
    for args, needle in cases.items():
        result = CliRunner().invoke(cli, list(args))
        assert result.exit_code == 1 and needle in result.stderr, (args, result.output)
        assert len(result.stderr.strip().splitlines()) == 1
    assert _run("render", str(src), "-o", str(tmp_path / "m.dot")).exit_code == 0
    assert (tmp_path / "m.dot").read_text(encoding="utf-8").lstrip().startswith("digraph")


def test_a_drawing_is_made_even_when_its_figures_cannot_be(tmp_path: Path):
    """A matter whose after model fails the engine's checks is still drawn; the headline figures are left out."""
    matter = tmp_path / "newborn"
    matter.mkdir()
    for name in ("before.bpmn", "after.bpmn"):
        (matter / name).write_bytes((REPO / "processes" / "newborn" / name).read_bytes())
    text = (matter / "after.bpmn").read_text(encoding="utf-8")
    (matter / "after.bpmn").write_text(text.replace('isExecutable="true"', 'isExecutable="false"', 1), encoding="utf-8")
    (matter / "matter.yaml").write_text("not: [a matter\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["render", "newborn", "--compare", "-o", str(tmp_path / "c.svg")],
                                env={"ONETHING_PROCESSES_PATH": str(tmp_path)})
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: no metrics for ")]
    assert any(str(matter / "after.bpmn") in line for line in warnings)  # not executable
    assert any("matter.yaml:1" in line or "matter.yaml:2" in line for line in warnings)  # the broken matter.yaml
    assert (tmp_path / "c.svg").read_text(encoding="utf-8").rstrip().endswith("</svg>")


def test_without_graphviz_layout_and_render_say_what_to_install(tmp_path: Path):
    src = tmp_path / "m.bpmn"
    src.write_text(lane_model(), encoding="utf-8")
    env = {**os.environ, "PATH": str(tmp_path / "no-bin")}  # no `dot` to be found
    for args in (["layout", str(src), "-o", str(tmp_path / "o.bpmn")],
                 ["render", str(src), "-o", str(tmp_path / "m.svg")]):
        result = subprocess.run([sys.executable, "-c", "from web.cli import main; main()", *args], cwd=REPO, env=env,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 1, (args, result.stderr)
        assert result.stderr.strip() == "error: graphviz `dot` is not installed (apt-get install graphviz)"


def test_diagrams_never_import_flask():
    code = ("import sys, diagrams.spec, diagrams.render, diagrams.overlays, diagrams.layout;"
            "assert 'flask' not in sys.modules, 'flask imported'")
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)
