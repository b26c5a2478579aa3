"""Who is signed in, and the CSRF token: one convention shared by the pages and the JSON API.

The Flask session (a signed, HttpOnly, SameSite cookie) holds `actor` = {name, role, department,
generation} and `csrf` = a random token. Unsafe requests (POST, PUT, PATCH, DELETE) must echo the
token in the form field `csrf_token` or the header `X-CSRF-Token`. Signing out bumps the user's
session generation in the database, so a copied cookie dies with the sign-out (and with the
account).
"""
from __future__ import annotations

import hmac
import secrets

from flask import g, session

import engine
from engine import Actor
from web.app import ctx

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}




def sign_in(actor: Actor) -> None:
    session.clear()
    session["actor"] = {"name": actor.name, "role": actor.role, "department": actor.department,
                        "region": actor.region, "generation": engine.session_generation(ctx(), actor.name)}
    session["csrf"] = secrets.token_urlsafe(32)
    session.permanent = True
    g.pop("actor_checked", None)


def sign_out() -> None:
    actor = current_actor()
    if actor is not None:
        engine.end_sessions(ctx(), actor.name)
    session.clear()


def current_actor() -> Actor | None:
    """The signed-in actor, if the session is still valid (checked against the database once per request)."""
    data = session.get("actor")
    if not data:
        return None
    if "actor_checked" not in g:
        g.actor_checked = engine.session_generation(ctx(), data["name"]) == data.get("generation")
    if not g.actor_checked:
        session.pop("actor", None)
        return None
    return Actor(data["name"], data["role"], data.get("department"), data.get("region") or engine.ROOT_REGION)


def csrf_token() -> str:
    token = session.get("csrf")
    if token is None:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def csrf_ok(sent: str | None) -> bool:
    """Whether `sent` is the session's token (compare_digest raises on non-ASCII text: such a token is wrong)."""
    expected = session.get("csrf")
    return bool(expected and sent and sent.isascii() and hmac.compare_digest(expected, sent))
