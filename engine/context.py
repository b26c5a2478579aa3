"""What every use case needs: database sessions, the clock, the sandboxed script engine."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from engine.store import db
from engine.runtime.clock import SYSTEM_CLOCK, Clock, install_spiff_clock


@dataclass
class EngineContext:
    """Handed to every use case; one per process (web app, CLI command, worker, test)."""

    engine: Engine
    clock: Clock = SYSTEM_CLOCK
    script_time_limit: float = 1.0
    _reader: sessionmaker = field(init=False, repr=False)
    _writer: sessionmaker = field(init=False, repr=False)
    _script_engine: Any = field(init=False, default=None, repr=False)

    def __post_init__(self) -> None:
        install_spiff_clock()
        self._reader = db.make_sessionmaker(self.engine)
        self._writer = db.make_sessionmaker(db.writer(self.engine))

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> "EngineContext":
        return cls(db.make_engine(url), **kwargs)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def script_engine(self) -> Any:
        if self._script_engine is None:
            from engine.runtime.sandbox import make_script_engine

            self._script_engine = make_script_engine(time_limit=self.script_time_limit)
        return self._script_engine

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; rolled back at the end."""
        with self._reader() as session:
            try:
                yield session
            finally:
                session.rollback()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose transaction commits when the block ends without error."""
        with self._writer() as session:
            with session.begin():
                yield session

    def init_db(self) -> None:
        """Create or upgrade the schema."""
        db.upgrade(self.engine)
