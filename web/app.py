"""Flask application factory."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app; config comes from ONETHING_* variables, then `test_config`."""
    app = Flask(__name__, instance_path=os.environ.get("ONETHING_INSTANCE_PATH") or str(Path.cwd() / "instance"))
    app.config.from_mapping(
        SECRET_KEY="dev",
        DATABASE_URL=None,
        PROCESSES_PATH=str(Path(__file__).resolve().parent.parent / "processes"),
    )
    app.config.from_prefixed_env("ONETHING")
    if test_config:
        app.config.update(test_config)
    if not app.config["DATABASE_URL"]:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'onething.db'}"
    from web.api import bp as api_bp

    app.register_blueprint(api_bp)
    return app


def engine_context(app: Flask):
    """The app's EngineContext (database sessions, clock, sandbox), made on first use."""
    from engine.context import EngineContext

    ctx = app.extensions.get("onething")
    if ctx is None:
        ctx = EngineContext.from_url(app.config["DATABASE_URL"],
                                     script_time_limit=float(app.config.get("SCRIPT_TIME_LIMIT", 1.0)))
        app.extensions["onething"] = ctx
    return ctx
