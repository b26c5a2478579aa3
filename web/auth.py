"""Who may open a page: `login_required`, `role_required(*roles)`, and the CSRF check for every POST."""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import abort, g, redirect, request, url_for

from web.session import UNSAFE, csrf_ok, current_actor

ROLE_HOME = {"clerk": "worklist.index", "designer": "designer.index", "auditor": "audit.index", "admin": "audit.index"}


def load_actor() -> None:
    """before_request: g.actor is the signed-in Actor or None."""
    g.actor = current_actor()


def check_csrf() -> None:
    """before_request: an unsafe request without the session's token is refused with 403."""
    if request.method not in UNSAFE or request.blueprint == "api":
        return
    if not csrf_ok(request.form.get("csrf_token") or request.headers.get("X-CSRF-Token")):
        abort(403, description="csrf")


def login_required(view: Callable) -> Callable:
    """Send anonymous visitors to the login page, then back."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if g.get("actor") is None:
            return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
        return view(*args, **kwargs)

    return wrapper


def role_required(*roles: str) -> Callable[[Callable], Callable]:
    """Signed in with one of `roles`, else 403 (anonymous visitors go to the login page)."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if g.get("actor") is None:
                return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
            if g.actor.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapper.roles = roles  # type: ignore[attr-defined]
        return wrapper

    return decorate


def home_endpoint(role: str | None) -> str:
    return ROLE_HOME.get(role or "", "citizen.index")
