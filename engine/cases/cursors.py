"""Opaque page cursors of the worklist and of "done by me": the sort, its direction, the last row's key and id.

A cursor is base64 of a small JSON list; whatever comes back is checked before use (a cursor is user input).
"""
from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from engine.errors import InputError
from engine.text import Text

KINDS = ("arrival", "due", "done")  # the worklist's sorts, and the done list's


def encode_cursor(kind: str, descending: bool, key: datetime | int | None, last: str | int) -> str:
    """An opaque, URL-safe cursor: the sort, its direction, the last row's sort key and id."""
    value = key.isoformat() if isinstance(key, datetime) else key
    raw = json.dumps([kind, descending, value, last], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, kind: str, descending: bool) -> tuple[Any, Any]:
    """The (sort key, id) a cursor holds; InputError for a cursor we did not make or of another sort."""
    def bad(why: Text) -> InputError:
        return InputError(Text("bad cursor: %(why)s; start again from the first page", why=why),
                          fields={"cursor": [why]})

    if len(cursor) > 300:
        raise bad(Text("too long"))
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        parts = json.loads(raw)
    except (binascii.Error, ValueError):
        raise bad(Text("not a cursor of this list")) from None
    if not (isinstance(parts, list) and len(parts) == 4 and parts[0] in KINDS):
        raise bad(Text("not a cursor of this list"))
    sort, desc, key, last = parts
    if sort != kind or desc is not descending:
        raise bad(Text("made for another sort order"))
    if kind == "done":
        if not (isinstance(last, int) and not isinstance(last, bool) and key is None):
            raise bad(Text("not a cursor of this list"))
        return None, last
    if not (isinstance(last, str) and 0 < len(last) <= 36) or (key is None and kind == "arrival"):
        raise bad(Text("not a cursor of this list"))
    if key is None:
        return None, last
    try:
        moment = datetime.fromisoformat(key) if isinstance(key, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise bad(Text("not a cursor of this list"))
    return moment, last
