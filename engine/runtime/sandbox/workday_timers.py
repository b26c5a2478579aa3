"""`working_days_later(n)`: the builtin that working-day timers (`P5WD`) are translated into.

A time limit of N working days runs on China's official calendar (engine.runtime.workdays): the timer fires at
the same time of day on the N-th working day after today's date in China (the first day is not counted, as in
the administrative rule and docs/metrics.md). The value is ISO 8601 with +08:00, what a timeDate timer takes.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from engine.runtime.workdays import CHINA, default_calendar

MAX_DAYS = 3650


def working_days_later_from(now: Callable[[], datetime]) -> Callable[[int], str]:
    """The builtin, reading the engine's clock through `now`."""

    def working_days_later(days: int) -> str:
        if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_DAYS:
            raise ValueError(f"working_days_later takes a whole number of days from 0 to {MAX_DAYS}, not {days!r}")
        moment = now().astimezone(CHINA)
        day = default_calendar().add_workdays(moment.date(), days)
        return datetime.combine(day, moment.timetz()).isoformat()

    return working_days_later
