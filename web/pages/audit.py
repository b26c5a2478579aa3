"""Auditor: before/after per matter with reductions and sources, the comparison drawing, the portfolio."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template

import engine
from web.app import ctx
from web.auth import role_required
from web.pages import label
from web.pages.drawing import compare_svg

bp = Blueprint("audit", __name__, url_prefix="/audit")


@bp.route("/")
@role_required("auditor", "admin")
def index():
    overview = engine.audit_overview(ctx())
    return render_template("audit/index.html", comparisons=overview.comparisons, portfolio=overview.portfolio)


@bp.route("/matters/<matter_id>")
@role_required("auditor", "admin")
def matter(matter_id: str):
    item = engine.matter_comparison(ctx(), matter_id)  # MatterNotFound -> 404 page
    drawing = None
    try:
        drawing = _drawing(item)
    except Exception:  # a drawing problem (e.g. dot missing) must not hide the comparison itself
        current_app.logger.exception("comparison drawing failed")
    return render_template("audit/matter.html", c=item, drawing=drawing)


def _drawing(item: engine.MatterComparison):
    if "before" not in item.files or "after" not in item.files:
        return None
    before, after = item.files["before"], item.files["after"]
    return compare_svg((before.data, before.filename), (after.data, after.filename), item.before, item.after,
                       label(item.names))
