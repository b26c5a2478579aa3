"""Many rows into one table at once, with each column's conversion looked up once per batch, not once per row.

`session.execute(insert(table), rows)` makes SQLAlchemy build and convert every row's parameters one value at a
time through its generic machinery; for the step-log rows of thousands of simulated or imported cases that is
most of a batch's time, several times the database's own. Here each column's bind processor (the column type's
dialect implementation: our UTC datetimes, JSON with our serializer, psycopg's JSON adapter...) is taken once,
the rows become tuples in column order (a time converted once per distinct value), and the driver's
executemany runs one INSERT for all of them, inside the caller's transaction. The values stored are the ones
the ORM and Core would store (tests/engine/test_bulk.py reads both back).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import DateTime, Table
from sqlalchemy.orm import Session


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT `rows` (dicts with the same keys, each a column of `table`; other columns take their defaults)."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    columns = [table.c[name] for name in rows[0]]
    unset = [c.key for c in table.c if c.key not in rows[0] and c.default is not None and c.server_default is None]
    if unset:  # a default only SQLAlchemy knows (the database does not) would be lost here
        raise ValueError(f"insert_rows into {table.name}: give {', '.join(unset)} (its default is not in the schema)")
    preparer = dialect.identifier_preparer
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    sql = (f"INSERT INTO {preparer.format_table(table)} ({', '.join(preparer.format_column(c) for c in columns)}) "
           f"VALUES ({', '.join([mark] * len(columns))})")
    memos: dict[type, dict[Any, Any]] = {}  # one per column type: a step's end is the next one's start
    convert = [_remembering(c.type.dialect_impl(dialect).bind_processor(dialect), memos.setdefault(type(c.type), {}))
               if _is_time(c) else c.type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
    names = [c.key for c in columns]
    if not any(convert):
        values = [tuple(row[n] for n in names) for row in rows]
    else:
        pairs = list(zip(names, convert, strict=True))
        values = [tuple(row[n] if f is None else f(row[n]) for n, f in pairs) for row in rows]
    connection.exec_driver_sql(sql, values)


def _is_time(column: Any) -> bool:
    return isinstance(getattr(column.type, "impl", column.type), DateTime)  # a TypeDecorator's own type, or the type


def _remembering(convert: Callable[[Any], Any] | None, seen: dict[Any, Any]) -> Callable[[Any], Any] | None:
    """A time's conversion, done once per distinct time of the batch (`seen`: shared by the columns of its type)."""
    if convert is None:
        return None

    def remembered(value: Any) -> Any:
        if value is None:
            return None
        found = seen.get(value)
        if found is None:
            found = seen[value] = convert(value)
        return found
    return remembered
