"""Sign in and out."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from engine import authenticate
from web.app import ctx
from web.auth import home_endpoint
from web.pages import safe_next
from web.session import sign_in, sign_out

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    next_url = request.values.get("next")
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        actor = authenticate(ctx(), username, password, request.remote_addr or "-") if username and password else None
        if actor is not None:
            lang = session.get("lang")
            sign_in(actor)  # a fresh session (no fixation); the language choice survives
            if lang:
                session["lang"] = lang
            return redirect(safe_next(next_url, url_for(home_endpoint(actor.role))))
        error = _("Wrong user name or password.")
    status = 401 if error else 200
    return render_template("auth/login.html", error=error, next=next_url), status


@bp.route("/logout", methods=["POST"])
def logout():
    lang = session.get("lang")
    sign_out()
    if lang:
        session["lang"] = lang
    return redirect(url_for("citizen.index"))
