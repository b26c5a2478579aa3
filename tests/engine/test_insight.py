"""Read models for drawings and deadlines: the exact path a case took, step states, durations, deadlines."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from diagrams.overlays import render_case
from diagrams.spec import load_diagram
from engine.accounts.users import Actor
from engine.cases import lifecycle as cases
from engine.cases.insight import case_overlay, step_deadline, step_durations
from engine.runtime.workdays import WorkCalendar

POLICE = Actor("li.police", "clerk", "police")


def test_overlay_knows_the_exact_flows_taken(ctx, deployed, applicant, clock):
    view = cases.start_case(ctx, deployed.matter_id, deployed.variant)
    clock.advance(timedelta(hours=5))
    view = cases.complete_step(ctx, view.number, "apply", applicant, {"delivery": "home", "child": "A"})
    clock.advance(timedelta(hours=3))
    cases.complete_step(ctx, view.number, "check_home", POLICE, {})
    overlay = case_overlay(ctx, view.number)
    taken = set(overlay.taken)
    assert {("apply", "split"), ("split", "route"), ("route", "check_home"), ("check_home", "merge"),
            ("merge", "register"), ("split", "certify")} <= taken
    assert ("route", "merge") not in taken  # the default flow was not taken, though both ends were reached
    assert overlay.step_states["apply"] == "completed" and overlay.step_states["register"] == "ready"
    assert overlay.step_states["collect"] == "not_reached"
    overlay_data = {"step_states": overlay.step_states, "trail": overlay.trail, "taken": overlay.taken}
    dot = render_case(load_diagram(overlay.data, overlay.filename), overlay_data).source
    bold = [line for line in dot.splitlines() if "->" in line and "penwidth" in line]
    assert any("check_home" in line for line in bold)
    durations = step_durations(ctx, deployed.matter_id, deployed.variant)
    assert durations == {"apply": 5.0, "check_home": 3.0}


def test_deadline_counts_china_working_days():
    calendar = WorkCalendar()
    ready = datetime(2026, 9, 29, 2, 0, tzinfo=UTC)  # Tuesday, before the National Day holiday
    deadline = step_deadline(3, ready, ready, calendar)
    due_day = deadline.due.date()
    assert due_day > date(2026, 10, 8)  # 1–8 October are holidays: three working days end after them
    assert deadline.days_left == 3 and deadline.colour == "green"
    late = step_deadline(3, ready, datetime(2026, 10, 20, 2, 0, tzinfo=UTC), calendar)
    assert late.days_left < 0 and late.colour == "red"
    assert step_deadline(None, ready, ready, calendar).colour == "none"
