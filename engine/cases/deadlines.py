"""Time limits of ready steps: when a step is due and how many working days are left (China's calendar)."""
from __future__ import annotations

from datetime import datetime, time
from typing import Any

from engine.model.annotations import parse_step
from engine.runtime.workdays import CHINA, WorkCalendar, china_date, default_calendar
from engine.views import Deadline


def step_time_limit(model: Any, step_id: str) -> int | None:
    """The step's promised working days from its annotation (None without one, or for an unknown step)."""
    info = model.steps.get(step_id)
    return parse_step(info).time_limit if info is not None else None


def step_deadline(time_limit: int | None, ready_at: datetime, now: datetime,
                  calendar: WorkCalendar | None = None) -> Deadline:
    """Due date and working days left for a step that became ready at `ready_at`."""
    if not time_limit:
        return Deadline(None, None)
    calendar = calendar or default_calendar()
    due_day = calendar.add_workdays(china_date(ready_at), time_limit)
    due = datetime.combine(due_day, time(18, 0), tzinfo=CHINA)  # end of the due working day, Beijing time
    return Deadline(due, calendar.workdays_between(china_date(now), due_day))
