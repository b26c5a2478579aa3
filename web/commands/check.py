"""`onething check FILE...`: validate models, one line per problem."""
from __future__ import annotations

import click

import engine
from web.commands.common import problems


@click.command("check")
@click.argument("paths", nargs=-1, required=True)
def check_command(paths: tuple[str, ...]) -> None:
    """Validate BPMN models (files or directories); exit 1 if any problem is found."""
    found = engine.check_paths(list(paths))
    if found:
        raise problems(found)
    files, _ = engine.find_model_files(list(paths))
    click.echo(f"{len(files)} file(s) OK")


def register(cli: click.Group) -> None:
    """Add `check` to the `onething` group (no app context needed)."""
    cli.add_command(check_command)
