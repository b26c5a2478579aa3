"""When a timer is due, read from SpiffWorkflow's internal event value (a str, dict or list holding ISO datetimes)."""
from __future__ import annotations

from datetime import datetime
from typing import Any


def earliest_due(value: Any) -> datetime | None:
    """The earliest ISO datetime found in a timer's internal event value (str, dict or list)."""
    found: list[datetime] = []

    def walk(v: Any) -> None:
        if isinstance(v, str):
            try:
                parsed = datetime.fromisoformat(v)
            except ValueError:
                return
            if parsed.tzinfo is not None:
                found.append(parsed)
        elif isinstance(v, dict):
            if "next" in v:
                walk(v["next"])
            else:
                for item in v.values():
                    walk(item)
        elif isinstance(v, (list, tuple)):
            for item in v:
                walk(item)

    walk(value)
    return min(found) if found else None

