"""`onething audit ...`: the measured truth behind every auditor's figure."""
from __future__ import annotations

import click

import engine
from web.app import ctx
from web.commands.common import clean_errors


@click.group("audit")
def audit() -> None:
    """Measured metrics: case summaries and their sources."""


@audit.command("rebuild")
@clean_errors
def rebuild() -> None:
    """Recompute every finished case's summary from the step log (the engine writes them as cases end)."""
    written = engine.rebuild_summaries(ctx())
    click.echo(f"{written} case summaries rebuilt")


def register(cli: click.Group) -> None:
    cli.add_command(audit)
