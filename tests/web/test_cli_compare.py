"""`onething compare`: static figures of the models on disk, measured ones of the finished cases in the database."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from engine.audit.measured import measured_metrics
from engine.cases import lifecycle as cases
from engine.cases.driving import drive_case
from engine.catalog import versions as catalog
from engine.context import EngineContext
from engine.runtime.clock import SimulatedClock
from engine.store.tables import Case

REPO = Path(__file__).resolve().parents[2]
ONETHING = [sys.executable, "-c", "from web.cli import main; main()"]


def onething(database: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, ONETHING_DATABASE_URL=f"sqlite:///{database}", ONETHING_INSTANCE_PATH=str(database.parent))
    result = subprocess.run(ONETHING + list(args), cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    return result


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> tuple[Path, dict]:
    """A SQLite database with newborn cases: two real before, one real after, one simulated after."""
    path = tmp_path_factory.mktemp("compare") / "onething.db"
    clock = SimulatedClock()
    ctx = EngineContext.from_url(f"sqlite:///{path}", clock=clock)
    ctx.init_db()
    catalog.deploy_path(ctx, REPO / "processes" / "newborn")
    for variant, hours, source in [("before", 30, "real"), ("before", 50, "real"), ("after", 4, "real"),
                                   ("after", 1, "simulated")]:
        number = cases.start_case(ctx, "newborn", variant).number
        with ctx.write() as session:
            session.execute(update(Case).where(Case.number == number).values(source=source))
        drive_case(ctx, number, before_each=lambda h=hours: clock.advance(timedelta(hours=h)) is not None)
        clock.advance(timedelta(days=2))
    expected = {source: measured_metrics(ctx, "newborn", source=source) for source in ("real", "simulated")}
    ctx.engine.dispose()
    return path, expected


def test_compare_json_carries_static_and_measured_figures(database):
    path, expected = database
    result = json.loads(onething(path, "compare", "newborn", "--json").stdout)
    assert set(result) == {"matter", "static", "measured"} and result["matter"] == "newborn"
    assert result["static"]["steps"]["before"] == 16
    assert result["measured"] == expected["real"]
    assert (result["measured"]["before"]["cases"], result["measured"]["after"]["cases"]) == (2, 1)
    before, after = result["measured"]["before"], result["measured"]["after"]
    assert before["working_days"]["median"] > after["working_days"]["median"]
    simulated = json.loads(onething(path, "compare", "newborn", "--json", "--source", "simulated").stdout)
    assert simulated["measured"] == expected["simulated"] and simulated["measured"]["after"]["cases"] == 1
    later = json.loads(onething(path, "compare", "newborn", "--json", "--since", "2030-01-01").stdout)
    assert later["measured"]["before"]["cases"] == later["measured"]["after"]["cases"] == 0


def test_compare_prints_a_measured_section(database):
    path, expected = database
    text = onething(path, "compare", "newborn").stdout
    lines = {line.split("  ")[0].strip(): line.split() for line in text.splitlines() if line.strip()}
    assert "measured (real)" in text
    before, after = expected["real"]["before"], expected["real"]["after"]
    assert lines["cases"][-2:] == [str(before["cases"]), str(after["cases"])]
    assert lines["working days median"][-2:] == [f"{before['working_days']['median']:g}",
                                                 f"{after['working_days']['median']:g}"]
    assert lines["on-time rate"][-1] == f"{after['on_time_rate'] * 100:g}%"


def test_audit_rebuild_recomputes_summaries_and_totals_to_the_same_figures(database):
    path, expected = database
    assert onething(path, "audit", "rebuild").stdout.startswith("4 case summaries rebuilt, and the running totals")
    for source in ("real", "simulated"):
        result = json.loads(onething(path, "compare", "newborn", "--json", "--source", source).stdout)
        assert result["measured"] == expected[source]


def test_compare_on_a_database_not_initialised_measures_no_case(tmp_path):
    result = json.loads(onething(tmp_path / "empty.db", "compare", "newborn", "--json").stdout)
    assert result["measured"]["before"]["cases"] == result["measured"]["after"]["cases"] == 0
    assert "steps" in result["static"]
