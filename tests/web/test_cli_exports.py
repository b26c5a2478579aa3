"""`onething export`: the step log and the report written to a file (or standard output), refusals leave none."""
from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from lxml import etree

from engine.context import EngineContext
from engine.runtime.clock import SimulatedClock
from tests.engine.exported import MATTER, make_cases

REPO = Path(__file__).resolve().parents[2]
ONETHING = [sys.executable, "-c", "from web.cli import main; main()"]


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    """A SQLite file with newborn cases: real ones of both variants, a simulated one, a cancelled and a running one."""
    path = tmp_path_factory.mktemp("exports") / "cli.db"
    ctx = EngineContext.from_url(f"sqlite:///{path}", clock=SimulatedClock())
    ctx.init_db()
    made = make_cases(ctx, ctx.clock)
    ctx.engine.dispose()
    return path, made


@pytest.fixture
def run(database, tmp_path):
    env = dict(os.environ, ONETHING_DATABASE_URL=f"sqlite:///{database[0]}", ONETHING_INSTANCE_PATH=str(tmp_path))

    def call(*args: str, ok: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(ONETHING + list(args), cwd=tmp_path, env=env, capture_output=True, timeout=120)
        stderr = result.stderr.decode()
        assert "Traceback" not in stderr, stderr
        assert (result.returncode == 0) == ok, (args, stderr)
        return result

    return call


def test_export_writes_each_format_to_its_file(run, database, tmp_path):
    made = database[1]
    done = run("export", "csv", MATTER, "-o", "log.csv").stderr.decode()
    assert f"{len(made.numbers())} real cases, {made.steps()} steps written to log.csv" in done
    with (tmp_path / "log.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == made.steps() and {r["case_id"] for r in rows} == made.numbers()
    run("export", "xes", MATTER, "--variant", "after", "-o", "after.xes")
    traces = etree.parse(str(tmp_path / "after.xes")).getroot().findall("{http://www.xes-standard.org/}trace")
    assert len(traces) == len(made.numbers("real", "after"))
    run("export", "xlsx", MATTER, "--source", "simulated", "--lang", "en", "-o", "simulated.xlsx")
    workbook = openpyxl.load_workbook(tmp_path / "simulated.xlsx", read_only=True)
    cases = [row[0] for row in workbook["cases"].iter_rows(min_row=2, values_only=True)]
    workbook.close()  # a read-only workbook keeps its file open until then
    assert cases == sorted(made.numbers("simulated"))
    run("export", "pdf", MATTER, "-o", "report.pdf")
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")
    run("export", "html", MATTER, "--lang", "en", "-o", "report.html")
    assert "Measured figures: real cases" in (tmp_path / "report.html").read_text(encoding="utf-8")
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")]  # each file complete, in place


def test_export_to_standard_output(run, database):
    result = run("export", "csv", MATTER, "--variant", "before", "-o", "-")
    rows = list(csv.DictReader(io.StringIO(result.stdout.decode("utf-8"), newline="")))
    assert {r["case_id"] for r in rows} == database[1].numbers("real", "before")


@pytest.mark.parametrize(("args", "message"), [
    (("csv", "no_such_matter"), "error: no deployed matter 'no_such_matter'"),
    (("xes", MATTER, "--source", "guessed"), "error: unknown source 'guessed'"),
    (("xlsx", MATTER, "--variant", "during"), "error: unknown variant 'during'"),
    (("pdf", MATTER, "--variant", "after"), "error: a report compares both variants"),
    (("html", MATTER, "--lang", "fr"), "error: unknown language 'fr'"),
])
def test_refused_exports_say_why_and_leave_no_file(run, tmp_path, args, message):
    result = run("export", *args, "-o", "out.file", ok=False)
    assert result.stderr.decode().startswith(message)
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(("out.file", ".out.file"))]
