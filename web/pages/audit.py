"""Auditor: before/after per matter with reductions and sources, the comparison drawing, the portfolio."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _

import engine
from web.app import ctx
from web.auth import role_required
from web.pages import BEIJING, label
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


@bp.route("/matters/<matter_id>/cases")
@role_required("auditor", "admin")
def matter_cases(matter_id: str):
    """Drill-down: the finished cases behind a figure, filtered, sorted and paginated."""
    args = request.args
    found = engine.find_cases(ctx(), case_filter(matter_id, args), sort=args.get("sort", "finished"),
                              descending=args.get("order", "desc") != "asc", page=_whole(args.get("page"), "page", 1))
    return render_template("audit/cases.html", matter_id=matter_id, found=found, args=args)


def case_filter(matter_id: str, args: Mapping[str, str]) -> engine.CaseFilter:
    """The query string of a drill-down link as a CaseFilter (InputError names a bad field)."""
    return engine.CaseFilter(
        matter_id, variant=args.get("variant") or None, source=args.get("source") or "real",
        status=args.get("status") or None, since=_day(args.get("since"), "since"),
        until=_day(args.get("until"), "until", next_day=True),
        department=args.get("department") or None, overdue=args.get("overdue") == "1",
        min_workdays=_whole(args.get("min_workdays"), "min_workdays", None))


def _day(text: str | None, field: str, next_day: bool = False) -> datetime | None:
    """A YYYY-MM-DD date as the start of that day (or of the next one) in Beijing time."""
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise engine.InputError(f"{field}: not a date (YYYY-MM-DD)", fields={field: [_("Not a date (YYYY-MM-DD).")]}) \
            from None
    return datetime.combine(day + timedelta(days=1 if next_day else 0), time(0, 0), tzinfo=BEIJING)


def _whole(text: str | None, field: str, default: int | None) -> int | None:
    if not text:
        return default
    if not text.isdigit() or len(text) > 6:
        raise engine.InputError(f"{field}: not a whole number", fields={field: [_("Not a whole number.")]})
    return int(text)
