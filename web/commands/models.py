"""Commands for designers: deploy models, dry-run one file."""
from __future__ import annotations

from pathlib import Path

import click

import engine
from web.commands.common import clean_errors, ctx, json_object, setting


def register(cli: click.Group) -> None:
    cli.add_command(deploy)
    cli.add_command(run)


@click.command("deploy")
@click.argument("path", required=False)
@click.option("--region", default=engine.ROOT_REGION, show_default=True,
              help="the region whose version lines the matters go to")
@clean_errors
def deploy(path: str | None, region: str) -> None:
    """Check and deploy models (default: the processes/ folder); identical content is a no-op."""
    target = Path(path) if path else Path(setting("PROCESSES_PATH"))
    ctx().init_db()
    for item in engine.deploy_path(ctx(), target, region=region):
        status = f"restored: the content of version {item.restored}" if item.restored else item.status
        where = "" if region == engine.ROOT_REGION else f" in region {region}"
        click.echo(f"{item.matter_id}/{item.variant}{where}: version {item.version} ({status}) from {item.filename}")


@click.command("run")
@click.argument("file", type=click.Path(dir_okay=False))
@click.argument("called", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--data", help="data for every step as a JSON object")
@click.option("--auto", is_flag=True,
              help="complete every step (with --data or the forms' examples), deliver messages, fire timers")
@clean_errors
def run(file: str, called: tuple[str, ...], data: str | None, auto: bool) -> None:
    """Dry-run one BPMN file in a throwaway in-memory database.

    CALLED: other BPMN files whose processes its call activities name (deployed with it as shared sub-processes)."""
    for name in (file, *called):
        if not Path(name).is_file():
            raise click.BadParameter(f"no such file: {name}", param_hint="FILE")
    result = engine.dry_run(file, json_object(data, "--data"), auto, on_event=click.echo, calls=called)
    detail = f": {result.error}" if result.error else ""
    click.echo(f"end: case {result.number} {result.status}{detail}")
    for item in result.waiting:
        click.echo(f"  waits for {item}")
    if result.status == "error":
        raise SystemExit(1)
