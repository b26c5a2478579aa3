"""Bytes a finished case occupies: newborn `before` and `after` cases driven to their end, SQLite and PostgreSQL.

SQLite: the file's growth per case after VACUUM (every table and index: state, step log, summaries...).
PostgreSQL: the schema's total relation size (tables, indexes, TOAST) per case, as written (dead row versions
included, which autovacuum makes reusable but never returns) and live (after VACUUM FULL).
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import text

from engine.cases import lifecycle as cases
from engine.cases.driving import drive_case
from engine.catalog import versions as catalog
from engine.context import EngineContext

PROCESSES = Path(__file__).resolve().parents[1] / "processes"


def _sqlite_bytes(path: Path) -> int:
    """The file's size after VACUUM (a connection of its own: the engine's connections always run a transaction)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("VACUUM")
        return conn.execute("PRAGMA page_count").fetchone()[0] * conn.execute("PRAGMA page_size").fetchone()[0]
    finally:
        conn.close()


def _pg_bytes(ctx: EngineContext, full: bool) -> int:
    with ctx.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if full:
            conn.execute(text("VACUUM FULL"))
        return conn.execute(text(
            "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r'"
        )).scalar()


def _finish(ctx: EngineContext, variant: str, n: int) -> None:
    for _ in range(n):
        number = cases.start_case(ctx, "newborn", variant).number
        assert drive_case(ctx, number).view.status == "completed"


def storage_figures(folder: Path, pg_url: str | None, n: int) -> None:
    """Print bytes per finished case for each variant and database."""
    targets = [("SQLite", f"sqlite:///{folder / 'storage.db'}")] + ([("PostgreSQL", pg_url)] if pg_url else [])
    for name, url in targets:
        ctx = EngineContext.from_url(url)
        ctx.init_db()
        catalog.deploy_path(ctx, PROCESSES / "newborn")
        _finish(ctx, "after", 1)  # warm the parsed models
        for variant in ("before", "after"):
            if name == "SQLite":
                ctx.engine.dispose()
                start = _sqlite_bytes(folder / "storage.db")
                _finish(ctx, variant, n)
                ctx.engine.dispose()
                grown = (_sqlite_bytes(folder / "storage.db") - start) / n / 1024
                print(f"  {name}, newborn {variant}: {grown:.1f} KB per finished case ({n} cases, after VACUUM; "
                      "target <= 8 KB)")
            else:
                start = _pg_bytes(ctx, True)
                _finish(ctx, variant, n)
                written = (_pg_bytes(ctx, False) - start) / n / 1024
                live = (_pg_bytes(ctx, True) - start) / n / 1024
                print(f"  {name}, newborn {variant}: {written:.1f} KB per finished case as written, {live:.1f} KB "
                      f"live after VACUUM FULL ({n} cases; target <= 8 KB)")
        ctx.engine.dispose()
