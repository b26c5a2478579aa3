"""Clerk worklist: ready steps of my department (filtered, sorted, in pages), what I did, claim/release, open
a step, fill its form, complete it."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

import engine
from engine import (
    CLAIMED,
    DUE_STATES,
    SORTS,
    CaseClosed,
    Conflict,
    InputError,
    OneThingError,
    StaleCase,
    StepClaimed,
    StepDetail,
    StepNotReady,
    WorklistFilter,
    work_items,
)
from web.app import ctx
from web.auth import role_required
from web.pages import form_values, label
from web.texts import translated

bp = Blueprint("worklist", __name__)


PAGE = 50
ORDERS = ("asc", "desc")


def _filters() -> dict[str, Any]:
    """The worklist filters of the query string that mean something (a GET form: others are left out)."""
    choices = {"due": DUE_STATES, "claimed": CLAIMED, "sort": SORTS, "order": ORDERS}
    kept: dict[str, Any] = {}
    for name in ("matter", "step", "due", "claimed", "q", "sort", "order"):
        value = request.args.get(name, "").strip()[:100]
        if value and (name not in choices or value in choices[name]):
            kept[name] = value
    if g.actor.role != "clerk" and kept.get("claimed") == "me":
        del kept["claimed"]  # only clerks claim steps
    return kept


@bp.route("/worklist")
@role_required("clerk", "admin")
def index():
    department = g.actor.department if g.actor.role == "clerk" else None
    args = _filters()
    regions = engine.list_regions(ctx()) if g.actor.role == "admin" else []
    if regions and request.args.get("region") in {r.id for r in regions}:
        args["region"] = request.args["region"]  # an admin's region filter (that region and the ones below it)
    cursor = request.args.get("cursor") or None
    try:
        page = engine.worklist(ctx(), WorklistFilter(
            department=department, matter=args.get("matter"), step=args.get("step"), due=args.get("due"),
            claimed=args.get("claimed", "any"), me=g.actor.name, search=args.get("q", ""),
            sort=args.get("sort", "arrival"), descending=args.get("order") == "desc", cursor=cursor, limit=PAGE,
            reader=g.actor, region=args.get("region")))
    except InputError:  # a cursor of another order, or one we never made
        flash(_("That page link no longer fits this list; here is its first page."), "error")
        return redirect(url_for("worklist.index", **args))
    facets = engine.worklist_facets(ctx(), department, g.actor, args.get("region"))
    clerks = engine.department_clerks(ctx()) if g.actor.role == "admin" else {}
    entries = page.entries
    return render_template("worklist/index.html", entries=entries, page=page, facets=facets, args=args,
                           cursor=cursor, clerks=clerks, region_choices=regions,
                           department=entries[0].department if entries and department else None)


@bp.route("/worklist/done")
@role_required("clerk")
def done():
    """The steps I completed, newest first (from the step log)."""
    cursor = request.args.get("cursor") or None
    try:
        page = engine.done_by(ctx(), g.actor.name, cursor, PAGE, g.actor.region)
    except InputError:
        flash(_("That page link no longer fits this list; here is its first page."), "error")
        return redirect(url_for("worklist.done"))
    return render_template("worklist/done.html", page=page, cursor=cursor,
                           facets=engine.worklist_facets(ctx(), g.actor.department, g.actor))


@bp.route("/work/<number>/<step>/reassign", methods=["POST"])
@role_required("admin")
def reassign(number: str, step: str):
    """An admin gives a ready step to a clerk of its department (claimed by someone else or by no one)."""
    clerk = request.form.get("clerk", "").strip()
    try:
        item = engine.reassign_step(ctx(), number, step, g.actor, clerk)
    except InputError as exc:
        flash(_("Not reassigned: %(reason)s", reason=translated(exc.message)), "error")
        return redirect(url_for("worklist.index")), 303
    except Conflict as exc:
        return _conflict(number, exc)
    flash(_("Step %(step)s of case %(case)s is now with %(clerk)s.", step=item.step_name, case=number, clerk=clerk),
          "success")
    return redirect(url_for("worklist.index"))


@bp.route("/work/<number>/<step>")
@role_required("clerk")
def step(number: str, step: str):
    detail = _detail(number, step)
    if not isinstance(detail, StepDetail):
        return detail
    return render_template("worklist/step.html", detail=detail, values={}, errors={})


@bp.route("/work/<number>/<step>/claim", methods=["POST"])
@role_required("clerk")
def claim(number: str, step: str):
    return _claim(number, step, True)


@bp.route("/work/<number>/<step>/release", methods=["POST"])
@role_required("clerk")
def release(number: str, step: str):
    return _claim(number, step, False)


def _detail(number: str, step: str):
    """The step as its clerk sees it, or the conflict page when it is no longer ready."""
    try:
        return engine.step_detail(ctx(), number, step, g.actor)  # outside the case: 404; another step: 403
    except (StepNotReady, CaseClosed, StaleCase) as exc:
        return _conflict(number, exc)


def _claim(number: str, step: str, take: bool):
    try:
        if take:
            engine.claim_step(ctx(), number, step, g.actor)
            flash(_("You claimed this step."), "success")
        else:
            engine.release_step(ctx(), number, step, g.actor)
            flash(_("You released this step; it is back on the department's list."), "success")
    except Conflict as exc:
        return _conflict(number, exc)
    target = request.form.get("back")
    if target == "step" and take:
        return redirect(url_for("worklist.step", number=number, step=step))
    return redirect(url_for("worklist.index"))


@bp.route("/work/<number>/<step>/complete", methods=["POST"])
@role_required("clerk")
def complete(number: str, step: str):
    detail = _detail(number, step)
    if not isinstance(detail, StepDetail):
        return detail
    values = {k: v for k, v in request.form.items() if k not in ("csrf_token", "expected_version")}
    data = form_values(detail.form, values)
    try:
        expected = int(request.form.get("expected_version", ""))
    except ValueError:
        abort(400)
    try:
        view = engine.complete_step(ctx(), number, detail.entry.item.task_id, g.actor, data, expected)
    except InputError as exc:
        return render_template("worklist/step.html", detail=detail, values=values, errors=exc.fields,
                               message=_("Please correct the marked fields.")), 422
    except Conflict as exc:
        return _conflict(number, exc)
    flash(_("Step completed: %(step)s (case %(case)s).", step=label(detail.entry.step), case=view.number), "success")
    return redirect(_next_step(view))


def _next_step(view) -> str:
    """The next ready step of my department: in this case first, else the oldest on my list."""
    mine = [i for i in view.ready_steps if g.actor.may_work(i.department)]
    if mine:
        return url_for("worklist.step", number=view.number, step=mine[0].task_id)
    entries = [e for e in work_items(ctx(), g.actor.department, limit=20, region=g.actor.region)
               if e.item.claimed_by in (None, g.actor.name)]
    if entries:
        return url_for("worklist.step", number=entries[0].item.case_number, step=entries[0].item.task_id)
    return url_for("worklist.index")


def _conflict(number: str, exc: Exception):
    """Someone else acted first: say so plainly and show the case as it is now (409)."""
    if isinstance(exc, StepClaimed):
        message = _("A colleague has claimed this step. Nothing was saved; the case is shown as it is now.")
    elif isinstance(exc, StaleCase):
        message = _("Someone else changed this case while you were working on it. Nothing was saved; "
                    "here is its current state.")
    elif isinstance(exc, CaseClosed):
        message = _("This case is closed; nothing was saved.")
    else:
        message = _("This step is no longer waiting: someone else completed it, or the case moved on. "
                    "Nothing was saved; here is its current state.")
    try:
        summary = engine.case_summary(ctx(), number, g.actor)
    except OneThingError:  # gone, or a clerk of another matter, who learns nothing about the case
        summary = None
    return render_template("worklist/conflict.html", message=message, detail=translated(getattr(exc, "message", "")),
                           view=summary.case if summary else None,
                           step_names=summary.step_names if summary else {}), 409
