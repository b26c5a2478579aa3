"""Database engine, sessions and schema upgrades (SQLite in instance/ by default, PostgreSQL by URL)."""
from __future__ import annotations

import json
import math
import sqlite3
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import DeclarativeBase, sessionmaker
from sqlalchemy.pool import StaticPool

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def json_text(value: object) -> str:
    """JSON columns hold Chinese as UTF-8 (3 bytes a character), not as \\uXXXX escapes (6); they read back the
    same. A string no UTF-8 can hold (a lone surrogate, which JSON input may carry) keeps its escapes."""
    text = json.dumps(value, ensure_ascii=False)
    try:
        text.encode()
    except UnicodeEncodeError:
        return json.dumps(value)
    return text


class Base(DeclarativeBase):
    """Declarative base of every OneThing table."""


def make_engine(url: str) -> Engine:
    """Create an Engine; SQLite gets WAL, a busy timeout and foreign keys; JSON is written as UTF-8."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
        extra = {"poolclass": StaticPool} if url in ("sqlite://", "sqlite:///:memory:") else {}
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               json_serializer=json_text, **extra)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    return create_engine(url, pool_pre_ping=True, json_serializer=json_text)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Take transaction control away from the sqlite3 module so BEGIN IMMEDIATE below is ours.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    try:  # SQLite built without its math functions: the two that measured figures use (sqlstats.time_bucket)
        cursor.execute("SELECT ln(1.0), floor(1.5)")
    except sqlite3.OperationalError:
        dbapi_connection.create_function("ln", 1, math.log, deterministic=True)
        dbapi_connection.create_function("floor", 1, math.floor, deterministic=True)
    cursor.close()


def _sqlite_begin_immediate(connection) -> None:
    # Writers (engines made by `writer()`) queue on the database lock at BEGIN instead of failing
    # on a lock upgrade mid-transaction; readers keep WAL's lock-free snapshots.
    if connection.get_execution_options().get("onething_writer"):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        connection.exec_driver_sql("BEGIN")


def writer(engine: Engine) -> Engine:
    """The same engine, marked so that SQLite transactions take the write lock at BEGIN."""
    return engine.execution_options(onething_writer=True)


def make_sessionmaker(engine: Engine) -> sessionmaker:
    return sessionmaker(bind=engine, expire_on_commit=False)


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
