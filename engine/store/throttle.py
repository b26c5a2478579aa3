"""Counting recent attempts in the database (shared by every node): the rules behind every throttle.

`exceeded` is a plain cap (so many in a window); `wait_seconds` is a growing delay (after `free`
attempts, each further one doubles the wait before the next, up to a cap) and `lapses_in` says when a
cap stops holding. Rows are read before an attempt and written after it, so requests in flight at the
same instant (at most the server's workers) can each pass; that adds a few attempts, not a bypass.
"""
from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session


def exceeded(session: Session, at: Any, since: datetime, *limits: tuple[Any, int]) -> bool:
    """Whether any (condition, most) pair has `most` or more rows with `at` after `since`."""
    def count(condition: Any) -> int:
        return session.scalar(select(func.count()).where(condition, at > since)) or 0

    return any(count(condition) >= most for condition, most in limits)


def delay_after(count: int, free: int, first: timedelta, cap: timedelta) -> timedelta:
    """The wait after `count` failures: none up to `free - 1`, then first, 2 x first, 4 x first... at most `cap`."""
    if count < free:
        return timedelta(0)
    return min(first * 2 ** min(count - free, 40), cap)


def wait_seconds(session: Session, at: Any, condition: Any, since: datetime, now: datetime, *,
                 free: int, first: timedelta, cap: timedelta) -> int:
    """Whole seconds to wait before the next attempt (0: go ahead): `delay_after` counted from the latest row."""
    count, latest = session.execute(select(func.count(), func.max(at)).where(condition, at > since)).one()
    wait = delay_after(count or 0, free, first, cap)
    if not wait or latest is None:
        return 0
    return max(0, math.ceil((latest + wait - now).total_seconds()))


def lapses_in(session: Session, at: Any, condition: Any, window: timedelta, now: datetime, most: int) -> int:
    """Whole seconds until fewer than `most` rows are left in the window ending then (0: fewer already)."""
    nth = session.scalar(select(at).where(condition, at > now - window).order_by(at.desc()).offset(most - 1).limit(1))
    return 0 if nth is None else max(1, math.ceil((nth + window - now).total_seconds()))
