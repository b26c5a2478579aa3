"""Working days on China's official calendar: public holidays off, make-up workdays (调休) on.

Sources, in order: an operator's data file (ONETHING_CALENDAR_FILE: YAML with `holidays:` and
`workdays:` lists of ISO dates) for years the packages do not know yet; `chinese-calendar`
(2004–2026); `holidays.China` (later years, with its `weekend_workdays`). A date outside every
known year falls back to Monday–Friday and is reported once as a warning, never a crash.
"""
from __future__ import annotations

import logging
import os
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

import chinese_calendar
import yaml

CHINA = timezone(timedelta(hours=8))
log = logging.getLogger(__name__)


class WorkCalendar:
    """Answers 'is this a working day?' and counts working days."""

    def __init__(self, data_file: str | Path | None = None) -> None:
        self.holidays: set[date] = set()
        self.workdays: set[date] = set()
        self.years: set[int] = set()
        self.warned: set[int] = set()
        self._known: dict[date, bool] = {}  # answers are fixed per date: ask the packages once
        if data_file:
            self._load(Path(data_file))

    def _load(self, path: Path) -> None:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, target in (("holidays", self.holidays), ("workdays", self.workdays)):
            for value in data.get(key, []) or []:
                day = value if isinstance(value, date) else date.fromisoformat(str(value))
                target.add(day)
                self.years.add(day.year)

    def is_workday(self, day: date) -> bool:
        known = self._known.get(day)
        if known is None:
            known = self._known[day] = self._is_workday(day)
        return known

    def _is_workday(self, day: date) -> bool:
        if day.year in self.years:
            return day in self.workdays or (day.weekday() < 5 and day not in self.holidays)
        known = _package_answer(day)
        if known is not None:
            return known
        if day.year not in self.warned:
            self.warned.add(day.year)
            log.warning("no official calendar for %s: counting Monday to Friday as working days", day.year)
        return day.weekday() < 5

    def add_workdays(self, start: date, days: int) -> date:
        """The date `days` working days after `start`."""
        current, left = start, days
        while left > 0:
            current += timedelta(days=1)
            if self.is_workday(current):
                left -= 1
        return current

    def workdays_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (negative if end is earlier)."""
        if end < start:
            return -self.workdays_between(end, start)
        return sum(1 for n in range(1, (end - start).days + 1) if self.is_workday(start + timedelta(days=n)))


def _package_answer(day: date) -> bool | None:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # a year chinese-calendar does not cover
        pass
    china = _holidays_for(day.year)
    if china is None:
        return None
    if day in china:
        return False
    if day in getattr(china, "weekend_workdays", set()):
        return True
    return day.weekday() < 5


@lru_cache(maxsize=16)
def _holidays_for(year: int) -> Any:
    import holidays  # only for years chinese-calendar does not know; importing it takes ~40 ms

    try:
        china = holidays.China(years=year)
    except (NotImplementedError, KeyError):
        return None
    return china if any(d.year == year for d in china) else None


def china_date(moment: datetime) -> date:
    """The calendar date in China (UTC+8) of an aware datetime."""
    return moment.astimezone(CHINA).date()


@lru_cache(maxsize=1)
def default_calendar() -> WorkCalendar:
    """The calendar of ONETHING_CALENDAR_FILE (else the packages'), one per file and version of it: its answers
    per date are kept, so deadlines and summaries do not ask the packages again for every step."""
    path = os.environ.get("ONETHING_CALENDAR_FILE") or None
    try:
        stamp = Path(path).stat().st_mtime_ns if path else None
    except OSError:
        stamp = None  # WorkCalendar says what is wrong with the file
    return _calendar(path, stamp)


@lru_cache(maxsize=8)
def _calendar(path: str | None, stamp: int | None) -> WorkCalendar:
    return WorkCalendar(path)
