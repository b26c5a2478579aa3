"""Commands for operators and clerks: init-db, user add, case ..., worker."""
from __future__ import annotations

import dataclasses
import time
from typing import TYPE_CHECKING

import click

import engine
from web.commands.common import clean_errors, ctx, json_object, to_json

if TYPE_CHECKING:
    from engine import CaseView


def register(cli: click.Group) -> None:
    cli.add_command(init_db)
    cli.add_command(user)
    cli.add_command(case)
    cli.add_command(worker)


@click.command("init-db")
@clean_errors
def init_db() -> None:
    """Create or upgrade the database schema."""
    ctx().init_db()
    click.echo("database ready")


@click.group()
def user() -> None:
    """Accounts: designers and clerks of departments, auditors, admins."""


@user.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(engine.ROLES), required=True)
@click.option("--department", help="department id (lane id) for designers and clerks")
@click.option("--name", "display_name", help="display name")
@click.option("--region", default=engine.ROOT_REGION, show_default=True, help="the region the account works in")
@click.password_option(prompt="Password")
@clean_errors
def user_add(username: str, role: str, department: str | None, display_name: str | None, region: str,
             password: str) -> None:
    """Create an account."""
    actor = engine.add_user(ctx(), username, password, role, department, display_name, region)
    click.echo(f"added {actor.name} ({actor.role}{', ' + actor.department if actor.department else ''})")


@click.group()
def case() -> None:
    """Start, inspect and advance cases."""


@case.command("start")
@click.argument("matter")
@click.option("--variant", type=click.Choice(["before", "after"]), default="after", show_default=True)
@click.option("--data", help="initial case data as a JSON object")
@click.option("--region", default=engine.ROOT_REGION, show_default=True, help="the region that handles the case")
@clean_errors
def case_start(matter: str, variant: str, data: str | None, region: str) -> None:
    """Start a case of MATTER's current deployed version (as REGION runs it)."""
    view = engine.start_case(ctx(), matter, variant, json_object(data, "--data"), region=region)
    click.echo(f"case {view.number} started ({view.matter_id}/{view.variant} v{view.model_version})")
    _print_case(view)


@case.command("show")
@click.argument("number")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@clean_errors
def case_show(number: str, as_json: bool) -> None:
    """Show a case: status, ready steps, what it waits for, its step log."""
    summary = engine.case_summary(ctx(), number, engine.Actor.system())  # the operator sees every case
    view, log = summary.case, summary.log
    if as_json:
        click.echo(to_json({"case": dataclasses.asdict(view), "log": [dataclasses.asdict(e) for e in log]}))
        return
    _print_case(view)
    if log:
        click.echo("log (times in UTC):")
        for entry in log:
            click.echo(f"  {entry.at:%Y-%m-%d %H:%M} {entry.event:<9} {entry.step_id} ({entry.department}) "
                       f"by {entry.actor or '-'}")


@case.command("steps")
@click.option("--department", help="only steps of this department (lane id)")
@click.option("--region", help="only steps of cases this region handles")
@click.option("--limit", default=200, show_default=True)
@clean_errors
def case_steps(department: str | None, region: str | None, limit: int) -> None:
    """List READY steps across cases, oldest first."""
    items = [entry.item for entry in engine.work_items(ctx(), department, limit, region)]
    if not items:
        click.echo("no ready steps")
    for item in items:
        claim = f" claimed by {item.claimed_by}" if item.claimed_by else ""
        click.echo(f"{item.case_number}  {item.step_id:<28} {item.department or '-':<14} "
                   f"ready {item.ready_at:%Y-%m-%d %H:%M} UTC{claim}")


def _actor_option(func):
    return click.option("--as", "username", required=True, help="the user acting ('applicant' for the applicant)")(func)


@case.command("complete")
@click.argument("number")
@click.argument("step_id")
@_actor_option
@click.option("--data", help="the step's form data as a JSON object")
@click.option("--expect-version", type=int, help="fail if the case changed since this version")
@clean_errors
def case_complete(number: str, step_id: str, username: str, data: str | None, expect_version: int | None) -> None:
    """Complete a READY step of a case."""
    actor = engine.get_actor(ctx(), username)
    view = engine.complete_step(ctx(), number, step_id, actor, json_object(data, "--data"), expect_version)
    click.echo(f"completed {step_id} of case {view.number}")
    _print_case(view)


@case.command("claim")
@click.argument("number")
@click.argument("step_id")
@_actor_option
@clean_errors
def case_claim(number: str, step_id: str, username: str) -> None:
    """Claim a READY step."""
    item = engine.claim_step(ctx(), number, step_id, engine.get_actor(ctx(), username))
    click.echo(f"{item.step_id} of case {item.case_number} claimed by {item.claimed_by}")


@case.command("release")
@click.argument("number")
@click.argument("step_id")
@_actor_option
@clean_errors
def case_release(number: str, step_id: str, username: str) -> None:
    """Release a step you claimed."""
    item = engine.release_step(ctx(), number, step_id, engine.get_actor(ctx(), username))
    click.echo(f"{item.step_id} of case {item.case_number} released")


@case.command("message")
@click.argument("number")
@click.argument("name")
@_actor_option
@click.option("--data", help="message payload as a JSON object")
@clean_errors
def case_message(number: str, name: str, username: str, data: str | None) -> None:
    """Deliver message NAME (e.g. another department's result) to a case, as USER."""
    view = engine.send_message(ctx(), number, name, json_object(data, "--data"),
                               actor=engine.get_actor(ctx(), username))
    click.echo(f"message {name} delivered to case {view.number}")
    _print_case(view)


@case.command("cancel")
@click.argument("number")
@_actor_option
@click.option("--reason", default="", help="why the case is cancelled")
@clean_errors
def case_cancel(number: str, username: str, reason: str) -> None:
    """Cancel a running case."""
    view = engine.cancel_case(ctx(), number, engine.get_actor(ctx(), username), reason)
    click.echo(f"case {view.number} cancelled")


@click.command("worker")
@click.option("--once", is_flag=True, help="fire what is due now, then exit")
@click.option("--interval", default=5.0, show_default=True, help="seconds between polls")
@clean_errors
def worker(once: bool, interval: float) -> None:
    """Fire due timers (run several on PostgreSQL; none fires a timer twice). A database error does not
    stop the worker: it says so and tries again later, waiting longer each time (up to a minute)."""
    from sqlalchemy.exc import SQLAlchemyError

    pause = interval
    while True:
        try:
            fired = engine.fire_due_timers(ctx())
        except SQLAlchemyError as error:
            if once:
                raise
            reason = (str(error.orig if getattr(error, "orig", None) else error).splitlines() or [""])[0]
            click.echo(f"worker: database error ({type(error).__name__}: {reason}); trying again in {pause:g} s",
                       err=True)
            time.sleep(pause)
            pause = min(max(pause, 0.5) * 2, 60.0)
            continue
        pause = interval
        if fired or once:
            click.echo(f"fired timers of {fired} case(s)")
        if once:
            return
        time.sleep(interval)


def _print_case(view: CaseView) -> None:
    click.echo(f"  status: {view.status}{' — ' + view.error if view.error else ''} (version {view.version})")
    for item in view.ready_steps:
        click.echo(f"  ready: {item.step_id} — {item.step_name} [{item.department or '-'}]")
    for name in view.waiting_messages:
        click.echo(f"  waits for message: {name}")
    for due in view.timers:
        click.echo(f"  waits for timer due {due:%Y-%m-%d %H:%M} UTC")
