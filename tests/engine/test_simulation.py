"""Simulation through the real engine: repeatable, in office hours, queueing for clerks, labelled simulated."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import chinese_calendar
import pytest
from sqlalchemy import select

from engine.audit.simulation import simulate
from engine.audit.worktime import add_working_hours, arrival_times, working_moment
from engine.cases import lifecycle as cases
from engine.cases.driving import drive_case
from engine.catalog import versions as catalog
from engine.errors import InputError
from engine.store.tables import Case, StepLogEntry
from engine.store.tables_audit import FinishedCase

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
CHINA = timezone(timedelta(hours=8))
OFFICE = ((time(9, 0), time(12, 0)), (time(13, 30), time(17, 30)))
NATIONAL_DAY = date(2025, 9, 22)  # the week before the 2025 National Day holiday (Oct 1-8, make-up days Sep 28, Oct 11)


def _in_office_hours(moment: datetime) -> bool:
    local = moment.astimezone(CHINA)
    return chinese_calendar.is_workday(local.date()) and any(a <= local.time() <= b for a, b in OFFICE)


def _summaries(ctx, numbers) -> list[FinishedCase]:
    """The summary rows of these cases, in the order of `numbers` (detached, loaded)."""
    with ctx.read() as session:
        rows = session.execute(select(Case.number, FinishedCase).join(FinishedCase, FinishedCase.case_id == Case.id)
                               .where(Case.number.in_(numbers))).all()
        session.expunge_all()
    by_number = {number: row for number, row in rows}
    return [by_number[n] for n in numbers if n in by_number]


def _log(ctx, numbers) -> list[StepLogEntry]:
    """The step log of these cases, in the order written (detached, loaded)."""
    with ctx.read() as session:
        entries = list(session.scalars(select(StepLogEntry).join(Case, Case.id == StepLogEntry.case_id)
                                       .where(Case.number.in_(numbers)).order_by(StepLogEntry.id)))
        session.expunge_all()
    return entries


def test_the_same_seed_gives_the_same_figures(ctx):
    catalog.deploy_path(ctx, PROCESSES / "newborn")
    first, again, other = (simulate(ctx, "newborn", "after", 10, seed, start=NATIONAL_DAY, arrivals=4)
                           for seed in (3, 3, 4))
    assert first == again and first != other
    assert first.cases == first.completed == 10 and first.steps >= 30
    assert set(first.numbers).isdisjoint(again.numbers)  # new cases, same figures

    def figures(numbers):
        return [(r.started_at, r.finished_at, r.elapsed_hours, r.elapsed_workdays, r.steps, r.handoffs, r.path)
                for r in _summaries(ctx, numbers)]

    def evidence(numbers):
        return [(e.step_id, e.event, e.actor, e.ready_at, e.claimed_at, e.at) for e in _log(ctx, numbers)]

    assert figures(first.numbers) == figures(again.numbers) != figures(other.numbers)
    assert evidence(first.numbers) == evidence(again.numbers)


def test_arrivals_come_in_office_hours_on_working_days_only():
    start = datetime(2025, 9, 25, 0, 0, tzinfo=CHINA)
    arrivals = arrival_times(random.Random(1), start, 8, 400)
    assert arrivals == sorted(arrivals) and all(_in_office_hours(a) for a in arrivals)
    days = {a.astimezone(CHINA).date() for a in arrivals}
    assert date(2025, 9, 28) in days  # a Sunday, but a make-up working day
    assert not days & {date(2025, 10, d) for d in range(1, 9)}  # the holiday
    workdays = sum(1 for n in range((max(days) - start.date()).days + 1)
                   if chinese_calendar.is_workday(start.date() + timedelta(days=n)))
    assert 6 < len(arrivals) / workdays < 10  # Poisson with 8 a working day


def test_working_hours_skip_lunch_nights_and_holidays():
    def china(*args):
        return datetime(*args, tzinfo=CHINA)

    assert add_working_hours(china(2025, 9, 23, 11, 0), 2) == china(2025, 9, 23, 14, 30)
    assert add_working_hours(china(2025, 9, 30, 17, 0), 1) == china(2025, 10, 9, 9, 30)  # over the holiday
    assert add_working_hours(china(2025, 9, 23, 20, 0), 0) == china(2025, 9, 23, 20, 0)
    assert working_moment(china(2025, 9, 23, 12, 30)) == china(2025, 9, 23, 13, 30)
    assert working_moment(china(2025, 9, 27, 10, 0)) == china(2025, 9, 28, 9, 0)  # Saturday, then a make-up day


def test_more_clerks_mean_shorter_waits(ctx):
    catalog.deploy_path(ctx, PROCESSES / "newborn")
    one = simulate(ctx, "newborn", "after", 16, 5, start=NATIONAL_DAY, arrivals=3)
    three = simulate(ctx, "newborn", "after", 16, 5, start=NATIONAL_DAY, arrivals=3,
                     clerks={d: 3 for d in one.clerks})
    assert set(one.clerks.values()) == {1} and set(three.clerks.values()) == {3}

    def waits(numbers) -> dict[str, list[float]]:
        found: dict[str, list[float]] = {}
        for e in _log(ctx, numbers):
            if e.event == "claimed":
                found.setdefault(e.department, []).append((e.claimed_at - e.ready_at).total_seconds() / 3600)
        return found

    measured = [waits(run.numbers) for run in (one, three)]
    for run, found in zip((one, three), measured, strict=True):  # the run's own figures are the step log's
        assert set(found) == set(run.mean_waiting_hours) and set(found) <= set(run.clerks)
        for department, hours in found.items():
            assert run.mean_waiting_hours[department] == pytest.approx(sum(hours) / len(hours), abs=1e-3)
            assert all(e.actor.startswith(f"sim.{department}.") for e in _log(ctx, run.numbers)
                       if e.event == "claimed" and e.department == department)
    total_one, total_three = (sum(map(sum, found.values())) for found in measured)
    assert total_three < total_one / 2
    assert three.mean_elapsed_workdays < one.mean_elapsed_workdays


def test_simulated_cases_are_summarised_as_simulated_and_never_as_real(ctx, clock):
    catalog.deploy_path(ctx, PROCESSES / "newborn")
    real = cases.start_case(ctx, "newborn", "after").number
    assert drive_case(ctx, real).view.status == "completed"
    result = simulate(ctx, "newborn", "after", 12, 9, start=date(2026, 1, 5))
    rows = _summaries(ctx, result.numbers)
    assert len(rows) == 12 and {r.source for r in rows} == {"simulated"}
    assert all(_in_office_hours(r.started_at) for r in rows)
    assert result.first_start == min(r.started_at for r in rows)
    assert result.last_end == max(r.finished_at for r in rows)
    with ctx.read() as session:
        real_ids = set(session.scalars(select(FinishedCase.case_id).where(FinishedCase.source == "real")))
        assert real_ids == {session.scalar(select(Case.id).where(Case.number == real))}
        sources = set(session.scalars(select(Case.source).where(Case.number.in_(result.numbers))))
    assert sources == {"simulated"}


def test_messages_are_delivered_and_timers_fire_when_due(ctx, deployed):
    result = simulate(ctx, deployed.matter_id, deployed.variant, 6, 2, start=NATIONAL_DAY, arrivals=2,
                      data={"delivery": "home", "child": "A"})
    assert result.completed == 6 and result.stuck == 0
    for row in _summaries(ctx, result.numbers):
        assert row.status == "completed" and "check_home" in row.path
        assert row.finished_at - row.started_at > timedelta(days=2)  # the two days' public notice (a timer)


def test_clerks_of_an_unknown_department_are_refused(ctx):
    catalog.deploy_path(ctx, PROCESSES / "newborn")
    with pytest.raises(InputError, match="no department nope"):
        simulate(ctx, "newborn", "after", 3, 1, clerks={"nope": 2})
    with pytest.raises(InputError):
        simulate(ctx, "newborn", "after", 3, 1, clerks={"police": 0})
