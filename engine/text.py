"""Messages people read, in English here and in their own language on the pages.

A Text is a str: its English rendering (template % values), which logs, the CLI, tests and the API's English
`message` show as before. It also carries its gettext `template` (the msgid: `pybabel extract` finds every
`Text("literal %(name)s", name=...)` in engine/, see babel.cfg) and its `values`, so web/ shows it in the
user's language with the values shown there too (web/texts.py):

- a value whose placeholder starts with `department` is a department id, shown by its name;
- a `status` value is a case status (completed, cancelled...), shown as a word of the page's language;
- a Named value is an id with names (a step: its id in English, its name on pages);
- a Listed value is several of these, shown joined in the page's language;
- a Text value is itself translated;
- a When value is a time: UTC in English messages (it says so), the page's own zone on pages.

The first argument of Text must be a literal (no f-string, no concatenation): it is the msgid.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any


class Text(str):
    """An English message that keeps its gettext template and the values shown in it."""

    template: str
    values: dict[str, Any]

    def __new__(cls, template: str, /, **values: Any) -> Text:
        text = super().__new__(cls, template % values if values else template)
        text.template, text.values = template, values
        return text

    def __getnewargs_ex__(self) -> tuple[tuple[str], dict[str, Any]]:
        return (self.template,), self.values  # copy and pickle rebuild it from its parts


class Named(str):
    """An id in a message (e.g. a step's BPMN id, never a task's UUID): English messages show the id, as they
    always did; pages show `names` (anything with zh and en, e.g. matters.files.Names) in their language."""

    names: Any

    def __new__(cls, ident: str, names: Any = None) -> Named:
        named = super().__new__(cls, ident)
        named.names = names
        return named

    def __reduce__(self) -> tuple[Any, ...]:
        return Named, (str(self), self.names)  # copy and pickle rebuild it from its parts


class Listed(str):
    """Several values in one placeholder: ", "-joined in English (" or "-joined if `either`); pages show each one
    and join them their way. `empty`: what to say for none (a Text, to be translated)."""

    items: tuple[Any, ...]
    empty: str
    either: bool

    def __new__(cls, items: Iterable[Any], empty: str = "", either: bool = False) -> Listed:
        kept = tuple(items)
        listed = super().__new__(cls, (" or " if either else ", ").join(str(i) for i in kept) or empty)
        listed.items, listed.empty, listed.either = kept, empty, either
        return listed

    def __reduce__(self) -> tuple[Any, ...]:
        return Listed, (self.items, self.empty, self.either)


class When(str):
    """A time in a message: "2026-12-07 08:30 UTC" in English messages (logs, CLI, API); pages show `at` in their
    own zone, labelled (web/texts.py)."""

    at: datetime

    def __new__(cls, at: datetime) -> When:
        aware = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
        when = super().__new__(cls, aware.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"))
        when.at = aware
        return when

    def __reduce__(self) -> tuple[Any, ...]:
        return When, (self.at,)
