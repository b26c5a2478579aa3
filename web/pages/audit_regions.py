"""Auditor: the regions ranked on one matter, and the province view of every matter (issue #13 items 3, 4).

Both read the signed-in auditor's own region and the regions below it (Actor.region); the routes live on the
auditor's blueprint (web/pages/audit.py imports this module)."""
from __future__ import annotations

from datetime import date

from flask import g, render_template, request
from flask_babel import gettext as _
from markupsafe import Markup

import engine
from diagrams.charts import horizontal_bars
from web.app import ctx
from web.auth import role_required
from web.pages import label
from web.pages.audit import bp
from web.pages.words import metric_label

COLUMNS = ("steps", "trips", "materials", "median_days", "p90_days", "on_time_rate", "rating", "after_share",
           "cases", "adoption")


def adoption_label(state: str) -> str:
    return {"before": _("not taken up"), "own": _("own reform"), "published": _("published"),
            "adopted": _("adopted"), "adopted_changed": _("adopted with changes")}.get(state, state)


def level_label(level: str) -> str:
    return {"province": _("province"), "city": _("city"), "county": _("county or district")}.get(level, level)


def column_label(key: str) -> str:
    return {"median_days": _("Working days, median"), "p90_days": _("Working days, p90"),
            "on_time_rate": _("On-time rate"), "rating": _("Rating"), "after_share": _("Share on after"),
            "cases": _("Finished cases"), "adoption": _("Reform"), "region": _("Region")}.get(key) or metric_label(key)


def _day(field: str) -> date | None:
    text = request.args.get(field) or ""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise engine.InputError(f"{field}: not a date (YYYY-MM-DD)",
                                fields={field: [_("Not a date (YYYY-MM-DD).")]}) from None


@bp.route("/matters/<matter_id>/regions")
@role_required("auditor", "admin")
def regions(matter_id: str):
    """Every region of the auditor's subtree on one matter, on one sortable table, with one chart."""
    args = request.args
    ranking = engine.region_ranking(ctx(), matter_id, scope=g.actor.region, source=args.get("source") or "real",
                                    since=_day("since"), until=_day("until"), sort=args.get("sort") or "median_days",
                                    order=args.get("order") or None)  # 404, 422
    return render_template("audit/regions.html", r=ranking, chart=_chart(ranking), columns=COLUMNS,
                           column_label=column_label, adoption_label=adoption_label, level_label=level_label)


def _chart(ranking: engine.RegionRanking) -> Markup | None:
    """Median and p90 working days of each region with finished cases, in the table's order."""
    rows = [row for row in ranking.rows if row.shown.median_days is not None]
    if not rows:
        return None
    return Markup(horizontal_bars(
        [label(row.names) for row in rows],
        {"p90": [row.shown.p90_days or 0 for row in rows], "median": [row.shown.median_days or 0 for row in rows]},
        _("Working days per region: median and p90"), {"p90": _("p90"), "median": _("median")}, stacked=False))


@bp.route("/province")
@role_required("auditor", "admin")
def province():
    """Every matter across the auditor's regions: adoption and what the reform saved, the most demanded first."""
    view = engine.province_view(ctx(), scope=g.actor.region, source=request.args.get("source") or "real")
    return render_template("audit/province.html", view=view, adoption_label=adoption_label)
