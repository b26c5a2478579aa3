"""`onething check FILE...`: validate models, one line per problem (and per warning)."""
from __future__ import annotations

import click

import engine
from web.commands.common import problems


@click.command("check")
@click.argument("paths", nargs=-1, required=True)
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too, e.g. vendor extensions OneThing ignores.")
def check_command(paths: tuple[str, ...], strict: bool) -> None:
    """Validate BPMN models (files or directories); exit 1 if any problem is found.

    A model that passes may still have warnings (`FILE:LINE: ID: warning: ...`), printed before the summary."""
    found = engine.check_paths(list(paths), warnings=True)
    if any(not p.is_warning for p in found) or (strict and found):
        raise problems(found)
    for warning in found:
        click.echo(str(warning))
    files, _ = engine.find_model_files(list(paths))
    click.echo(f"{len(files)} file(s) OK")


def register(cli: click.Group) -> None:
    """Add `check` to the `onething` group (no app context needed)."""
    cli.add_command(check_command)
