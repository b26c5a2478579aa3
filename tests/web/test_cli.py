"""The `onething` command as a clerk or designer uses it: real processes, real SQLite, clear errors."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def test_designer_and_clerk_flow(run):
    run("init-db")
    first = run("deploy").stdout
    assert "newborn/after: version 1 (new)" in first
    assert "(new)" not in run("deploy").stdout
    run("user", "add", "li.police", "--role", "clerk", "--department", "police", "--password", "secret123")
    started = run("case", "start", "newborn", "--variant", "before").stdout
    number = re.search(r"case (\d{8}-\w{5}) started", started).group(1)
    shown = run("case", "show", number).stdout
    assert "status: running" in shown
    steps = run("case", "steps", "--department", "Applicant").stdout
    assert number in steps
    assert re.search(r"ready \d{4}-\d\d-\d\d \d\d:\d\d UTC", steps)  # times say their zone (issue #11 item 15)
    bad = run("case", "complete", number, "nope", "--as", "li.police", ok=False)
    assert bad.stderr.strip().startswith("error:") and len(bad.stderr.strip().splitlines()) == 1
    wrong = run("case", "complete", "20200101-AAAAA", "x", "--as", "applicant", ok=False)
    assert "no case" in wrong.stderr
    malformed = run("case", "complete", number, "x", "--as", "applicant", "--data", "{oops", ok=False)
    assert "not valid JSON" in malformed.stderr
    unknown_user = run("case", "complete", number, "x", "--as", "ghost", ok=False)
    assert "no user 'ghost'" in unknown_user.stderr
    assert "fired timers of 0" in run("worker", "--once").stdout


def test_step_of_another_department_is_refused(run):
    run("init-db")
    run("deploy")
    run("user", "add", "li.police", "--role", "clerk", "--department", "police", "--password", "secret123")
    number = re.search(r"case (\S+) started", run("case", "start", "newborn").stdout).group(1)
    step = re.search(r"ready: (\w+)", run("case", "show", number).stdout).group(1)
    refused = run("case", "complete", number, step, "--as", "li.police", ok=False)
    assert "may not work step" in refused.stderr


@pytest.mark.parametrize("path", ["processes/newborn/after.bpmn", "processes/house_transfer/before.bpmn",
                                  "tests/engine/models/parallel.bpmn"])
def test_dry_run_drives_a_model_to_its_end(run, path):
    out = run("run", path, "--auto", "--data", '{"delivery": "home", "child": "x"}').stdout
    assert out.strip().splitlines()[-1].endswith("completed"), out


def test_dry_run_without_auto_stops_at_the_first_step(run):
    out = run("run", "processes/newborn/after.bpmn").stdout
    assert "running" in out and "waits for step" in out


def test_check_reports_file_line_and_element(run, tmp_path):
    bad = tmp_path / "bad.bpmn"
    bad.write_text((REPO / "tests/engine/models/parallel.bpmn").read_text(encoding="utf-8")
                   .replace("delivery == 'home'", "delivery ==== 'home'"), encoding="utf-8")
    result = run("check", str(bad), ok=False)
    assert re.search(r"bad\.bpmn:\d+: f3a: .*syntax", result.stdout + result.stderr)
    assert "OK" in run("check", "processes").stdout


def test_render_draws_a_case_overlay_and_measured_durations(run, tmp_path):
    run("init-db")
    run("deploy")
    number = re.search(r"case (\S+) started", run("case", "start", "newborn").stdout).group(1)
    step = re.search(r"ready: (\w+)", run("case", "show", number).stdout).group(1)
    data = '{"child_name": "王小明"}'
    run("case", "complete", number, step, "--as", "applicant", "--data", data, ok=False)  # incomplete form: refused
    svg = tmp_path / "case.svg"
    run("render", "newborn", "--case", number, "-o", str(svg))
    text = svg.read_text(encoding="utf-8")
    assert (number in text or number.replace("-", "&#45;") in text) and "<svg" in text
    heat = tmp_path / "heat.svg"
    run("render", "newborn", "--heat", "-o", str(heat))
    assert "<svg" in heat.read_text(encoding="utf-8")
    missing = run("render", "newborn", "--case", "20200101-ZZZZZ", "-o", str(tmp_path / "x.svg"), ok=False)
    assert "no case" in missing.stderr + missing.stdout


def test_deploying_an_older_models_content_again_is_a_rollback(run, tmp_path):
    import shutil

    matter = tmp_path / "newborn"
    shutil.copytree(REPO / "processes" / "newborn", matter)
    shutil.copytree(REPO / "processes" / "shared", tmp_path / "shared")  # the police sub-process newborn calls
    after = matter / "after.bpmn"
    original = after.read_bytes()
    run("init-db")
    assert "newborn/after: version 1 (new)" in run("deploy", str(matter)).stdout
    after.write_bytes(original + b"\n<!-- a change -->\n")
    assert "newborn/after: version 2 (new)" in run("deploy", str(matter)).stdout
    after.write_bytes(original)
    assert "newborn/after: version 3 (restored: the content of version 1)" in run("deploy", str(matter)).stdout
    assert "newborn/after: version 3 (unchanged)" in run("deploy", str(matter)).stdout
