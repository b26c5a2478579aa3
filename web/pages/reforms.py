"""The library of reforms (issue #13 item 2): published reforms with who adopted them, publish, adopt (and take a
newer publication), and a region's version against the shared original it adopted."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

import engine
from web.app import ctx
from web.auth import role_required
from web.pages import label, status_of
from web.pages.words import metric_label
from web.texts import translated

bp = Blueprint("reforms", __name__, url_prefix="/library")


def state_label(state: str) -> str:
    return {"before": _("still on before"), "own": _("its own reform"), "published": _("published it"),
            "adopted": _("adopted as published"), "adopted_changed": _("adopted with local changes")}.get(state, state)


def _own_region() -> str | None:
    """The region a designer works for; None for an admin (who picks one) and an auditor (who only reads)."""
    return g.actor.region if g.actor.role == "designer" else None


@bp.route("/")
@role_required("designer", "auditor", "admin")
def index():
    return library_page()


def library_page(error: str | None = None):
    """The library; `error`: why an action did nothing (the page answers with the refusal's status)."""
    regions = {r.id: r for r in engine.list_regions(ctx())}
    names = engine.deployed_matter_names(ctx())  # whoever runs it: a county's own matter is published too
    own = _own_region()
    return render_template("reforms/index.html", entries=engine.library_entries(ctx()), own=own,
                           updates=engine.reform_updates(ctx(), own) if own else [],
                           region_name=lambda r: label(regions[r].names) if r in regions else r,
                           matter_name=lambda m: label(names.get(m)) or m, state_label=state_label,
                           regions=list(regions.values()), may_act=g.actor.role in ("designer", "admin"),
                           error=error)


@bp.route("/publish", methods=["POST"])
@role_required("designer", "admin")
def publish():
    matter_id = request.form.get("matter_id", "")
    region = request.form.get("region") or _own_region() or engine.ROOT_REGION
    try:
        done = engine.publish_reform(ctx(), matter_id, region, g.actor, request.form.get("note"))
    except engine.OneThingError as exc:
        return library_page(_("Nothing was published: %(reason)s", reason=translated(exc.message))), status_of(exc)
    if done.status == "unchanged":
        flash(_("This version is already published as reform %(n)s.", n=done.number), "success")
    else:
        name = label(engine.deployed_matter_names(ctx()).get(matter_id)) or matter_id
        flash(_("Published as reform %(n)s of %(matter)s.", n=done.number, matter=name), "success")
    return redirect(url_for("reforms.index"), 303)


@bp.route("/adopt", methods=["POST"])
@role_required("designer", "admin")
def adopt():
    matter_id = request.form.get("matter_id", "")
    region = request.form.get("region") or _own_region() or engine.ROOT_REGION
    try:
        done = engine.adopt_reform(ctx(), matter_id, request.form.get("from", ""), region, g.actor)
    except engine.OneThingError as exc:
        return library_page(_("Nothing was adopted: %(reason)s", reason=translated(exc.message))), status_of(exc)
    flash(_("Reform %(n)s adopted: version %(v)s of your after variant.", n=done.number, v=done.version), "success")
    if done.replaced_local_changes:
        flash(_("Your local changes were replaced, not merged: make them again if you still need them."), "error")
    return redirect(url_for("reforms.diff", matter_id=matter_id, region=region), 303)


@bp.route("/diff/<matter_id>")
@role_required("designer", "auditor", "admin")
def diff(matter_id: str):
    """A region's `after` version against the published reform it adopted, side by side."""
    region = request.args.get("region") or _own_region() or ""
    found = engine.reform_diff(ctx(), matter_id, region)  # errors: the error page, with what and where
    regions = {r.id: r for r in engine.list_regions(ctx())}
    metrics = [(metric_label(key), values) for key, values in found.metrics["comparison"].items()]
    return render_template("reforms/diff.html", diff=found, metrics=metrics,
                           region_name=lambda r: label(regions[r].names) if r in regions else r)
