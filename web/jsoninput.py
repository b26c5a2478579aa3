"""JSON from outside (the API's bodies), read strictly: one reader for every body.

`json.loads` takes values that then fail further down, as a 500 on a public route:
- NaN, Infinity, -Infinity, and numbers that overflow to infinity (1e999): PostgreSQL's JSON refuses them;
- integers of more digits than Python converts (`sys.get_int_max_str_digits()`, 4,300): ValueError;
- lone surrogates ("\\ud800"): no UTF-8 for them, so neither the database nor the answer can hold them;
- NUL characters: PostgreSQL text cannot hold them;
- nesting deeper than MAX_DEPTH: copies and dumps downstream recurse.
`loads` refuses each with `Refused`, naming where: a dotted path ("data.child_name", "data.items.0";
"_schema" for the body itself), with a field message in the user's language.
"""
from __future__ import annotations

import json
import math
import re
import sys
from typing import Any

from flask_babel import lazy_gettext

MAX_DEPTH = 32  # form data is flat; deeper bodies only serve to exhaust the stack
_SURROGATE = re.compile("[\ud800-\udfff]")  # after json.loads only lone ones remain: it joins escaped pairs


class Refused(ValueError):
    """JSON we do not take: `message` (English) says what and where, to follow "the body";
    `fields` holds the field message in the user's language, if the problem has a place."""

    def __init__(self, message: str, field: str | None = None, text: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields: dict[str, list[Any]] = {field: [text]} if field is not None else {}


class _Unfit:
    """A number json.loads would have turned into something unstorable; reported with its place by `_check`."""

    def __init__(self, what: str, text: Any) -> None:
        self.what, self.text = what, text


def _int(text: str) -> int | _Unfit:
    limit = sys.get_int_max_str_digits()
    if limit and len(text) - text.startswith("-") > limit:
        return _Unfit(f"an integer of more than {limit} digits", lazy_gettext("The number is too large."))
    return int(text)


def _float(text: str) -> float | _Unfit:
    value = float(text)
    return value if math.isfinite(value) else _constant(text)


def _constant(text: str) -> _Unfit:
    return _Unfit(f"a number that is not finite ({text[:20]})", lazy_gettext("Enter a number."))


def loads(raw: bytes | str) -> Any:
    """The parsed JSON; Refused (with the place) for anything the database, Python or the answer cannot hold."""
    try:
        value = json.loads(raw, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise Refused(f"is not valid JSON at line {exc.lineno} column {exc.colno} ({exc.msg})") from None
    except UnicodeDecodeError:
        raise Refused("is not valid JSON (not UTF-8 text)") from None
    except RecursionError:
        raise Refused(f"nests deeper than {MAX_DEPTH} levels") from None
    _check(value)
    return value


def _check(value: Any) -> None:
    todo: list[tuple[Any, int, tuple[str, ...]]] = [(value, 1, ())]
    while todo:
        item, depth, path = todo.pop()
        if isinstance(item, str):
            _check_text(item, path, name=False)
        elif isinstance(item, _Unfit):
            raise _refused(item.what, path, item.text)
        elif isinstance(item, (dict, list)):
            if depth > MAX_DEPTH:
                raise Refused(f"nests deeper than {MAX_DEPTH} levels")
            if isinstance(item, dict):
                for key, child in item.items():
                    _check_text(key, path, name=True)
                    todo.append((child, depth + 1, (*path, key)))
            else:
                todo.extend((child, depth + 1, (*path, str(index))) for index, child in enumerate(item))


def _check_text(text: str, path: tuple[str, ...], name: bool) -> None:
    """A string or a field name: no NUL, no lone surrogate (a field name's problem is its object's)."""
    if "\x00" in text:
        what, message = "a NUL character", (lazy_gettext("A field name contains a NUL character.") if name
                                             else lazy_gettext("Contains a NUL character."))
    elif _SURROGATE.search(text):
        what, message = "a lone surrogate (not Unicode text)", (
            lazy_gettext("A field name contains a character that is not valid Unicode.") if name
            else lazy_gettext("Contains a character that is not valid Unicode."))
    else:
        return
    raise _refused(f"{what} in a field name" if name else what, path, message)


def _refused(what: str, path: tuple[str, ...], text: Any) -> Refused:
    field = ".".join(path) or "_schema"
    return Refused(f"contains {what} at {field if path else 'the top level'}", field, text)
