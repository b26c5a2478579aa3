"""Clerk worklist: ready steps of my department, claim/release, open a step, fill its form, complete it."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

import engine
from engine import (
    CaseClosed,
    Conflict,
    InputError,
    OneThingError,
    StaleCase,
    StepClaimed,
    StepDetail,
    StepNotReady,
    work_items,
)
from web.app import ctx
from web.auth import role_required
from web.pages import form_values, label

bp = Blueprint("worklist", __name__)


@bp.route("/worklist")
@role_required("clerk", "admin")
def index():
    department = g.actor.department if g.actor.role == "clerk" else None
    entries = work_items(ctx(), department)
    clerks = engine.department_clerks(ctx()) if g.actor.role == "admin" else {}
    return render_template("worklist/index.html", entries=entries, clerks=clerks,
                           department=entries[0].department if entries and department else None)


@bp.route("/work/<number>/<step>/reassign", methods=["POST"])
@role_required("admin")
def reassign(number: str, step: str):
    """An admin gives a ready step to a clerk of its department (claimed by someone else or by no one)."""
    clerk = request.form.get("clerk", "").strip()
    try:
        item = engine.reassign_step(ctx(), number, step, g.actor, clerk)
    except InputError as exc:
        flash(_("Not reassigned: %(reason)s", reason=exc), "error")
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
    entries = [e for e in work_items(ctx(), g.actor.department, limit=20)
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
        view = engine.case_summary(ctx(), number, g.actor).case
    except OneThingError:  # gone, or a clerk of another matter, who learns nothing about the case
        view = None
    return render_template("worklist/conflict.html", message=message, detail=getattr(exc, "message", ""),
                           view=view), 409
