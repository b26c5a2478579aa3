"""A draft's forecast (issue #12 item 5): `onething simulate` run on a model before it is deployed.

The draft and the deployed version it would replace are deployed into a throwaway in-memory SQLite database (its own
EngineContext, migrated as any other), N simulated cases of each run there through the real engine
(engine/audit/simulation.py), and the figures are read from that database's case summaries. The real database
is only read (the deployed versions to compare with): no case, summary or version of a forecast ever reaches it.

Every run gets the same demand, the arrivals per working day that keep the busiest department of any of the
two models 80% busy with one clerk each, and the same seed, so the figures compare the models, not their luck.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import insert, select

from engine.audit.simulation import default_arrivals, simulate
from engine.catalog import designer, versions as catalog
from engine.catalog.shared import current_pins
from engine.context import EngineContext
from engine.errors import InputError
from engine.store.tables import ModelVersion, SharedVersion
from engine.store.tables_audit import FinishedCase
from engine.text import Text
from engine.vocabulary import ROOT_REGION

CASES = 50  # enough for a median and a p90 in a few seconds
MAX_CASES = 200


@dataclass(frozen=True)
class Forecast:
    """The simulated figures of one model: the draft, or a deployed version."""

    label: str  # draft | deployed
    variant: str
    version: int | None  # a deployed version's number; None for the draft
    cases: int
    completed: int
    stuck: int
    median_workdays: float | None  # completed cases' elapsed working days (docs/metrics.md)
    p90_workdays: float | None
    on_time_share: float | None  # completed cases within the matter's time limit; None without a limit
    steps_per_case: float | None


@dataclass(frozen=True)
class DraftForecast:
    """A draft's forecast beside the deployed variants of its matter."""

    matter_id: str
    variant: str
    cases: int
    seed: int
    arrivals: float  # per working day, the same for every run
    seconds: float  # how long the forecast took
    runs: tuple[Forecast, ...]  # the deployed version compared with (if any), then the draft


@dataclass(frozen=True)
class _Stored:
    variant: str
    version: int
    bpmn: bytes
    filename: str
    matter_yaml: str | None
    decision_tables: str | None


def quantile(values: list[float], fraction: float) -> float | None:
    """Linear interpolation (h = (n - 1) * fraction), as the auditor's figures (engine/store/sqlstats.py)."""
    if not values:
        return None
    ordered = sorted(values)
    h = (len(ordered) - 1) * fraction
    low = int(h)
    high = min(low + 1, len(ordered) - 1)
    return round(ordered[low] + (h - low) * (ordered[high] - ordered[low]), 2)


def forecast_draft(ctx: EngineContext, bpmn: bytes, matter_yaml: bytes | None, matter_id: str, variant: str,
                   cases: int = CASES, seed: int = 1, region: str = ROOT_REGION) -> DraftForecast:
    """Simulate `cases` cases of a drawn model as the matter's `variant`, and as many of the deployed version
    it would replace in `region`'s line (the current one of `variant` that region runs; of the other variant when
    `variant` has none yet).

    A draft that deploying would refuse raises what deploying would (ModelError listing its problems,
    InputError for a bad matter or variant); without a matter.yaml the matter's deployed one is used.
    """
    if not 1 <= cases <= MAX_CASES:
        raise InputError(Text("simulate between 1 and %(max)s cases", max=MAX_CASES),
                         fields={"cases": [Text("between 1 and %(max)s", max=MAX_CASES)]})
    began = time.perf_counter()
    model, _matter, display, yaml_text = designer.prepare_upload(ctx, bpmn, f"{variant}.bpmn", matter_yaml,
                                                                 matter_id, variant, None, region)
    tables = designer.stored_tables(ctx, matter_id, model)
    deployed = []
    with ctx.read() as session:
        current = designer.current_version_ids(session, matter_id, region)
        compared = [current[variant]] if variant in current else list(current.values())[:1]
        for version_id in compared:
            row = session.get(ModelVersion, version_id)
            if row is not None:  # copied out: the read session expires its rows when it ends
                deployed.append((_Stored(row.variant, row.version, row.bpmn, row.filename, row.matter_yaml,
                                         row.decision_tables), catalog.loaded_version(ctx, session, version_id)[0]))
    rate = min(default_arrivals(m) for m in [model, *(m for _row, m in deployed)])
    scratch = EngineContext.from_url("sqlite://", clock=ctx.clock, script_time_limit=ctx.script_time_limit)
    try:
        scratch.init_db()
        _copy_shared(ctx, scratch)
        runs = []
        for stored, loaded in deployed:
            with scratch.write() as session:
                catalog.store_version(scratch, session, matter_id, stored.variant, stored.bpmn, stored.filename, loaded,
                                      stored.matter_yaml, decision_tables=stored.decision_tables)
            runs.append(_run(scratch, matter_id, stored.variant, cases, seed, rate, "deployed", stored.version))
        with scratch.write() as session:
            catalog.store_version(scratch, session, matter_id, variant, bpmn, display, model, yaml_text,
                                  decision_tables=tables)
        runs.append(_run(scratch, matter_id, variant, cases, seed, rate, "draft", None))
    finally:
        scratch.engine.dispose()
    return DraftForecast(matter_id, variant, cases, seed, rate, round(time.perf_counter() - began, 3), tuple(runs))


def _copy_shared(ctx: EngineContext, scratch: EngineContext) -> None:
    """The current versions of the shared sub-processes, with their ids, so the models there call what they call
    here (engine/catalog/shared.py)."""
    columns = [c.name for c in SharedVersion.__table__.columns]
    with ctx.read() as session:
        pins = list(current_pins(session).values())
        rows = [{name: getattr(row, name) for name in columns}
                for row in session.scalars(select(SharedVersion).where(SharedVersion.id.in_(pins)))] if pins else []
    if rows:
        with scratch.write() as session:
            session.execute(insert(SharedVersion), rows)


def _run(scratch: EngineContext, matter_id: str, variant: str, cases: int, seed: int, rate: float, label: str,
         version: int | None) -> Forecast:
    result = simulate(scratch, matter_id, variant, cases, seed, arrivals=rate)
    with scratch.read() as session:
        current = catalog.current_version(session, matter_id, variant).id
        rows = session.execute(select(FinishedCase.elapsed_workdays, FinishedCase.on_time, FinishedCase.steps)
                               .where(FinishedCase.model_version_id == current, FinishedCase.source == "simulated",
                                      FinishedCase.status == "completed")).all()
    days = [float(r.elapsed_workdays) for r in rows]
    timed = [r.on_time for r in rows if r.on_time is not None]
    return Forecast(label, variant, version, result.cases, result.completed, result.stuck, quantile(days, 0.5),
                    quantile(days, 0.9), round(sum(timed) / len(timed), 3) if timed else None,
                    round(sum(r.steps for r in rows) / len(rows), 2) if rows else None)
