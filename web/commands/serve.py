"""`onething serve`: run the web app with Flask's server (a pilot on one machine; use gunicorn beyond)."""
from __future__ import annotations

import os

import click

from web.commands.common import with_app


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on (0.0.0.0: every interface)")
@click.option("--port", default=5000, show_default=True, type=int, help="port to listen on")
@click.option("--debug", is_flag=True, help="reload on code changes and show tracebacks (never in production)")
@with_app
def serve(host: str, port: int, debug: bool) -> None:
    """Run the web app (pages, JSON API) on HOST:PORT."""
    from flask import current_app

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if os.environ.get("ONETHING_WARM_UP", "1") != "0":
        from web.app import warm

        warm(app)  # the first requests find the models parsed
    click.echo(f"OneThing on http://{host}:{port}/ (database {app.config['DATABASE_URL']})")
    from werkzeug.serving import run_simple

    # app.run() refuses to run under the flask CLI; run_simple is what it would call
    run_simple(host, port, app, threaded=True, use_reloader=debug, use_debugger=debug)


def register(cli: click.Group) -> None:
    cli.add_command(serve)
