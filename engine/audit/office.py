"""The simulated office: cases arrive, wait in department queues, and move on through the engine.

A discrete-event loop on the context's SimulatedClock (a heap of (time, sequence, handler)). A ready
step of a department waits in that department's queue (first ready, first claimed) until a clerk is
free; the clerk claims it in office hours and completes it after the step's sampled working hours.
The applicant's own steps take their sampled time without a queue. A case with nothing else to do
gets the message it waits for; timers fire when due. Every move goes through the simulation's desk
(engine/audit/desk.py): the engine's own workflow, forms and step log, kept live in memory.
"""
from __future__ import annotations

import heapq
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine.accounts.users import Actor
from engine.audit.desk import DeskView, SimulationDesk
from engine.audit.worktime import add_working_hours, working_moment
from engine.cases.driving import MAX_ROUNDS, TIMER_SLACK, step_data
from engine.context import EngineContext
from engine.model.annotations import parse_step
from engine.runtime.workdays import WorkCalendar
from engine.vocabulary import APPLICANT


@dataclass
class SimulatedCase:
    """A case of the run as the office follows it."""

    number: str
    started: datetime
    in_flight: set[str] = field(default_factory=set)  # task ids queued, claimed or with the applicant
    timers: set[datetime] = field(default_factory=set)  # due times with a firing scheduled
    actions: int = 0
    messaging: bool = False
    ended: datetime | None = None
    status: str = "running"  # then the engine's final status, or stuck


class SimulatedOffice:
    """One run's state: the event heap, the department queues, the free clerks and the cases."""

    def __init__(self, sim: EngineContext, desk: SimulationDesk, clerks: dict[str, int],
                 rng: random.Random, calendar: WorkCalendar, data: dict[str, Any],
                 progress: Callable[[int], None]) -> None:
        self.sim, self.desk, self.model, self.matter = sim, desk, desk.model, desk.matter
        self.rng, self.calendar, self.given, self.progress = rng, calendar, data, progress
        self.free = {d: deque(Actor(f"sim.{d}.{k + 1}", "clerk", d) for k in range(n)) for d, n in clerks.items()}
        self.queues: dict[str, deque[tuple[int, str, str, datetime]]] = {d: deque() for d in clerks}
        self.dispatch_at: dict[str, datetime] = {}
        self.durations = {s: parse_step(info).duration for s, info in self.model.steps.items()}
        self.data: dict[str, dict[str, Any]] = {}
        self.heap: list[tuple[datetime, int, Callable[..., None], tuple]] = []
        self.seq = 0
        self.cases: list[SimulatedCase] = []
        self.steps = 0
        self.waits: dict[str, list[float]] = {d: [] for d in clerks}  # ready -> claimed, hours

    def run(self, arrivals: list[datetime]) -> None:
        """Let the cases arrive at these times and work until no event is left."""
        for at in arrivals:
            self._at(at, self._arrive)
        while self.heap:
            at, _seq, handler, args = heapq.heappop(self.heap)
            self.sim.clock.set(at)  # type: ignore[attr-defined]  # a SimulatedClock
            handler(at, *args)
        for case in self.cases:
            if case.ended is None:
                case.status = "stuck"
                self.progress(1)

    def _at(self, at: datetime, handler: Callable[..., None], *args: Any) -> None:
        self.seq += 1
        heapq.heappush(self.heap, (at, self.seq, handler, args))

    # -- events --------------------------------------------------------------------------------
    def _arrive(self, at: datetime) -> None:
        number, view = self.desk.start(self.given or None)
        self.cases.append(SimulatedCase(number, at))
        self._absorb(len(self.cases) - 1, view, at)

    def _complete(self, at: datetime, index: int, task_id: str, step_id: str, actor: Actor) -> None:
        case = self.cases[index]
        view = self.desk.complete(case.number, task_id, actor, self._data(step_id))
        self.steps += 1
        case.in_flight.discard(task_id)
        self._absorb(index, view, at)
        if actor.department in self.free:
            self.free[actor.department].append(actor)
            self._dispatch(at, actor.department)

    def _message(self, at: datetime, index: int, name: str) -> None:
        case = self.cases[index]
        case.messaging = False
        self._absorb(index, self.desk.message(case.number, name), at)

    def _timer(self, at: datetime, index: int, due: datetime) -> None:
        case = self.cases[index]
        case.timers.discard(due)
        view = self.desk.fire_timers(case.number)  # another case's timer due now has its own event
        if case.ended is None:
            self._absorb(index, view, at)

    def _dispatch(self, at: datetime, department: str) -> None:
        """Free clerks of the department claim its queue's oldest steps, in office hours."""
        queue, free = self.queues[department], self.free[department]
        if not queue or not free:
            return
        moment = working_moment(at, self.calendar)
        if moment > at:
            if self.dispatch_at.get(department) != moment:
                self.dispatch_at[department] = moment
                self._at(moment, self._dispatch, department)
            return
        while queue and free:
            index, task_id, step_id, ready = queue.popleft()
            clerk = free.popleft()
            self.desk.claim(self.cases[index].number, task_id, clerk)
            self.waits[department].append((at - ready).total_seconds() / 3600)
            done = add_working_hours(at, self._sample(step_id), self.calendar)
            self._at(done, self._complete, index, task_id, step_id, clerk)

    # -- a case's new state --------------------------------------------------------------------
    def _absorb(self, index: int, view: DeskView, at: datetime) -> None:
        """Queue or schedule the case's newly ready steps and its timers, else deliver its message."""
        case = self.cases[index]
        if case.ended is not None:
            return
        case.actions += 1
        if view.status != "running" or case.actions > MAX_ROUNDS:
            self._end(case, view.status if view.status != "running" else "stuck", at)
            return
        fresh = sorted((s for s in view.ready_steps if s.task_id not in case.in_flight),
                       key=lambda s: (s.step_id, s.task_id))  # task ids are random: the model's ids keep the order
        touched = []
        for step in fresh:
            case.in_flight.add(step.task_id)
            if step.department in self.queues:
                self.queues[step.department].append((index, step.task_id, step.step_id, at))
                touched.append(step.department)
            else:  # the applicant (or a step outside every lane): no queue
                actor = Actor.applicant() if step.department == APPLICANT else Actor("sim", "clerk", None)
                done = add_working_hours(at, self._sample(step.step_id), self.calendar)
                self._at(done, self._complete, index, step.task_id, step.step_id, actor)
        for due in view.timers:
            if due not in case.timers:
                case.timers.add(due)
                self._at(max(due, at) + TIMER_SLACK, self._timer, index, due)
        if not case.in_flight and not case.timers and not case.messaging:
            if view.waiting_messages:  # nothing in the case can send it any more: it comes from outside
                case.messaging = True
                self._at(at, self._message, index, view.waiting_messages[0])
            else:
                self._end(case, "stuck", at)
        for department in dict.fromkeys(touched):
            self._dispatch(at, department)

    def _end(self, case: SimulatedCase, status: str, at: datetime) -> None:
        case.status, case.ended = status, at
        self.progress(1)

    def _sample(self, step_id: str) -> float:
        duration = self.durations.get(step_id)
        return duration.sample(self.rng) if duration is not None else 0.0

    def _data(self, step_id: str) -> dict[str, Any]:
        if step_id not in self.data:
            self.data[step_id] = step_data(self.model, self.matter, step_id, self.given)
        return self.data[step_id]
