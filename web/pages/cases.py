"""Case page: progress, timeline from the step log, the drawing with the case's state, what it waits for."""
from __future__ import annotations

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

import engine
from web.app import ctx
from web.auth import role_required
from web.pages.drawing import case_svg

bp = Blueprint("cases", __name__)


@bp.route("/cases")
@role_required("clerk", "auditor", "admin")
def find():
    number = request.args.get("number", "").strip()
    if number:
        return redirect(url_for("cases.show", number=number))
    return redirect(url_for("worklist.index" if g.actor.role == "clerk" else "audit.index"))


@bp.route("/cases/<number>")
@role_required("clerk", "auditor", "admin")
def show(number: str):
    summary = engine.case_summary(ctx(), number, g.actor)  # staff outside the case: CaseNotFound (404)
    try:
        drawing = case_svg(ctx(), summary.case.number, _("Diagram of case %(n)s", n=summary.case.number))
    except Exception:  # a drawing problem (e.g. dot missing) must not hide the case itself
        current_app.logger.exception("case drawing failed")
        drawing = None
    return render_template("cases/show.html", s=summary, drawing=drawing, masked=g.actor.role == "auditor")
