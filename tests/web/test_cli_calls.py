"""`onething check` and `onething run` with call activities across files: the files given resolve each other's calls;
an unknown target and a call cycle are problems at the call's line."""
from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from tests.engine.test_calls import callee, caller
from web.cli import cli

EXTRA = Path(__file__).resolve().parents[1] / "corpus_extra" / "YunaiV__ruoyi-vue-pro" / "yudao-module-bpm" / "src" \
    / "test" / "resources" / "bpmn"


def onething(*args: str):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


def test_check_resolves_calls_between_the_files_given(tmp_path: Path) -> None:
    parent, child = tmp_path / "parent.bpmn", tmp_path / "child.bpmn"
    parent.write_bytes(caller("parent", "child"))
    child.write_bytes(callee("child", "review"))
    both = onething("check", parent, child)
    assert both.exit_code == 0 and "2 file(s) OK" in both.output
    alone = onething("check", parent)
    assert alone.exit_code == 1
    assert re.fullmatch(rf"{re.escape(str(parent))}:\d+: parent_call: call activity target 'child' is not deployed "
                        r"or given", alone.output.strip().splitlines()[0]), alone.output


def test_check_names_a_call_cycle_through_files(tmp_path: Path) -> None:
    (tmp_path / "a.bpmn").write_bytes(caller("a", "b"))
    (tmp_path / "b.bpmn").write_bytes(caller("b", "a"))
    result = onething("check", tmp_path / "a.bpmn", tmp_path / "b.bpmn")
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert any(line.endswith("a_call: process 'a' calls itself through call activities (a -> b -> a)")
               for line in lines), lines
    assert any(line.endswith("b_call: process 'b' calls itself through call activities (b -> a -> b)")
               for line in lines), lines


def test_run_auto_runs_into_a_process_of_another_file_given(tmp_path: Path) -> None:
    parent, child = tmp_path / "parent.bpmn", tmp_path / "child.bpmn"
    parent.write_bytes(caller("parent", "child"))
    child.write_bytes(callee("child", "review"))
    result = onething("run", parent, child, "--auto", "--data", '{"x": 1}')
    assert result.exit_code == 0, result.output
    steps = [line.split()[1] for line in result.output.splitlines() if line.startswith("step ")]
    assert steps == ["parent_first", "review", "parent_last"]
    assert "completed" in result.output.splitlines()[-1]
    missing = onething("run", parent, "--auto")
    assert missing.exit_code != 0 and "call activity target 'child' is not deployed or given" in missing.output


def test_the_extra_corpus_call_activities_check_and_run_with_their_target_beside() -> None:
    for parent, child in (("call-activity.bpmn20.xml", "two-step-approve.bpmn20.xml"),
                          ("lifecycle/child-parent.bpmn20.xml", "lifecycle/child.bpmn20.xml")):
        assert onething("check", EXTRA / parent, EXTRA / child).exit_code == 0
        ran = onething("run", EXTRA / parent, EXTRA / child, "--auto")
        assert ran.exit_code == 0 and "completed" in ran.output.splitlines()[-1], ran.output
