"""`onething region ...`: the province's tree of cities and counties that accounts, cases and versions belong to."""
from __future__ import annotations

import dataclasses

import click

import engine
from web.commands.common import clean_errors, ctx, to_json


def register(cli: click.Group) -> None:
    cli.add_command(region)


@click.group()
def region() -> None:
    """Regions: the province, its cities, their counties and districts."""


@region.command("add")
@click.argument("region_id", metavar="ID")
@click.option("--parent", required=True, help="the region one level up (a city's: the province)")
@click.option("--name-zh", required=True, help="Chinese name, e.g. 义乌市")
@click.option("--name-en", required=True, help="English name, e.g. Yiwu")
@clean_errors
def region_add(region_id: str, parent: str, name_zh: str, name_en: str) -> None:
    """Add a region under PARENT, one level below it."""
    ctx().init_db()
    added = engine.add_region(ctx(), region_id, parent, name_zh, name_en)
    click.echo(f"added {added.level} {added.id} ({added.names.zh} / {added.names.en}) under {added.parent_id}")


@region.command("rename")
@click.argument("region_id", metavar="ID")
@click.option("--name-zh", required=True)
@click.option("--name-en", required=True)
@clean_errors
def region_rename(region_id: str, name_zh: str, name_en: str) -> None:
    """Give a region (the root too) new names."""
    renamed = engine.rename_region(ctx(), region_id, name_zh, name_en)
    click.echo(f"{renamed.id}: {renamed.names.zh} / {renamed.names.en}")


@region.command("list")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@clean_errors
def region_list(as_json: bool) -> None:
    """Every region as a tree."""
    found = engine.list_regions(ctx())
    if as_json:
        click.echo(to_json([dataclasses.asdict(r) for r in found]))
        return
    for item in found:
        click.echo(f"{'  ' * item.depth}{item.id}  {item.level}  {item.names.zh} / {item.names.en}")
