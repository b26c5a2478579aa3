"""Adding to running totals: INSERT ... ON CONFLICT DO UPDATE, the same on SQLite and PostgreSQL."""
from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import Connection, Table, and_, case, delete, text, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql.base import PGDialect
from sqlalchemy.dialects.sqlite.base import SQLiteDialect
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import TextClause

Executor = Session | Connection


def add_to(session: Executor, table: Table, key: Sequence[str], sums: Sequence[str], rows: list[dict[str, Any]],
           least: Sequence[str] = (), keep: Sequence[str] = ()) -> None:
    """Insert each row, or add its `sums` to the row of the same key; `least` columns keep the smaller value,
    `keep` columns the stored one.

    Rows are written in key order, so two transactions adding to the same totals lock them in the same
    order (PostgreSQL: no deadlock). A key must appear once in `rows`, and every row has every column.
    """
    if not rows:
        return
    statement = _upsert(dialect_of(session), table, tuple(key), tuple(sums), tuple(least), tuple(keep))
    session.execute(statement, sorted(rows, key=lambda row: tuple(row[k] for k in key)))


@cache
def _upsert(dialect: str, table: Table, key: tuple[str, ...], sums: tuple[str, ...], least: tuple[str, ...],
            keep: tuple[str, ...]) -> TextClause:
    """The INSERT ... ON CONFLICT DO UPDATE of `add_to` (every column of the table a parameter), compiled once.

    SQLAlchemy does not cache the compiled form of the dialects' INSERT ... ON CONFLICT (it has no cache
    key), so it would compile it anew at each call (each case end writes four); the same SQL as text is
    compiled once per process.
    """
    postgres = dialect == "postgresql"
    statement = dialect_insert(dialect)(table)
    new = statement.excluded
    changes: dict[str, Any] = {name: table.c[name] + new[name] for name in sums}
    changes.update({name: case((new[name] < table.c[name], new[name]), else_=table.c[name]) for name in least})
    changes.update({name: table.c[name] for name in keep})
    statement = statement.on_conflict_do_update(index_elements=list(key), set_=changes)
    named = PGDialect(paramstyle="named") if postgres else SQLiteDialect(paramstyle="named")
    return text(str(statement.compile(dialect=named)))


def dialect_of(session: Executor) -> str:
    """The name of the database dialect a session or connection talks to ("sqlite", "postgresql")."""
    return (session.dialect if isinstance(session, Connection) else session.get_bind().dialect).name


def dialect_insert(dialect: str) -> Any:
    """The dialect's own INSERT construct (the one with ON CONFLICT), for SQLite or PostgreSQL."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def drop_empty(session: Executor, table: Table, key: Sequence[str], count: str, keys: list[tuple[Any, ...]]) -> None:
    """Delete the rows of these keys whose `count` has come down to zero."""
    columns = [table.c[name] for name in key]
    for start in range(0, len(keys), 200):
        chunk = keys[start:start + 200]
        session.execute(delete(table).where(and_(tuple_(*columns).in_(chunk), table.c[count] <= 0)))
