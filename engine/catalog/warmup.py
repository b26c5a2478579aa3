"""Parse what the first requests would parse, before the first request: no one waits for a cold process.

Models are parsed and checked once per process (ctx.caches); lazily, the first auditor page after a
start parsed every matter's models (8 s) and the first clerk page the versions of the open steps.
`warm_up` does that work at start (web/wsgi.py per worker, `onething serve`).
"""
from __future__ import annotations

from sqlalchemy import inspect, select

from engine.catalog import versions as catalog
from engine.catalog.designer import current_version_ids, deployed_matter_ids
from engine.context import EngineContext
from engine.store.tables import Case, OpenStep


def warm_up(ctx: EngineContext) -> int:
    """Load every current version and every version an open step belongs to, and the auditor's first page's
    figures; how many versions. A database not set up yet has nothing to warm."""
    from engine.audit.comparison import audit_overview  # the audit layer reads the catalog: import when used

    with ctx.read() as session:
        if not inspect(session.connection()).has_table(Case.__tablename__):
            return 0
        ids = {vid for matter_id in deployed_matter_ids(session)
               for vid in current_version_ids(session, matter_id).values()}
        ids |= set(session.scalars(select(Case.model_version_id).join(OpenStep, OpenStep.case_id == Case.id)
                                   .distinct()))
        for version_id in sorted(ids):
            catalog.loaded_version(ctx, session, version_id)
    audit_overview(ctx)
    return len(ids)
