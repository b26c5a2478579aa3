"""Bytes a finished case occupies, per table: newborn `before` and `after` cases driven to their end, SQLite and
PostgreSQL.

Every figure is a difference of sizes over N cases of one variant, divided by N; a table's bytes include its
indexes (and, on PostgreSQL, its TOAST table).

SQLite (dbstat: every page of each table and index, used or not):
  written  the growth as the engine leaves the file (no VACUUM; the product never runs one);
  packed   the growth between two VACUUMed files (the same rows packed: what the rows themselves take).
PostgreSQL (pg_total_relation_size per table; autovacuum may be off, as on the benchmark's server, so plain
VACUUM is run where said, never VACUUM FULL):
  written  N cases with no VACUUM at all: dead row versions and their TOAST chunks included, unless the
           page was pruned (HOT) as the engine went;
  steady   N cases in 4 batches, a plain VACUUM before each and after the last, which makes the dead
           versions reusable by the next batch but shrinks nothing (what autovacuum gives a server that
           runs it, at about one run per N/4 cases);
  packed   N cases, then VACUUM FULL of the schema's tables (the live rows packed, as SQLite's packed:
           what the rows themselves take; the product never runs one).
Each PostgreSQL figure starts in a fresh schema (one warm-up case), so no figure reuses space another left.
"""
from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text

from engine.cases import lifecycle as cases
from engine.cases.driving import drive_case
from engine.catalog import versions as catalog
from engine.context import EngineContext

PROCESSES = Path(__file__).resolve().parents[1] / "processes"
TARGET_KB = 8
BATCHES = 4  # PostgreSQL's steady figure: a plain VACUUM after each quarter of the cases


def _sqlite_sizes(path: Path, vacuum: bool) -> Counter:
    """Bytes of each table with its indexes (dbstat), on a connection of its own (the engine's is closed)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        if vacuum:
            conn.execute("VACUUM")
        owner = dict(conn.execute("SELECT name, tbl_name FROM sqlite_schema WHERE type IN ('table', 'index')"))
        sizes: Counter = Counter()
        for name, size in conn.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name"):
            sizes[owner.get(name, name)] += size
        return sizes
    finally:
        conn.close()


def _pg_sizes(ctx: EngineContext, vacuum: bool, full: bool = False) -> Counter:
    with ctx.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if vacuum:
            conn.execute(text("VACUUM"))
        for (table,) in conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"))\
                .all() if full else ():
            conn.execute(text(f'VACUUM FULL "{table}"'))  # this schema's tables only
        return Counter(dict(conn.execute(text(
            "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r'")).all()))


def _finish(ctx: EngineContext, variant: str, n: int) -> None:
    for _ in range(n):
        number = cases.start_case(ctx, "newborn", variant).number
        assert drive_case(ctx, number).view.status == "completed"


def _per_case(before: Counter, after: Counter, n: int) -> dict[str, float]:
    grown = {name: (after[name] - before[name]) / n for name in set(before) | set(after)}
    return {name: size for name, size in grown.items() if size}


def _context(url: str) -> EngineContext:
    ctx = EngineContext.from_url(url)
    ctx.init_db()
    catalog.deploy_path(ctx, PROCESSES / "newborn")
    _finish(ctx, "after", 1)  # warm the parsed models
    return ctx


def _sqlite(folder: Path, n: int) -> dict[tuple[str, str], dict[str, float]]:
    """{(variant, how): {table: bytes per case}}: both variants one after the other in one file."""
    path = folder / "storage.db"
    ctx = _context(f"sqlite:///{path}")
    figures = {}
    for variant in ("before", "after"):
        ctx.engine.dispose()
        written, packed = _sqlite_sizes(path, False), _sqlite_sizes(path, True)
        _finish(ctx, variant, n)
        ctx.engine.dispose()
        figures[variant, "written"] = _per_case(written, _sqlite_sizes(path, False), n)
        figures[variant, "packed"] = _per_case(packed, _sqlite_sizes(path, True), n)
    return figures


def _postgres(schema_url: Callable[[str], str], n: int) -> dict[tuple[str, str], dict[str, float]]:
    """The same from PostgreSQL, each figure in a fresh schema: no free space left by another figure's cases."""
    figures = {}
    for variant in ("before", "after"):
        for how in ("written", "steady", "packed"):
            ctx = _context(schema_url(f"bench_storage_{variant}_{how}"))
            start = _pg_sizes(ctx, how == "steady", full=how == "packed")
            if how != "steady":
                _finish(ctx, variant, n)
                end = _pg_sizes(ctx, False, full=how == "packed")
            for batch in range(BATCHES if how == "steady" else 0):
                _finish(ctx, variant, n // BATCHES + (batch < n % BATCHES))
                end = _pg_sizes(ctx, True)
            figures[variant, how] = _per_case(start, end, n)
            ctx.engine.dispose()
    return figures


def storage_figures(folder: Path, pg_schema_url: Callable[[str], str] | None, n: int) -> None:
    """Print bytes per finished case, per table and in all, for each variant, way of measuring and database
    (`pg_schema_url`: the URL of a fresh PostgreSQL schema of the given name; None: SQLite only)."""
    print(f"  {n} newborn cases per figure; bytes per finished case (a table with its indexes and TOAST); "
          f"target <= {TARGET_KB} KB")
    for name in ["SQLite"] + (["PostgreSQL"] if pg_schema_url else []):
        figures = _sqlite(folder, n) if pg_schema_url is None or name == "SQLite" else _postgres(pg_schema_url, n)
        tables = sorted({t for sizes in figures.values() for t in sizes},
                        key=lambda t: -max(sizes.get(t, 0) for sizes in figures.values()))
        columns = list(figures)
        print(f"  {name:<16}" + "".join(f"{variant + ' ' + how:>16}" for variant, how in columns))
        for table in tables:
            print(f"    {table:<14}" + "".join(f"{figures[c].get(table, 0):>16.0f}" for c in columns))
        print(f"    {'total KB':<14}" + "".join(f"{sum(figures[c].values()) / 1024:>16.1f}" for c in columns))
        print(f"    {'audit KB':<14}" + "".join(f"{_audit_bytes(figures[c]) / 1024:>16.1f}" for c in columns)
              + "   (of the total: summaries, finished steps, running totals)")


AUDIT_TABLES = ("case_summaries", "finished_steps", "step_series", "step_labels")  # and every measure_* total


def _audit_bytes(sizes: dict[str, float]) -> float:
    """Bytes of the figures kept for the auditor (derived from the log; `onething audit rebuild` remakes them)."""
    return sum(size for table, size in sizes.items() if table in AUDIT_TABLES or table.startswith("measure_"))
