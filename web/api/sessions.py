"""Signing in and out of the API (the same session cookie and CSRF token as the pages)."""
from __future__ import annotations

from typing import Any

from flask import request
from flask_babel import gettext as _
from werkzeug.exceptions import Unauthorized

import engine
from engine import Actor
from web.api.routing import PUBLIC, SIGNED_IN, api
from web.app import ctx
from web.schemas import EmptySchema, LoginSchema, SessionSchema
from web.session import csrf_token, sign_in, sign_out


@api("/session", "POST", roles=PUBLIC, body=LoginSchema, response=SessionSchema, errors=(401, 429),
     summary="Sign in with username and password; returns the actor and the CSRF token")
def login(actor: Actor | None, body: dict[str, Any]) -> dict[str, Any]:
    found = engine.authenticate(ctx(), body["username"], body["password"], request.remote_addr or "-")
    if found is None:
        raise Unauthorized(_("wrong username or password"))
    sign_in(found)
    return {"actor": found, "csrf_token": csrf_token()}


@api("/session", "GET", roles=SIGNED_IN, response=SessionSchema, summary="Who is signed in, and the CSRF token")
def whoami(actor: Actor) -> dict[str, Any]:
    return {"actor": actor, "csrf_token": csrf_token()}


@api("/session", "DELETE", roles=SIGNED_IN, body=EmptySchema, status=204, summary="Sign out")
def logout(actor: Actor, body: dict[str, Any]) -> None:
    sign_out()
