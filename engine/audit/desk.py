"""The simulation's desk: simulated cases kept live in memory, written to the database in bulk.

A simulated case runs on the same engine as a real one: its model version's SpiffWorkflow spec, the
sandboxed script engine, the step forms' validation, the step log's events (claimed, completed,
cancelled, script_output), its worklist rows and timers, and its summary by
`engine.audit.summaries.summarize` into the running totals. What it skips is the per-action round trip
a real case needs because people act on it concurrently: load the state, lock, save it, commit (about
4 ms an action, issue #10). Nobody else touches a simulated case, so each one stays a live CaseRuntime
here, its rows are kept in memory, and `flush` writes the cases that ended (and, at the end of the run,
those still running, with their open steps and timers) with one INSERT per table, in one transaction.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from engine.accounts.users import Actor
from engine.audit.rollups import add_cases
from engine.audit.summaries import FINISHED, LoggedStep, summarize, version_facts
from engine.cases.deadlines import step_due, step_time_limit
from engine.cases.lifecycle import validated_data
from engine.cases.numbers import new_case_number
from engine.cases.persistence import merge_flows, merge_trail
from engine.cases.stepsync import printed_row
from engine.context import EngineContext
from engine.errors import InputError
from engine.runtime.clock import using_clock
from engine.runtime.state import prune
from engine.runtime.workflow import CaseError, CaseRuntime, ReadyStep
from engine.store.bulk import insert_rows
from engine.store.tables import ROOT, Case, OpenStep, StepLogEntry, Timer
from engine.store.tables_audit import FinishedCase

SOURCE = "simulated"


@dataclass
class OpenRow:
    """A ready step of a live case: its worklist row."""

    task_id: str
    step_id: str
    step_name: str
    department: str | None
    ready_at: datetime
    due_at: datetime | None
    claimed_by: str | None = None
    claimed_at: datetime | None = None


@dataclass(frozen=True)
class DeskView:
    """What the office reads of a case after a move (the parts of a CaseView it needs)."""

    status: str
    ready_steps: tuple[OpenRow, ...]
    timers: tuple[datetime, ...]
    runtime: CaseRuntime | None = None

    @property
    def waiting_messages(self) -> tuple[str, ...]:
        """Asked only of a case with nothing else to do: finding them walks the whole workflow."""
        return tuple(self.runtime.waiting_messages()) if self.runtime is not None else ()


@dataclass
class LiveCase:
    """A simulated case in memory: its workflow and the rows it will be written as."""

    number: str
    runtime: CaseRuntime
    started_at: datetime
    updated_at: datetime
    status: str = "running"
    error: str | None = None
    completed_at: datetime | None = None
    moves: int = 1  # the case row's version: one per saved move, as a real case counts them
    trail: list[str] = field(default_factory=list)
    flows: list[list[str]] = field(default_factory=list)
    open: dict[str, OpenRow] = field(default_factory=dict)
    log: list[dict[str, Any]] = field(default_factory=list)
    timers: list[tuple[str, datetime]] = field(default_factory=list)


class SimulationDesk:
    """Start, claim, complete, message and fire the timers of simulated cases of one model version."""

    def __init__(self, ctx: EngineContext, version: tuple[int, str, str], model: Any, matter: Any,
                 batch: int = 500, calls: dict[str, int] | None = None, region: str = ROOT) -> None:
        """`version`: the model version's (id, matter id, variant); `calls`: the shared sub-process versions its
        cases pin (engine/catalog/shared.py), None when it calls none; `region`: where its cases are handled."""
        self.ctx, self.model, self.matter, self.batch, self.calls = ctx, model, matter, batch, calls
        self.region = region
        self.version_id, self.matter_id, self.variant = version
        self.live: dict[str, LiveCase] = {}
        self.ended: list[LiveCase] = []
        self.numbers: dict[str, str] = {}  # number given at start -> number stored (another on a collision)
        self._clean: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}  # step -> (data given, validated)

    # -- moves ---------------------------------------------------------------------------------
    def start(self, data: dict[str, Any] | None) -> tuple[str, DeskView]:
        now = self.ctx.clock.now()
        try:
            with using_clock(self.ctx.clock):
                runtime = CaseRuntime.start(self.model, self.ctx.script_engine, data)
        except CaseError as exc:
            raise InputError(f"the case could not start: {exc}") from None
        number = new_case_number(now)
        while number in self.numbers:
            number = new_case_number(now)
        self.numbers[number] = number
        case = LiveCase(number, runtime, started_at=now, updated_at=now)
        self.live[number] = case
        self._moved(case, now, {}, saved=False)
        return number, self._view(case)

    def claim(self, number: str, task_id: str, actor: Actor) -> None:
        case = self.live[number]
        row, now = case.open[task_id], self.ctx.clock.now()
        row.claimed_by, row.claimed_at = actor.name, now
        case.log.append(_log_row(row, "claimed", actor.name, now, None))

    def complete(self, number: str, task_id: str, actor: Actor, data: dict[str, Any]) -> DeskView:
        case = self.live[number]
        row, now = case.open[task_id], self.ctx.clock.now()
        cached = self._clean.get(row.step_id)
        if cached is None or cached[0] is not data:  # the office hands a step the same data object every time
            ready = ReadyStep(row.task_id, row.step_id, row.step_name, row.department, "")
            cached = self._clean[row.step_id] = (data, validated_data(self.model, self.matter, ready, data))
        clean = cached[1]
        if row.claimed_by is None and actor.role == "clerk":  # as complete_step: claimed as it is completed,
            row.claimed_by, row.claimed_at = actor.name, now  # which the completed row says (no claimed row)
        self._guarded(case, lambda: case.runtime.complete(task_id, clean))
        self._moved(case, now, {task_id: (actor.name, clean)})
        return self._view(case)

    def message(self, number: str, name: str) -> DeskView:
        case = self.live[number]
        self._guarded(case, lambda: case.runtime.send_message(name, {}))
        self._moved(case, self.ctx.clock.now(), {})
        return self._view(case)

    def fire_timers(self, number: str) -> DeskView:
        """Fire what is due of this case by the clock (another case's due timer has its own event)."""
        case = self.live.get(number)
        if case is None:  # ended meanwhile
            return DeskView("ended", (), ())
        if any(due <= self.ctx.clock.now() for _, due in case.timers):
            self._guarded(case, case.runtime.advance)
            self._moved(case, self.ctx.clock.now(), {})
        return self._view(case)

    def _guarded(self, case: LiveCase, call: Any) -> None:
        try:
            with using_clock(self.ctx.clock):
                call()
        except CaseError as exc:
            case.status, case.error = "error", str(exc)

    def _moved(self, case: LiveCase, now: datetime, completed: dict[str, tuple[str, dict]], saved: bool = True) -> None:
        """What save_case does after a move: status, trail, flows, step log, worklist rows, timers."""
        runtime = case.runtime
        if case.status == "running" and runtime.is_completed():
            case.status, case.completed_at = "completed", now
        case.trail = merge_trail(case.trail, runtime.trail)
        case.flows = merge_flows(case.flows, runtime.taken)
        runtime.trail, runtime.taken = [], []
        case.updated_at, case.moves = now, case.moves + saved
        ready = {s.task_id: s for s in runtime.ready_steps()} if case.status == "running" else {}
        for task_id in [t for t in case.open if t not in ready]:
            row = case.open.pop(task_id)
            actor, data = completed.get(task_id, (None, None))
            case.log.append(_log_row(row, "completed" if task_id in completed else "cancelled", actor, now, data))
        for task_id, step in ready.items():
            if task_id not in case.open:
                due = step_due(step_time_limit(self.model, step.step_id), now)
                case.open[task_id] = OpenRow(task_id, step.step_id, step.name, step.department, now, due)
        case.log += [printed_row(output, now) for output in runtime.printed]
        runtime.printed = []
        case.timers = runtime.timers() if case.status == "running" else []
        prune(runtime.workflow)  # after every move, as a saved case is: SpiffWorkflow walks less history each move
        if case.status != "running":
            self.ended.append(self.live.pop(case.number))
            if len(self.ended) >= self.batch:
                self.flush()

    def _view(self, case: LiveCase) -> DeskView:
        return DeskView(case.status, tuple(case.open.values()), tuple(sorted(due for _, due in case.timers)),
                        case.runtime if case.status == "running" else None)

    # -- writing -------------------------------------------------------------------------------
    def flush(self, everything: bool = False) -> None:
        """Write the ended cases (`everything`: the running ones too), in one transaction, and forget them."""
        cases = self.ended + (list(self.live.values()) if everything else [])
        if not cases:
            return
        with self.ctx.write() as session:
            self._renumber(session, cases)
            ids = self._insert_cases(session, cases)
            self._insert_rows(session, cases, ids)
            self._summarize(session, [(c, i) for c, i in zip(cases, ids, strict=True) if c.status in FINISHED])
        self.ended = []
        if everything:
            self.live = {}

    def _renumber(self, session: Session, cases: list[LiveCase]) -> None:
        """A number some case in the database already has (the numbers are random) is drawn again."""
        taken = set(session.scalars(select(Case.number).where(Case.number.in_([c.number for c in cases]))))
        for case in cases:
            if case.number in taken:
                given = case.number
                while case.number in taken or case.number in self.numbers:
                    case.number = new_case_number(case.started_at)
                self.numbers[given] = case.number

    def _insert_cases(self, session: Session, cases: list[LiveCase]) -> list[int]:
        rows: list[dict[str, Any]] = [
            {"number": c.number, "model_version_id": self.version_id, "matter_id": self.matter_id,
             "variant": self.variant, "status": c.status, "source": SOURCE, "error": c.error, "version": c.moves,
             "state": c.runtime.dump(), "trail": c.trail, "flows": c.flows, "started_by": None,
             "started_at": c.started_at, "updated_at": c.updated_at, "completed_at": c.completed_at,
             "applicant": {}, "calls": self.calls, "region": self.region} for c in cases]
        table = _table(Case)
        return list(session.scalars(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows))

    def _insert_rows(self, session: Session, cases: list[LiveCase], ids: list[int]) -> None:
        log = [dict(row, case_id=i) for c, i in zip(cases, ids, strict=True) for row in c.log]
        open_rows = [{"case_id": i, **vars(row)} for c, i in zip(cases, ids, strict=True) for row in c.open.values()]
        timers = [{"case_id": i, "task_id": t, "due_at": due} for c, i in zip(cases, ids, strict=True)
                  for t, due in c.timers]
        for table, rows in ((_table(StepLogEntry), log), (_table(OpenStep), open_rows), (_table(Timer), timers)):
            insert_rows(session, table, rows)

    def _summarize(self, session: Session, ended: list[tuple[LiveCase, int]]) -> None:
        if not ended:
            return
        facts = version_facts(self.ctx, session, self.version_id)
        rows = []
        for live, case_id in ended:
            case = Case(id=case_id, matter_id=self.matter_id, variant=self.variant, model_version_id=self.version_id,
                        source=SOURCE, status=live.status, started_at=live.started_at, region=self.region)
            steps = [LoggedStep(r["step_id"], r["department"], r["ready_at"], r["at"])
                     for r in live.log if r["event"] == "completed"]
            steps.sort(key=lambda s: s.at)  # stable: the log's order among steps completed together
            rows.append(summarize(case, steps, facts, live.completed_at or live.updated_at))
        insert_rows(session, _table(FinishedCase), rows)
        add_cases(session, [case_id for _, case_id in ended])


def _table(mapped: Any) -> Table:
    """The Core table of a mapped class: bulk INSERTs without the ORM's per-row work."""
    return cast(Table, mapped.__table__)


def _log_row(row: OpenRow, event: str, actor: str | None, at: datetime, data: dict | None) -> dict[str, Any]:
    return {"task_id": row.task_id, "step_id": row.step_id, "step_name": row.step_name,
            "department": row.department, "event": event, "actor": actor, "ready_at": row.ready_at,
            "claimed_at": row.claimed_at if event != "claimed" else at, "at": at, "data": data}
