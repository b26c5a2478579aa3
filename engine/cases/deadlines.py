"""Time limits of ready steps: when a step is due and how many working days are left (China's calendar)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from engine.model.annotations import time_limit_of
from engine.runtime.workdays import CHINA, WorkCalendar, china_date, default_calendar
from engine.views import Deadline


def step_time_limit(model: Any, step_id: str) -> int | None:
    """The step's promised working days from its annotation (None without one, or for an unknown step)."""
    info = model.steps.get(step_id)
    return time_limit_of(info) if info is not None else None


DUE_SOON_DAYS = 2  # a step with at most this many working days left is due soon (yellow)


def _end_of(day: date) -> datetime:
    return datetime.combine(day, time(18, 0), tzinfo=CHINA)  # end of the working day, Beijing time


def step_due(time_limit: int | None, ready_at: datetime, calendar: WorkCalendar | None = None) -> datetime | None:
    """When a step that became ready at `ready_at` is due: the end of its last promised working day."""
    if not time_limit:
        return None
    return _end_of((calendar or default_calendar()).add_workdays(china_date(ready_at), time_limit))


def step_deadline(time_limit: int | None, ready_at: datetime, now: datetime,
                  calendar: WorkCalendar | None = None) -> Deadline:
    """Due date and working days left for a step that became ready at `ready_at`."""
    calendar = calendar or default_calendar()
    due = step_due(time_limit, ready_at, calendar)
    if due is None:
        return Deadline(None, None)
    return Deadline(due, calendar.workdays_between(china_date(now), china_date(due)))


def due_bounds(now: datetime, calendar: WorkCalendar | None = None) -> tuple[datetime, datetime]:
    """The due times that split overdue / due soon / on time at `now`, as `Deadline.colour` does.

    A step is overdue when a working day has begun after its due day (due before the end of the last working
    day up to today), and due soon up to the end of the DUE_SOON_DAYS-th working day after today. Due times
    are ends of working days, so the database compares them with these two instants."""
    calendar = calendar or default_calendar()
    today = china_date(now)
    last = today
    while not calendar.is_workday(last) and today - last < timedelta(days=60):
        last -= timedelta(days=1)
    return _end_of(last), _end_of(calendar.add_workdays(today, DUE_SOON_DAYS))
