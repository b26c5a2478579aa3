"""Fixtures shared by every test package: isolation from ONETHING_* and instance/, databases (SQLite, PostgreSQL)."""
from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

REPO = Path(__file__).resolve().parents[1]
PROCESSES = REPO / "processes"
# newborn's after.bpmn with its maternity allowance a script again instead of its DMN decision table: a model that is
# valid alone, for uploads (designer uploads are BPMN only, and a new matter has no deployed DMN to use)


def inline_birth_registration(bpmn: bytes) -> bytes:
    """newborn's after.bpmn with its call to the police's shared sub-process replaced by that process's step
    (register_birth, in the police lane): the model as it was before the sub-process was shared, valid alone."""
    shared = (PROCESSES / "shared" / "police_birth_registration" / "process.bpmn").read_bytes()
    step = re.search(rb'    <bpmn:userTask id="register_birth".*?</bpmn:userTask>\n', shared, flags=re.S).group(0)
    call = re.search(rb'    <bpmn:callActivity id="call_birth_registration".*?</bpmn:callActivity>\n', bpmn, flags=re.S)
    ends = re.findall(rb"<bpmn:(?:incoming|outgoing)>.*?</bpmn:(?:incoming|outgoing)>", call.group(0))
    step = re.sub(rb"<bpmn:incoming>.*?</bpmn:outgoing>", b"\n      ".join(ends), step, flags=re.S)
    return (bpmn[:call.start()] + step + bpmn[call.end():]).replace(b"call_birth_registration", b"register_birth")


NEWBORN_AFTER_PLAIN = inline_birth_registration(re.sub(
    rb'<bpmn:businessRuleTask id="grant_maternity_allowance"(.*?)<spiffworkflow:calledDecisionId>.*?</spiffworkflow'
    rb':preScript>(.*?)</bpmn:businessRuleTask>',
    rb'<bpmn:scriptTask id="grant_maternity_allowance"\1\2<bpmn:script>maternity_allowance_granted = True'
    rb'</bpmn:script></bpmn:scriptTask>', (PROCESSES / "newborn" / "after.bpmn").read_bytes(), flags=re.S))
# The harness's own variables, read once here: the `isolated` fixture clears every ONETHING_* for each test.
POSTGRES_URL = os.environ.get("ONETHING_TEST_POSTGRES_URL", "postgresql://postgres@localhost/test")
REQUIRE_POSTGRES = os.environ.get("ONETHING_REQUIRE_POSTGRES") == "1"
CHECKOUT_INSTANCE = REPO / "instance"
_BEFORE = pytest.StashKey[tuple]()
_WROTE = pytest.StashKey[bool]()


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path) -> Path:
    """No ONETHING_* variable from the caller's shell; the instance path is the test's tmp_path/instance (returned)."""
    for name in [name for name in os.environ if name.startswith("ONETHING_")]:
        monkeypatch.delenv(name)
    instance = tmp_path / "instance"
    monkeypatch.setenv("ONETHING_INSTANCE_PATH", str(instance))
    return instance


def _instance_files() -> dict[str, float]:
    return {str(p): p.stat().st_mtime for p in CHECKOUT_INSTANCE.rglob("*")} if CHECKOUT_INSTANCE.exists() else {}


def pytest_configure(config) -> None:
    config.stash[_BEFORE] = (CHECKOUT_INSTANCE.exists(), _instance_files())


def pytest_sessionfinish(session, exitstatus) -> None:
    """Fail the run when a test wrote into the checkout's instance/ (the `isolated` fixture should prevent it)."""
    if hasattr(session.config, "workerinput"):  # an xdist worker: the controller checks once for all
        return
    if (CHECKOUT_INSTANCE.exists(), _instance_files()) != session.config.stash[_BEFORE]:
        session.config.stash[_WROTE] = True
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if config.stash.get(_WROTE, False):
        terminalreporter.write_sep("!", f"the tests wrote into {CHECKOUT_INSTANCE}: the run fails", red=True)


def _postgres_reachable() -> str | None:
    try:
        engine = create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1),
                               connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # any failure to connect means "not here"
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"


_PG_PROBLEM = _postgres_reachable()


def postgres_schema_url() -> tuple[str, str]:
    """A fresh schema in the test database, so each test starts empty; the URL selects it."""
    if _PG_PROBLEM is not None:
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is required (ONETHING_REQUIRE_POSTGRES=1) but not reachable: {_PG_PROBLEM}")
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}: {_PG_PROBLEM}")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return f"{POSTGRES_URL}?options=-csearch_path%3D{schema}", schema


def drop_schema(schema: str) -> None:
    engine = create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    """A database URL: a fresh SQLite file, then a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'onething.db'}"
        return
    url, schema = postgres_schema_url()
    yield url
    drop_schema(schema)


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'onething.db'}"
