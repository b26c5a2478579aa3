"""Cases for staff: the case list (filters, sort, pages), the case page with an admin's actions, the incidents."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

import engine
from web.app import ctx
from web.auth import role_required
from web.jsoninput import Refused, loads
from web.pages import lang
from web.pages.bpmnview import case_drawings
from web.texts import translated

bp = Blueprint("cases", __name__)

ADMIN_ACTIONS = ("cancel", "suspend", "resume", "retry")
MAX_CORRECTIONS = 20_000  # characters of corrected data for a retry


@bp.route("/cases")
@role_required("clerk", "auditor", "admin")
def find():
    """One case by number (the search boxes), else the list of the cases the user may read."""
    number = request.args.get("number", "").strip()
    if number:
        return redirect(url_for("cases.show", number=number))
    args = request.args
    found = engine.list_cases(ctx(), g.actor, case_query(args))  # InputError (422) names a bad filter
    matters = engine.readable_matters(ctx(), g.actor)  # the filter: matters of the regions whose cases they read
    return render_template("cases/index.html", found=found, args=args, matters=matters,
                           statuses=engine.STATUSES)


def case_query(args: Mapping[str, str]) -> engine.CaseQuery:
    """The list's query string as a CaseQuery (the same fields as GET /api/cases)."""
    return engine.CaseQuery(
        matter_id=args.get("matter") or None, variant=args.get("variant") or None,
        status=args.get("status") or None, started_from=_day(args.get("started_from"), "started_from"),
        started_to=_day(args.get("started_to"), "started_to"), overdue=args.get("overdue") in ("1", "true"),
        source=args.get("source") or "real", sort=args.get("sort") or "started",
        descending=args.get("order", "desc") != "asc", page=_page(args.get("page")),
        region=args.get("region") or None)


def _day(text: str | None, field: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        shown = {"started_from": _("Started from"), "started_to": _("to")}.get(field, field)
        raise engine.InputError(_("%(field)s: “%(value)s” is not a date (YYYY-MM-DD).", field=shown, value=text),
                                fields={field: [_("Not a date (YYYY-MM-DD).")]}) from None


def _page(text: str | None) -> int:
    if not text:
        return 1
    if not text.isdigit() or len(text) > 6:
        raise engine.InputError(_("%(field)s: “%(value)s” is not a whole number.", field=_("Page"), value=text),
                                fields={"page": [_("Not a whole number.")]})
    return int(text)


@bp.route("/cases/incidents")
@role_required("admin")
def incidents():
    """Cases in error, newest first, with their message and the step that failed."""
    return render_template("cases/incidents.html", found=engine.incidents(ctx(), g.actor,
                                                                          region=request.args.get("region") or None),
                           args=request.args)


@bp.route("/cases/<number>")
@role_required("clerk", "auditor", "admin")
def show(number: str):
    summary = engine.case_summary(ctx(), number, g.actor)  # staff outside the case: CaseNotFound (404)
    drawing, viewer = case_drawings(summary, _("Diagram of case %(n)s", n=summary.case.number), lang())
    actions = engine.case_actions(summary.case.status) if g.actor.role == "admin" else ()
    return render_template("cases/show.html", s=summary, drawing=drawing, viewer=viewer,
                           masked=g.actor.role == "auditor", actions=actions, case_events=engine.CASE_EVENTS)


@bp.route("/cases/<number>/bpmn")
@role_required("clerk", "auditor", "admin")
def model(number: str):
    """The BPMN file of the case's own model version, for the case page's viewer: whoever may open the case
    page (staff outside the case: 404, as there)."""
    data, filename = engine.case_model(ctx(), number, g.actor)
    name = filename.rsplit("/", 1)[-1].replace('"', "")
    return Response(data, mimetype="application/xml", headers={"Content-Disposition": f'inline; filename="{name}"'})


@bp.route("/cases/<number>/act", methods=["POST"])
@role_required("admin")
def act(number: str):
    """An admin cancels, suspends, resumes or retries a case, with a reason (logged); refused: said on the page."""
    action, reason = request.form.get("action", ""), request.form.get("reason", "")
    if action not in ADMIN_ACTIONS:
        raise engine.InputError(_("Unknown action: “%(action)s”.", action=action),
                                fields={"action": [_("Unknown action.")]})
    try:
        if action == "cancel":
            if not reason.strip():
                raise engine.InputError("give a reason", fields={"reason": ["required"]})
            engine.cancel_case(ctx(), number, g.actor, reason)
        elif action == "suspend":
            engine.suspend_case(ctx(), number, g.actor, reason)
        elif action == "resume":
            engine.resume_case(ctx(), number, g.actor, reason)
        else:
            engine.retry_case(ctx(), number, g.actor, reason, _corrections(request.form.get("data", "")))
    except engine.InputError as exc:
        flash(_("Nothing was done: %(reason)s", reason=_why(exc)), "error")
        return redirect(url_for("cases.show", number=number), 303)
    except engine.Conflict as exc:
        flash(_("Nothing was done: %(reason)s", reason=translated(exc.message)), "error")
        return redirect(url_for("cases.show", number=number), 303)
    flash(_done(action), "success")
    return redirect(url_for("cases.show", number=number), 303)


def _done(action: str) -> str:
    """What the admin is told after `action` (in their language)."""
    return {"cancel": _("The case is cancelled."),
            "suspend": _("The case is suspended: nothing moves it until it is resumed."),
            "resume": _("The case is resumed."),
            "retry": _("The failed step was run again; the case shows how it went.")}[action]


def _why(exc: engine.InputError) -> str:
    if "reason" in exc.fields:
        return _("give a reason; it is logged with the action.")
    if "data" in exc.fields:
        return _("the corrected data must be a JSON object.")
    return translated(exc.message)


def _corrections(text: str) -> dict | None:
    if not text.strip():
        return None
    if len(text) > MAX_CORRECTIONS:
        raise engine.InputError("corrected data: too long", fields={"data": ["too long"]})
    try:
        value = loads(text)
    except (Refused, ValueError):
        raise engine.InputError("corrected data: not JSON", fields={"data": ["not JSON"]}) from None
    if not isinstance(value, dict):
        raise engine.InputError("corrected data must be a JSON object", fields={"data": ["must be an object"]})
    return value
