"""The province's regions for admins: the tree (names in the page's language, level, parent), add and rename."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

import engine
from engine import InputError
from web.app import ctx
from web.auth import role_required
from web.pages import label
from web.texts import translated

bp = Blueprint("regions", __name__)


def _page(values: dict[str, str] | None = None, errors: dict | None = None, renaming: str | None = None,
          message: str | None = None, status: int = 200):
    return render_template("regions/index.html", tree=engine.list_regions(ctx()), values=values or {},
                           errors=errors or {}, renaming=renaming, message=message), status


@bp.route("/regions")
@role_required("admin")
def index():
    return _page()


@bp.route("/regions", methods=["POST"])
@role_required("admin")
def add():
    """A new region under its parent (the form on the page); refused: said beside the fields."""
    values = {k: request.form.get(k, "").strip() for k in ("id", "parent", "name_zh", "name_en")}
    try:
        added = engine.add_region(ctx(), values["id"], values["parent"], values["name_zh"], values["name_en"])
    except InputError as exc:  # NotFound (an unknown parent) is a 404 page: the form offers known ones only
        return _page(values, exc.fields, message=translated(exc.message), status=422)
    flash(_("Region %(region)s added.", region=label(added.names)), "success")
    return redirect(url_for("regions.index"))


@bp.route("/regions/<region_id>", methods=["POST"])
@role_required("admin")
def rename(region_id: str):
    """New names for a region (the rename form of its row)."""
    values = {k: request.form.get(k, "").strip() for k in ("name_zh", "name_en")}
    try:
        renamed = engine.rename_region(ctx(), region_id, values["name_zh"], values["name_en"])
    except InputError as exc:
        return _page(values, exc.fields, renaming=region_id, message=translated(exc.message), status=422)
    flash(_("Region %(region)s renamed.", region=label(renamed.names)), "success")
    return redirect(url_for("regions.index"))
