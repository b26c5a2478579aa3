"""`onething import-log`: legacy records (CSV or XES event logs) in as finished cases of source `imported`."""
from __future__ import annotations

from pathlib import Path

import click

import engine
from web.commands.common import CommandError, clean_errors, ctx


@click.command("import-log")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--matter", required=True, help="matter id, e.g. newborn")
@click.option("--variant", required=True, type=click.Choice(engine.VARIANTS))
@click.option("--region", default=engine.ROOT_REGION, show_default=True, help="the region whose cases they were")
@clean_errors
def import_log(file: Path, matter: str, variant: str, region: str) -> None:
    """Import FILE (.csv or .xes, docs/metrics.md) into the variant's current version; all rows or none."""
    try:
        result = engine.import_log(ctx(), file, str(file), matter, variant, region)
    except engine.ImportRefused as exc:
        raise CommandError(exc.problems) from None
    click.echo(f"imported {result.cases} cases ({result.events} events) into {matter}/{variant} "
               f"v{result.model_version} as source imported")


def register(cli: click.Group) -> None:
    cli.add_command(import_log)
