"""`onething metrics` and `onething compare`: static metrics of the process library."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from flask import current_app

import engine
from web.commands.common import clean_errors, fail


def _matter_directory(name: str) -> Path | None:
    candidates = [Path(name)]
    if "/" not in name and name not in (".", ".."):
        candidates.insert(0, Path(current_app.config["PROCESSES_PATH"]) / name)
    return next((p for p in candidates if (p / "matter.yaml").is_file()), None)


def _show(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:+g}%"


def register(cli: click.Group) -> None:
    """Add `metrics` and `compare` to the `onething` group."""

    @cli.command("metrics")
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
    @clean_errors
    def metrics_command(file: Path, as_json: bool) -> None:
        """Static metrics of one model variant (matter.yaml next to FILE is used when present)."""
        if not file.is_file():
            fail(f"{file}: no such file")
        result = engine.file_metrics(file)
        if as_json:
            click.echo(json.dumps(result, ensure_ascii=False, indent=2))
            return
        for key in engine.METRIC_KEYS:
            click.echo(f"{key:<16} {_show(result[key]):>8}")

    @cli.command("compare")
    @click.argument("matter")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
    @clean_errors
    def compare_command(matter: str, as_json: bool) -> None:
        """Before vs after static metrics of MATTER (a matter id under PROCESSES_PATH, or a directory)."""
        directory = _matter_directory(matter)
        if directory is None:
            fail(f"unknown matter '{matter}' (no matter.yaml under {current_app.config['PROCESSES_PATH']})")
        result = engine.library_comparison(directory)
        if as_json:
            click.echo(json.dumps(result, ensure_ascii=False, indent=2))
            return
        click.echo(f"{'metric':<16} {'before':>8} {'after':>8} {'change':>8} {'change %':>9}")
        for key, row in result["static"].items():
            click.echo(f"{key:<16} {_show(row['before']):>8} {_show(row['after']):>8} "
                       f"{_show(row['change']):>8} {_pct(row['change_pct']):>9}")
