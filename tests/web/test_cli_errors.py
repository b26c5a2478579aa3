"""Every `onething` command refuses in one style: `error: ...` or one line per model problem, on stderr, exit 1."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from web.cli import cli

REPO = Path(__file__).resolve().parents[2]
BROKEN = (REPO / "tests/engine/models/parallel.bpmn").read_text(encoding="utf-8").replace(
    "delivery == 'home'", "delivery ==== 'home'")


@pytest.fixture
def onething(tmp_path):
    env = {"ONETHING_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "ONETHING_INSTANCE_PATH": str(tmp_path)}
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(cli, list(args), env=env, prog_name="onething")

    assert invoke("init-db").exit_code == 0
    return invoke


def refused(result) -> list[str]:
    """The refusal's lines, after checking the style: exit 1, nothing on stdout, no traceback."""
    assert result.exit_code == 1, (result.output, result.exception)
    assert result.stdout == "" and "Traceback" not in result.stderr
    return result.stderr.splitlines()


def test_a_missing_file_is_one_error_line(onething, tmp_path):
    absent = tmp_path / "absent.bpmn"
    assert refused(onething("metrics", str(absent))) == [f"error: {absent}: no such file"]
    assert refused(onething("render", str(absent), "-o", str(tmp_path / "x.svg"))) == [
        f"error: {absent}: no such file"]


def test_an_unknown_matter_or_case_is_one_error_line(onething, tmp_path):
    [line] = refused(onething("compare", "no_such_matter"))
    assert line.startswith("error: unknown matter 'no_such_matter'")
    [line] = refused(onething("case", "show", "20200101-AAAAA"))
    assert line.startswith("error: ") and "20200101-AAAAA" in line


def test_invalid_fields_follow_the_error_line(onething):
    lines = refused(onething("user", "add", "li", "--role", "clerk", "--department", "police", "--password", "short"))
    assert lines == ["error: password must have at least 8 characters", "  password: too short"]


def test_model_problems_are_one_located_line_each(onething, tmp_path):
    bad = tmp_path / "bad.bpmn"
    bad.write_text(BROKEN, encoding="utf-8")
    for args in (["check", str(bad)], ["metrics", str(bad)]):
        lines = refused(onething(*args))
        assert lines and all(line.startswith(f"{bad}:") for line in lines), lines
        assert any("syntax" in line for line in lines)
