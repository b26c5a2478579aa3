"""The `onething` command: a Flask CLI group built on create_app."""
from __future__ import annotations

import click
from flask.cli import FlaskGroup

from web.app import create_app
from web.commands import audit, cases, check, demo, diagrams, exports, importing, library, models, serve


@click.group(cls=FlaskGroup, create_app=create_app, add_default_commands=False, add_version_option=False)
def cli() -> None:
    """OneThing: one-thing process reengineering on SpiffWorkflow."""


for module in (check, models, cases, library, audit, importing, exports, diagrams, demo, serve):
    module.register(cli)


def main() -> None:
    """Console entry point: never a traceback for the person at the terminal."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    try:
        cli(prog_name="onething")
    except (OperationalError, ProgrammingError) as exc:
        reason = str(exc.orig).splitlines()[0] if getattr(exc, "orig", None) else type(exc).__name__
        click.echo(f"error: database problem: {reason} (run `onething init-db` first?)", err=True)
        raise SystemExit(2) from None
    except Exception as exc:  # a bug: say so in one line; ONETHING_DEBUG=1 shows the traceback
        import os

        if os.environ.get("ONETHING_DEBUG") == "1":
            raise
        click.echo(f"internal error: {type(exc).__name__}: {exc} (set ONETHING_DEBUG=1 for details)", err=True)
        raise SystemExit(2) from None
