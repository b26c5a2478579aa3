"""HTML pages: one blueprint per screen, shared hooks, error pages and template helpers."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import Flask, current_app, redirect, render_template, request, session, url_for
from flask_babel import get_locale, gettext as _
from markupsafe import Markup
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from engine import OneThingError
from web.auth import check_csrf, load_actor
from web.errors import size_text
from web.session import csrf_token
from web.texts import translated

BEIJING = ZoneInfo("Asia/Shanghai")


def lang() -> str:
    return str(get_locale() or "zh")


def label(names: Any) -> str:
    """A zh/en pair (Names, Labels or dict) in the current language."""
    if names is None:
        return ""
    if isinstance(names, str):
        return names
    if isinstance(names, dict):
        return names.get(lang()) or names.get("zh") or ""
    if hasattr(names, "get") and callable(names.get):
        try:
            return names.get(lang())
        except TypeError:
            pass
    return getattr(names, lang(), None) or getattr(names, "zh", "")


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A UTC time shown in Beijing time."""
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(BEIJING).strftime(fmt)


def shown_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> Markup:
    """A time for a page: Beijing time in words, its zone in a title and its +08:00 instant in `datetime`."""
    if value is None:
        return Markup("—")
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    local = value.astimezone(BEIJING)
    return Markup('<time datetime="{}" title="{}">{}</time>').format(
        local.isoformat(timespec="minutes"), _("Beijing time (UTC+8)"), local.strftime(fmt))


def zone_note() -> Markup:
    """What a column of times is in, for its header."""
    return Markup('<span class="muted small zone">{}</span>').format(_("(Beijing time)"))


