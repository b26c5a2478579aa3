"""The worklist query: filters, due state, search, sort, keyset pages, "done by me" (SQLite and PostgreSQL)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event, inspect, select

from engine.cases import lifecycle as cases
from engine.cases.cursors import decode_cursor, encode_cursor
from engine.cases.deadlines import due_bounds, step_deadline
from engine.cases.done import done_by
from engine.cases.worklist_query import WorklistFilter, worklist, worklist_facets
from engine.catalog import versions as catalog
from engine.errors import InputError, StepClaimed
from engine.store.tables import OpenStep
from tests.engine.conftest import MODELS
from tests.engine.test_migrations import _alembic


def annotated(text: str) -> str:
    """parallel.bpmn with OneThing annotations on every step (then all are required): register has a time
    limit of 3 working days and the English name "Birth registration"."""
    def properties(match: re.Match[str]) -> str:
        kind, step = match.group(1), match.group(2)
        extra = {"register": {"time_limit": "3", "name_en": "Birth registration"}}.get(step, {"name_en": step})
        if kind == "userTask":
            extra["form"] = step
        items = "".join(f'<spiffworkflow:property name="{k}" value="{v}" />' for k, v in extra.items())
        return f"{match.group(0)}<bpmn:extensionElements><spiffworkflow:properties>{items}" \
               "</spiffworkflow:properties></bpmn:extensionElements>"
    return re.sub(r'<bpmn:(userTask|manualTask) id="(\w+)" name="[^"]*">', properties, text)


@pytest.fixture
def queue(ctx, deployed, clerks, clock, applicant, tmp_path):
    """Nine cases of matter `births` (register: police, 3 working days; certify: health, no limit), one a day,
    and two of matter `models` (no limits): the police list holds 11 steps."""
    text = (MODELS / "parallel.bpmn").read_text(encoding="utf-8")
    text = annotated(text)
    (tmp_path / "births").mkdir()
    (tmp_path / "births" / "after.bpmn").write_text(text, encoding="utf-8")
    catalog.deploy_path(ctx, tmp_path / "births")
    numbers = []
    for matter, variant in [("births", "after")] * 9 + [(deployed.matter_id, deployed.variant)] * 2:
        number = cases.start_case(ctx, matter, variant).number
        cases.complete_step(ctx, number, "apply", applicant, {"delivery": "hospital", "child": "A"})
        numbers.append(number)
        clock.advance(timedelta(days=1, minutes=7))
    return numbers


def police(**options):
    return WorklistFilter(department="police", me="li.police", **options)


def pages(ctx, query):
    """Every page of a query, following the cursors."""
    seen, cursor = [], query.cursor
    while True:
        page = worklist(ctx, WorklistFilter(**{**query.__dict__, "cursor": cursor}))
        seen.append(page)
        cursor = page.next_cursor
        if cursor is None:
            return seen


def test_due_states_match_the_deadline_colours(ctx, queue):
    everything = worklist(ctx, police(limit=200))
    assert everything.total == 11 and len(everything.entries) == 11
    colours = {"overdue": "red", "due_soon": "yellow", "on_time": "green"}
    found = {}
    for state, colour in colours.items():
        page = worklist(ctx, police(due=state))
        found[state] = {e.item.task_id for e in page.entries}
        assert found[state] == {e.item.task_id for e in everything.entries if e.deadline.colour == colour}
        assert page.total == len(found[state])
    assert found["overdue"] and found["due_soon"]  # the fixture spans both
    assert sum(map(len, found.values())) == 9  # the two without a limit are in none
    facets = worklist_facets(ctx, "police")
    assert (facets.total, facets.overdue, facets.due_soon) == (11, len(found["overdue"]), len(found["due_soon"]))
    assert [m for m, _ in facets.matters] == ["births", "models"] and [s for s, _ in facets.steps] == ["register"]


def test_due_bounds_agree_with_the_colours_every_day_of_a_month(clock):
    now = clock.now()
    overdue_before, soon_until = due_bounds(now)
    for days in range(-20, 20):
        deadline = step_deadline(3, now + timedelta(days=days), now)
        assert deadline.due is not None
        state = "red" if deadline.due < overdue_before else "yellow" if deadline.due <= soon_until else "green"
        assert state == deadline.colour, (days, deadline)


def test_matter_step_claimed_and_search_filters(ctx, queue, clerks):
    cases.claim_step(ctx, queue[0], "register", clerks["police"])
    cases.claim_step(ctx, queue[1], "register", clerks["police2"])
    assert worklist(ctx, police(matter="models")).total == 2
    assert worklist(ctx, police(matter="births", step="register")).total == 9
    assert worklist(ctx, WorklistFilter(step="certify")).total == 11  # every department: an admin
    mine = worklist(ctx, police(claimed="me"))
    assert [e.item.case_number for e in mine.entries] == [queue[0]]
    assert worklist(ctx, police(claimed="unclaimed")).total == 9
    assert [e.item.case_number for e in worklist(ctx, police(search=queue[3].lower())).entries] == [queue[3]]
    assert worklist(ctx, police(search="BIRTH REG")).total == 9  # English step name, any case
    assert worklist(ctx, police(search="出生登")).total == 11  # Chinese step name
    assert worklist(ctx, police(search="irths")).total == 9  # matter id (no matter.yaml, no other names)
    assert worklist(ctx, police(search="100%_")).total == 0  # LIKE characters are literal
    with pytest.raises(InputError) as info:
        worklist(ctx, WorklistFilter(claimed="me"))
    assert "claimed" in info.value.fields


@pytest.mark.parametrize("sort", ["arrival", "due"])
@pytest.mark.parametrize("descending", [False, True])
def test_pages_cover_the_list_once_in_order_even_when_steps_arrive(ctx, queue, applicant, clock, sort, descending):
    query = police(sort=sort, descending=descending, limit=4)
    first = worklist(ctx, query)
    assert len(first.entries) == 4 and first.total == 11
    number = cases.start_case(ctx, "births", "after").number  # arrives between the pages: on the list, once
    cases.complete_step(ctx, number, "apply", applicant, {"delivery": "hospital", "child": "A"})
    rest = pages(ctx, police(sort=sort, descending=descending, limit=4, cursor=first.next_cursor))
    shown = [e for page in [first, *rest] for e in page.entries]
    ids = [e.item.task_id for e in shown]
    assert len(ids) == len(set(ids))
    whole = worklist(ctx, police(sort=sort, descending=descending, limit=200)).entries
    assert set(ids) <= {e.item.task_id for e in whole} and len(whole) == 12
    if not descending:  # else the newcomer (the latest arrival and due time) sorts before the cursor: not shown
        assert ids == [e.item.task_id for e in whole]
    assert rest[-1].total == 12 and rest[-1].next_cursor is None

    def key(entry):
        value = entry.item.ready_at if sort == "arrival" else entry.deadline.due
        return (value is None, value)
    keys = [key(e) for e in whole]
    limited = [k for k in keys if not k[0]]
    assert limited == sorted(limited, reverse=descending)
    assert keys[len(limited):] == [(True, None)] * (len(keys) - len(limited))  # no limit: last either way


def test_bad_cursors_are_a_clear_input_error(ctx, queue):
    good = worklist(ctx, police(limit=2)).next_cursor
    assert good is not None
    for cursor in ["nonsense!", "", "x" * 400, encode_cursor("due", False, None, "t")[:-3],
                   encode_cursor("arrival", True, queue and None, "t"), good.replace(good[:6], "eyJoYWNr")]:
        if not cursor:
            continue
        with pytest.raises(InputError) as info:
            worklist(ctx, police(limit=2, cursor=cursor))
        assert "cursor" in info.value.fields and "bad cursor" in str(info.value)
    with pytest.raises(InputError, match="another sort order"):
        worklist(ctx, police(limit=2, cursor=good, descending=True))
    with pytest.raises(InputError, match="another sort order"):
        decode_cursor(good, "due", False)


def test_done_by_me_newest_first_in_pages(ctx, queue, clerks, clock):
    for number in queue[:5]:
        clock.advance(timedelta(minutes=1))
        cases.complete_step(ctx, number, "register", clerks["police"], {})
    cases.complete_step(ctx, queue[5], "register", clerks["police2"], {})
    first = done_by(ctx, "li.police", limit=3)
    second = done_by(ctx, "li.police", first.next_cursor, limit=3)
    assert (first.total, second.next_cursor) == (5, None)
    assert [e.case_number for e in first.entries + second.entries] == queue[4::-1]
    assert first.entries[0].step.en == "Birth registration" and first.entries[0].matter.en == "births"
    assert done_by(ctx, "nobody").total == 0
    with pytest.raises(InputError, match="bad cursor"):
        done_by(ctx, "li.police", encode_cursor("arrival", False, clock.now(), "t"))


def test_done_by_me_reads_the_partial_index_of_completed_rows(ctx, queue, clerks):
    """Both statements of the page (total, rows) seek ix_step_log_done, which holds completed rows only."""
    cases.complete_step(ctx, queue[0], "register", clerks["police"], {})
    statements: list[tuple[str, object]] = []

    def seen(conn, cursor, statement, parameters, context, executemany) -> None:
        if "step_log" in statement:
            statements.append((statement, parameters))

    event.listen(ctx.engine, "before_cursor_execute", seen)
    try:
        assert done_by(ctx, "li.police").total == 1
    finally:
        event.remove(ctx.engine, "before_cursor_execute", seen)
    assert len(statements) == 2
    sqlite = ctx.engine.dialect.name == "sqlite"
    with ctx.engine.connect() as connection:
        if not sqlite:
            connection.exec_driver_sql("SET enable_seqscan = off")  # a few rows: a scan would be cheaper
        for statement, parameters in statements:
            plan = connection.exec_driver_sql(("EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN ") + statement,
                                              parameters).all()
            assert "ix_step_log_done" in " ".join(str(row[-1] if sqlite else row[0]) for row in plan), plan


def test_completing_an_unclaimed_step_claims_it_and_a_claimed_one_is_refused(ctx, queue, clerks):
    with pytest.raises(StepClaimed):
        cases.claim_step(ctx, queue[0], "register", clerks["police2"]) and None
        cases.complete_step(ctx, queue[0], "register", clerks["police"], {})
    cases.complete_step(ctx, queue[1], "register", clerks["police"], {})
    log = [e for e in cases.step_log(ctx, queue[1]) if e.step_id == "register"]
    assert [(e.event, e.actor) for e in log] == [("completed", "li.police")]  # claimed as it was completed
    assert log[0].claimed_at == log[0].at
    assert [i for i in worklist(ctx, police(limit=200)).entries if i.item.case_number == queue[1]] == []


def test_steps_get_their_due_time_when_they_become_ready(ctx, queue):
    entries = worklist(ctx, police(limit=200, matter="births")).entries
    assert all(e.deadline.due is not None for e in entries)
    assert all(e.item.time_limit == 3 for e in entries)


def test_migration_0010_gives_the_steps_ready_before_it_their_due_times(ctx, queue, db_url):
    before = {e.item.task_id: e.deadline.due for e in worklist(ctx, police(limit=200)).entries}
    _alembic(ctx, "downgrade", "0009", by_url=True)
    assert "due_at" not in {c["name"] for c in inspect(ctx.engine).get_columns("open_steps")}
    _alembic(ctx, "upgrade", "head", by_url=True)
    with ctx.read() as session:
        stored = dict(session.execute(select(OpenStep.task_id, OpenStep.due_at)
                                      .where(OpenStep.department == "police")).all())
    assert stored == before and sum(due is not None for due in stored.values()) == 9
