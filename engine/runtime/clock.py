"""Where "now" comes from: the system clock, or a simulated one for tests and simulation.

SpiffWorkflow reads `datetime.now(timezone.utc)` inside its timer module and has no clock API,
so `install_spiff_clock()` replaces that module's `datetime` with a subclass whose `now()` asks the
clock of the current context (`using_clock`). Everything else in the engine calls `clock.now()`.
"""
from __future__ import annotations

import contextvars
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Current time, timezone-aware UTC."""


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class SimulatedClock:
    """A clock that only moves when told to; thread-safe."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
        if self._now.tzinfo is None:
            raise ValueError("SimulatedClock needs a timezone-aware start time")
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> datetime:
        with self._lock:
            self._now += delta
            return self._now

    def set(self, when: datetime) -> None:
        with self._lock:
            self._now = when


SYSTEM_CLOCK = SystemClock()
_current: contextvars.ContextVar[Clock] = contextvars.ContextVar("onething_clock", default=SYSTEM_CLOCK)


def current_clock() -> Clock:
    """The clock of the current context (the system clock unless a use case set another)."""
    return _current.get()


@contextmanager
def using_clock(clock: Clock) -> Iterator[Clock]:
    """Make SpiffWorkflow's timers read `clock` inside this block."""
    token = _current.set(clock)
    try:
        yield clock
    finally:
        _current.reset(token)


class _ClockDatetime(datetime):
    """datetime whose now() follows the context's clock (installed into Spiff's timer module)."""

    # Returns a plain datetime, not Self as typeshed has it: Spiff's serializer finds types by exact class.
    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        now = _current.get().now()
        return now.astimezone(tz) if tz is not None else now.astimezone().replace(tzinfo=None)


def install_spiff_clock() -> None:
    """Route SpiffWorkflow's timer 'now' through the context clock (idempotent)."""
    from SpiffWorkflow.bpmn.specs.event_definitions import timer

    if timer.datetime is not _ClockDatetime:
        timer.datetime = _ClockDatetime
