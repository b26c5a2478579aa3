"""Retention: the personal data of cases finished long ago is removed; their measured metrics stay.

A case finished (completed or cancelled) more than `days` days ago by the engine's clock loses:
- its data: the workflow's task data in `cases.state` (engine.runtime.state.without_data), `cases.applicant`,
  the free-text cancellation reason (`cases.error`) and the data snapshots of its step log (`step_log.data`);
- its applicant's contact: the salted phone hashes and the client address (`case_contacts`), so it can no
  longer be looked up; the rating's free-text comment (the score stays).

What the measured metrics are made of is not touched: the case row's times, status, trail and flows, the
step log's events and times, `case_summaries`, `finished_steps` and the `measure_*` running totals
(docs/metrics.md). Staff user names in the log stay: they are the office's record, not the applicant's.
Running it again changes nothing (`anonymised` is then 0).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, null, or_, select, update

from engine.errors import InputError
from engine.runtime.state import without_data
from engine.store.tables import Case, StepLogEntry
from engine.store.tables_citizen import CaseContact, CaseRating

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from engine.context import EngineContext

FINISHED = ("completed", "cancelled")
CHUNK = 500  # case ids per IN (...) list


@dataclass(frozen=True)
class Retention:
    """`cases` finished before `before`; `anonymised` of them had personal data (removed unless `dry_run`)."""

    before: datetime
    cases: int
    anonymised: int
    dry_run: bool


def anonymise_finished(ctx: EngineContext, days: int, *, dry_run: bool = False) -> Retention:
    """Remove the personal data of the cases finished more than `days` days ago (see the module's doc)."""
    if days < 0:
        raise InputError("--days must be 0 or more", fields={"days": ["must be 0 or more"]})
    before = ctx.clock.now() - timedelta(days=days)
    with ctx.write() as session:
        ended = func.coalesce(Case.completed_at, Case.updated_at)  # a cancelled case ends at its last update
        rows = session.execute(select(Case.id, Case.state, Case.applicant, Case.error, Case.status)
                               .where(Case.status.in_(FINISHED), ended < before).order_by(Case.id)).all()
        ids = [row.id for row in rows]
        states = {row.id: without_data(row.state) for row in rows if row.state}
        touched = {row.id for row in rows
                   if (row.state and states[row.id] != row.state) or row.applicant
                   or (row.status == "cancelled" and row.error)}
        for chunk in _chunks(ids):
            touched |= _with_personal_rows(session, chunk)
        if not dry_run:
            for row in rows:
                if row.id in touched:
                    values = {"state": states.get(row.id, row.state), "applicant": {}}
                    if row.status == "cancelled":
                        values["error"] = None
                    session.execute(update(Case).where(Case.id == row.id).values(**values)
                                    .execution_options(synchronize_session=False))
            for chunk in _chunks(sorted(touched)):
                _blank_rows(session, chunk)
        return Retention(before, len(ids), len(touched), dry_run)


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[start:start + CHUNK] for start in range(0, len(ids), CHUNK)]


def _with_personal_rows(session: Session, ids: list[int]) -> set[int]:
    """Cases among `ids` whose log snapshots, contact or rating comment still hold something."""
    found = {case_id for case_id, data in session.execute(
        select(StepLogEntry.case_id, StepLogEntry.data).where(StepLogEntry.case_id.in_(ids))) if data}
    found |= set(session.scalars(select(CaseContact.case_id).where(
        CaseContact.case_id.in_(ids), or_(CaseContact.phone_hash != "", CaseContact.client.is_not(None)))))
    found |= set(session.scalars(select(CaseRating.case_id).where(
        CaseRating.case_id.in_(ids), CaseRating.comment.is_not(None))))
    return found


def _blank_rows(session: Session, ids: list[int]) -> None:
    session.execute(update(StepLogEntry).where(StepLogEntry.case_id.in_(ids)).values(data=null())
                    .execution_options(synchronize_session=False))
    session.execute(update(CaseContact).where(CaseContact.case_id.in_(ids))
                    .values(salt="", phone_hash="", check_hash="", client=None)
                    .execution_options(synchronize_session=False))
    session.execute(update(CaseRating).where(CaseRating.case_id.in_(ids)).values(comment=None)
                    .execution_options(synchronize_session=False))
