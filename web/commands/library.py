"""`onething metrics` and `onething compare`: static metrics of the process library, measured ones of the database."""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import click

import engine
from web.commands.common import clean_errors, ctx, fail, setting


def _matter_directory(name: str) -> Path | None:
    candidates = [Path(name)]
    if "/" not in name and name not in (".", ".."):
        candidates.insert(0, Path(setting("PROCESSES_PATH")) / name)
    return next((p for p in candidates if (p / "matter.yaml").is_file()), None)


def _show(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:+g}%"


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{round(value * 100, 1):g}%"


def _measured_lines(measured: dict[str, dict[str, Any]], source: str) -> list[str]:
    """The measured section of `compare`: per variant, cases, median and p90 working days, on-time rate."""
    before, after = measured["before"], measured["after"]
    rows = [("cases", before["cases"], after["cases"]),
            ("working days median", before["working_days"]["median"], after["working_days"]["median"]),
            ("working days p90", before["working_days"]["p90"], after["working_days"]["p90"])]
    lines = [f"{'measured (' + source + ')':<22} {'before':>8} {'after':>8}"]
    lines += [f"{name:<22} {_show(b):>8} {_show(a):>8}" for name, b, a in rows]
    lines.append(f"{'on-time rate':<22} {_rate(before['on_time_rate']):>8} {_rate(after['on_time_rate']):>8}")
    return lines


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
    @click.option("--source", type=click.Choice(engine.SOURCES), default="real", show_default=True,
                  help="Measure cases of this source.")
    @click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Cases finished on or after this day.")
    @click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Cases finished on or before this day.")
    @click.option("--by-region", is_flag=True, help="Once per region: the versions it runs, the cases handled there.")
    @clean_errors
    def compare_command(matter: str, as_json: bool, source: str, since: datetime | None,
                        until: datetime | None, by_region: bool) -> None:
        """Before vs after of MATTER (a matter id under PROCESSES_PATH, or a directory): static metrics of its
        models, measured ones of its finished cases in the database. With --by-region, MATTER is a deployed
        matter's id and every region gets the static figures of the versions it runs and the measured ones of
        the cases handled in it."""
        if by_region:
            _by_region(matter, as_json, source, since, until)
            return
        directory = _matter_directory(matter)
        if directory is None:
            fail(f"unknown matter '{matter}' (no matter.yaml under {setting('PROCESSES_PATH')})")
        result = engine.library_comparison(directory)
        result["measured"] = engine.measured_metrics(ctx(), result["matter"], source=source,
                                                     since=since.date() if since else None,
                                                     until=until.date() if until else None)
        if as_json:
            click.echo(json.dumps(result, ensure_ascii=False, indent=2))
            return
        click.echo(f"{'metric':<16} {'before':>8} {'after':>8} {'change':>8} {'change %':>9}")
        for key, row in result["static"].items():
            click.echo(f"{key:<16} {_show(row['before']):>8} {_show(row['after']):>8} "
                       f"{_show(row['change']):>8} {_pct(row['change_pct']):>9}")
        click.echo()
        for line in _measured_lines(result["measured"], source):
            click.echo(line)


def _by_region(matter: str, as_json: bool, source: str, since: datetime | None, until: datetime | None) -> None:
    result = engine.compare_by_region(ctx(), matter, source=source, since=since.date() if since else None,
                                      until=until.date() if until else None)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    click.echo(f"{'region':<20} {'steps':>9} {'trips':>9} {'cases':>9} {'days median':>13}")
    for region_id, figures in result["regions"].items():
        static, measured = figures["static"], figures["measured"]
        pair = [f"{_show(static.get(key, {}).get('before'))}/{_show(static.get(key, {}).get('after'))}"
                for key in ("steps", "trips")]
        cases = f"{measured['before']['cases']}/{measured['after']['cases']}"
        days = "/".join(_show(measured[v]["working_days"]["median"]) for v in ("before", "after"))
        click.echo(f"{region_id:<20} {pair[0]:>9} {pair[1]:>9} {cases:>9} {days:>13}")
    click.echo(f"(before/after; measured: {source} cases handled in the region itself)")
