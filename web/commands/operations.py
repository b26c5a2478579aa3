"""`onething backup`, `onething restore` (SQLite's online backup API; PostgreSQL's are pg_dump and pg_restore) and
`onething retention` (personal data of long-finished cases goes, their measured metrics stay)."""
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


@click.command("retention")
@click.option("--days", type=click.IntRange(min=0), required=True,
              help="anonymise cases finished (completed or cancelled) more than DAYS days ago")
@click.option("--dry-run", is_flag=True, help="count the cases, change nothing")
@clean_errors
def retention(days: int, dry_run: bool) -> None:
    """Remove the personal data of cases finished more than DAYS days ago; their measured metrics stay."""
    done = engine.anonymise_finished(ctx(), days, dry_run=dry_run)
    verb = "would anonymise" if dry_run else "anonymised"
    click.echo(f"{done.cases} cases finished before {done.before:%Y-%m-%d %H:%M} UTC; {verb} {done.anonymised} "
               f"(the others hold no personal data any more)")


def register(cli: click.Group) -> None:
    cli.add_command(backup)
    cli.add_command(restore)
    cli.add_command(retention)
