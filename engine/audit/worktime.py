"""Office hours for simulation: 9:00-12:00 and 13:30-17:30 Asia/Shanghai on China's working days.

Simulated clerks and applicants spend a step's sampled working hours only inside these periods,
and simulated cases arrive only inside them. Times are aware datetimes; results are in UTC.
"""
from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

from engine.runtime.workdays import CHINA, WorkCalendar, default_calendar

WORKING_PERIODS = ((time(9, 0), time(12, 0)), (time(13, 30), time(17, 30)))
HOURS_PER_WORKDAY = sum((end.hour + end.minute / 60) - (start.hour + start.minute / 60)
                        for start, end in WORKING_PERIODS)


def _periods(day: date) -> Iterator[tuple[datetime, datetime]]:
    for start, end in WORKING_PERIODS:
        yield datetime.combine(day, start, CHINA), datetime.combine(day, end, CHINA)


def _periods_from(moment: datetime, calendar: WorkCalendar) -> Iterator[tuple[datetime, datetime]]:
    """The working periods that end after `moment`, the first one cut to start no earlier than it."""
    local = moment.astimezone(CHINA)
    day = local.date()
    while True:
        if calendar.is_workday(day):
            for start, end in _periods(day):
                if end > local:
                    yield max(start, local), end
        day += timedelta(days=1)


def working_moment(moment: datetime, calendar: WorkCalendar | None = None) -> datetime:
    """`moment` itself inside office hours, else the start of the next working period."""
    start, _end = next(_periods_from(moment, calendar or default_calendar()))
    return start.astimezone(UTC)


def add_working_hours(moment: datetime, hours: float, calendar: WorkCalendar | None = None) -> datetime:
    """The moment `hours` working hours after `moment` (a zero duration ends at `moment` itself)."""
    if hours <= 0:
        return moment.astimezone(UTC)
    left = timedelta(hours=hours)
    for start, end in _periods_from(moment, calendar or default_calendar()):
        if start + left <= end:
            return (start + left).astimezone(UTC)
        left -= end - start
    raise AssertionError("unreachable: the calendar never ends")


def arrival_times(rng: random.Random, start: datetime, per_workday: float, count: int,
                  calendar: WorkCalendar | None = None) -> list[datetime]:
    """`count` arrivals of a Poisson process with `per_workday` arrivals per working day, in office hours."""
    if per_workday <= 0:
        raise ValueError("arrivals per working day must be positive")
    calendar = calendar or default_calendar()
    per_hour = per_workday / HOURS_PER_WORKDAY
    moments, current = [], working_moment(start, calendar)
    for _ in range(count):
        current = add_working_hours(current, rng.expovariate(per_hour), calendar)
        moments.append(current)
    return moments
