"""The `onething` command: a plain click group; a command builds the Flask app only when it needs it.

Loading this module (and so `onething --help`) imports click, the command modules and the engine's
facade, nothing more: commands import Flask, the web app and the engine's use cases when they run
(web/commands/common.py), so `onething check` loads the model checker and nothing of the web.
tests/web/test_cli_imports.py holds this.
"""
from __future__ import annotations

import sys

import click

from web.commands import (
    audit,
    cases,
    check,
    demo,
    diagrams,
    exports,
    importing,
    library,
    models,
    operations,
    province,
    reforms,
    regions,
    serve,
)


# auto_envvar_prefix: options read FLASK_<COMMAND>_<OPTION> variables, as under Flask's group before
@click.group(context_settings={"auto_envvar_prefix": "FLASK"})
def cli() -> None:
    """OneThing: one-thing process reengineering on SpiffWorkflow."""


for module in (check, models, cases, library, audit, importing, exports, diagrams, demo, serve, operations,
               regions, reforms, province):
    module.register(cli)


def main() -> None:
    """Console entry point: never a traceback for the person at the terminal."""
    try:
        cli(prog_name="onething")
    except Exception as exc:
        reason = _database_problem(exc)
        if reason is not None:
            click.echo(f"error: database problem: {reason} (run `onething init-db` first?)", err=True)
            raise SystemExit(2) from None
        # a bug: say so in one line; ONETHING_DEBUG=1 shows the traceback
        import os

        if os.environ.get("ONETHING_DEBUG") == "1":
            raise
        click.echo(f"internal error: {type(exc).__name__}: {exc} (set ONETHING_DEBUG=1 for details)", err=True)
        raise SystemExit(2) from None


def _database_problem(exc: Exception) -> str | None:
    """The first line of the database's own message when `exc` is SQLAlchemy's OperationalError or
    ProgrammingError; else None. SQLAlchemy is not imported here: a command that raised one had loaded it."""
    errors = sys.modules.get("sqlalchemy.exc")
    if errors is None or not isinstance(exc, (errors.OperationalError, errors.ProgrammingError)):
        return None
    return str(exc.orig).splitlines()[0] if getattr(exc, "orig", None) else type(exc).__name__
