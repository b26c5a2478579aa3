"""How measured figures read, whichever way they were computed: rounding, empty figures, the orders of lists."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from engine.model.metrics import rounded

PATHS = 20  # path variants listed, most frequent first; the long tail of one-off paths says little
EPOCH = date(1970, 1, 1)


def empty(source: str) -> dict[str, Any]:
    """The figures of a variant without finished cases."""
    none = {"mean": None, "median": None, "p90": None}
    return {"source": source, "cases": 0, "completed": 0, "elapsed_hours": dict(none), "working_days": dict(none),
            "steps_per_case": None, "trips_per_case": None, "handoffs_per_case": None, "on_time_rate": None,
            "steps": [], "paths": [], "departments": [], "cases_per_week": []}


def figure(value: Any, places: int = 2) -> float | int | None:
    """A figure as people read it: rounded, and a whole number as an int."""
    return None if value is None else rounded(round(float(value), places), places)


def spread(mean: Any, median: Any, p90: Any) -> dict[str, float | int | None]:
    return {"mean": figure(mean), "median": figure(median), "p90": figure(p90)}


def rate(part: int, whole: int) -> float | int | None:
    return figure(part / whole, 4) if whole else None


def step_order(mean_offset: float, step_id: str) -> tuple[float, str]:
    """Steps in the order cases reach them: mean hours from the case's start to the step's ready time."""
    return mean_offset, step_id


def department_order(department: str | None, steps: int) -> tuple[int, bool, str]:
    """Departments by completed steps, most first; the steps of no department last."""
    return -steps, department is None, department or ""


def week_of(day: int) -> str:
    """The ISO week of a day given as days since 1970-01-01."""
    year, week, _ = (EPOCH + timedelta(days=day)).isocalendar()
    return f"{year}-W{week:02d}"


def monday(day: int) -> int:
    """The Monday on or before a day (days since 1970-01-01, a Thursday)."""
    return day - (day + 3) % 7