def duration(start: datetime | None, end: datetime | None) -> str:
    """Elapsed time in days/hours/minutes, in words of the current language."""
    if start is None or end is None:
        return "—"
    minutes = int((end - start).total_seconds() // 60)
    days, rest = divmod(max(minutes, 0), 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(d)s d %(h)s h", d=days, h=hours)
    if hours:
        return _("%(h)s h %(m)s min", h=hours, m=mins)
    return _("%(m)s min", m=mins)


def form_values(form: Any, values: Any) -> dict:
    """Posted form fields as the engine's form schema takes them (booleans from yes/no radios)."""
    if form is None:
        return {}
    data: dict = {}
    for item in form.fields:
        raw = values.get(item.name, "")
        data[item.name] = {"yes": True, "no": False}.get(raw, raw or None) if item.type == "boolean" else raw
    return data


def safe_next(target: str | None, fallback: str) -> str:
    """A local path to go back to (never another site)."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    return target


def status_of(exc: OneThingError) -> int:
    """HTTP status of an engine error: one mapping (web.errors) for pages and API."""
    from web.errors import status_for

    return status_for(exc)


def _error_page(exc: Exception):
    if isinstance(exc, HTTPException):
        status = exc.code or 500
        if status == 403 and exc.description == "csrf":
            message = _("Your form expired or did not come from this site. Go back, reload the page and try again.")
        else:
            message = {400: _("The request was not understood. Check what you entered and try again."),
                       403: _("You do not have permission to open this page."),
                       404: _("This page does not exist."),
                       405: _("This action is not possible here."),
                       413: _("The upload is too large: a request may carry at most %(size)s.",
                              size=size_text(int(current_app.config["MAX_CONTENT_LENGTH"]))),
                       429: _("Too many attempts. Please wait a few minutes and try again.")}.get(status, exc.name)
        if request.blueprint == "api" or request.path.startswith("/api/"):  # also a path no API rule matches
            from web.api import json_error

            return json_error(exc)
    else:
        status = status_of(exc)
        message = translated(exc.message)  # type: ignore[attr-defined]
    headers = {"Allow": ", ".join(exc.valid_methods)} if isinstance(exc, MethodNotAllowed) and exc.valid_methods else {}
    return render_template("error.html", status=status, message=message), status, headers


def _set_language():
    """POST /lang: remember the chosen language, go back where the user was."""
    chosen = request.form.get("lang")
    if chosen in ("zh", "en"):
        session["lang"] = chosen
    return redirect(safe_next(request.form.get("next"), url_for("citizen.index")))


# POST results that may be posted again to show them in the other language: a progress lookup (a read) and an
# application refused with field errors (nothing was saved; a valid one redirects). Other POST pages go back to
# the page the form was on.
LANGUAGE_REPOST = frozenset({"citizen.track", "citizen.apply"})


def _language_of_repost() -> None:
    """before_request: the language switch of a POST result posts the same fields again with `switch_lang`."""
    if request.method != "POST" or request.endpoint not in LANGUAGE_REPOST:
        return  # reading any other body here would consume it (the API reads its own)
    form = _form_if_readable()
    if form.get("switch_lang"):
        chosen = form.get("lang")
        if chosen in ("zh", "en"):
            session["lang"] = chosen


def _form_if_readable() -> Any:
    """The posted form, or an empty one when it cannot be read (e.g. over the size limit: the page says so)."""
    try:
        return request.form
    except HTTPException:
        return {}


def repost_fields() -> list[tuple[str, str]]:
    """What the user typed on this POST result, for the language switch to post again (never a password)."""
    if request.method != "POST" or request.endpoint not in LANGUAGE_REPOST:
        return []
    form = _form_if_readable()
    return [(k, v) for k, v in (form.items(multi=True) if form else ())
            if k not in ("csrf_token", "lang", "switch_lang") and "password" not in k]


def language_next() -> str:
    """Where the language switch returns to: this page (GET), else the page the form was posted from."""
    if request.method == "GET":
        return request.full_path
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path.startswith("/"):
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return url_for("citizen.index")


def _department_label(department: str | None) -> str:
    """A department in the page's language; its id when no deployed matter names it."""
    import engine
    from web.app import ctx

    return label(engine.department_label(ctx(), department)) or (department or "")


def region_tree() -> list:
    """The province's regions, depth first (read once a request: the tree is small)."""
    from flask import g

    import engine
    from web.app import ctx

    if "regions" not in g:
        g.regions = engine.list_regions(ctx())
    return g.regions


def _region_label(region: str | None) -> str:
    """A region's name in the page's language; its id when no region has it."""
    found = next((r for r in region_tree() if r.id == region), None)
    return label(found.names) if found is not None else (region or "")


def register_pages(app: Flask) -> None:
    """Blueprints, hooks, template helpers and error pages."""
    from web.pages import audit, auth, cases, citizen, designer, health, reforms, regions, worklist

    for module in (auth, worklist, cases, citizen, designer, audit, health, regions, reforms):
        app.register_blueprint(module.bp)
    app.before_request(load_actor)
    app.before_request(check_csrf)
    app.before_request(_language_of_repost)
    app.add_url_rule("/lang", "set_language", _set_language, methods=["POST"])
    from web.messages import field_message
    from web.pages import citations, words

    app.jinja_env.globals.update(csrf_token=csrf_token, label=label, lang=lang, local_time=local_time,
                                 shown_time=shown_time, zone_note=zone_note,
                                 duration=duration, field_message=field_message, status_label=words.status_label,
                                 case_event_label=words.case_event_label,
                                 admin_action_label=words.admin_action_label,
                                 source_label=words.source_label,
                                 metric_label=words.metric_label, num=words.num, signed=words.signed,
                                 department_label=_department_label, region_label=_region_label,
                                 region_tree=region_tree, repost_fields=repost_fields, translated=translated,
                                 language_next=language_next, cited=citations.cited,
                                 source_parts=citations.source_parts, scope_label=citations.scope_label)
    app.jinja_env.filters["field_message"] = field_message  # e.g. errors[name]|map('field_message')|join('; ')
    for code in (400, 403, 404, 405, 413, 429):
        app.register_error_handler(code, _error_page)
    app.register_error_handler(OneThingError, _error_page)

