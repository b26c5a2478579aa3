"""Case summaries: written in the transaction that ends a case, identical when rebuilt from the step log."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import chinese_calendar
import pytest
from sqlalchemy import select

from engine.accounts.users import Actor
from engine.audit.summaries import LoggedStep, VersionFacts, path_of, rebuild_summaries, record_finished, summarize
from engine.cases import admin, lifecycle as cases
from engine.cases.driving import drive_case
from engine.catalog import versions as catalog
from engine.runtime.workdays import WorkCalendar
from engine.store.tables import Case
from engine.store.tables_audit import FinishedCase
from engine.store.tables_measures import FinishedStep, MeasureBucket, MeasureDay, MeasurePath, MeasureStep

from .conftest import MODELS

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
CHINA = timezone(timedelta(hours=8))
ADMIN, POLICE = Actor("admin", "admin"), Actor("li.police", "clerk", "police")


def _summaries(ctx) -> dict[int, dict]:
    with ctx.read() as session:
        rows = session.scalars(select(FinishedCase).order_by(FinishedCase.case_id)).all()
        return {r.case_id: {c.name: getattr(r, c.name) for c in FinishedCase.__table__.columns} for r in rows}


def _totals(ctx) -> dict[str, list[tuple]]:
    """Every row of finished_steps (without its id) and of the running totals, sorted."""
    tables = [FinishedStep.__table__, MeasureDay.__table__, MeasurePath.__table__, MeasureStep.__table__,
              MeasureBucket.__table__]
    with ctx.read() as session:
        return {t.name: sorted(tuple(round(v, 9) if isinstance(v, float) else v for v in row)
                               for row in session.execute(select(*(c for c in t.columns if c.name != "id"))))
                for t in tables}


def _drive_with_time(ctx, clock, number: str, hours: float = 5.0, data: dict | None = None) -> None:
    def tick() -> bool:
        clock.advance(timedelta(hours=hours))
        return True

    assert drive_case(ctx, number, data, before_each=tick).view.status == "completed"


def test_a_completed_case_has_one_summary_with_its_measured_figures(ctx, clock):
    catalog.deploy_path(ctx, PROCESSES / "newborn")
    number = cases.start_case(ctx, "newborn", "before").number
    assert _summaries(ctx) == {}  # a running case has none
    _drive_with_time(ctx, clock, number)
    (row,) = _summaries(ctx).values()
    log = [e for e in cases.step_log(ctx, number) if e.event == "completed"]
    assert row["source"] == "real" and row["status"] == "completed" and row["variant"] == "before"
    assert row["steps"] == len(log)
    assert row["started_at"] == min(e.ready_at for e in log) and row["finished_at"] == max(e.at for e in log)
    assert row["elapsed_hours"] == pytest.approx((row["finished_at"] - row["started_at"]).total_seconds() / 3600)
    assert row["path"] == path_of(e.step_id for e in log)
    with ctx.read() as session:
        model, _ = catalog.loaded_version(ctx, session, row["model_version_id"])
    trips = {s for s, info in model.steps.items() if info.properties.get("trip") == "true"}
    assert row["trips"] == sum(1 for e in log if e.step_id in trips) > 0
    assert row["handoffs"] > 0 and row["time_limit_days"] is not None
    assert row["on_time"] == (row["elapsed_workdays"] <= row["time_limit_days"])


def _loop_cases(ctx, clock, folder: Path) -> None:
    """The loop model (police): a case reviewing three times, each step claimed hours before it is completed; one
    in error (its script fails on a note that is no text) retried as it is, then with the note corrected; one in
    error cancelled; one left in error. And once without lanes: steps of no department."""
    (folder / "open").mkdir()
    (folder / "open" / "after.bpmn").write_text(re.sub(r"<bpmn:laneSet.*</bpmn:laneSet>", "", (
        MODELS / "loop.bpmn").read_text(encoding="utf-8"), flags=re.DOTALL), encoding="utf-8")
    catalog.deploy_path(ctx, folder / "open")
    number = cases.start_case(ctx, "open", "after").number
    clock.advance(timedelta(minutes=50))
    done = cases.complete_step(ctx, number, "review", Actor.system(), {"again": False, "note": "ok"})
    assert done.status == "completed"
    loop = catalog.deploy_path(ctx, MODELS / "loop.bpmn")[0]

    def in_error() -> str:
        number = cases.start_case(ctx, loop.matter_id, loop.variant).number
        clock.advance(timedelta(hours=2, minutes=41))
        assert cases.complete_step(ctx, number, "review", POLICE, {"again": False, "note": 5}).status == "error"
        return number

    looped = cases.start_case(ctx, loop.matter_id, loop.variant).number
    for again in (True, True, False):
        cases.claim_step(ctx, looped, "review", POLICE)
        clock.advance(timedelta(hours=7, minutes=13, seconds=17))
        cases.complete_step(ctx, looped, "review", POLICE, {"again": again, "note": "ok"})
    retried = in_error()
    clock.advance(timedelta(days=1, minutes=5))
    assert admin.retry_case(ctx, retried, ADMIN, "transient?").status == "error"
    clock.advance(timedelta(hours=20))
    assert admin.retry_case(ctx, retried, ADMIN, "note corrected", {"note": "ok"}).status == "completed"
    cancelled = in_error()
    clock.advance(timedelta(hours=30))
    assert cases.cancel_case(ctx, cancelled, ADMIN, "applicant withdrew").status == "cancelled"
    in_error()


def test_rebuild_from_the_step_log_gives_the_rows_written_as_cases_ended(ctx, clock, deployed, tmp_path):
    """Cases of every shape end one by one, each counted into the running totals as it ends; a rebuild from the
    step log gives the same summaries and the same totals (SQLite and PostgreSQL)."""
    catalog.deploy_path(ctx, PROCESSES / "newborn")
    for variant in ("before", "after"):
        _drive_with_time(ctx, clock, cases.start_case(ctx, "newborn", variant).number, hours=7)
    for delivery, hours in (("home", 3), ("hospital", 17.25)):  # parallel branches, a timer and a message on the way
        _drive_with_time(ctx, clock, cases.start_case(ctx, deployed.matter_id, deployed.variant).number, hours=hours,
                         data={"delivery": delivery, "child": "A"})
    cancelled = cases.start_case(ctx, "newborn", "after").number
    drive_case(ctx, cancelled, rounds=1)
    clock.advance(timedelta(days=3))
    cases.cancel_case(ctx, cancelled, ADMIN, "applicant withdrew")
    _loop_cases(ctx, clock, tmp_path)
    cases.start_case(ctx, "newborn", "after")  # still running: no summary
    written = _summaries(ctx)
    assert sorted(r["status"] for r in written.values()) == ["cancelled"] * 2 + ["completed"] * 7 + ["error"]
    totals = _totals(ctx)
    assert len(totals["finished_steps"]) == sum(r["steps"] for r in written.values())
    assert sum(n for *_, n in totals["measure_paths"]) == 10
    assert len({day for *_, day, _, _, _, _, _, _, _ in totals["measure_days"]}) > 3
    assert any(measure == "working" and total > 0 for *_, measure, _, _, total, _ in totals["measure_buckets"])
    assert any(path == "review*3" for *_, path, _ in totals["measure_paths"])
    assert any(department == "" for *_, department, _, _, _ in totals["measure_steps"])
    with ctx.write() as session:  # a summary written again (as for a case retried after an error) replaces itself
        record_finished(ctx, session, session.scalars(select(Case).where(Case.number == cancelled)).one())
    assert _totals(ctx) == totals
    assert rebuild_summaries(ctx) == 10
    assert _summaries(ctx) == written
    assert _totals(ctx) == totals
    with ctx.read() as session:
        assert session.scalar(select(Case.status).where(Case.number == cancelled)) == "cancelled"
    row = next(r for r in written.values() if r["status"] == "cancelled")
    assert row["on_time"] is None and row["steps"] == 1


def _count_workdays(start: date, end: date) -> int:
    """Working days d with start < d <= end, counted day by day from chinese-calendar itself."""
    return sum(1 for n in range(1, (end - start).days + 1) if chinese_calendar.is_workday(start + timedelta(days=n)))


@pytest.mark.parametrize(("start", "end"), [
    (datetime(2026, 12, 4, 17, 0, tzinfo=CHINA), datetime(2026, 12, 7, 9, 0, tzinfo=CHINA)),  # Friday -> Monday
    (datetime(2026, 12, 7, 9, 0, tzinfo=CHINA), datetime(2026, 12, 7, 18, 0, tzinfo=CHINA)),  # the same day
    (datetime(2026, 9, 29, 10, 0, tzinfo=CHINA), datetime(2026, 10, 12, 10, 0, tzinfo=CHINA)),  # over National Day
    (datetime(2026, 2, 13, 23, 30, tzinfo=UTC), datetime(2026, 2, 24, 1, 0, tzinfo=UTC)),  # Spring
])
def test_working_days_elapsed_do_not_count_the_first_day(start, end):
    case = Case(id=1, matter_id="m", variant="after", model_version_id=1, source="real", status="completed",
                started_at=start)
    steps = [LoggedStep("a", "police", start, start + (end - start) / 2), LoggedStep("b", "health", start, end)]
    facts = VersionFacts(frozenset({"a"}), {"a": "police", "b": "health"}, {"b": frozenset({"a"})}, 5.0)
    row = summarize(case, steps, facts, end, WorkCalendar())
    expected = _count_workdays(start.astimezone(CHINA).date(), end.astimezone(CHINA).date())
    assert row["elapsed_workdays"] == expected
    assert row["on_time"] == (expected <= 5) and row["trips"] == 1 and row["handoffs"] == 1


def test_parallel_orderings_are_one_path_and_repetitions_count():
    assert path_of(["b", "a", "c"]) == path_of(["a", "c", "b"]) == "a,b,c"
    assert path_of(["a", "b", "a"]) == "a*2,b"
