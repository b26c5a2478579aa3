"""`onething metrics` and `onething compare`: the static figures of the process library, as text and as JSON."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.catalog.library import library_of
from engine.matters.files import load_matter
from engine.model.decisions import dmn_files_beside
from engine.model.loading import load_model
from engine.model.metrics import METRIC_KEYS, compare, static_metrics
from web.cli import cli

REPO = Path(__file__).resolve().parents[2]
NEWBORN = REPO / "processes" / "newborn"
PARALLEL = REPO / "tests" / "engine" / "models" / "parallel.bpmn"


def onething(*args: str, ok: bool = True):
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output + result.stderr
    assert (result.exit_code == 0) == ok, (args, result.output, result.stderr)
    return result


def figures(path: Path, with_matter: bool = True) -> dict:
    """What the engine itself measures for one model file."""
    matter = load_matter(path.parent) if with_matter else None
    variant = path.stem if path.stem in ("before", "after") else None
    model = load_model(path.read_bytes(), str(path), matter=matter, decisions=dmn_files_beside(path),
                       library=library_of([path]))
    return static_metrics(model, matter, variant)


def shown(value) -> str:
    return "-" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


@pytest.mark.parametrize("variant", ["before", "after"])
def test_metrics_prints_every_figure_of_a_variant_with_its_matter(variant):
    expected = figures(NEWBORN / f"{variant}.bpmn")
    lines = onething("metrics", str(NEWBORN / f"{variant}.bpmn")).output.splitlines()
    assert [line.split() for line in lines] == [[key, shown(expected[key])] for key in METRIC_KEYS]
    as_json = json.loads(onething("metrics", str(NEWBORN / f"{variant}.bpmn"), "--json").output)
    assert as_json == expected


def test_metrics_of_a_model_without_a_matter_counts_what_the_model_alone_shows():
    as_json = json.loads(onething("metrics", str(PARALLEL), "--json").output)
    assert as_json == figures(PARALLEL, with_matter=False)
    assert as_json["time_limit_days"] is None
    assert "time_limit_days         -" in onething("metrics", str(PARALLEL)).output


def test_metrics_refuses_a_missing_file_and_a_broken_model(tmp_path):
    missing = onething("metrics", str(tmp_path / "nope.bpmn"), ok=False)
    assert missing.exit_code == 1 and missing.stderr.strip() == f"error: {tmp_path / 'nope.bpmn'}: no such file"
    broken = tmp_path / "broken.bpmn"
    broken.write_text(PARALLEL.read_text(encoding="utf-8").replace("delivery == 'home'", "delivery ==== 'home'"),
                      encoding="utf-8")
    refused = onething("metrics", str(broken), ok=False)
    assert refused.exit_code == 1 and refused.stderr.startswith(f"{broken}:") and "syntax" in refused.stderr


def test_compare_puts_before_beside_after_and_reproduces_the_published_figures():
    expected = compare(figures(NEWBORN / "before.bpmn"), figures(NEWBORN / "after.bpmn"))
    as_json = json.loads(onething("compare", "newborn", "--json").output)
    assert {k: as_json[k] for k in ("matter", "static")} == {"matter": "newborn", "static": expected}
    assert as_json["measured"]["before"]["cases"] == as_json["measured"]["after"]["cases"] == 0  # nothing ran yet
    for source in load_matter(NEWBORN).sources:
        assert as_json["static"][source.figure][source.variant] == source.value, source
    header, *rows = onething("compare", "newborn").output.split("\n\n")[0].splitlines()
    assert header.split() == ["metric", "before", "after", "change", "change", "%"]
    assert [row.split()[0] for row in rows] == list(expected)
    steps = rows[0].split()
    assert steps[1:4] == [shown(expected["steps"][k]) for k in ("before", "after", "change")]
    assert steps[4] == f"{expected['steps']['change_pct']:+g}%"


def test_compare_takes_a_matter_directory_as_well_as_an_id(tmp_path):
    copy = shutil.copytree(NEWBORN, tmp_path / "newborn")
    shutil.copytree(NEWBORN.parent / "shared", tmp_path / "shared")  # the police's sub-process newborn calls
    by_path = json.loads(onething("compare", str(copy), "--json").output)
    assert by_path == json.loads(onething("compare", "newborn", "--json").output)


def test_compare_names_what_is_missing_or_wrong(tmp_path):
    unknown = onething("compare", "no_such_matter", ok=False)
    assert unknown.exit_code == 1 and "unknown matter 'no_such_matter'" in unknown.stderr
    half = tmp_path / "half" / "newborn"  # a matter's directory bears its id
    half.mkdir(parents=True)
    shutil.copy(NEWBORN / "matter.yaml", half / "matter.yaml")
    shutil.copy(NEWBORN / "before.bpmn", half / "before.bpmn")
    lacking = onething("compare", str(half), ok=False)
    assert lacking.stderr.strip() == f"{half / 'after.bpmn'}:0: -: cannot read file: No such file or directory"
    (half / "after.bpmn").write_text("<not-bpmn/>", encoding="utf-8")
    wrong = onething("compare", str(half), ok=False)
    assert wrong.exit_code == 1 and wrong.stderr.startswith(str(half / "after.bpmn"))
    (half / "matter.yaml").write_text("id: half\n", encoding="utf-8")
    bad_matter = onething("compare", str(half), ok=False)
    assert bad_matter.exit_code == 1 and bad_matter.stderr.startswith(f"{half / 'matter.yaml'}:1:")
