"""Alembic environment: runs on the connection handed in by engine.store.db.upgrade (or a URL)."""
from alembic import context
from sqlalchemy import create_engine, pool

import engine.store.tables  # noqa: F401  (registers the tables on Base.metadata)
import engine.store.tables_audit  # noqa: F401
import engine.store.tables_citizen  # noqa: F401
import engine.store.tables_design  # noqa: F401
import engine.store.tables_measures  # noqa: F401
import engine.store.tables_regions  # noqa: F401
from engine.store.db import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("alembic needs a connection (engine.store.db.upgrade) or sqlalchemy.url")
    with create_engine(url, poolclass=pool.NullPool).connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        conn.commit()


run()
