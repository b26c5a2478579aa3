"""Applicants (no account): choose a matter, fill one form, get a case number; look up progress; rate."""
from __future__ import annotations

from flask import Blueprint, g, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

import engine
from engine import FullPhoneRequired, InputError, NotFound, Throttled
from web.app import ctx
from web.auth import home_endpoint
from web.pages import form_values

bp = Blueprint("citizen", __name__)
PHONE_INPUT = "applicant_phone"
REGION_INPUT = "region"  # the county or district that handles the application


@bp.route("/")
def index():
    """The start page: applicants see the public services; signed-in staff go to their own start page."""
    if g.get("actor") is not None:
        return redirect(url_for(home_endpoint(g.actor.role)))
    return render_template("citizen/index.html")


@bp.route("/apply")
def matters():
    """Every matter a county or district handles (the root's alone while it is the only region)."""
    return render_template("citizen/matters.html", matters=engine.open_matters(ctx()))


@bp.route("/apply/<matter_id>", methods=["GET", "POST"])
def apply(matter_id: str):
    chosen = request.form.get(REGION_INPUT, "").strip() if request.method == "POST" else None
    page = engine.application_form(ctx(), matter_id, chosen or None)  # the chosen county's form, when it runs it
    values: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    tree = handling_regions()
    places = [(region, city) for region, city in tree if region.id in page.regions]  # those that run the matter
    if len(places) == 1:
        values[REGION_INPUT] = places[0][0].id
    if request.method == "POST":
        values = {k: v for k, v in request.form.items() if k != "csrf_token"}
        # the form's own contact field, when it has one, is the phone the case is looked up with: asked once
        phone = None if page.contact else values.get(PHONE_INPUT, "").strip()
        try:
            number = engine.apply(ctx(), matter_id, form_values(page.form, values), phone,
                                  request.remote_addr or "-",
                                  region=chosen if tree else None)
        except InputError as exc:
            errors = dict(exc.fields)
            if page.contact is None and "phone" in errors and not any(f.name == "phone" for f in
                                                                          (page.form.fields if page.form else ())):
                errors[PHONE_INPUT] = errors.pop("phone")
            errors = errors or {"_schema": [exc.message]}
        else:
            session["applied"] = number
            return redirect(url_for("citizen.applied"))
    return render_template("citizen/apply.html", matter_id=matter_id, form=page.form, contact=page.contact,
                           values=values, errors=errors, matter=page.matter, places=places), 422 if errors else 200


def handling_regions() -> list[tuple[engine.RegionInfo, engine.RegionInfo | None]]:
    """The counties and districts (each with its city), the regions nothing is below; the apply page offers those
    that run the matter. None while the root is the only region (the case goes to the root, no choice is shown)."""
    tree = engine.list_regions(ctx())
    parents = {r.parent_id for r in tree}
    by_id = {r.id: r for r in tree}
    return [(r, by_id.get(r.parent_id or "")) for r in tree if r.id not in parents and r.parent_id is not None]


@bp.route("/applied")
def applied():
    number = session.get("applied")
    if not number:
        return redirect(url_for("citizen.index"))
    return render_template("citizen/applied.html", number=number)


@bp.route("/track", methods=["GET", "POST"])
def track():
    if request.method == "GET":
        return render_template("citizen/track.html", number=request.args.get("number", ""), check="")
    return _lookup(request.form.get("number", "").strip(), request.form.get("check", "").strip())


def _lookup(number: str, check: str, rated: bool = False, rate_errors: dict | None = None, status: int = 200,
            rating: dict | None = None):
    from engine import lookup

    if not number or not check:
        return render_template("citizen/track.html", number=number, check=check,
                               error=_("Enter the case number and the last four digits of your phone.")), 400
    try:
        progress = lookup(ctx(), number, check, request.remote_addr or "-")
    except Throttled as exc:
        return _refused(number, exc)
    except (NotFound, InputError):
        return render_template("citizen/track.html", number=number, check="",
                               error=_("No case matches this number and these phone digits. Please check both.")), 404
    return render_template("citizen/progress.html", number=number, check=check, p=progress, rated=rated,
                           rate_errors=rate_errors or {}, rating=rating or {}), status


@bp.route("/track/rate", methods=["POST"])
def rate():
    number = request.form.get("number", "").strip()
    check = request.form.get("check", "").strip()
    chosen = {"score": request.form.get("score", "").strip(), "comment": request.form.get("comment", "").strip()}
    try:  # a refused rating is shown again as it was chosen and written
        score = int(chosen["score"])
    except ValueError:
        return _lookup(number, check, rate_errors={"score": [_("Choose a score from 1 to 5.")]}, status=422,
                       rating=chosen)
    try:
        engine.rate(ctx(), number, check, score, chosen["comment"], client=request.remote_addr or "-")
    except Throttled as exc:
        return _refused(number, exc)
    except InputError as exc:
        return _lookup(number, check, rate_errors=exc.fields or {"score": [exc.message]}, status=422, rating=chosen)
    return _lookup(number, check, rated=True)


def _refused(number: str, exc: Throttled):
    """429 with Retry-After: the address waits, or (a number under attack) the whole phone number is needed."""
    if isinstance(exc, FullPhoneRequired):
        error = _("This case number has had several wrong checks recently. To protect it, enter your whole mobile "
                  "number (11 digits) instead of the last four digits.")
    else:
        error = _("Too many wrong attempts from your network. Please wait %(seconds)s seconds and try again.",
                  seconds=exc.retry_after or 60)
    response = make_response(render_template("citizen/track.html", number=number, check="", error=error,
                                             whole_phone=isinstance(exc, FullPhoneRequired)), 429)
    if exc.retry_after:
        response.headers["Retry-After"] = str(exc.retry_after)
    return response
