"""Auditor: before/after per matter with reductions and sources, the comparison drawing, the portfolio."""
from __future__ import annotations

import tempfile
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

from flask import Blueprint, abort, current_app, g, render_template, request, send_file
from flask_babel import get_locale, gettext as _

import engine
from web.app import ctx
from web.auth import role_required
from web.pages import BEIJING, label, lang
from web.pages.charts import dashboard_charts
from web.pages.drawing import compare_svg, heat_svg

bp = Blueprint("audit", __name__, url_prefix="/audit")


@bp.route("/")
@role_required("auditor", "admin")
def index():
    overview = engine.audit_overview(ctx(), reader=g.actor)
    return render_template("audit/index.html", comparisons=overview.comparisons, portfolio=overview.portfolio,
                           savings=overview.savings, coverage=overview.coverage)


@bp.route("/matters/<matter_id>")
@role_required("auditor", "admin")
def matter(matter_id: str):
    """Static vs measured, before vs after, for one source of cases (real, imported or simulated)."""
    board = engine.matter_dashboard(ctx(), matter_id, request.args.get("source", "real"), reader=g.actor)  # 404, 422
    drawing = None
    try:
        drawing = _drawing(board.comparison)
    except Exception:  # a drawing problem (e.g. dot missing) must not hide the figures
        current_app.logger.exception("comparison drawing failed")
    return render_template("audit/matter.html", c=board.comparison, board=board, charts=dashboard_charts(board),
                           drawing=drawing)


@bp.route("/matters/<matter_id>/heat")
@role_required("auditor", "admin")
def heat(matter_id: str):
    """A variant's model coloured by measured step frequency or median duration."""
    variant, mode = request.args.get("variant", "after"), request.args.get("mode", "duration")
    if variant not in engine.VARIANTS or mode not in ("duration", "frequency"):
        raise engine.InputError(_("Choose a variant (before or after) and a mode (duration or frequency)."),
                                fields={"mode": [_("Choose a variant and a mode.")]})
    board = engine.matter_dashboard(ctx(), matter_id, request.args.get("source", "real"), reader=g.actor)
    steps = board.measured.get(variant, {}).get("steps") or []
    values = {s["step_id"]: s["count"] if mode == "frequency" else
              ((s["waiting_hours"] or {}).get("median") or 0) + ((s["working_hours"] or {}).get("median") or 0)
              for s in steps}
    file = board.comparison.files.get(variant)
    title = _("Heat map of %(m)s", m=label(board.comparison.names))
    drawing = heat_svg(file.data, file.filename, values, mode, title, lang(), board.comparison.names) if file else None
    return render_template("audit/heat.html", c=board.comparison, board=board, variant=variant, mode=mode,
                           drawing=drawing)


def _drawing(item: engine.MatterComparison):
    if "before" not in item.files or "after" not in item.files:
        return None
    before, after = item.files["before"], item.files["after"]
    return compare_svg((before.data, before.filename), (after.data, after.filename), item.before, item.after,
                       label(item.names), lang(), item.names)


@bp.route("/matters/<matter_id>/cases")
@role_required("auditor", "admin")
def matter_cases(matter_id: str):
    """Drill-down: the finished cases behind a figure, filtered, sorted and paginated."""
    args = request.args
    matter = engine.matter_detail(ctx(), matter_id, reader=g.actor).matter  # none of the reader's regions runs it: 404
    found = engine.find_cases(ctx(), case_filter(matter_id, args), sort=args.get("sort", "finished"),
                              descending=args.get("order", "desc") != "asc", page=_whole(args.get("page"), "page", 1),
                              reader=g.actor)
    departments = {d: label(engine.department_label(ctx(), d)) or d for d in matter.departments}
    return render_template("audit/cases.html", matter_id=matter_id, matter=matter, found=found, args=args,
                           departments=sorted(departments.items(), key=lambda pair: pair[1]))


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
        raise engine.InputError(_("%(field)s: “%(value)s” is not a date (YYYY-MM-DD).", field=_field_name(field),
                                  value=text), fields={field: [_("Not a date (YYYY-MM-DD).")]}) from None
    return datetime.combine(day + timedelta(days=1 if next_day else 0), time(0, 0), tzinfo=BEIJING)


def _whole(text: str | None, field: str, default: int | None) -> int | None:
    if not text:
        return default
    if not text.isdigit() or len(text) > 6:
        raise engine.InputError(_("%(field)s: “%(value)s” is not a whole number.", field=_field_name(field),
                                  value=text), fields={field: [_("Not a whole number.")]})
    return int(text)


def _field_name(field: str) -> str:
    """A filter of the drill-down as its form labels it, in the page's language."""
    return {"since": _("Finished from"), "until": _("to"), "page": _("Page"),
            "min_workdays": _("Working days")}.get(field, field)


DOWNLOADS = {  # format -> (use case name, MIME type, takes the actor, takes the variant)
    "csv": ("export_step_log_csv", "text/csv; charset=utf-8", True, True),
    "xes": ("export_xes", "application/xml", True, True),
    "xlsx": ("export_xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", True, True),
    "html": ("matter_report_html", "text/html; charset=utf-8", True, False),
    "pdf": ("matter_report_pdf", "application/pdf", True, False),
}


@bp.route("/matters/<matter_id>/export.<fmt>")
@role_required("auditor", "admin")
def download(matter_id: str, fmt: str):
    """The step log (CSV, XES, Excel) or the printable report (HTML, PDF) of a matter, for one source."""
    if fmt not in DOWNLOADS:
        abort(404)
    name, mime, with_actor, with_variant = DOWNLOADS[fmt]
    args = request.args
    kwargs: dict = {"source": args.get("source") or "real"}
    if with_actor:
        kwargs["actor"] = g.actor
    if fmt in ("xlsx", "html", "pdf"):
        kwargs["lang"] = str(get_locale() or "zh")
    variant = args.get("variant") or None
    # bounded memory: a large export goes to disk; send_file closes the spool when the response ends
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    use_case = getattr(engine, name)
    try:
        if with_variant:
            use_case(ctx(), spool, matter_id, variant, **kwargs)
        else:
            use_case(ctx(), spool, matter_id, **kwargs)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    suffix = f"-{variant}" if with_variant and variant else ""
    return send_file(spool, mimetype=mime, as_attachment=True,
                     download_name=f"{matter_id}{suffix}-{kwargs['source']}.{fmt}")
from web.pages import audit_regions  # noqa: E402,F401  (its routes are on this blueprint)
