"""Measured metrics: SQL over case summaries and the step log, checked against the same figures computed in Python."""
from __future__ import annotations

import random
import statistics
from collections import Counter
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select, update

from engine.accounts.users import Actor
from engine.audit.comparison import matter_comparison
from engine.audit.measured import PATHS, measured_metrics
from engine.audit.rollups import add_cases
from engine.cases import lifecycle as cases
from engine.cases.driving import actor_for, drive_case
from engine.cases.insight import step_durations
from engine.catalog import versions as catalog
from engine.context import EngineContext
from engine.errors import InputError
from engine.store.tables import Case, StepLogEntry
from engine.store.tables_audit import FinishedCase
from engine.vocabulary import APPLICANT

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
CHINA = timezone(timedelta(hours=8))
ADMIN = Actor("admin", "admin")
KEYS = {"source", "cases", "completed", "elapsed_hours", "working_days", "steps_per_case", "trips_per_case",
        "handoffs_per_case", "on_time_rate", "steps", "paths", "departments", "cases_per_week"}


# --- the same figures, computed in Python from the rows -------------------------------------------------------

def _quantile(values: list[float], fraction: float) -> float:
    if len(values) == 1:
        return values[0]
    if fraction == 0.5:
        return statistics.median(values)
    return statistics.quantiles(values, n=10, method="inclusive")[round(fraction * 10) - 1]


def _spread(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"mean": None, "median": None, "p90": None}
    return {"mean": statistics.fmean(values), "median": _quantile(values, 0.5), "p90": _quantile(values, 0.9)}


