"""`onething export FORMAT MATTER -o FILE`: the step log (csv, xes, xlsx) or the before/after report (html, pdf)."""
from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import click

import engine
from web.commands.common import clean_errors, ctx, fail

STEP_LOG = {"csv": "export_step_log_csv", "xes": "export_xes", "xlsx": "export_xlsx"}
REPORTS = {"html": "matter_report_html", "pdf": "matter_report_pdf"}


@contextlib.contextmanager
def _target(output: str) -> Iterator[IO[bytes]]:
    """Standard output for `-`; else a file that appears at `output` only once it is complete."""
    if output == "-":
        yield click.get_binary_stream("stdout")
        return
    path = Path(output)
    if not path.parent.is_dir():
        fail(f"{output}: no such directory {str(path.parent)!r}")
    handle, partial = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(partial, 0o666 & ~mask)  # permissions as for any new file, not mkstemp's private ones
    try:
        with os.fdopen(handle, "wb") as out:
            yield out
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)


@click.command("export")
@click.argument("fmt", metavar="csv|xes|xlsx|html|pdf", type=click.Choice([*STEP_LOG, *REPORTS]))
@click.argument("matter")
@click.option("--variant", help="only cases of this variant (before or after); step-log formats only")
@click.option("--source", default="real", show_default=True, help="cases of this source: real, simulated or imported")
@click.option("--lang", default="zh", show_default=True, help="language of the report and comparison sheet: zh or en")
@click.option("-o", "--output", required=True, help="the file to write, or - for standard output")
@clean_errors
def export(fmt: str, matter: str, variant: str | None, source: str, lang: str, output: str) -> None:
    """Export a matter's ended cases for auditors (csv, xes, xlsx) or its printable before/after report (html, pdf).

    Step data (form values) is never exported. Sources are never mixed: choose one with --source.
    """
    if fmt in REPORTS:
        if variant is not None:
            fail("a report compares both variants: leave out --variant")
        report: Callable[..., None] = getattr(engine, REPORTS[fmt])
        with _target(output) as out:
            report(ctx(), out, matter, source, lang=lang)
        click.echo(f"{matter}: {fmt} report of {source} cases written to {output}", err=True)
        return
    export_log: Callable[..., Any] = getattr(engine, STEP_LOG[fmt])
    extra = {"lang": lang} if fmt == "xlsx" else {}
    with _target(output) as out:
        written = export_log(ctx(), out, matter, variant, source, actor=engine.Actor.system(), **extra)
    what = "events" if fmt == "xes" else "steps"
    scope = f"{matter}{'/' + variant if variant else ''}"
    click.echo(f"{scope}: {written.cases} {source} cases, {written.rows} {what} written to {output}", err=True)
    if written.cases == 0:
        click.echo(f"note: {scope} has no ended {source} cases; --source chooses real, simulated or imported",
                   err=True)


def register(cli: click.Group) -> None:
    cli.add_command(export)
