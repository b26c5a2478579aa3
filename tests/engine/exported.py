"""Cases to export: newborn cases of both variants and sources, ended, cancelled and running, with claims."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import update

from engine.accounts.users import Actor
from engine.cases import lifecycle as cases
from engine.cases.driving import actor_for, drive_case
from engine.catalog import versions as catalog
from engine.store.tables import Case
from engine.vocabulary import APPLICANT

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
MATTER = "newborn"
PERSONAL = re.compile(r"(name|_id|phone|account|address)$")  # form fields holding personal data


@dataclass
class Made:
    """The cases made, by source, with the completed step-log entries each ended case has."""

    ended: dict[str, dict[str, list[Any]]] = field(default_factory=dict)  # source -> number -> completed entries
    variants: dict[str, str] = field(default_factory=dict)  # number -> variant
    statuses: dict[str, str] = field(default_factory=dict)  # number -> status
    personal: set[str] = field(default_factory=set)  # personal values the cases' step data holds
    running: str = ""

    def numbers(self, source: str = "real", variant: str | None = None) -> set[str]:
        return {n for n in self.ended.get(source, {}) if variant in (None, self.variants[n])}

    def steps(self, source: str = "real", variant: str | None = None) -> int:
        return sum(len(self.ended[source][n]) for n in self.numbers(source, variant))


def _drive(ctx, clock, number: str) -> None:
    """Drive a case to its end, two hours between moves; clerks claim their step an hour before completing it."""
    def before_each() -> bool:
        clock.advance(timedelta(hours=2))
        ready = cases.get_case(ctx, number).ready_steps
        if ready and ready[0].department != APPLICANT:
            cases.claim_step(ctx, number, ready[0].task_id, actor_for(ready[0]))
            clock.advance(timedelta(hours=1))
        return True

    assert drive_case(ctx, number, before_each=before_each).view.status == "completed"


def make_cases(ctx, clock) -> Made:
    """Two real cases of each variant, a simulated one, a cancelled one and a running one."""
    catalog.deploy_path(ctx, PROCESSES / MATTER)
    made = Made()
    plan = [("before", "real"), ("after", "real"), ("before", "real"), ("after", "real"), ("after", "simulated")]
    for variant, source in plan:
        number = cases.start_case(ctx, MATTER, variant).number
        if source != "real":
            with ctx.write() as session:
                session.execute(update(Case).where(Case.number == number).values(source=source))
        _drive(ctx, clock, number)
        made.variants[number], made.statuses[number] = variant, "completed"
        made.ended.setdefault(source, {})[number] = []
    cancelled = cases.start_case(ctx, MATTER, "after").number
    drive_case(ctx, cancelled, rounds=1)
    clock.advance(timedelta(days=1))
    cases.cancel_case(ctx, cancelled, Actor("admin", "admin"), "withdrawn")
    made.variants[cancelled], made.statuses[cancelled] = "after", "cancelled"
    made.ended["real"][cancelled] = []
    made.running = cases.start_case(ctx, MATTER, "before").number
    drive_case(ctx, made.running, rounds=2)
    for numbers in made.ended.values():
        for number in numbers:
            log = cases.step_log(ctx, number)
            numbers[number] = [e for e in log if e.event == "completed"]
            made.personal |= {str(v) for e in log for k, v in (e.data or {}).items() if PERSONAL.search(k) and v}
    return made
