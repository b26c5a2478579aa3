"""`onething matter publish|adopt|library|diff`: the province's library of reforms (issue #13 item 2)."""
from __future__ import annotations

import dataclasses
from typing import Any

import click

import engine
from web.commands.common import clean_errors, ctx, to_json


def register(cli: click.Group) -> None:
    cli.add_command(matter)


@click.group()
def matter() -> None:
    """Matters across regions: publish a reform, adopt another region's, the library, the diff."""


@matter.command("publish")
@click.argument("matter_id", metavar="MATTER")
@click.option("--region", required=True, help="the publishing region (its own after version is published)")
@click.option("--note", help="what the reform changes, for the regions that may adopt it")
@clean_errors
def publish(matter_id: str, region: str, note: str | None) -> None:
    """Publish REGION's current after version of MATTER to the province's library."""
    done = engine.publish_reform(ctx(), matter_id, region, note=note)
    if done.status == "unchanged":
        click.echo(f"unchanged: {done.region}'s version {done.version} of {matter_id} is its reform {done.number} "
                   "already")
    else:
        click.echo(f"published {matter_id} reform {done.number} of {done.region} (its after version {done.version})")


@matter.command("adopt")
@click.argument("matter_id", metavar="MATTER")
@click.option("--from", "from_region", required=True, help="the region that published the reform")
@click.option("--region", required=True, help="the adopting region")
@clean_errors
def adopt(matter_id: str, from_region: str, region: str) -> None:
    """Make the newest reform FROM published REGION's own after version of MATTER."""
    done = engine.adopt_reform(ctx(), matter_id, from_region, region)
    click.echo(f"{done.region} adopted {matter_id} reform {done.number} of {done.from_region} as its after version "
               f"{done.version} ({done.status})")
    if done.replaced_local_changes:
        click.echo(f"note: {done.region}'s local changes were replaced, not merged: make them again if still wanted")


@matter.command("library")
@click.option("--matter", "matter_id", help="only this matter's reforms")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@clean_errors
def library(matter_id: str | None, as_json: bool) -> None:
    """The published reforms, newest first per matter, with the regions that adopted each."""
    found = engine.library_entries(ctx(), matter_id)
    if as_json:
        click.echo(to_json([dataclasses.asdict(e) for e in found]))
        return
    if not found:
        click.echo("nothing is published yet")
    for entry in found:
        p = entry.publication
        adopters = ", ".join(f"{a.region} ({a.state})" for a in entry.adopters) or "-"
        click.echo(f"{p.matter_id}  reform {p.number} of {p.region}{'' if entry.newest else ' (superseded)'}  "
                   f"version {p.version}  {p.published_at:%Y-%m-%d %H:%M}  by {p.published_by or '-'}  "
                   f"adopted by: {adopters}")
        if p.note:
            click.echo(f"    {p.note}")


@matter.command("diff")
@click.argument("matter_id", metavar="MATTER")
@click.option("--region", required=True, help="the adopting region")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@clean_errors
def diff(matter_id: str, region: str, as_json: bool) -> None:
    """REGION's after version of MATTER against the published reform it adopted."""
    found = engine.reform_diff(ctx(), matter_id, region)
    if as_json:
        click.echo(to_json(dataclasses.asdict(found)))
        return
    click.echo(f"{matter_id}: {region}'s version {found.local_version} against reform {found.number} of "
               f"{found.from_region} (its version {found.shared_version})")
    for title, items in (("steps", found.steps), ("departments", found.departments),
                         ("time limits", found.time_limits)):
        click.echo(f"{title}: {'none changed' if not items else ''}")
        for item in items:
            click.echo(f"  {item.kind} {item.key}: {_shown(item.shared)} -> {_shown(item.local)}")
    click.echo("metrics (shared -> local):")
    for key, values in found.metrics["comparison"].items():
        click.echo(f"  {key}: {_shown(values['before'])} -> {_shown(values['after'])}")


def _shown(value: Any) -> str:
    return "-" if value is None else str(value)
