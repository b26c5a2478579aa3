"""`onething metrics` and `onething compare`: static metrics of the process library."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from flask import current_app

from engine.errors import ModelError, OneThingError
from engine.matters.files import Matter, load_matter
from engine.model.metrics import METRIC_KEYS, compare, static_metrics
from engine.model.xmlsafe import MAX_BYTES
from engine.vocabulary import VARIANTS


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


def _matter_near(path: Path) -> Matter | None:
    return load_matter(path.parent) if (path.parent / "matter.yaml").is_file() else None


def _metrics_of(path: Path, matter: Matter | None) -> dict[str, Any]:
    from engine.model.loading import load_model

    with path.open("rb") as handle:
        data = handle.read(MAX_BYTES + 1)
    model = load_model(data, str(path), matter=matter)
    variant = path.stem if path.stem in VARIANTS else None
    return static_metrics(model, matter, variant)


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


def _run(action: Any) -> Any:
    """Run a command body; problems become plain lines and exit status 1, never a traceback."""
    try:
        return action()
    except ModelError as exc:
        _fail("\n".join(str(p) for p in exc.problems))
    except OneThingError as exc:
        _fail(f"error: {exc.message}")
    except OSError as exc:
        _fail(f"error: {exc.filename}: {exc.strerror}")


def register(cli: click.Group) -> None:
    """Add `metrics` and `compare` to the `onething` group."""

    @cli.command("metrics")
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
    def metrics_command(file: Path, as_json: bool) -> None:
        """Static metrics of one model variant (matter.yaml next to FILE is used when present)."""
        if not file.is_file():
            _fail(f"error: {file}: no such file")
        result = _run(lambda: _metrics_of(file, _matter_near(file)))
        if as_json:
            click.echo(json.dumps(result, ensure_ascii=False, indent=2))
            return
        for key in METRIC_KEYS:
            click.echo(f"{key:<16} {_show(result[key]):>8}")

    @cli.command("compare")
    @click.argument("matter")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
    def compare_command(matter: str, as_json: bool) -> None:
        """Before vs after static metrics of MATTER (a matter id under PROCESSES_PATH, or a directory)."""
        directory = _matter_directory(matter)
        if directory is None:
            _fail(f"error: unknown matter '{matter}' (no matter.yaml under {current_app.config['PROCESSES_PATH']})")

        def both() -> dict[str, Any]:
            loaded = load_matter(directory)
            figures = {v: _metrics_of(directory / f"{v}.bpmn", loaded) for v in VARIANTS}
            return {"matter": loaded.id, "static": compare(figures["before"], figures["after"])}

        result = _run(both)
        if as_json:
            click.echo(json.dumps(result, ensure_ascii=False, indent=2))
            return
        click.echo(f"{'metric':<16} {'before':>8} {'after':>8} {'change':>8} {'change %':>9}")
        for key, row in result["static"].items():
            click.echo(f"{key:<16} {_show(row['before']):>8} {_show(row['after']):>8} "
                       f"{_show(row['change']):>8} {_pct(row['change_pct']):>9}")
