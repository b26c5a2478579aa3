"""Retention: personal data of cases finished more than N days ago goes; their measured metrics stay."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.accounts.users import Actor
from engine.audit.masking import mask_personal
from engine.audit.measured import measured_metrics
from engine.cases import lifecycle as cases
from engine.cases.driving import drive_case
from engine.cases.retention import anonymise_finished
from engine.cases.worklist import case_summary
from engine.catalog import versions as catalog
from engine.citizen import applications as citizen
from engine.errors import InputError
from engine.matters.forms import example_data
from engine.store.db import Base
from engine.store.tables import Case, StepLogEntry

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
PHONE = "13912345678"
ADMIN = Actor("root", "admin")
REASON = "申请人 赵六 电话 13700001111 撤回"
COMMENT = "办得快，谢谢 13912345678"
KEPT = ("case_summaries", "finished_steps", "measure_days", "measure_paths", "measure_steps", "measure_buckets")


def _apply(ctx, **changes) -> str:
    return citizen.apply(ctx, "newborn", {**example_data(citizen.intake_form(ctx, "newborn")), **changes}, PHONE)


def _finish(ctx, number: str) -> None:
    def hours_pass() -> bool:
        ctx.clock.advance(timedelta(hours=3))
        return True

    assert drive_case(ctx, number, before_each=hours_pass).view.status == "completed"


def _case_id(ctx, number: str) -> int:
    with ctx.read() as session:
        return session.scalar(select(Case.id).where(Case.number == number))


def _rows_of(ctx, case_id: int) -> list[str]:
    """Every row that names the case, as text: the case row and each row with its case_id."""
    found = []
    with ctx.read() as session:
        for table in Base.metadata.sorted_tables:
            column = table.c.get("case_id") if table.name != "cases" else table.c.id
            if column is not None:
                found += [f"{table.name}: {dict(row._mapping)}" for row in session.execute(
                    select(table).where(column == case_id).order_by(*table.primary_key.columns))]
    return found


def _kept_tables(ctx) -> dict[str, list[tuple]]:
    with ctx.read() as session:
        return {table.name: sorted(tuple(row) for row in session.execute(select(table)))
                for table in Base.metadata.sorted_tables if table.name in KEPT}


def _personal_values(ctx, case_id: int) -> set[str]:
    """What the audit masking counts as personal in the case's data (its form fields, names and shapes)."""
    fields = citizen.intake_form(ctx, "newborn").fields
    with ctx.read() as session:
        snapshots = [data for data in session.scalars(select(StepLogEntry.data).where(StepLogEntry.case_id == case_id))
                     if data]
    personal = {PHONE, REASON, COMMENT}
    for data in snapshots:
        masked = mask_personal(data, fields)
        personal |= {value for key, value in data.items() if isinstance(value, str) and masked[key] != value}
    return personal


@pytest.fixture
def finished_long_ago(ctx):
    """A completed and rated case and a cancelled one, 100 days before a recent completed case."""
    catalog.deploy_path(ctx, PROCESSES)
    old = _apply(ctx, child_name="钱多多", mother_name="孙丽丽")
    _finish(ctx, old)
    check = PHONE[-4:]
    citizen.rate(ctx, old, check, 5, COMMENT)
    cancelled = _apply(ctx, child_name="周小小")
    cases.cancel_case(ctx, cancelled, ADMIN, REASON)
    ctx.clock.advance(timedelta(days=100))
    recent = _apply(ctx, child_name="吴新新")
    _finish(ctx, recent)
    return old, cancelled, recent


def test_old_cases_lose_personal_data_and_keep_their_metrics(ctx, finished_long_ago):
    old, cancelled, recent = finished_long_ago
    old_id, cancelled_id, recent_id = (_case_id(ctx, number) for number in finished_long_ago)
    personal = _personal_values(ctx, old_id) | _personal_values(ctx, cancelled_id)
    assert {"钱多多", "孙丽丽", "周小小"} <= personal
    assert any("钱多多" in row for row in _rows_of(ctx, old_id))  # the check below can fail
    metrics, kept, recent_rows = measured_metrics(ctx, "newborn"), _kept_tables(ctx), _rows_of(ctx, recent_id)
    old_rows = _rows_of(ctx, old_id)

    dry = anonymise_finished(ctx, 30, dry_run=True)
    assert (dry.cases, dry.anonymised, dry.dry_run) == (2, 2, True)
    assert _rows_of(ctx, old_id) == old_rows

    done = anonymise_finished(ctx, 30)
    assert (done.cases, done.anonymised) == (2, 2)
    assert measured_metrics(ctx, "newborn") == metrics
    assert _kept_tables(ctx) == kept
    for case_id in (old_id, cancelled_id):
        rows = "\n".join(_rows_of(ctx, case_id))
        assert [value for value in personal if value in rows] == []
    assert _rows_of(ctx, recent_id) == recent_rows
    # the cases still open for auditors: status and path kept, nothing to show of the applicant
    summary = case_summary(ctx, old, ADMIN)
    assert summary.case.status == "completed"
    assert cases.get_case(ctx, cancelled).status == "cancelled"

    again = anonymise_finished(ctx, 30)
    assert (again.cases, again.anonymised) == (2, 0)


def test_days_count_back_from_the_engines_clock(ctx, finished_long_ago):
    assert anonymise_finished(ctx, 101).cases == 0
    assert anonymise_finished(ctx, 0).cases == 2  # the recent case ended this very moment: not before it
    ctx.clock.advance(timedelta(minutes=1))
    assert anonymise_finished(ctx, 0).cases == 3
    with pytest.raises(InputError, match="0 or more"):
        anonymise_finished(ctx, -1)
