"""Backup and restore of a SQLite database with SQLite's online backup API (`sqlite3.Connection.backup`).

The backup API copies the database page by page while other connections keep reading and writing
(a running server need not stop): the copy is one consistent snapshot. PostgreSQL has its own tools,
`pg_dump` and `pg_restore` (docs/operations.md); these use cases refuse it with `NotSQLite`, saying so.

A restore overwrites the live database with the file's pages, so it checks first that the file is a
OneThing database (it has alembic_version) and, unless `force`, that the database it replaces is empty.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from engine.caches import ContextCaches
from engine.errors import InputError

if TYPE_CHECKING:
    from engine.context import EngineContext

PG_TOOLS = ("the database is PostgreSQL: back it up with `pg_dump --format=custom --file=FILE URL` and restore "
            "with `pg_restore --clean --if-exists --no-owner --dbname=URL FILE` (docs/operations.md)")


class NotSQLite(InputError):
    """Backup and restore here are SQLite's; PostgreSQL uses pg_dump / pg_restore."""

    def __init__(self) -> None:
        super().__init__(PG_TOOLS)


@dataclass(frozen=True)
class Copied:
    """What a backup or restore copied: the file, its size, its cases and its schema revision."""

    path: str
    size: int
    cases: int
    revision: str


def backup_database(ctx: EngineContext, target: str | Path, *, overwrite: bool = False) -> Copied:
    """Copy the live SQLite database to `target` (a new file unless `overwrite`) without stopping writers."""
    _sqlite_only(ctx)
    path = Path(target)
    if path.exists() and not overwrite:
        raise InputError(f"{path} exists; choose a new file (or --force to overwrite it)")
    if path.exists() and path.is_dir():
        raise InputError(f"{path} is a directory")
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = ctx.engine.raw_connection()
    try:
        destination = sqlite3.connect(path)
        try:
            raw.driver_connection.backup(destination)  # type: ignore[union-attr]
            destination.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        finally:
            destination.close()
    finally:
        raw.close()
    return _describe(path)


def restore_database(ctx: EngineContext, source: str | Path, *, force: bool = False) -> Copied:
    """Replace the live SQLite database with the OneThing backup at `source`.

    Refused when the file is not a OneThing database, and (unless `force`) when the live database has
    tables: a restore must not silently overwrite cases.
    """
    _sqlite_only(ctx)
    path = Path(source)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    described = _describe(path)
    raw = ctx.engine.raw_connection()
    try:
        live = raw.driver_connection
        tables = [row[0] for row in live.execute(  # type: ignore[union-attr]
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        if tables and not force:
            raise InputError(f"the database already has {len(tables)} tables; restoring would overwrite them "
                             "(back it up first, then restore with --force)")
        origin = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            origin.backup(live)  # type: ignore[arg-type]
        finally:
            origin.close()
    finally:
        raw.close()
    ctx.engine.dispose()  # no pooled connection keeps a view of the database before the restore
    ctx.caches = ContextCaches()  # versions deployed since the backup are gone with it
    return described


def _sqlite_only(ctx: EngineContext) -> None:
    if ctx.dialect != "sqlite":
        raise NotSQLite()


def _describe(path: Path) -> Copied:
    """The file's cases and revision; InputError unless it is a OneThing SQLite database."""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise InputError(f"{path}: cannot open: {exc}") from None
    try:
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        cases = connection.execute("SELECT count(*) FROM cases").fetchone()[0]
    except sqlite3.DatabaseError as exc:  # not a database, or not one of ours
        raise InputError(f"{path} is not a OneThing database ({exc})") from None
    finally:
        connection.close()
    if revision is None:
        raise InputError(f"{path} is not a OneThing database (alembic_version is empty)")
    return Copied(str(path), path.stat().st_size, int(cases), str(revision[0]))
