"""The Alembic migrations build exactly the schema the models declare (no drift), on SQLite and PostgreSQL."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import engine.store.tables  # noqa: F401  (registers the tables)
import engine.store.tables_audit  # noqa: F401
import engine.store.tables_citizen  # noqa: F401
from engine.context import EngineContext
from engine.store.db import Base


def test_migrations_match_the_models(db_url):
    ctx = EngineContext.from_url(db_url)
    ctx.init_db()
    ctx.init_db()  # upgrading an up-to-date database is a no-op
    with ctx.engine.connect() as connection:
        migration = MigrationContext.configure(connection, opts={"compare_type": False})
        diff = compare_metadata(migration, Base.metadata)
    ctx.engine.dispose()
    assert diff == [], diff
