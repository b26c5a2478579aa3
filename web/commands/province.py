"""`onething province`: every matter across the regions, how many adopted the reform and what it saved."""
from __future__ import annotations

import dataclasses

import click

import engine
from web.commands.common import clean_errors, ctx, to_json


def register(cli: click.Group) -> None:
    cli.add_command(province)


@click.command("province")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--source", type=click.Choice(engine.SOURCES), default="real", show_default=True,
              help="Count and measure cases of this source.")
@click.option("--region", default=engine.ROOT_REGION, show_default=True,
              help="Only this region and the regions below it.")
@clean_errors
def province(as_json: bool, source: str, region: str) -> None:
    """Per matter, the most demanded first: leaf regions that adopted the reform, cases a year, and the trips and
    working days the reform saved over the last 365 days (docs/metrics.md, "Regions")."""
    view = engine.province_view(ctx(), scope=region, source=source)
    if as_json:
        click.echo(to_json(dataclasses.asdict(view)))
        return
    click.echo(f"{'matter':<24} {'adopted':>9} {'cases/yr':>9} {'on after':>9} {'trips saved':>12} "
               f"{'days saved':>11}")
    for row in view.matters:
        click.echo(f"{row.matter_id:<24} {f'{row.adopted}/{row.leaves}':>9} {row.cases_per_year:>9} "
                   f"{row.after_cases_per_year:>9} {row.trips_saved_per_year:>12g} {row.days_saved_per_year:>11g}")
