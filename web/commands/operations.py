"""`onething backup`, `onething restore`: SQLite's online backup API; PostgreSQL's are pg_dump and pg_restore."""
from __future__ import annotations

import sys

import click

import engine
from web.commands.common import clean_errors, ctx

PG_EXIT = 2  # not a failure of the command: this database has its own tools (docs/operations.md)


def _sqlite_or_exit() -> engine.EngineContext:
    context = ctx()
    if context.dialect != "sqlite":
        click.echo(f"error: {engine.NotSQLite().message}", err=True)
        sys.exit(PG_EXIT)
    return context


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="overwrite FILE if it exists")
@clean_errors
def backup(file: str, force: bool) -> None:
    """Copy the SQLite database to FILE while the server keeps running (PostgreSQL: use pg_dump)."""
    copied = engine.backup_database(_sqlite_or_exit(), file, overwrite=force)
    click.echo(f"backed up {copied.cases} cases to {copied.path} ({copied.size} bytes, revision {copied.revision})")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="overwrite a database that already has tables")
@clean_errors
def restore(file: str, force: bool) -> None:
    """Replace the SQLite database with the backup FILE; stop the server first (PostgreSQL: use pg_restore)."""
    context = _sqlite_or_exit()
    copied = engine.restore_database(context, file, force=force)
    click.echo(f"restored {copied.cases} cases from {copied.path} (revision {copied.revision})")
    found = engine.health(context)
    if not found.ok:
        click.echo(f"note: {found.detail}")


def register(cli: click.Group) -> None:
    cli.add_command(backup)
    cli.add_command(restore)
