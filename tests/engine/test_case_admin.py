"""The staff's case list (filters, scope per role, pages, overdue) and an admin's hand on a case: suspend, resume,
retry a case in error, cancel, incidents (issue #11 item 17). SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import inspect, select

from engine.accounts.users import Actor
from engine.cases import admin, lifecycle as cases, timers
from engine.cases.caselist import CaseQuery, list_cases
from engine.cases.worklist_query import WorklistFilter, worklist
from engine.catalog import versions as catalog
from engine.errors import CaseClosed, CaseNotFound, InputError, NotYourDepartment
from engine.runtime.workdays import china_date, default_calendar
from engine.store.tables import Timer
from engine.store.tables_audit import FinishedCase

from .conftest import MODELS

POLICE, HEALTH, TAX = Actor("li.police", "clerk", "police"), Actor("wang.health", "clerk", "health"), \
    Actor("qian.tax", "clerk", "tax")
AUDITOR, ADMIN, DESIGNER = Actor("auditor", "auditor"), Actor("root", "admin"), Actor("d.police", "designer", "police")
SPIFF = 'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"'
# the loop model with a time limit of 2 working days on its one step; its script fails on a note that is no text
LIMITED_LOOP = (MODELS / "loop.bpmn").read_text(encoding="utf-8").replace(
    'id="defs"', f'id="defs" {SPIFF}').replace(
    '<bpmn:userTask id="review" name="复核">',
    '<bpmn:userTask id="review" name="复核"><bpmn:extensionElements><spiffworkflow:properties>'
    '<spiffworkflow:property name="time_limit" value="2"/><spiffworkflow:property name="name_en" value="Review"/>'
    '<spiffworkflow:property name="form" value="review"/></spiffworkflow:properties></bpmn:extensionElements>')


@pytest.fixture
def matters(ctx, tmp_path):
    """loopy (police; before and after, 2 working days), para (police and health), clock (police, timers)."""
    for name, files in {"loopy": {"after": LIMITED_LOOP, "before": LIMITED_LOOP},
                        "para": {"after": (MODELS / "parallel.bpmn").read_text(encoding="utf-8")},
                        "clock": {"after": (MODELS / "timers.bpmn").read_text(encoding="utf-8")}}.items():
        folder = tmp_path / "models" / name
        folder.mkdir(parents=True)
        for variant, text in files.items():
            (folder / f"{variant}.bpmn").write_text(text, encoding="utf-8")
    catalog.deploy_path(ctx, tmp_path / "models")


def numbers(ctx, actor, **query) -> list[str]:
    return [r.number for r in list_cases(ctx, actor, CaseQuery(page_size=200, **query)).rows]


def in_error(ctx) -> str:
    number = cases.start_case(ctx, "loopy", "after").number
    view = cases.complete_step(ctx, number, "review", POLICE, {"again": False, "note": 5})
    assert view.status == "error" and "upper" in (view.error or ""), view.error
    return number


def test_each_role_lists_the_cases_it_may_read(ctx, matters):
    loopy = [cases.start_case(ctx, "loopy", "after").number for _ in range(2)]
    para = cases.start_case(ctx, "para", "after").number
    assert sorted(numbers(ctx, POLICE)) == sorted([*loopy, para])  # police takes part in both matters
    assert numbers(ctx, HEALTH) == [para]
    assert numbers(ctx, TAX) == []
    assert sorted(numbers(ctx, AUDITOR)) == sorted(numbers(ctx, ADMIN)) == sorted([*loopy, para])
    with pytest.raises(NotYourDepartment):
        list_cases(ctx, DESIGNER)
    assert numbers(ctx, HEALTH, matter_id="loopy") == []  # a filter never widens the scope


def test_filters_by_matter_variant_status_and_china_dates(ctx, clock, matters):
    monday = cases.start_case(ctx, "loopy", "after").number  # 2026-01-05 09:00 in China
    before = cases.start_case(ctx, "loopy", "before").number
    clock.advance(timedelta(hours=15, minutes=30))  # 2026-01-05 16:30 UTC = 2026-01-06 00:30 in China
    tuesday = cases.start_case(ctx, "para", "after").number
    done = cases.start_case(ctx, "loopy", "after").number
    assert cases.complete_step(ctx, done, "review", POLICE, {"again": False, "note": "ok"}).status == "completed"
    assert sorted(numbers(ctx, ADMIN, matter_id="loopy")) == sorted([monday, before, done])
    assert numbers(ctx, ADMIN, variant="before") == [before]
    assert numbers(ctx, ADMIN, status="completed") == [done]
    assert sorted(numbers(ctx, ADMIN, started_to=date(2026, 1, 5))) == sorted([monday, before])
    assert sorted(numbers(ctx, ADMIN, started_from=date(2026, 1, 6))) == sorted([tuesday, done])
    assert numbers(ctx, ADMIN, started_from=date(2026, 1, 6), started_to=date(2026, 1, 6), matter_id="para") == [
        tuesday]
    assert numbers(ctx, ADMIN, source="simulated") == []
    for wrong in ({"status": "paused"}, {"variant": "sideways"}, {"sort": "colour"},
                  {"started_from": date(2026, 1, 7), "started_to": date(2026, 1, 6)}, {"started_to": date.max}):
        with pytest.raises(InputError):
            list_cases(ctx, ADMIN, CaseQuery(**wrong))


def test_sorting_and_pages_cover_every_case_once_with_the_total(ctx, clock, matters):
    made = []
    for _ in range(5):
        made.append(cases.start_case(ctx, "loopy", "after").number)
        clock.advance(timedelta(minutes=5))
    first = list_cases(ctx, POLICE, CaseQuery(page_size=2))
    assert (first.total, first.pages, len(first.rows)) == (5, 3, 2)
    assert [r.number for r in first.rows] == made[::-1][:2]  # newest started first
    paged = [r.number for p in (1, 2, 3) for r in list_cases(ctx, POLICE, CaseQuery(page_size=2, page=p)).rows]
    assert paged == made[::-1]
    ascending = [r.number for p in (1, 2, 3) for r in
                 list_cases(ctx, POLICE, CaseQuery(page_size=2, page=p, sort="number", descending=False)).rows]
    assert ascending == sorted(made)
    assert list_cases(ctx, POLICE, CaseQuery(page_size=2, page=9)).rows == ()
    cases.cancel_case(ctx, made[0], ADMIN, "twice")
    assert numbers(ctx, ADMIN, sort="status", descending=False)[0] == made[0]  # cancelled before running


def test_overdue_is_past_the_time_limit_in_working_days_and_the_filter_agrees_with_each_row(ctx, clock, matters):
    """2 working days from a Monday start: on time through Wednesday, overdue from Thursday (China's calendar);
    a case completed late stays overdue, one completed in time never is, a cancelled one has no verdict."""
    late = cases.start_case(ctx, "loopy", "after").number
    quick = cases.start_case(ctx, "loopy", "after").number
    cases.complete_step(ctx, quick, "review", POLICE, {"again": False, "note": "ok"})
    gone = cases.start_case(ctx, "loopy", "after").number
    cases.cancel_case(ctx, gone, ADMIN, "withdrawn")
    slow = cases.start_case(ctx, "loopy", "before").number
    calendar, start = default_calendar(), china_date(clock.now())
    seen = {}
    for _ in range(14):
        today = china_date(clock.now())
        if today == date(2026, 1, 12):
            cases.complete_step(ctx, slow, "review", POLICE, {"again": False, "note": "late"})
        rows = {r.number: r.overdue for r in list_cases(ctx, ADMIN, CaseQuery(page_size=200)).rows}
        assert sorted(numbers(ctx, ADMIN, overdue=True)) == sorted(n for n, o in rows.items() if o), today
        seen[today] = rows
        expected = calendar.workdays_between(start, today) > 2
        assert rows[late] is expected and rows[quick] is False and rows[gone] is None, today
        clock.advance(timedelta(days=1))
    assert seen[date(2026, 1, 7)][late] is False and seen[date(2026, 1, 8)][late] is True
    assert seen[date(2026, 1, 18)][slow] is True  # completed on the 12th, 5 working days after its start


def test_suspend_holds_steps_messages_and_timers_until_resumed(ctx, clock, matters):
    number = cases.start_case(ctx, "clock", "after").number
    cases.complete_step(ctx, number, "apply", Actor.applicant(), {})

    def timer_rows() -> int:
        with ctx.read() as session:
            return len(session.scalars(select(Timer)).all())

    assert timer_rows() == 2
    for refused, error in ((POLICE, NotYourDepartment), (AUDITOR, NotYourDepartment), (TAX, CaseNotFound)):
        with pytest.raises(error):
            admin.suspend_case(ctx, number, refused, "no")
    with pytest.raises(InputError, match="reason"):
        admin.suspend_case(ctx, number, ADMIN, "  ")
    with pytest.raises(CaseClosed, match="running"):
        admin.resume_case(ctx, number, ADMIN, "not suspended")
    view = admin.suspend_case(ctx, number, ADMIN, "applicant asked to wait")
    assert view.status == "suspended" and timer_rows() == 0
    with pytest.raises(CaseClosed, match="suspended"):
        admin.suspend_case(ctx, number, ADMIN, "again")
    clock.advance(timedelta(days=3))
    assert timers.fire_due_timers(ctx) == 0
    assert cases.get_case(ctx, number).status == "suspended"
    view = admin.resume_case(ctx, number, ADMIN, "applicant is back")
    assert view.status == "running" and timer_rows() == 2
    assert timers.fire_due_timers(ctx) >= 1  # due while suspended: fired at the next round after resuming
    view = cases.get_case(ctx, number)
    assert [s.step_id for s in view.ready_steps] == ["review"]
    police = WorklistFilter(department="police", me=POLICE.name)
    assert number in {e.item.case_number for e in worklist(ctx, police).entries}
    admin.suspend_case(ctx, number, ADMIN, "second hold")
    with pytest.raises(CaseClosed, match="suspended"):
        cases.claim_step(ctx, number, "review", POLICE)
    with pytest.raises(CaseClosed, match="suspended"):
        cases.complete_step(ctx, number, "review", POLICE, {})
    assert cases.get_case(ctx, number).ready_steps  # kept: the worklist row and its time survive the hold
    assert number not in {e.item.case_number for e in worklist(ctx, police).entries}  # but no clerk is offered it
    log = [(e.event, e.actor, (e.data or {}).get("reason")) for e in cases.step_log(ctx, number)
           if e.event.startswith("case_")]
    assert log == [("case_suspended", "root", "applicant asked to wait"), ("case_resumed", "root", "applicant is back"),
                   ("case_suspended", "root", "second hold")]
    view = cases.cancel_case(ctx, number, ADMIN, "closed while held")
    assert view.status == "cancelled" and cases.step_log(ctx, number)[-1].event == "case_cancelled"


def test_retry_runs_the_failed_script_again_with_corrected_data(ctx, matters):
    """The loop's script `last_note = note.upper()` fails on a note that is a number: retried as it is, it fails
    again (the case stays in error with the new message); with the note corrected, the case goes on."""
    number = in_error(ctx)
    found = admin.incidents(ctx, ADMIN)
    assert [(i.number, i.step_id, i.step.zh if i.step else None) for i in found] == [(number, "count", "计数")]
    assert "upper" in (found[0].error or "")
    with pytest.raises(NotYourDepartment):
        admin.incidents(ctx, AUDITOR)
    with pytest.raises(CaseClosed, match="error"):
        admin.suspend_case(ctx, number, ADMIN, "held")
    with pytest.raises(CaseClosed, match="error"):
        cases.complete_step(ctx, number, "review", POLICE, {})
    again = admin.retry_case(ctx, number, ADMIN, "transient?")
    assert again.status == "error" and "upper" in (again.error or "")
    with pytest.raises(InputError):
        admin.retry_case(ctx, number, ADMIN, "bad", ["note"])  # type: ignore[arg-type]
    fixed = admin.retry_case(ctx, number, ADMIN, "note corrected with the applicant", {"note": "ok"})
    assert fixed.status == "completed" and fixed.data["last_note"] == "OK"
    assert admin.incidents(ctx, ADMIN) == []
    retried = [e for e in cases.step_log(ctx, number) if e.event == "case_retried"]
    assert [(e.step_id, e.data["outcome"], e.data["data"]) for e in retried] == [
        ("count", "error", {}), ("count", "completed", {"note": "ok"})]
    with ctx.read() as session:  # the summary as a case in error came off; the completed one is in
        assert session.scalars(select(FinishedCase.status)).all() == ["completed"]
    with pytest.raises(CaseClosed, match="completed"):
        admin.retry_case(ctx, number, ADMIN, "done already")


def test_a_case_in_error_can_be_cancelled_and_a_running_case_has_nothing_to_retry(ctx, matters):
    number = in_error(ctx)
    with pytest.raises(NotYourDepartment):
        admin.retry_case(ctx, number, POLICE, "me")
    view = cases.cancel_case(ctx, number, POLICE, "the applicant withdrew")
    assert view.status == "cancelled" and view.error == "the applicant withdrew"
    assert cases.step_log(ctx, number)[-1].data == {"reason": "the applicant withdrew"}
    running = cases.start_case(ctx, "loopy", "after").number
    with pytest.raises(CaseClosed, match="running"):
        admin.retry_case(ctx, running, ADMIN, "nothing failed")


def test_the_case_list_indexes_come_and_go_with_their_migration(ctx):
    from tests.engine.test_migrations import _alembic

    def indexes() -> set[str]:
        return {i["name"] for i in inspect(ctx.engine).get_indexes("cases")}

    assert "ix_cases_list" in indexes()
    _alembic(ctx, "downgrade", "0010", by_url=True)
    assert "ix_cases_list" not in indexes()
    _alembic(ctx, "upgrade", "head", by_url=True)
    assert "ix_cases_list" in indexes()
