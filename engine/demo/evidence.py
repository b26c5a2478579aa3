"""Demo evidence for the auditor: simulated cases of both variants and paper-era records of the `before` one.

Labelled by source like any other: `simulated` cases come from `onething simulate`'s use case, and the
imported records are built from the simulated `before` cases' step log, moved to 2019 and slowed down
as paper processes were, then read back through `onething import-log`'s use case as CSV.
"""
from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from engine.audit.importing import import_log
from engine.audit.simulation import simulate
from engine.catalog import designer, versions as catalog
from engine.context import EngineContext
from engine.store.tables import Case, StepLogEntry
from engine.vocabulary import APPLICANT

MATTERS = ("newborn", "business_startup")
SIMULATED_PER_VARIANT = 12
PAPER_YEAR_SHIFT = timedelta(days=7 * 52 * 7)  # about seven years back: the paper era


@dataclass
class Evidence:
    """What the demo evidence added."""

    simulated: int = 0
    imported: int = 0
    matters: list[str] = field(default_factory=list)


def load_evidence(ctx: EngineContext, seed: int = 2026, start: date | None = None) -> Evidence:
    """Simulate both variants of the demo matters and import paper-era `before` records (once)."""
    found = Evidence()
    with ctx.read() as session:
        if session.scalar(select(func.count()).select_from(Case).where(Case.source != "real")):
            return found  # loaded before: the demo is idempotent
    deployed = {info.id: info for info in designer.list_matters(ctx)}
    for index, matter_id in enumerate(m for m in MATTERS if m in deployed):
        for variant in ("before", "after"):
            if variant in deployed[matter_id].variants:
                clerks = {department: 3 for department in _departments(ctx, matter_id, variant)}
                result = simulate(ctx, matter_id, variant, SIMULATED_PER_VARIANT, seed + index, start=start,
                                  arrivals=4.0, clerks=clerks)
                found.simulated += result.cases
        if "before" in deployed[matter_id].variants:
            records = _paper_records(ctx, matter_id, random.Random(seed + index))
            found.imported += import_log(ctx, records, f"{matter_id}-paper-records.csv", matter_id, "before").cases
        found.matters.append(matter_id)
    return found


def _departments(ctx: EngineContext, matter_id: str, variant: str) -> set[str]:
    with ctx.read() as session:
        model, _matter = catalog.loaded_version(ctx, session, catalog.current_version(session, matter_id, variant).id)
    return {step.department for step in model.steps.values() if step.department not in (None, APPLICANT)}


def _paper_records(ctx: EngineContext, matter_id: str, rng: random.Random) -> bytes:
    """The simulated `before` cases' completed steps as a paper-era CSV log: earlier, and 1.5-3 times slower."""
    with ctx.read() as session:
        rows = session.execute(
            select(Case.number, StepLogEntry.step_id, StepLogEntry.department, StepLogEntry.ready_at, StepLogEntry.at)
            .join(StepLogEntry, StepLogEntry.case_id == Case.id)
            .where(Case.matter_id == matter_id, Case.variant == "before", Case.source == "simulated",
                   Case.status == "completed", StepLogEntry.event == "completed")
            .order_by(Case.id, StepLogEntry.at, StepLogEntry.id)).all()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["case_id", "activity", "department", "start", "end"])
    slowness: dict[str, float] = {}
    firsts: dict[str, datetime] = {}
    for number, _step, _department, ready_at, _done in rows:
        firsts[number] = min(ready_at, firsts.get(number, ready_at))
    for number, step_id, department, ready_at, done_at in rows:
        stretch = slowness.setdefault(number, rng.uniform(1.5, 3.0))
        first = firsts[number]
        start = first - PAPER_YEAR_SHIFT + (ready_at - first) * stretch
        end = first - PAPER_YEAR_SHIFT + (done_at - first) * stretch
        writer.writerow([f"PAPER-{number}", step_id, department or "", start.isoformat(), end.isoformat()])
    return out.getvalue().encode("utf-8")
