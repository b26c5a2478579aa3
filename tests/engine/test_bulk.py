"""engine/store/bulk.py stores what SQLAlchemy's Core INSERT stores (SQLite and PostgreSQL)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any, cast

import pytest
from sqlalchemy import Table, insert, select

from engine.cases import lifecycle as cases
from engine.store.bulk import insert_rows
from engine.store.tables import Case, StepLogEntry, Timer

SHANGHAI = timezone(timedelta(hours=8))
LOG = cast(Table, StepLogEntry.__table__)


def _rows(case_id: int) -> list[dict[str, Any]]:
    at = datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=SHANGHAI)  # stored as UTC, read back aware
    return [
        {"case_id": case_id, "task_id": "t-1", "step_id": "apply", "step_name": "申请 出生医学证明",
         "department": "health", "event": "completed", "actor": "clerk.health", "ready_at": at,
         "claimed_at": at + timedelta(minutes=5), "at": at + timedelta(hours=2),
         "data": {"child": "小明", "weight": 3.2, "twins": False, "notes": None, "list": [1, "二"]}},
        {"case_id": case_id, "task_id": "t-2", "step_id": "print", "step_name": "script", "department": None,
         "event": "script_output", "actor": None, "ready_at": at.astimezone(UTC), "claimed_at": None,
         "at": at.astimezone(UTC), "data": None},  # None: SQL NULL, not JSON 'null'
        {"case_id": case_id, "task_id": "t-3", "step_id": "odd", "step_name": "\u2028 'quoted' \"text\" %s ? :x",
         "department": "", "event": "completed", "actor": "x", "ready_at": at, "claimed_at": None, "at": at,
         "data": {"text": "a\ud800b"}},  # a lone surrogate, as JSON input may carry
    ]


def _read(ctx, case_id: int) -> list[tuple]:
    columns = [c for c in LOG.c if c.key not in ("id", "case_id")]
    with ctx.read() as session:
        return [tuple(row) for row in session.execute(
            select(*columns).where(LOG.c.case_id == case_id).order_by(LOG.c.id))]


def _case_ids(ctx, n: int) -> list[int]:
    numbers = [cases.start_case(ctx, "models", "parallel", {"child": "x", "delivery": "home"}).number
               for _ in range(n)]
    with ctx.read() as session:
        return [session.scalar(select(Case.id).where(Case.number == number)) for number in numbers]


def test_rows_inserted_in_bulk_read_back_as_cores_do(ctx, deployed):
    core, bulk = _case_ids(ctx, 2)
    with ctx.write() as session:
        session.execute(insert(LOG), _rows(core))
        insert_rows(session, LOG, _rows(bulk))
    ours, theirs = _read(ctx, bulk), _read(ctx, core)
    assert len(ours) == 3 and ours == theirs
    assert ours[0][6].tzinfo is not None and ours[0][6] == _rows(0)[0]["ready_at"]
    with ctx.read() as session:
        nulls = session.scalars(select(LOG.c.case_id).where(LOG.c.data.is_(None))).all()
    assert sorted(nulls) == sorted([core, bulk])  # the missing data is SQL NULL on both


def test_a_naive_time_and_a_missing_default_are_refused_before_anything_is_written(ctx, deployed):
    (case_id,) = _case_ids(ctx, 1)
    before = len(_read(ctx, case_id))
    naive = [dict(_rows(case_id)[0], at=datetime(2026, 3, 2, 9, 0))]
    with pytest.raises(ValueError, match="naive datetime"), ctx.write() as session:
        insert_rows(session, LOG, naive)
    cases_table = cast(Table, Case.__table__)
    with pytest.raises(ValueError, match="version"), ctx.write() as session:  # Case.version: default=1, no server one
        insert_rows(session, cases_table, [{"number": "x", "matter_id": "m"}])
    assert len(_read(ctx, case_id)) == before


def test_nothing_to_insert_is_no_statement(ctx, deployed):
    with ctx.write() as session:
        insert_rows(session, cast(Table, Timer.__table__), [])
        assert session.scalar(select(Timer.id)) is None
