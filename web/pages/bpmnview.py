"""What the bpmn-js viewer of a page needs (static/bpmn_view.js): whether the model can be drawn in its own
notation, and per element its name, department and, on a case page, its state and times, as JSON in the page."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, url_for
from flask_babel import gettext as _

from web.pages import label, local_time
from web.pages.drawing import case_svg, model_svg, named_diagram

ACTIVE = {"ready": "active", "waiting": "active", "overdue": "overdue"}  # engine state -> the viewer's marker


@dataclass(frozen=True)
class Viewer:
    """A model the page may show with bpmn-js: where its XML is, and the data of its elements."""

    xml_url: str
    data: dict[str, Any]


def drawn_in_file(diagram) -> bool:
    """True when the file has BPMN DI for its flow nodes (a shape with bounds for at least one of them):
    bpmn-js draws from that DI, so a file without it keeps the graphviz drawing."""
    return bool(set(diagram.old_y) & set(diagram.nodes))


def elements(diagram) -> dict[str, dict[str, Any]]:
    """Each flow node's name in the page's language and its lane's (department's) name."""
    lanes = diagram.lane_names()
    out: dict[str, dict[str, Any]] = {}
    for node in diagram.nodes.values():
        item: dict[str, Any] = {"name": node.name or ""}
        if node.lane and lanes.get(node.lane):
            item["department"] = lanes[node.lane]
        out[node.id] = item
    return out


def model_data(diagram) -> dict[str, Any]:
    """The viewer's data for a model without a case (the version page): names only."""
    return {"elements": elements(diagram), "states": {}}


def case_data(diagram, summary, step_states: dict[str, str],
              called_in: dict[str, str] | None = None) -> dict[str, Any]:
    """The viewer's data for a case: each element's state (done, active, overdue; not reached: absent) and, per
    step, every pass's times as lines in the page's language (the timeline's figures, Beijing time). A step of a
    process called from another file shows its passes on the call activity that runs it (`called_in`)."""
    items = elements(diagram)
    drawn = {**(called_in or {}), **{element: element for element in items}}
    states = {}
    for element, state in step_states.items():
        marker = "done" if state == "completed" else ACTIVE.get(state)
        if marker and element in items:
            states[element] = marker
    for entry in summary.log:
        if entry.event in ("completed", "cancelled") and drawn.get(entry.step_id) in items:
            item = items[drawn[entry.step_id]]
            item.setdefault("passes", []).append(_logged(entry, summary, item.get("department")))
    for open_step in summary.open_steps:
        item = items.get(drawn.get(open_step.item.step_id, ""))
        if item is not None:
            item.setdefault("passes", []).append(_open(open_step, item.get("department")))
    names = {step: label(names) for step, names in summary.step_names.items()}
    for element, item in items.items():
        if names.get(element):  # the page's language, as the timeline names them
            item["name"] = names[element]
    return {"elements": items, "states": states}


def _logged(entry, summary, lane: str | None) -> list[str]:
    """One completed (or cancelled) pass of a step; its department when it is not the step's lane's."""
    lines = [_("Ready: %(t)s", t=local_time(entry.ready_at))]
    if entry.claimed_at is not None:
        lines.append(_("Claimed: %(t)s", t=local_time(entry.claimed_at)))
    when = local_time(entry.at)
    lines.append(_("Cancelled: %(t)s", t=when) if entry.event == "cancelled" else _("Completed: %(t)s", t=when))
    if entry.actor:
        lines.append(_("By: %(who)s", who=entry.actor))
    department = label(summary.department_names.get(entry.department)) or entry.department
    if department and department != lane:
        lines.append(_("Department: %(name)s", name=department))
    return lines


def _open(open_step, lane: str | None) -> list[str]:
    """The open pass of a ready step; its department when it is not the step's lane's."""
    item = open_step.item
    lines = [_("Ready: %(t)s", t=local_time(item.ready_at))]
    if item.claimed_by:
        lines.append(_("Claimed: %(t)s", t=local_time(item.claimed_at)) if item.claimed_at else _("Claimed"))
        lines.append(_("By: %(who)s", who=item.claimed_by))
    lines.append(_("Waiting to be completed"))
    department = label(open_step.department)
    if department and department != lane:
        lines.append(_("Department: %(name)s", name=department))
    return lines


def case_drawings(summary, title: str, lang: str) -> tuple[Any, Viewer | None]:
    """The case page's graphviz drawing (None when it fails) and its bpmn-js viewer (None without DI)."""
    import engine
    from web.app import ctx

    number = summary.case.number
    try:
        overlay = engine.case_overlay(ctx(), number)
    except Exception:  # a drawing problem must not hide the case itself
        current_app.logger.exception("case overlay failed")
        return None, None
    try:
        drawing = case_svg(ctx(), number, title, lang, summary.matter, overlay=overlay)
    except Exception:  # e.g. dot missing: bpmn-js may still draw it
        current_app.logger.exception("case drawing failed")
        drawing = None
    try:
        diagram = named_diagram(overlay.data, overlay.filename, lang, summary.matter)
    except Exception:
        current_app.logger.exception("case model could not be read for the viewer")
        return drawing, None
    if not drawn_in_file(diagram):
        return drawing, None
    return drawing, Viewer(url_for("cases.model", number=number),
                           case_data(diagram, summary, overlay.step_states, overlay.called_in))


def version_drawings(version_id: int, data: bytes, filename: str, title: str, lang: str,
                     matter: object | None) -> tuple[Any, Viewer | None]:
    """The version page's graphviz drawing (None when it fails) and its bpmn-js viewer (None without DI)."""
    try:
        drawing = model_svg(data, filename, title, lang, matter)
    except Exception:
        current_app.logger.exception("drawing failed")
        drawing = None
    try:
        diagram = named_diagram(data, filename, lang, matter)
    except Exception:
        current_app.logger.exception("model could not be read for the viewer")
        return drawing, None
    if not drawn_in_file(diagram):
        return drawing, None
    return drawing, Viewer(url_for("designer.download", version_id=version_id), model_data(diagram))
