"""`onething backup` / `restore` (a round trip through SQLite's online backup API, and its refusals) and `retention`."""
from __future__ import annotations

import os
import sqlite3
import subprocess

from alembic.script import ScriptDirectory
from sqlalchemy import text

from engine import Actor, EngineContext, apply, cancel_case, get_case, intake_form
from engine.matters.forms import example_data
from engine.store.db import MIGRATIONS
from tests.web.conftest import ONETHING, REPO

HEAD = ScriptDirectory(str(MIGRATIONS)).get_current_head()  # the newest migration: what a backup records

PHONE = "13800008000"
ADMIN = Actor("admin", "admin", None)


def _open(tmp_path) -> EngineContext:
    return EngineContext.from_url(f"sqlite:///{tmp_path / 'cli.db'}")


def _apply(ctx: EngineContext) -> str:
    return apply(ctx, "newborn", example_data(intake_form(ctx, "newborn")), PHONE)


def test_round_trip_brings_the_cases_back(run, tmp_path):
    run("init-db")
    run("deploy")
    ctx = _open(tmp_path)
    kept = [_apply(ctx), _apply(ctx)]
    with ctx.read() as session:  # a reader holds a snapshot: the online backup copies around it
        assert session.execute(text("SELECT count(*) FROM cases")).scalar() == 2
        answer = run("backup", str(tmp_path / "backup.db")).stdout
    assert "backed up 2 cases" in answer and f"revision {HEAD}" in answer
    cancel_case(ctx, kept[0], ADMIN, "changed after the backup")
    later = _apply(ctx)
    ctx.engine.dispose()

    refused = run("restore", str(tmp_path / "backup.db"), ok=False)
    assert "already has" in refused.stderr and "--force" in refused.stderr
    assert "restored 2 cases" in run("restore", str(tmp_path / "backup.db"), "--force").stdout

    ctx = _open(tmp_path)
    assert [get_case(ctx, number).status for number in kept] == ["running", "running"]
    assert ctx.engine.dialect.name == "sqlite"
    with ctx.read() as session:
        numbers = {row[0] for row in session.execute(text("SELECT number FROM cases"))}
    assert numbers == set(kept) and later not in numbers
    assert _apply(ctx)  # the restored database takes new cases
    ctx.engine.dispose()


def test_restore_into_an_empty_database_needs_no_force(run, tmp_path):
    run("init-db")
    run("deploy")
    run("backup", str(tmp_path / "backup.db"))
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    env = dict(os.environ, ONETHING_DATABASE_URL=f"sqlite:///{fresh / 'new.db'}")
    result = subprocess.run(ONETHING + ["restore", str(tmp_path / "backup.db")], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "restored 0 cases" in result.stdout
    with sqlite3.connect(fresh / "new.db") as connection:
        assert connection.execute("SELECT count(*) FROM model_versions").fetchone()[0] > 0


def test_backup_and_restore_refuse_what_they_must(run, tmp_path):
    run("init-db")
    target = tmp_path / "backup.db"
    run("backup", str(target))
    assert "exists" in run("backup", str(target), ok=False).stderr
    assert "backed up" in run("backup", str(target), "--force").stdout
    not_a_database = tmp_path / "notes.txt"
    not_a_database.write_text("hello\n" * 100)
    assert "not a OneThing database" in run("restore", str(not_a_database), "--force", ok=False).stderr
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE cases (id INTEGER)")
    assert "not a OneThing database" in run("restore", str(other), "--force", ok=False).stderr
    assert "no such file" in run("restore", str(tmp_path / "missing.db"), ok=False).stderr


def test_postgresql_is_sent_to_pg_dump_with_exit_code_2(tmp_path):
    env = dict(os.environ, ONETHING_DATABASE_URL="postgresql://nobody@127.0.0.1:1/nothing",
               ONETHING_INSTANCE_PATH=str(tmp_path))
    for command in ("backup", "restore"):
        result = subprocess.run(ONETHING + [command, str(tmp_path / "x.db")], cwd=REPO, env=env,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 2, (command, result.stdout, result.stderr)
        assert "pg_dump" in result.stderr and "pg_restore" in result.stderr and "Traceback" not in result.stderr


def test_retention_command_counts_and_is_idempotent(run, tmp_path):
    run("init-db")
    run("deploy")
    ctx = _open(tmp_path)
    number = _apply(ctx)
    cancel_case(ctx, number, ADMIN, "申请人 13912345678 撤回")
    ctx.engine.dispose()
    assert "0 cases finished" in run("retention", "--days", "30").stdout
    dry = run("retention", "--days", "0", "--dry-run").stdout
    assert "1 cases finished" in dry and "would anonymise 1" in dry
    assert "anonymised 1" in run("retention", "--days", "0").stdout
    assert "anonymised 0" in run("retention", "--days", "0").stdout
    with sqlite3.connect(tmp_path / "cli.db") as connection:
        assert connection.execute("SELECT error, applicant FROM cases").fetchall() == [(None, "{}")]
    assert "--days" in run("retention", "--days", "-1", ok=False).stderr
