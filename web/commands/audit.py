"""`onething audit ...` and `onething simulate`: the measured truth behind every auditor's figure, and its forecast."""
from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta, timezone

import click

import engine
from web.commands.common import clean_errors, ctx, fail

CHINA = timezone(timedelta(hours=8))  # office hours and the calendar are China's


@click.group("audit")
def audit() -> None:
    """Measured metrics: case summaries and their sources."""


@audit.command("rebuild")
@clean_errors
def rebuild() -> None:
    """Recompute every finished case's summary, and the measured running totals, from the step log
    (the engine writes both as cases end)."""
    written = engine.rebuild_summaries(ctx())
    click.echo(f"{written} case summaries rebuilt, and the running totals")


@click.command("simulate")
@click.argument("matter")
@click.option("--variant", type=click.Choice(engine.VARIANTS), default="after", show_default=True)
@click.option("--cases", "count", type=click.IntRange(min=1), default=100, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True, help="the same seed gives the same figures")
@click.option("--start", type=click.DateTime(formats=["%Y-%m-%d"]), help="first day (default: today)")
@click.option("--arrivals", type=click.FloatRange(min=0, min_open=True), metavar="PER_WORKDAY",
              help="cases arriving per working day (default: keeps the busiest department 80% busy)")
@click.option("--clerks", multiple=True, metavar="DEPT=N", help="clerks of a department (default 1 each)")
@click.option("--region", default=engine.ROOT_REGION, show_default=True, help="the region whose cases they are")
@clean_errors
def simulate(matter: str, variant: str, count: int, seed: int, start, arrivals: float | None,
             clerks: tuple[str, ...], region: str) -> None:
    """Run simulated cases through the engine in simulated time (source "simulated")."""
    staff = _clerks(clerks)
    began = time.perf_counter()
    with _progress(count) as progress:
        result = engine.simulate(ctx(), matter, variant, count, seed, start=start.date() if start else None,
                                 arrivals=arrivals, clerks=staff, progress=progress, region=region)
    seconds = time.perf_counter() - began
    click.echo(f"{result.cases} simulated cases of {matter}/{variant} (seed {seed}): {result.completed} completed, "
               f"{result.stuck} stuck, {result.steps} steps")
    if result.first_start and result.last_end:
        first, last = (moment.astimezone(CHINA) for moment in (result.first_start, result.last_end))
        click.echo(f"from {first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M} (UTC+8); "
                   f"{result.arrivals:g} arrivals per working day")
    if result.mean_elapsed_workdays is not None:
        click.echo(f"mean elapsed working days: {result.mean_elapsed_workdays:g}")
    for department, hours in sorted(result.mean_waiting_hours.items()):
        click.echo(f"  {department}: {result.clerks[department]} clerk(s), mean wait {hours:g} h")
    click.echo(f"{seconds:.1f} s: {result.cases / seconds:.1f} cases/s, {result.steps / seconds:.1f} steps/s")


def _clerks(given: tuple[str, ...]) -> dict[str, int]:
    staff: dict[str, int] = {}
    for item in given:
        department, _, number = item.partition("=")
        if not department or not number.isdigit():
            fail(f"--clerks takes DEPT=N (e.g. police=2), not {item!r}")
        staff[department] = int(number)
    return staff


@contextmanager
def _progress(total: int) -> Iterator[Callable[[int], None]]:
    """A progress bar on a terminal; elsewhere a plain line at every tenth of the cases."""
    if sys.stdout.isatty():
        with click.progressbar(length=total, label="simulating") as bar:
            yield bar.update
        return
    done, step = 0, max(1, total // 10)

    def line(ended: int) -> None:
        nonlocal done
        before, done = done, done + ended
        if done // step > before // step or done == total:
            click.echo(f"simulated {done}/{total} cases")

    yield line


def register(cli: click.Group) -> None:
    cli.add_command(audit)
    cli.add_command(simulate)
