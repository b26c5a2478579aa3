"""The `onething` command: a Flask CLI group built on create_app."""
from __future__ import annotations

import click
from flask.cli import FlaskGroup

from web.app import create_app
from web.commands import cases, check, diagrams, library, models


@click.group(cls=FlaskGroup, create_app=create_app, add_default_commands=False, add_version_option=False)
def cli() -> None:
    """OneThing: one-thing process reengineering on SpiffWorkflow."""


for module in (check, models, cases, library, diagrams):
    module.register(cli)


def main() -> None:
    cli(prog_name="onething")
