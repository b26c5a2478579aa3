"""What every use case needs: database sessions, the clock, the sandboxed script engine, the caches."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from engine.caches import ContextCaches
from engine.runtime.clock import SYSTEM_CLOCK, Clock, install_spiff_clock
from engine.runtime.sandbox import make_script_engine
from engine.store import db

READING = "reading"  # session.info: a read-only session (ctx.read)
AFTER = "after"  # session.info: key -> what to do once the transaction committed (a read: ended without error)


def after_success(session: Session, key: Any, action: Callable[[], None]) -> None:
    """Do `action` once `session`'s transaction has committed (a read: ended) without error; the last action
    given for a key replaces earlier ones."""
    session.info.setdefault(AFTER, {})[key] = action


def _run_after(session: Session) -> None:
    for action in session.info.pop(AFTER, {}).values():
        action()


@dataclass
class EngineContext:
    """Handed to every use case; one per process (web app, CLI command, worker, test)."""

    engine: Engine
    clock: Clock = SYSTEM_CLOCK
    script_time_limit: float = 1.0
    script_engine: Any = field(init=False, repr=False)  # made here, once: threads share it, none races to make it
    caches: ContextCaches = field(init=False, repr=False)
    _reader: sessionmaker = field(init=False, repr=False)
    _writer: sessionmaker = field(init=False, repr=False)

    def __post_init__(self) -> None:
        install_spiff_clock()
        self.script_engine = make_script_engine(time_limit=self.script_time_limit)
        self.caches = ContextCaches()
        self._reader = db.make_sessionmaker(self.engine)
        self._writer = db.make_sessionmaker(db.writer(self.engine))

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> EngineContext:
        return cls(db.make_engine(url), **kwargs)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; rolled back at the end."""
        with self._reader() as session:
            session.info[READING] = True
            try:
                yield session
            finally:
                session.rollback()
            _run_after(session)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose transaction commits when the block ends without error."""
        with self._writer() as session:
            with session.begin():
                yield session
            _run_after(session)

    def init_db(self) -> None:
        """Create or upgrade the schema."""
        db.upgrade(self.engine)
