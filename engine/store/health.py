"""Is this installation fit to serve? The database answers, and its schema is at the newest migration.

`health` is what `GET /healthz` (and any monitor) asks: it reads one row (alembic_version) and compares
it with the head revision of engine/store/migrations, so a server started before `onething init-db` ran
after an upgrade says so instead of failing on its first request. It reads nothing personal.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from engine.store.db import MIGRATIONS

if TYPE_CHECKING:
    from engine.context import EngineContext


@dataclass(frozen=True)
class Health:
    """`database`: "ok" or "unreachable"; `migrations`: "current", "behind", "unknown" or "not checked"."""

    database: str
    migrations: str
    detail: str = ""  # what is wrong, in one line, fit for anyone who asks (no address, no password)
    reason: str = ""  # the database's own message when it does not answer: for the operator's log only

    @property
    def ok(self) -> bool:
        return self.database == "ok" and self.migrations == "current"


@cache
def revisions() -> tuple[str, frozenset[str]]:
    """The head revision of engine/store/migrations and every revision it knows (read once per process)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(config)
    head = script.get_current_head()
    if head is None:  # pragma: no cover - the project always has migrations
        raise RuntimeError("no Alembic head revision in engine/store/migrations")
    return head, frozenset(revision.revision for revision in script.walk_revisions())


def health(ctx: EngineContext) -> Health:
    """Ask the database for its Alembic revision; never raises for a database problem."""
    try:
        with ctx.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            try:
                found = {row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))}
            except SQLAlchemyError:
                return Health("ok", "unknown", "no alembic_version table: run `onething init-db`")
    except SQLAlchemyError as exc:
        reason = (str(getattr(exc, "orig", None) or exc).splitlines() or [type(exc).__name__])[0]
        return Health("unreachable", "not checked", "the database does not answer", _without_password(reason))
    head, known = revisions()
    if found == {head}:
        return Health("ok", "current")
    if not found:
        return Health("ok", "unknown", "alembic_version is empty: run `onething init-db`")
    at = ", ".join(sorted(found))
    if found <= known:
        return Health("ok", "behind", f"database at revision {at}, code at {head}: run `onething init-db`")
    return Health("ok", "unknown", f"database at revision {at}, which this code does not know (code at {head})")


def _without_password(reason: str) -> str:
    """Database messages can quote the connection string; drop any password in it."""
    return re.sub(r"(://[^:/@\s]+:)[^@\s]+@", r"\1***@", reason)
