"""Auditor: before/after per matter with reductions and sources, the comparison drawing, the portfolio."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template

from web.auth import role_required
from web.pages import ctx, label
from web.pages.drawing import compare_svg

bp = Blueprint("audit", __name__, url_prefix="/audit")


@bp.route("/")
@role_required("auditor", "admin")
def index():
    from engine.audit.comparison import matter_comparisons, portfolio

    return render_template("audit/index.html", comparisons=matter_comparisons(ctx()), portfolio=portfolio(ctx()))


@bp.route("/matters/<matter_id>")
@role_required("auditor", "admin")
def matter(matter_id: str):
    from engine.audit.comparison import matter_comparison

    item = matter_comparison(ctx(), matter_id)  # MatterNotFound -> 404 page
    drawing = None
    try:
        drawing = _drawing(item)
    except Exception:
        current_app.logger.exception("comparison drawing failed")
    return render_template("audit/matter.html", c=item, drawing=drawing)


def _drawing(item):
    from engine.catalog.designer import current_models

    loaded = current_models(ctx(), item.matter_id)
    if "before" not in loaded or "after" not in loaded:
        return None
    before, after = loaded["before"][0], loaded["after"][0]
    return compare_svg((before.data, before.filename), (after.data, after.filename), item.before, item.after,
                       label(item.names))
