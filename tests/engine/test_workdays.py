"""Working days: an operator's calendar file (ONETHING_CALENDAR_FILE), the Monday–Friday fallback with its warning."""
from __future__ import annotations

import logging
import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from engine.cases.insight import case_overlay, step_deadline
from engine.catalog import versions as catalog
from engine.citizen import applications as citizen
from engine.matters.forms import example_data
from engine.runtime import workdays
from engine.runtime.workdays import CHINA, WorkCalendar

REPO = Path(__file__).resolve().parents[2]
YEAR = 2199  # no calendar package knows it (chinese-calendar stops at 2026, holidays.China at 2100)
MONDAY = next(date(YEAR, 6, d) for d in range(1, 8) if date(YEAR, 6, d).weekday() == 0)
TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY = (MONDAY + timedelta(days=n) for n in range(1, 6))
WARNING = f"no official calendar for {YEAR}: counting Monday to Friday as working days"


@pytest.fixture
def calendar_file(tmp_path) -> Path:
    """A calendar for YEAR: Tuesday to Thursday off (one as a date, two as quoted strings), Saturday worked."""
    path = tmp_path / "calendar.yaml"
    path.write_text(f"holidays: [{TUESDAY.isoformat()}, '{WEDNESDAY.isoformat()}', '{THURSDAY.isoformat()}']\n"
                    f"workdays:\n  - {SATURDAY.isoformat()}\n", encoding="utf-8")
    return path


@pytest.fixture
def fresh_default_calendar():
    """The process-wide calendar is read once from the environment: forget it before and after the test."""
    workdays.default_calendar.cache_clear()
    yield
    workdays.default_calendar.cache_clear()


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=CHINA)


def test_a_calendar_file_decides_the_year_it_lists(calendar_file, caplog):
    calendar = WorkCalendar(calendar_file)
    with caplog.at_level(logging.WARNING, logger="engine.runtime.workdays"):
        assert [calendar.is_workday(MONDAY + timedelta(days=n)) for n in range(7)] == [
            True, False, False, False, True, True, False]
        assert calendar.add_workdays(MONDAY, 2) == SATURDAY
        assert calendar.workdays_between(MONDAY, SATURDAY) == 2
        assert calendar.workdays_between(SATURDAY, MONDAY) == -2
    assert caplog.records == []  # the file knows the year: no fallback


def test_an_empty_calendar_file_adds_nothing(tmp_path):
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    calendar = WorkCalendar(empty)
    assert calendar.years == set() and calendar.is_workday(date(2026, 10, 1)) is False  # the packages still answer


def test_a_year_no_calendar_knows_counts_monday_to_friday_and_warns_once(caplog):
    calendar = WorkCalendar()
    with caplog.at_level(logging.WARNING, logger="engine.runtime.workdays"):
        assert [calendar.is_workday(MONDAY + timedelta(days=n)) for n in range(7)] == [True] * 5 + [False] * 2
        assert calendar.add_workdays(FRIDAY, 1) == MONDAY + timedelta(days=7)
        calendar.is_workday(date(YEAR + 1, 1, 3))
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [WARNING, WARNING.replace(str(YEAR), str(YEAR + 1))]


def test_the_fallback_warning_reaches_an_operator_without_logging_set_up():
    script = ("from datetime import date; from engine.runtime.workdays import WorkCalendar; "
              f"print(WorkCalendar().add_workdays(date({YEAR}, 6, 1), 3))")
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == WARNING and result.stdout.strip()


def test_onething_calendar_file_sets_the_calendar_of_every_deadline(calendar_file, monkeypatch, fresh_default_calendar):
    ready, now = noon(MONDAY), noon(FRIDAY)
    fallback = step_deadline(3, ready, now)  # Monday to Friday: due Thursday, a day late on Friday
    assert fallback.due.date() == THURSDAY and fallback.days_left == -1 and fallback.colour == "red"
    workdays.default_calendar.cache_clear()
    monkeypatch.setenv("ONETHING_CALENDAR_FILE", str(calendar_file))
    filed = step_deadline(3, ready, now)  # Tuesday to Thursday off, Saturday worked: due Monday week
    assert filed.due.date() == MONDAY + timedelta(days=7) and filed.days_left == 2 and filed.colour == "yellow"


def test_a_case_step_is_overdue_or_not_by_the_calendar_file(ctx, clock, calendar_file, monkeypatch,
                                                            fresh_default_calendar):
    """newborn's register_birth has a time limit of 3 working days; the case overlay colours it by the calendar."""
    catalog.deploy_path(ctx, REPO / "processes" / "newborn")
    clock.set(noon(MONDAY).astimezone(UTC))
    number = citizen.apply(ctx, "newborn", example_data(citizen.intake_form(ctx, "newborn")), "13600008000")
    clock.set(noon(FRIDAY).astimezone(UTC))
    assert case_overlay(ctx, number).step_states["register_birth"] == "overdue"
    workdays.default_calendar.cache_clear()
    monkeypatch.setenv("ONETHING_CALENDAR_FILE", str(calendar_file))
    assert case_overlay(ctx, number).step_states["register_birth"] == "ready"