def _hours(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 3600


def expected(ctx: EngineContext, matter_id: str, variant: str, source: str = "real", since: datetime | None = None,
             until: datetime | None = None, department: str | None = None) -> dict[str, Any]:
    """docs/metrics.md read literally, over rows loaded into Python."""
    with ctx.read() as session:
        summaries = [r for r in session.execute(select(FinishedCase.__table__)).all()
                     if (r.matter_id, r.variant, r.source) == (matter_id, variant, source)
                     and (since is None or r.finished_at >= since) and (until is None or r.finished_at < until)]
        events = [e for e in session.execute(select(StepLogEntry.__table__)).all() if e.event == "completed"]
    if department is not None:
        chosen = {e.case_id for e in events if e.department == department}
        summaries = [r for r in summaries if r.case_id in chosen]
    ids = {r.case_id for r in summaries}
    events = [e for e in events if e.case_id in ids]
    judged = [r.on_time for r in summaries if r.on_time is not None]
    per_step: dict[str, list[Any]] = {}
    for event in events:
        per_step.setdefault(event.step_id, []).append(event)
    steps = {step_id: {
        # a step logged under two names or departments (a later version renamed it) is shown under the greatest
        "step_id": step_id, "step_name": max(e.step_name for e in rows),
        "department": max((e.department for e in rows if e.department is not None), default=None), "count": len(rows),
        "waiting_hours": _spread([_hours(e.ready_at, e.claimed_at or e.at) for e in rows]),
        "working_hours": _spread([_hours(e.claimed_at, e.at) if e.claimed_at else 0.0 for e in rows])}
        for step_id, rows in per_step.items()}
    workload: dict[str | None, list[float]] = {}
    for e in events:
        workload.setdefault(e.department, []).append(_hours(e.claimed_at, e.at) if e.claimed_at else 0.0)
    weeks = Counter(r.finished_at.astimezone(CHINA).date().isocalendar()[:2] for r in summaries)
    n = len(summaries)
    return {
        "source": source, "cases": n, "completed": sum(r.status == "completed" for r in summaries),
        "elapsed_hours": _spread([r.elapsed_hours for r in summaries]),
        "working_days": _spread([float(r.elapsed_workdays) for r in summaries]),
        "steps_per_case": statistics.fmean(r.steps for r in summaries) if n else None,
        "trips_per_case": statistics.fmean(r.trips for r in summaries) if n else None,
        "handoffs_per_case": statistics.fmean(r.handoffs for r in summaries) if n else None,
        "on_time_rate": sum(judged) / len(judged) if judged else None,
        "steps": steps,  # compared by step id; the order is checked on its own
        "paths": [{"path": p, "cases": c} for p, c in
                  sorted(Counter(r.path for r in summaries).items(), key=lambda pc: (-pc[1], pc[0]))[:PATHS]],
        "departments": [{"department": d, "steps": len(h), "working_hours": sum(h)} for d, h in
                        sorted(workload.items(), key=lambda dh: (-len(dh[1]), dh[0] is None, dh[0] or ""))],
        "cases_per_week": [{"week": f"{y}-W{w:02d}", "cases": c} for (y, w), c in sorted(weeks.items())],
    }


def _same(actual: Any, wanted: Any, where: str = "") -> None:
    """Equal, numbers within the rounding of the measured figures (2 places, 4 for rates)."""
    if isinstance(wanted, dict):
        assert isinstance(actual, dict) and set(actual) == set(wanted), (where, actual, wanted)
        for key in wanted:
            _same(actual[key], wanted[key], f"{where}.{key}")
    elif isinstance(wanted, list):
        assert isinstance(actual, list) and len(actual) == len(wanted), (where, actual, wanted)
        for i, (a, w) in enumerate(zip(actual, wanted, strict=True)):
            _same(a, w, f"{where}[{i}]")
    elif isinstance(wanted, float):
        assert actual == pytest.approx(wanted, abs=0.0051), (where, actual, wanted)
    else:
        assert actual == wanted, (where, actual, wanted)


def check(ctx: EngineContext, matter_id: str, **filters: Any) -> dict[str, dict[str, Any]]:
    """measured_metrics of every variant equals the Python computation; returns the measured figures."""
    measured = measured_metrics(ctx, matter_id, **filters)
    bounds = {k: _day_start(v, k == "until") for k, v in filters.items() if k in ("since", "until")}
    rest = {k: v for k, v in filters.items() if k not in ("since", "until")}
    for variant in ("before", "after"):
        figures = measured[variant]
        assert set(figures) == KEYS
        wanted = expected(ctx, matter_id, variant, **rest, **bounds)
        _same({**figures, "steps": {s["step_id"]: s for s in figures["steps"]}}, wanted, variant)
    return measured


def _day_start(day: date, after: bool) -> datetime:
    return datetime.combine(day + timedelta(days=1 if after else 0), datetime.min.time(), CHINA)


# --- cases driven through the engine with known hours -------------------------------------------------------

def work_case(ctx, clock, number: str, wait: float, work: float, moves: int | None = None) -> None:
    """Drive a case: each ready step waits `wait` hours, is claimed by its clerk, then worked `work` hours."""
    def before_each() -> bool:
        clock.advance(timedelta(hours=wait))
        item = cases.get_case(ctx, number).ready_steps[0]  # the one drive_case completes next
        if item.department != APPLICANT:
            cases.claim_step(ctx, number, item.task_id, actor_for(item))
        clock.advance(timedelta(hours=work))
        return True

    drive_case(ctx, number, before_each=before_each, rounds=moves or 10_000)


def start(ctx, variant: str, source: str = "real") -> str:
    number = cases.start_case(ctx, "newborn", variant).number
    if source != "real":
        with ctx.write() as session:
            session.execute(update(Case).where(Case.number == number).values(source=source))
    return number


@pytest.fixture
def newborn_cases(ctx, clock):
    """Real cases of both variants a few days apart (one cancelled), and one simulated case."""
    catalog.deploy_path(ctx, PROCESSES / "newborn")
    plan = [("before", 3, 2, "real"), ("after", 1, 1, "real"), ("after", 20, 16, "real"),
            ("before", 10, 30, "real"), ("after", 40, 30, "real"), ("after", 2, 2, "simulated")]
    numbers = []
    for variant, wait, work, source in plan:
        number = start(ctx, variant, source)
        work_case(ctx, clock, number, wait, work)
        assert cases.get_case(ctx, number).status == "completed"
        numbers.append(number)
        clock.advance(timedelta(days=4))
    cancelled = start(ctx, "after")
    work_case(ctx, clock, cancelled, 5, 1, moves=1)
    cases.cancel_case(ctx, cancelled, ADMIN, "withdrawn")
    return numbers


def test_every_figure_equals_the_python_computation_and_the_hours_given(ctx, newborn_cases):
    measured = check(ctx, "newborn")
    before, after = measured["before"], measured["after"]
    assert (before["cases"], before["completed"], after["cases"], after["completed"]) == (2, 2, 4, 3)
    assert 0 < after["on_time_rate"] < 1  # the slow case missed the five working days
    # The before variant is sequential: every step waited 3 or 10 hours then was worked 2 or 30
    # (applicant steps are never claimed: their whole time is waiting).
    for step in before["steps"]:
        applicant = step["department"] == APPLICANT
        waits, works = ([5, 40], [0, 0]) if applicant else ([3, 10], [2, 30])
        assert step["count"] == 2
        assert step["waiting_hours"] == {"mean": statistics.fmean(waits), "median": statistics.fmean(waits),
                                         "p90": pytest.approx(waits[0] + 0.9 * (waits[1] - waits[0]))}
        assert step["working_hours"]["p90"] == pytest.approx(works[0] + 0.9 * (works[1] - works[0]))
    n_steps = before["steps_per_case"]
    assert before["elapsed_hours"]["median"] == n_steps * (5 + 40) / 2
    log = [e for e in cases.step_log(ctx, newborn_cases[0]) if e.event == "completed"]
    assert [s["step_id"] for s in before["steps"]] == [e.step_id for e in log]  # in the order cases reach them
    assert len(before["cases_per_week"]) == 2 and sum(w["cases"] for w in after["cases_per_week"]) == 4


def test_sources_never_mix(ctx, newborn_cases):
    real, simulated = check(ctx, "newborn"), check(ctx, "newborn", source="simulated")
    assert simulated["after"]["cases"] == 1 and simulated["before"]["cases"] == 0
    assert real["after"]["cases"] == 4
    assert check(ctx, "newborn", source="imported")["after"]["cases"] == 0
    with ctx.read() as session:
        simulated_id = session.scalar(select(Case.id).where(Case.source == "simulated"))
        assert session.get(FinishedCase, simulated_id).source == "simulated"
    with pytest.raises(InputError):
        measured_metrics(ctx, "newborn", source="guessed")


def test_window_and_department_filter_the_cases(ctx, newborn_cases):
    with ctx.read() as session:
        days = sorted({f.astimezone(CHINA).date() for f in session.scalars(
            select(FinishedCase.finished_at).where(FinishedCase.source == "real"))})
    assert len(days) >= 4
    inside = check(ctx, "newborn", since=days[1], until=days[-2])
    assert 0 < inside["before"]["cases"] + inside["after"]["cases"] < 6
    assert check(ctx, "newborn", since=days[-1])["after"]["cases"] >= 1  # `until` and `since` days are included
    assert check(ctx, "newborn", until=days[0])["before"]["cases"] + \
        check(ctx, "newborn", until=days[0])["after"]["cases"] >= 1
    assert check(ctx, "newborn", since=days[-1] + timedelta(days=1))["after"]["cases"] == 0
    police = check(ctx, "newborn", department="police")
    assert police["after"]["cases"] == 3  # the cancelled case never reached a police step
    assert check(ctx, "newborn", department="no such department")["before"]["cases"] == 0
    with pytest.raises(InputError):
        measured_metrics(ctx, "newborn", since=days[-1], until=days[0])


def test_the_comparison_and_the_heat_drawing_read_the_measured_figures(ctx, newborn_cases):
    assert matter_comparison(ctx, "newborn").measured == measured_metrics(ctx, "newborn")
    with ctx.read() as session:
        rows = session.execute(select(StepLogEntry.step_id, StepLogEntry.ready_at, StepLogEntry.at, Case.source)
                               .join(Case, Case.id == StepLogEntry.case_id)
                               .where(Case.variant == "after", StepLogEntry.event == "completed")).all()
    for source in ("real", "simulated"):
        hours: dict[str, list[float]] = {}
        for step_id, ready_at, at, case_source in rows:
            if case_source == source:
                hours.setdefault(step_id, []).append(_hours(ready_at, at))
        heat = step_durations(ctx, "newborn", "after", source=source)
        assert set(heat) == set(hours)
        for step_id, values in hours.items():
            assert heat[step_id] == pytest.approx(statistics.median(values), abs=0.0051)


# --- rows inserted for the edge cases of percentiles: 0, 1, 2 and many cases ---------------------------------

def _insert_cases(ctx, matter_id: str, variant: str, count: int, rng: random.Random) -> None:
    """`count` finished cases with random figures and completed steps, written straight to the tables."""
    with ctx.read() as session:
        version_id = catalog.current_version(session, "newborn", variant).id
    base = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
    steps = [("apply", "申请", APPLICANT), ("check", "审核", "police"), ("issue", "发证", "health"),
             ("review", "复核", None), ("check", "审核（新）", "health")]  # renamed and moved in a later version
    with ctx.write() as session:
        for i in range(count):
            started = base + timedelta(hours=rng.uniform(0, 24 * 60))
            case_id = session.execute(insert(Case).values(
                number=f"{matter_id}-{variant}-{i}", model_version_id=version_id, matter_id=matter_id,
                variant=variant, status="completed", source="real", state="{}", trail=[], started_at=started,
                updated_at=started)).inserted_primary_key[0]
            moment, log = started, []
            for step_id, name, department in rng.sample(steps, rng.randint(1, len(steps) - 1)):
                ready = moment
                claimed = None if rng.random() < 0.3 else ready + timedelta(hours=rng.expovariate(0.2))
                moment = (claimed or ready) + timedelta(hours=rng.expovariate(0.5), microseconds=rng.randint(0, 999))
                log.append({"case_id": case_id, "task_id": f"t{i}-{step_id}", "step_id": step_id, "step_name": name,
                            "department": department, "event": "completed", "actor": "x", "ready_at": ready,
                            "claimed_at": claimed, "at": moment})
            session.execute(insert(StepLogEntry), log)
            limit = rng.choice([None, 3.0, 5.0])
            workdays = rng.randint(0, 8)
            status = rng.choice(["completed", "completed", "cancelled"])
            session.execute(insert(FinishedCase).values(
                case_id=case_id, matter_id=matter_id, variant=variant, model_version_id=version_id, source="real",
                status=status, started_at=started, finished_at=moment, elapsed_hours=round(_hours(started, moment), 4),
                elapsed_workdays=workdays, steps=len(log), trips=rng.randint(0, 2), handoffs=rng.randint(0, 3),
                time_limit_days=limit,
                on_time=None if limit is None or status != "completed" else workdays <= limit,
                path=",".join(sorted(e["step_id"] for e in log))))
            add_cases(session, [case_id])  # as the engine does when it writes a summary


@pytest.mark.parametrize("count", [0, 1, 2, 37])
def test_percentiles_of_zero_one_two_and_many_cases(ctx, clock, count):
    catalog.deploy_path(ctx, PROCESSES / "newborn")
    rng = random.Random(count)
    _insert_cases(ctx, "edge", "after", count, rng)
    _insert_cases(ctx, "edge", "before", 5, rng)  # other cases of the matter do not leak into `after`
    measured = check(ctx, "edge")
    figures = measured["after"]
    assert figures["cases"] == count
    if count == 0:
        assert figures["steps"] == [] and figures["working_days"]["median"] is None
    if count == 1:
        assert figures["elapsed_hours"]["p90"] == figures["elapsed_hours"]["median"]
    if count == 2:
        with ctx.read() as session:
            hours = session.scalars(select(FinishedCase.elapsed_hours).where(
                FinishedCase.matter_id == "edge", FinishedCase.variant == "after")).all()
        assert figures["elapsed_hours"]["median"] == pytest.approx(sum(hours) / 2, abs=0.0051)


def test_the_running_totals_give_the_figures_of_the_sql_over_every_row(ctx, clock):
    """Without a window the figures come from the running totals; a window holding every case reads the rows."""
    catalog.deploy_path(ctx, PROCESSES / "newborn")
    rng = random.Random(7)
    for variant, count in (("before", 300), ("after", 250)):
        _insert_cases(ctx, "bulk", variant, count, rng)
    totals = measured_metrics(ctx, "bulk")
    rows = measured_metrics(ctx, "bulk", since=date(2000, 1, 1))
    assert totals == rows
    assert totals["before"]["cases"] == 300 and len(totals["before"]["steps"]) == 4  # "check" under two names
    assert {d["department"] for d in totals["before"]["departments"]} == {APPLICANT, "police", "health", None}
    check(ctx, "bulk")


def test_a_database_not_initialised_has_no_cases(db_url):
    context = EngineContext.from_url(db_url)
    try:
        measured = measured_metrics(context, "newborn")
    finally:
        context.engine.dispose()
    assert measured["before"]["cases"] == measured["after"]["cases"] == 0
    assert set(measured["after"]) == KEYS and measured["after"]["on_time_rate"] is None
