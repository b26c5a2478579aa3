"""The auditor's charts: measured figures handed to diagrams/charts.py with labels in the page's language."""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup

import engine
from diagrams.charts import grouped_columns, horizontal_bars, share_bars
from web.pages import label


def _variant_labels() -> dict[str, str]:
    return {"before": _("before"), "after": _("after")}


def dashboard_charts(board: engine.MatterDashboard) -> dict[str, Markup]:
    """Every chart of a matter's page as inline SVG (built from our own figures, text escaped)."""
    labels = _variant_labels()
    charts: dict[str, Markup] = {}
    categories = [label for label, _count in board.distribution.get("before", [])]
    if any(count for rows in board.distribution.values() for _label, count in rows):
        charts["distribution"] = Markup(grouped_columns(
            categories, {v: [c for _label, c in rows] for v, rows in board.distribution.items()},
            _("Completed cases by working days elapsed"), labels))
    shares = {v: board.measured.get(v, {}).get("on_time_rate") for v in engine.VARIANTS}
    if any(share is not None for share in shares.values()):
        charts["on_time"] = Markup(share_bars(shares, _("On-time rate"), labels))
    for variant in engine.VARIANTS:
        steps: list[dict[str, Any]] = board.measured.get(variant, {}).get("steps") or []
        if steps:
            charts[f"steps_{variant}"] = Markup(horizontal_bars(
                [label(board.step_names.get(s["step_id"])) or s["step_name"] or s["step_id"] for s in steps],
                {"waiting": [(s["waiting_hours"] or {}).get("median") or 0 for s in steps],
                 "working": [(s["working_hours"] or {}).get("median") or 0 for s in steps]},
                _("Median waiting and working hours per step (%(variant)s)", variant=labels[variant]),
                {"waiting": _("waiting"), "working": _("working")}, unit=" h"))
    weeks = sorted({w["week"] for v in engine.VARIANTS for w in board.measured.get(v, {}).get("cases_per_week") or []})
    if weeks:
        per_week = {v: {w["week"]: w["cases"] for w in board.measured.get(v, {}).get("cases_per_week") or []}
                    for v in engine.VARIANTS}
        charts["weeks"] = Markup(grouped_columns(weeks[-12:], {v: [per_week[v].get(w, 0) for w in weeks[-12:]]
                                                               for v in engine.VARIANTS},
                                                 _("Finished cases per week"), labels))
    return charts
