"""Case summaries: written in the transaction that ends a case, identical when rebuilt from the step log."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import chinese_calendar
import pytest
from sqlalchemy import select

from engine.accounts.users import Actor
from engine.audit.summaries import LoggedStep, VersionFacts, path_of, rebuild_summaries, record_finished, summarize
from engine.cases import lifecycle as cases
from engine.cases.driving import drive_case
from engine.catalog import versions as catalog
from engine.runtime.workdays import WorkCalendar
from engine.store.tables import Case
from engine.store.tables_audit import FinishedCase
from engine.store.tables_measures import FinishedStep, MeasureBucket, MeasureDay, MeasurePath, MeasureStep

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
CHINA = timezone(timedelta(hours=8))
ADMIN = Actor("admin", "admin")


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


def test_rebuild_from_the_step_log_gives_the_rows_written_as_cases_ended(ctx, clock, deployed):
    catalog.deploy_path(ctx, PROCESSES / "newborn")
    for variant in ("before", "after"):
        _drive_with_time(ctx, clock, cases.start_case(ctx, "newborn", variant).number, hours=7)
    _drive_with_time(ctx, clock, cases.start_case(ctx, deployed.matter_id, deployed.variant).number, hours=3,
                     data={"delivery": "home", "child": "A"})  # a timer and a message on the way
    cancelled = cases.start_case(ctx, "newborn", "after").number
    drive_case(ctx, cancelled, rounds=1)
    clock.advance(timedelta(days=3))
    cases.cancel_case(ctx, cancelled, ADMIN, "applicant withdrew")
    cases.start_case(ctx, "newborn", "after")  # still running: no summary
    written = _summaries(ctx)
    assert sorted(r["status"] for r in written.values()) == ["cancelled", "completed", "completed", "completed"]
    totals = _totals(ctx)
    assert len(totals["finished_steps"]) == sum(r["steps"] for r in written.values())
    assert sum(n for *_, n in totals["measure_paths"]) == 4
    with ctx.write() as session:  # a summary written again (as for a case retried after an error) replaces itself
        record_finished(ctx, session, session.scalars(select(Case).where(Case.number == cancelled)).one())
    assert _totals(ctx) == totals
    assert rebuild_summaries(ctx) == 4
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
