"""Parsing at start: a fresh process has every current version and every open step's version loaded."""
from __future__ import annotations

from engine.cases import lifecycle as cases
from engine.catalog import versions as catalog
from engine.catalog.warmup import warm_up
from engine.context import EngineContext
from tests.conftest import PROCESSES


def test_a_fresh_context_is_warmed_with_what_the_first_pages_need(ctx, db_url):
    catalog.deploy_path(ctx, PROCESSES / "newborn")
    cases.start_case(ctx, "newborn", "before")  # an open step of version 1 of `before`
    fresh = EngineContext.from_url(db_url)
    try:
        with fresh.read() as session:
            wanted = {catalog.current_version(session, "newborn", v).id for v in ("before", "after")}
        assert all(fresh.caches.versions.get(v) is None for v in wanted)
        assert warm_up(fresh) == len(wanted)
        assert all(fresh.caches.versions.get(v) is not None for v in wanted)
    finally:
        fresh.engine.dispose()


def test_a_database_not_set_up_has_nothing_to_warm(db_url):
    fresh = EngineContext.from_url(db_url)
    try:
        assert warm_up(fresh) == 0
    finally:
        fresh.engine.dispose()
