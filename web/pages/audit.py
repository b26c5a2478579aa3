"""Auditor: before/after per matter with reductions and sources, the comparison drawing, the portfolio."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template
from flask_babel import gettext as _

from web.auth import role_required
from web.pages import ctx, label
from web.pages.drawing import compare_svg

bp = Blueprint("audit", __name__, url_prefix="/audit")


@bp.route("/")
@role_required("auditor", "admin")
def index():
    from engine.audit import matter_comparisons, portfolio

    return render_template("audit/index.html", comparisons=matter_comparisons(ctx()), portfolio=portfolio(ctx()))


@bp.route("/matters/<matter_id>")
@role_required("auditor", "admin")
def matter(matter_id: str):
    from engine.audit import matter_comparisons

    item = next((c for c in matter_comparisons(ctx()) if c.matter_id == matter_id), None)
    if item is None:
        abort(404)
    drawing = None
    try:
        drawing = _drawing(item)
    except Exception:
        current_app.logger.exception("comparison drawing failed")
    return render_template("audit/matter.html", c=item, drawing=drawing)


def _drawing(item):
    from engine.designer import version_file

    before = version_file(ctx(), item.before_version_id)
    after = version_file(ctx(), item.after_version_id)
    return compare_svg((before.bpmn, before.filename), (after.bpmn, after.filename),
                       item.before_metrics, item.after_metrics, label(item.names))
