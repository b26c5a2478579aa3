"""`GET /healthz`: for load balancers and monitors, without sign-in; the engine decides (engine.health)."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify

import engine
from web.app import ctx

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """200 when the database answers and its schema is current, else 503 saying what is wrong."""
    found = engine.health(ctx())
    if found.reason:  # where the database is and what it said: for the log, not for whoever asks
        current_app.logger.warning("health: database unreachable: %s", found.reason)
    answer = {"status": "ok" if found.ok else "unavailable", "database": found.database,
              "migrations": found.migrations}
    if found.detail:
        answer["detail"] = found.detail
    response = jsonify(answer)
    response.status_code = 200 if found.ok else 503
    response.headers["Cache-Control"] = "no-store"
    return response
