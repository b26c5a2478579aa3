"""Who may open a page: `login_required`, `role_required(*roles)`, and the CSRF check for every POST."""
from __future__ import annotations

import functools
from typing import Any, Callable

from flask import abort, g, redirect, request, url_for

from web.session import UNSAFE, csrf_ok, current_actor

ROLE_HOME = {"clerk": "worklist.index", "designer": "designer.index", "auditor": "audit.index", "admin": "audit.index"}


def load_actor() -> None:
    """before_request: g.actor is the signed-in Actor or None."""
    g.actor = current_actor()


def check_csrf() -> None:
    """before_request: an unsafe request without the session's token is refused with 403."""
    if request.method in UNSAFE and request.blueprint != "api":
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


def same_department(department: str | None) -> None:
    """403 unless the signed-in clerk belongs to `department` (the engine checks again on completion)."""
    actor = g.get("actor")
    if actor is None or not actor.may_work(department):
        abort(403)


def may_read_matter(ctx, actor, matter_id: str) -> bool:
    """Clerks see cases of matters their department takes part in (as the API); auditors and admins all."""
    from engine.catalog.designer import matter_departments

    if actor is None:
        return False
    if actor.role != "clerk":
        return True
    return actor.department in matter_departments(ctx, matter_id)


def check_may_deploy(ctx, actor, matter_id: str) -> None:
    """A designer deploys only matters their department takes part in *as deployed*.

    The engine checks the departments of the matter.yaml that comes with the upload, which the
    designer writes: listing their own department there must not open another department's matter.
    """
    from engine.catalog.designer import matter_departments
    from engine.errors import NotYourDepartment

    if actor is None or actor.role == "admin":
        return
    deployed = matter_departments(ctx, matter_id)
    if deployed and (actor.role != "designer" or actor.department not in deployed):
        raise NotYourDepartment(f"{actor.name} is not a designer of a department of matter {matter_id!r}")


def home_endpoint(role: str | None) -> str:
    return ROLE_HOME.get(role or "", "citizen.index")
