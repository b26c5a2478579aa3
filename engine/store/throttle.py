"""Counting recent attempts in the database (shared by every node): the one rule behind every throttle."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session


def exceeded(session: Session, at: Any, since: datetime, *limits: tuple[Any, int]) -> bool:
    """Whether any (condition, most) pair has `most` or more rows with `at` after `since`."""
    def count(condition: Any) -> int:
        return session.scalar(select(func.count()).where(condition, at > since)) or 0

    return any(count(condition) >= most for condition, most in limits)
