"""Alembic migrations build exactly the schema the models declare (no drift) and undo cleanly (SQLite, PostgreSQL)."""
from __future__ import annotations

import json
import zlib
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

import engine.store.tables  # noqa: F401  (registers the tables)
import engine.store.tables_audit  # noqa: F401
import engine.store.tables_citizen  # noqa: F401
import engine.store.tables_design  # noqa: F401
import engine.store.tables_measures  # noqa: F401
import engine.store.tables_regions  # noqa: F401
from engine.accounts.users import add_user, get_actor
from engine.audit.measured import measured_metrics
from engine.cases.driving import drive_case
from engine.cases.insight import case_overlay
from engine.cases.lifecycle import claim_step, get_case, release_step, start_case, step_log
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


def _finished_and_running(db_url: str, clock) -> tuple[EngineContext, str, str]:
    """A database with newborn deployed, a finished `before` case and a running `after` one (their numbers)."""
    ctx = EngineContext.from_url(db_url, clock=clock)
    ctx.init_db()
    deploy_path(ctx, PROCESSES / "newborn")
    finished = start_case(ctx, "newborn", "before").number
    drive_case(ctx, finished)
    return ctx, finished, start_case(ctx, "newborn", "after").number


def test_compact_case_rows_converts_the_cases_made_before_it(db_url, clock):
    """0016 compresses the state, trail and flows of cases made before it (running and finished) and loses
    nothing: downgraded, the rows hold their JSON text again; upgraded, every case reads, draws and goes on as
    before, its values compressed."""
    ctx, finished, running = _finished_and_running(db_url, clock)
    step = drive_case(ctx, running, rounds=1).view.ready_steps[0]  # the applicant's step done: a clerk's is next
    clerk = add_user(ctx, "clerk.next", "a-password", "clerk", step.department)
    claim_step(ctx, running, step.task_id, clerk)  # log rows without data
    release_step(ctx, running, step.task_id, clerk)
    views = {number: get_case(ctx, number) for number in (finished, running)}
    logs = {number: step_log(ctx, number) for number in (finished, running)}
    overlays = {number: case_overlay(ctx, number) for number in (finished, running)}
    _alembic(ctx, "downgrade", "0015", by_url=True)
    with ctx.engine.connect() as connection:
        rows = connection.execute(text("SELECT state, trail, flows FROM cases ORDER BY id")).all()
        states = [[json.loads(value) if isinstance(value, str) else value for value in row] for row in rows]
        assert [state["format"] for state, _, _ in states] == [1, 1]
        assert "apply_birth_certificate" in states[0][1] and len(states[0][2]) > 5
        assert "ix_step_log_step_event" in {i["name"] for i in inspect(connection).get_indexes("step_log")}
    with ctx.engine.begin() as connection:  # as cases of before 0016 logged a step with no data
        nulls = connection.execute(text("UPDATE step_log SET data = 'null' WHERE data IS NULL")).rowcount
    assert nulls > 0
    _alembic(ctx, "upgrade", "head", by_url=True)
    try:
        with ctx.engine.connect() as connection:
            stored = connection.execute(text("SELECT state, trail, flows FROM cases ORDER BY id")).all()
            assert [[json.loads(zlib.decompress(bytes(raw))) for raw in row] for row in stored] == states
            assert connection.scalar(text("SELECT COUNT(*) FROM step_log WHERE data IS NULL")) == nulls
        assert {number: get_case(ctx, number) for number in views} == views
        assert {number: step_log(ctx, number) for number in logs} == logs
        assert {number: case_overlay(ctx, number) for number in overlays} == overlays
        assert drive_case(ctx, running).view.status == "completed"  # the converted running case goes on
    finally:
        ctx.engine.dispose()


def test_regions_put_everything_made_before_them_in_the_root_region(db_url, clock):
    """0015 makes the root region and puts every account, case, summary and version made before it there: a
    single-region installation reads and runs exactly as before, and the downgrade gives the rows back whole."""
    ctx, finished, running = _finished_and_running(db_url, clock)
    add_user(ctx, "clerk.police", "a-password", "clerk", "police")
    _alembic(ctx, "downgrade", "0014", by_url=True)
    tables = ("cases", "users", "model_versions", "case_summaries", "design_log")
    with ctx.engine.connect() as connection:
        assert "regions" not in inspect(connection).get_table_names()
        counts = {t: connection.scalar(text(f"SELECT COUNT(*) FROM {t}")) for t in tables}
    assert min(counts.values()) > 0
    _alembic(ctx, "upgrade", "head", by_url=True)
    try:
        with ctx.engine.connect() as connection:
            assert connection.execute(text("SELECT id, parent_id, level FROM regions")).all() == [
                ("province", None, "province")]
            for table in tables:
                regions = connection.execute(text(f"SELECT region, COUNT(*) FROM {table} GROUP BY region")).all()
                assert regions == [("province", counts[table])], table
        clerk = get_actor(ctx, "clerk.police")
        assert clerk.region == "province"
        assert get_case(ctx, running).status == "running"
        assert drive_case(ctx, running).view.status == "completed"
        assert get_case(ctx, finished).status == "completed"
    finally:
        ctx.engine.dispose()


def test_numbered_finished_steps_are_remade_from_the_log(db_url, clock):
    """0018 replaces finished_steps' strings by numbers and fills it again from the step log: every figure, the
    department filter's too, reads as before the downgrade, and each step and label is numbered once."""
    ctx, finished, _ = _finished_and_running(db_url, clock)
    drive_case(ctx, start_case(ctx, "newborn", "before").number)  # a second case of the same steps
    figures = measured_metrics(ctx, "newborn")
    by_department = measured_metrics(ctx, "newborn", department="police")
    assert figures["before"]["cases"] == 2 and by_department["before"]["cases"] == 2
    _alembic(ctx, "downgrade", "0017", by_url=True)
    with ctx.engine.connect() as connection:
        assert "step_id" in {c["name"] for c in inspect(connection).get_columns("finished_steps")}
        assert "step_series" not in inspect(connection).get_table_names()
    _alembic(ctx, "upgrade", "head", by_url=True)
    try:
        assert measured_metrics(ctx, "newborn") == figures
        assert measured_metrics(ctx, "newborn", department="police") == by_department
        with ctx.engine.connect() as connection:
            steps = connection.scalar(text("SELECT COUNT(*) FROM finished_steps"))
            series = connection.scalar(text("SELECT COUNT(*) FROM step_series"))
            logged = connection.scalar(text("SELECT COUNT(DISTINCT step_id) FROM step_log WHERE event = 'completed'"))
        assert steps == sum(s["count"] for s in figures["before"]["steps"]) and series == logged
    finally:
        ctx.engine.dispose()
