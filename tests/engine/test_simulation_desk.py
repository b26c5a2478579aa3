"""The simulation's desk keeps cases in memory and writes them in bulk: the records must be the ones the engine's
use cases write for the same case (step log, summaries, running totals, a state that loads, the worklist)."""
from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

from sqlalchemy import select

from engine.accounts.users import Actor
from engine.audit.desk import SimulationDesk
from engine.audit.measured import measured_metrics
from engine.audit.simulation import simulate
from engine.audit.summaries import rebuild_summaries
from engine.cases import lifecycle as cases
from engine.cases.driving import drive_case, step_data
from engine.cases.worklist import work_items
from engine.catalog import versions as catalog
from engine.store.tables import Case, OpenStep, StepLogEntry
from engine.store.tables_audit import FinishedCase

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
SUMMARY = ("status", "started_at", "finished_at", "elapsed_hours", "elapsed_workdays", "steps", "trips", "handoffs",
           "time_limit_days", "on_time", "path", "source", "variant", "model_version_id")


def _events(ctx, number: str) -> Counter:
    with ctx.read() as session:
        case_id = session.scalar(select(Case.id).where(Case.number == number))
        return Counter(session.execute(select(StepLogEntry.step_id, StepLogEntry.event, StepLogEntry.department)
                                       .where(StepLogEntry.case_id == case_id)).all())


def _summaries(ctx) -> dict[int, tuple]:
    with ctx.read() as session:
        return {row.case_id: tuple(getattr(row, f) for f in SUMMARY) for row in session.scalars(select(FinishedCase))}


def test_a_simulated_case_leaves_the_records_a_case_worked_by_clerks_leaves(ctx):
    catalog.deploy_path(ctx, PROCESSES / "newborn")
    result = simulate(ctx, "newborn", "after", 6, 5, start=date(2026, 3, 2))
    assert result.completed == 6 and len(set(result.numbers)) == 6
    real = cases.start_case(ctx, "newborn", "after").number
    assert drive_case(ctx, real).view.status == "completed"
    worked = _events(ctx, real)
    assert not [e for e in worked if e[1] == "claimed"]  # completed unclaimed: the completed row says who, when
    for number in result.numbers:
        # the same steps completed as the use cases log them; a simulated clerk claims each staff step when free
        # (a claimed row, as the use cases log an explicit claim) and completes it after its working hours
        events = _events(ctx, number)
        claims = {(step, dept) for step, event, dept in events if event == "claimed"}
        assert Counter({k: n for k, n in events.items() if k[1] != "claimed"}) == worked
        assert claims and claims <= {(step, dept) for step, _event, dept in worked}
        view = cases.get_case(ctx, number)  # its saved state loads like any case's
        assert view.status == "completed" and view.data
    written = _summaries(ctx)
    assert len(written) == 7
    before = measured_metrics(ctx, "newborn", source="simulated")
    assert rebuild_summaries(ctx) == 7  # the step log alone gives the summaries and totals the desk wrote
    assert _summaries(ctx) == written
    assert measured_metrics(ctx, "newborn", source="simulated") == before


def test_cases_still_running_are_written_with_their_worklist_rows(ctx, clock):
    catalog.deploy_path(ctx, PROCESSES / "newborn")
    with ctx.read() as session:
        version_id = catalog.current_version(session, "newborn", "after").id
        model, matter = catalog.loaded_version(ctx, session, version_id)
    desk = SimulationDesk(ctx, (version_id, "newborn", "after"), model, matter)
    number, view = desk.start(None)
    first = view.ready_steps[0]
    clerk = Actor("sim.clerk", "clerk", first.department)
    desk.complete(number, first.task_id, clerk, step_data(model, matter, first.step_id, None))
    desk.flush(everything=True)
    with ctx.read() as session:
        case = session.scalar(select(Case).where(Case.number == number))
        assert case.status == "running" and case.source == "simulated"
        open_rows = session.scalars(select(OpenStep).where(OpenStep.case_id == case.id)).all()
        assert open_rows
        session.expunge_all()
        assert session.scalar(select(FinishedCase).where(FinishedCase.case_id == open_rows[0].case_id)) is None
    shown = cases.get_case(ctx, number)  # the state written loads, and says the same steps are ready
    assert {s.task_id for s in shown.ready_steps} == {r.task_id for r in open_rows}
    listed = {e.item.task_id for e in work_items(ctx, open_rows[0].department)}
    assert open_rows[0].task_id in listed
    # and a clerk can go on with it through the use cases
    assert drive_case(ctx, number).view.status == "completed"
