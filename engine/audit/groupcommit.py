"""Group commit for simulation: many use cases in one transaction, committed every `batch` actions.

Simulated cases have no concurrent users, so the one-transaction-per-action rule buys nothing but
commits. This context hands every use case the same open session (reads included, so each one sees
what the previous ones wrote) and commits after `batch` of them; the use cases run unchanged.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import Session

from engine.context import EngineContext
from engine.runtime.clock import Clock


class GroupCommit(EngineContext):
    """An EngineContext whose use cases share one transaction per batch; `commit()` ends the current batch."""

    def __init__(self, engine: Any, clock: Clock, script_time_limit: float, batch: int = 200) -> None:
        super().__init__(engine, clock=clock, script_time_limit=script_time_limit)
        self.batch = batch
        self._session: Session | None = None
        self._actions = 0

    @contextmanager
    def write(self) -> Iterator[Session]:
        """The batch's session; the batch commits after `batch` actions."""
        if self._session is None:
            self._session = self._writer()
            self._session.begin()
        session = self._session
        yield session
        # Per-action scratch (e.g. open steps read for save_case) must not outlive the action.
        for key in [k for k in session.info if isinstance(k, tuple)]:
            del session.info[key]
        self._actions += 1
        if self._actions >= self.batch:
            self.commit()

    read = write  # a separate session would not see the batch's uncommitted rows

    def commit(self) -> None:
        """Commit and close the current batch, if any."""
        if self._session is not None:
            session, self._session, self._actions = self._session, None, 0
            try:
                session.commit()
            finally:
                session.close()

    def rollback(self) -> None:
        """Drop the current batch (after an error)."""
        if self._session is not None:
            session, self._session, self._actions = self._session, None, 0
            session.rollback()
            session.close()
