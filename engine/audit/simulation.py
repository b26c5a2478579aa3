"""Simulation through the real engine (`onething simulate`): a forecast of a variant's durations.

N cases of a matter variant's current version arrive as a Poisson process in office hours
(engine/audit/worktime.py), start with source "simulated", queue for each department's clerks and
move on through the engine in simulated time (engine/audit/office.py). Step durations are drawn
from each step's `duration` annotation; forms are filled with their example values, so gateways take
the expected path. One `random.Random(seed)` draws everything in event order: the same seed gives the
same figures. The cases stay live in memory and are written in bulk as they end
(engine/audit/desk.py).
"""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from engine.audit.desk import SimulationDesk
from engine.audit.office import SimulatedOffice
from engine.audit.worktime import HOURS_PER_WORKDAY, arrival_times
from engine.catalog import versions as catalog
from engine.context import EngineContext
from engine.errors import InputError
from engine.model.annotations import parse_step
from engine.runtime.clock import SimulatedClock
from engine.runtime.workdays import CHINA, china_date, default_calendar
from engine.store.tables import ROOT
from engine.text import Listed, Text
from engine.vocabulary import APPLICANT

BUSY = 0.8  # by default cases arrive as fast as keeps the busiest department this busy
BATCH = 500  # ended cases written per transaction


@dataclass(frozen=True)
class SimulationResult:
    """What a run did, in figures that depend only on the model, the options and the seed."""

    matter_id: str
    variant: str
    seed: int
    cases: int
    completed: int
    stuck: int  # still running with nothing left to do (or past the action budget)
    first_start: datetime | None
    last_end: datetime | None
    steps: int  # completed steps, all cases
    arrivals: float  # per working day
    clerks: dict[str, int]
    mean_elapsed_workdays: float | None  # completed cases, as docs/metrics.md defines elapsed working days
    mean_waiting_hours: dict[str, float]  # per department: ready -> claimed, calendar hours
    numbers: tuple[str, ...] = field(default=(), compare=False, repr=False)  # the cases, in order of arrival


def simulate(ctx: EngineContext, matter_id: str, variant: str, cases: int, seed: int, start: date | None = None,
             arrivals: float | None = None, clerks: dict[str, int] | None = None,
             progress: Callable[[int], None] | None = None, data: dict[str, Any] | None = None,
             region: str = ROOT) -> SimulationResult:
    """Run `cases` simulated cases from `start` (default today) in `region`, on the version it runs;
    `progress(n)` hears of n more ended cases.

    `clerks` per department default to one; `arrivals` per working day default to the rate that keeps
    the busiest department 80% busy. `data` goes over the forms' example values (e.g. a scenario's).
    """
    if cases < 1:
        raise InputError(Text("simulate at least one case"), fields={"cases": [Text("must be at least 1")]})
    first = datetime.combine(start or china_date(ctx.clock.now()), time(0, 0), CHINA).astimezone(UTC)
    sim = EngineContext(ctx.engine, clock=SimulatedClock(first), script_time_limit=ctx.script_time_limit)
    with ctx.read() as session:
        version = catalog.current_version(session, matter_id, variant, region)
        calls = catalog.pins_to_start(sim, session, version.id) or None  # as a case starting now pins them
        model, matter = catalog.loaded_version(sim, session, version.id, calls)
        key = (version.id, version.matter_id, version.variant)
    staff = _clerks(model, clerks or {})
    rate = arrivals if arrivals is not None else _default_arrivals(model, staff)
    if rate <= 0:
        raise InputError(Text("arrivals per working day must be positive"), fields={"arrivals": [Text("must be > 0")]})
    rng, calendar = random.Random(seed), default_calendar()
    desk = SimulationDesk(sim, key, model, matter, batch=BATCH, calls=calls, region=region)
    office = SimulatedOffice(sim, desk, staff, rng, calendar, dict(data or {}), progress or (lambda n: None))
    office.run(arrival_times(rng, first, rate, cases, calendar))
    desk.flush(everything=True)
    done = [c for c in office.cases if c.status == "completed"]
    elapsed = [calendar.workdays_between(china_date(c.started), china_date(c.ended or c.started)) for c in done]
    return SimulationResult(
        matter_id=matter_id, variant=variant, seed=seed, cases=len(office.cases), completed=len(done),
        stuck=sum(1 for c in office.cases if c.status == "stuck"),
        first_start=min((c.started for c in office.cases), default=None),
        last_end=max((c.ended for c in office.cases if c.ended is not None), default=None),
        steps=office.steps, arrivals=rate, clerks=staff,
        mean_elapsed_workdays=round(sum(elapsed) / len(elapsed), 4) if elapsed else None,
        mean_waiting_hours={d: round(sum(w) / len(w), 4) for d, w in office.waits.items() if w},
        numbers=tuple(desk.numbers[c.number] for c in office.cases))


def _clerks(model: Any, given: dict[str, int]) -> dict[str, int]:
    """Clerks per department of the model: as given, else one."""
    departments = sorted({s.department for s in model.steps.values() if s.department not in (None, APPLICANT)})
    unknown = sorted(set(given) - set(departments))
    if unknown:
        raise InputError(Text("no department %(departments_unknown)s in this variant (it has: %(departments)s)",
                              departments_unknown=Listed(unknown), departments=Listed(departments)),
                         fields={"clerks": [Text("unknown department")]})
    if any(n < 1 for n in given.values()):
        raise InputError(Text("every department needs at least one clerk"),
                         fields={"clerks": [Text("must be at least 1")]})
    return {d: given.get(d, 1) for d in departments}


def _default_arrivals(model: Any, clerks: dict[str, int]) -> float:
    """Arrivals per working day that keep the busiest department BUSY, were every step done once per case."""
    work: dict[str, float] = {}
    for step in model.steps.values():
        duration = parse_step(step).duration
        if step.department in clerks and duration is not None:
            work[step.department] = work.get(step.department, 0.0) + duration.mean_hours / clerks[step.department]
    busiest = max(work.values(), default=0.0)
    return round(BUSY * HOURS_PER_WORKDAY / busiest, 4) if busiest > 0 else HOURS_PER_WORKDAY


def default_arrivals(model: Any) -> float:
    """The arrivals per working day `simulate` takes by default for a model (one clerk a department)."""
    return _default_arrivals(model, _clerks(model, {}))
