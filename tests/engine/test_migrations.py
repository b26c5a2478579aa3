"""Alembic migrations build exactly the schema the models declare (no drift) and undo cleanly (SQLite, PostgreSQL)."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect

import engine.store.tables  # noqa: F401  (registers the tables)
import engine.store.tables_audit  # noqa: F401
import engine.store.tables_citizen  # noqa: F401
import engine.store.tables_design  # noqa: F401
import engine.store.tables_measures  # noqa: F401
import engine.store.tables_regions  # noqa: F401
from engine.audit.measured import measured_metrics
from engine.cases.driving import drive_case
from engine.cases.lifecycle import start_case
from engine.catalog.versions import deploy_path
from engine.context import EngineContext
from engine.store.db import MIGRATIONS, Base

PROCESSES = Path(__file__).resolve().parents[2] / "processes"


def test_migrations_match_the_models(db_url):
    ctx = EngineContext.from_url(db_url)
    ctx.init_db()
    ctx.init_db()  # upgrading an up-to-date database is a no-op
    with ctx.engine.connect() as connection:
        migration = MigrationContext.configure(connection, opts={"compare_type": False})
        diff = compare_metadata(migration, Base.metadata)
    ctx.engine.dispose()
    assert diff == [], diff


def _alembic(ctx: EngineContext, verb: str, revision: str, by_url: bool = False) -> None:
    """`alembic upgrade|downgrade REVISION` on the context's database: on its connection, or by URL as an operator."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if by_url:
        url = ctx.engine.url.render_as_string(hide_password=False)
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # configparser interpolation
        getattr(command, verb)(config, revision)
        return
    with ctx.engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, verb)(config, revision)


def test_every_migration_can_be_undone_and_done_again(db_url):
    ctx = EngineContext.from_url(db_url)
    ctx.init_db()
    _alembic(ctx, "downgrade", "base", by_url=True)
    left = set(inspect(ctx.engine).get_table_names()) - {"alembic_version"}
    assert left == set(), left
    _alembic(ctx, "upgrade", "0004")
    columns = {c["name"] for c in inspect(ctx.engine).get_columns("case_contacts")}
    assert "client" not in columns and "applied_at" not in columns  # 0005 adds them
    _alembic(ctx, "upgrade", "head", by_url=True)
    with ctx.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": False}), Base.metadata)
    ctx.engine.dispose()
    assert diff == [], diff


def test_upgrading_counts_the_cases_that_finished_before_the_running_totals(db_url, clock):
    ctx = EngineContext.from_url(db_url, clock=clock)
    ctx.init_db()
    deploy_path(ctx, PROCESSES / "newborn")
    for variant in ("before", "after", "after"):
        number = start_case(ctx, "newborn", variant).number
        assert drive_case(ctx, number).view.status == "completed"
    figures = measured_metrics(ctx, "newborn")
    assert figures["after"]["cases"] == 2
    _alembic(ctx, "downgrade", "0007", by_url=True)  # a database of before the totals, with finished cases
    assert "measure_buckets" not in inspect(ctx.engine).get_table_names()
    _alembic(ctx, "upgrade", "head", by_url=True)
    try:
        assert measured_metrics(ctx, "newborn") == figures
    finally:
        ctx.engine.dispose()
