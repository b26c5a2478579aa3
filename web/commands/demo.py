"""`onething demo-data`: load demo models, users and cases into the configured database."""
from __future__ import annotations

from pathlib import Path

import click

import engine
from web.commands.common import clean_errors, ctx, setting


def register(cli: click.Group) -> None:
    cli.add_command(demo_data)


@click.command("demo-data")
@click.option("--cases", "wanted", type=click.IntRange(min=0), default=36, show_default=True,
              help="add cases until the database holds this many")
@click.option("--seed", type=int, default=2026, show_default=True)
@clean_errors
def demo_data(wanted: int, seed: int) -> None:
    """Deploy processes/, add demo users and cases at every stage (safe to run again)."""
    ctx().init_db()
    result = engine.load_demo(ctx(), Path(setting("PROCESSES_PATH")), wanted, seed)
    new = sum(1 for d in result.deployed if d.status == "new")
    click.echo(f"models: {len(result.deployed)} deployed ({new} new)")
    click.echo(f"users: {len(result.users_created)} created, {len(result.logins)} demo logins")
    by_status: dict[str, int] = {}
    for _, _, _, status in result.cases_created:
        by_status[status] = by_status.get(status, 0) + 1
    detail = ", ".join(f"{n} {s}" for s, n in sorted(by_status.items())) or "none"
    click.echo(f"cases: {len(result.cases_created)} created ({detail})")
    if result.evidence.matters:
        click.echo(f"audit evidence ({', '.join(result.evidence.matters)}): {result.evidence.simulated} simulated "
                   f"cases of both variants, {result.evidence.imported} imported paper-era 'before' records")
    province = result.regions
    if province.regions:
        click.echo(f"demo province: {len(province.regions)} cities and counties; Yiwu published newborn's reform, "
                   f"Dongyang and Shangyu adopted it (Shangyu with a local change), Keqiao still runs before; "
                   f"{province.simulated} simulated and {province.real} real cases there")
    click.echo(f"\nDemo logins (password for all: {engine.DEMO_PASSWORD}):")
    for username, role, department in result.logins:
        click.echo(f"  {username:32} {role:9} {department or ''}")
    for username, role, department, region in province.logins:
        click.echo(f"  {username:32} {role:9} {department or '':18} {region}")
    if result.cases_created:
        click.echo(f"\nLook up any demo case with the check {engine.DEMO_CHECK}, e.g.:")
        for number, matter, variant, status in result.cases_created[:5]:
            click.echo(f"  {number}  {matter}/{variant}  {status}")
