"""Who is signed in, and the CSRF token: one convention shared by the pages and the JSON API.

The Flask session (a signed, HttpOnly, SameSite cookie) holds `actor` = {name, role, department}
and `csrf` = a random token. Unsafe requests (POST, PUT, PATCH, DELETE) must echo the token in
the form field `csrf_token` or the header `X-CSRF-Token`.
"""
from __future__ import annotations

import hmac
import secrets

from flask import session

from engine.users import Actor

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def sign_in(actor: Actor) -> None:
    session.clear()
    session["actor"] = {"name": actor.name, "role": actor.role, "department": actor.department}
    session["csrf"] = secrets.token_urlsafe(32)
    session.permanent = True


def sign_out() -> None:
    session.clear()


def current_actor() -> Actor | None:
    data = session.get("actor")
    return Actor(data["name"], data["role"], data.get("department")) if data else None


def csrf_token() -> str:
    token = session.get("csrf")
    if token is None:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def csrf_ok(sent: str | None) -> bool:
    expected = session.get("csrf")
    return bool(expected and sent and hmac.compare_digest(expected, sent))
