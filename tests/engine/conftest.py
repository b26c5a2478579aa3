"""Engine fixtures: a migrated database, a simulated clock, deployed test models, users."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.accounts import users
from engine.catalog import versions as catalog
from engine.context import EngineContext
from engine.runtime.clock import SimulatedClock

MODELS = Path(__file__).resolve().parent / "models"


@pytest.fixture
def clock():
    return SimulatedClock()


@pytest.fixture
def ctx(db_url, clock):
    """An EngineContext on a fresh, migrated database (SQLite and PostgreSQL)."""
    context = EngineContext.from_url(db_url, clock=clock, script_time_limit=0.5)
    context.init_db()
    yield context
    context.engine.dispose()


@pytest.fixture
def deployed(ctx):
    """The test model `parallel` deployed as matter 'models', variant 'parallel'."""
    return catalog.deploy_path(ctx, MODELS / "parallel.bpmn")[0]


@pytest.fixture
def clerks(ctx):
    """One clerk per department of the test model."""
    return {
        "police": users.add_user(ctx, "li.police", "password1", "clerk", "police"),
        "health": users.add_user(ctx, "wang.health", "password1", "clerk", "health"),
        "police2": users.add_user(ctx, "zhao.police", "password1", "clerk", "police"),
    }


@pytest.fixture
def applicant():
    return users.Actor.applicant()
