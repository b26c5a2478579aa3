"""The worklist as a clerk searches it: filters, sort and keyset pages, in SQL (what a clerk has done: `done`).

A page is asked for with a `WorklistFilter` and answered with its entries, the total that match and an opaque
cursor for the next page. The cursor holds the sort key and the task id of the page's last row, so a page
starts right after it however many steps became ready meanwhile: no step is shown twice or skipped.
Names (zh/en) live in the model versions, not the database, so a free-text search first finds the matters
and steps whose names match in the versions on the list, then asks the database for their open steps.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select, true, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, defer

from engine.accounts.users import Actor
from engine.cases.cursors import decode_cursor, encode_cursor
from engine.cases.deadlines import due_bounds, step_due, step_time_limit
from engine.cases.persistence import work_item
from engine.cases.worklist import WorkEntry, _entry, _matter_names, _step_names
from engine.catalog import versions as catalog
from engine.context import EngineContext
from engine.errors import InputError
from engine.matters.files import Names
from engine.regions.scope import region_conditions
from engine.store.tables import Case, ModelVersion, OpenStep
from engine.text import Listed, Text

DUE_STATES = ("overdue", "due_soon", "on_time")
CLAIMED = ("any", "me", "unclaimed")
SORTS = ("arrival", "due")
MAX_LIMIT = 200


@dataclass(frozen=True)
class WorklistFilter:
    """Which ready steps, in which order, from where: every field but `cursor` and `limit` narrows the list."""

    department: str | None = None  # None: every department (admins)
    matter: str | None = None
    step: str | None = None  # a step's BPMN id
    due: str | None = None  # overdue | due_soon | on_time (steps without a time limit are none of these)
    claimed: str = "any"  # any | me | unclaimed
    me: str | None = None  # whose claims "me" means
    search: str = ""  # in case numbers and matter and step names, zh and en, any case
    sort: str = "arrival"  # arrival (ready time) | due (due time, steps without a limit last)
    descending: bool = False
    cursor: str | None = None  # next_cursor of the page before
    limit: int = 50
    reader: Actor | None = None  # whose reach bounds the list (a clerk: their region); None: every region
    region: str | None = None  # only cases of this region and the regions below it


@dataclass(frozen=True)
class WorklistPage:
    entries: list[WorkEntry]
    next_cursor: str | None  # None on the last page
    total: int  # steps matching the filter, on every page


@dataclass(frozen=True)
class WorklistFacets:
    """What a department's worklist can be narrowed to, and how many steps are due when."""

    matters: list[tuple[str, Names]]
    steps: list[tuple[str, Names]]
    total: int
    overdue: int
    due_soon: int


# -- the worklist -----------------------------------------------------------------------------------------

def worklist(ctx: EngineContext, query: WorklistFilter) -> WorklistPage:
    """One page of ready steps matching `query`, with deadlines (from each case's own model version)."""
    _check(query)
    now = ctx.clock.now()
    with ctx.read() as session:
        base = select(OpenStep, Case.number, Case.matter_id, Case.variant, Case.model_version_id, Case.region).join(
            Case, Case.id == OpenStep.case_id)
        conditions = _conditions(ctx, session, query, now)
        total = session.scalar(select(func.count()).select_from(OpenStep).join(Case, Case.id == OpenStep.case_id)
                               .where(*conditions)) or 0
        if query.cursor:
            conditions.append(_after(query, *decode_cursor(query.cursor, query.sort, query.descending)))
        rows = session.execute(_ordered(base.where(*conditions), query).limit(query.limit + 1)).all()
        entries = []
        for row, number, matter_id, variant, version_id, region in rows[:query.limit]:
            model, matter = catalog.loaded_version(ctx, session, version_id)
            entries.append(_entry(model, matter, work_item(row, number, matter_id, variant, model, now), region))
        next_cursor = None
        if len(rows) > query.limit:
            last = rows[query.limit - 1][0]
            key = last.ready_at if query.sort == "arrival" else last.due_at
            next_cursor = encode_cursor(query.sort, query.descending, key, last.task_id)
    return WorklistPage(entries, next_cursor, total)


def _check(query: WorklistFilter) -> None:
    problems: dict[str, list[str]] = {}
    if query.due is not None and query.due not in DUE_STATES:
        problems["due"] = [Text("one of %(choices)s", choices=Listed(DUE_STATES))]
    if query.claimed not in CLAIMED:
        problems["claimed"] = [Text("one of %(choices)s", choices=Listed(CLAIMED))]
    if query.claimed == "me" and not query.me:
        problems["claimed"] = [Text("only a signed-in clerk has claims of their own")]
    if query.sort not in SORTS:
        problems["sort"] = [Text("one of %(choices)s", choices=Listed(SORTS))]
    if not 1 <= query.limit <= MAX_LIMIT:
        problems["limit"] = [Text("from 1 to %(max)s", max=MAX_LIMIT)]
    if problems:
        raise InputError(Text("bad worklist query: %(problems)s",
                              problems="; ".join(f"{k}: {v[0]}" for k, v in problems.items())), fields=problems)


def _conditions(ctx: EngineContext, session: Session, query: WorklistFilter, now: datetime) -> list[Any]:
    conditions: list[Any] = [Case.status != "suspended"]  # held by an admin: nobody may claim or complete it
    if query.department is not None:
        conditions.append(OpenStep.department == query.department)
    conditions.extend(region_conditions(session, query.reader, query.region))
    if query.matter:
        conditions.append(Case.matter_id == query.matter)
    if query.step:
        conditions.append(OpenStep.step_id == query.step)
    if query.due:
        overdue_before, soon_until = due_bounds(now)
        conditions.append({"overdue": OpenStep.due_at < overdue_before,
                           "due_soon": and_(OpenStep.due_at >= overdue_before, OpenStep.due_at <= soon_until),
                           "on_time": OpenStep.due_at > soon_until}[query.due])
    if query.claimed == "me":
        conditions.append(OpenStep.claimed_by == query.me)
    elif query.claimed == "unclaimed":
        conditions.append(OpenStep.claimed_by.is_(None))
    if query.search.strip():
        conditions.append(_search(ctx, session, query.search.strip().lower(), query.department))
    return conditions


def _search(ctx: EngineContext, session: Session, term: str, department: str | None) -> ColumnElement[bool]:
    """Case number or stored step name contains `term`, or the matter's or step's zh/en name does."""
    versions = select(Case.matter_id, Case.model_version_id).join(OpenStep, OpenStep.case_id == Case.id).distinct()
    if department is not None:
        versions = versions.where(OpenStep.department == department)
    matters: set[str] = set()
    steps: dict[str, set[str]] = defaultdict(set)
    for matter_id, version_id in session.execute(versions).all():
        model, matter = catalog.loaded_version(ctx, session, version_id)
        if _matches(term, _matter_names(matter, matter_id), matter_id):
            matters.add(matter_id)
        for step_id, info in model.steps.items():
            if _matches(term, _step_names(model, step_id, info.name)):
                steps[matter_id].add(step_id)
    found: list[ColumnElement[bool]] = [func.lower(Case.number).contains(term, autoescape=True),
                                        func.lower(OpenStep.step_name).contains(term, autoescape=True)]
    if matters:
        found.append(Case.matter_id.in_(sorted(matters)))
    found.extend(and_(Case.matter_id == matter_id, OpenStep.step_id.in_(sorted(ids)))
                 for matter_id, ids in sorted(steps.items()))
    return or_(*found)


def _matches(term: str, names: Names, *more: str) -> bool:
    return any(term in text.lower() for text in (names.zh, names.en, *more) if text)


def _ordered(statement: Select[Any], query: WorklistFilter) -> Select[Any]:
    def way(column: Any) -> Any:
        return column.desc() if query.descending else column.asc()

    if query.sort == "arrival":
        return statement.order_by(way(OpenStep.ready_at), way(OpenStep.task_id))
    no_limit_last = case((OpenStep.due_at.is_(None), 1), else_=0)  # either way
    return statement.order_by(no_limit_last, way(OpenStep.due_at), way(OpenStep.task_id))


def _after(query: WorklistFilter, key: datetime | None, last: str) -> ColumnElement[bool]:
    """Rows after the cursor's row in the page order: keyset pagination."""
    desc = query.descending

    def beyond(column: Any, value: Any) -> ColumnElement[bool]:
        return column < value if desc else column > value

    if query.sort == "arrival":
        return or_(beyond(OpenStep.ready_at, key), and_(OpenStep.ready_at == key, beyond(OpenStep.task_id, last)))
    if key is None:  # among the steps without a time limit, which come last
        return and_(OpenStep.due_at.is_(None), beyond(OpenStep.task_id, last))
    return or_(OpenStep.due_at.is_(None), beyond(OpenStep.due_at, key),
               and_(OpenStep.due_at == key, beyond(OpenStep.task_id, last)))


def worklist_facets(ctx: EngineContext, department: str | None = None, reader: Actor | None = None,
                    region: str | None = None) -> WorklistFacets:
    """The matters and steps on a department's list (for its filter choices) and its counts by due state
    (`reader`, `region`: as in WorklistFilter)."""
    overdue_before, soon_until = due_bounds(ctx.clock.now())
    with ctx.read() as session:
        scope: list[Any] = [OpenStep.department == department] if department is not None else [true()]
        scope.extend(region_conditions(session, reader, region))
        pairs = session.execute(select(Case.matter_id, Case.model_version_id, OpenStep.step_id)
                                .join(Case, Case.id == OpenStep.case_id).where(*scope).distinct()).all()
        matters: dict[str, Names] = {}
        steps: dict[str, Names] = {}
        for matter_id, version_id, step_id in pairs:
            model, matter = catalog.loaded_version(ctx, session, version_id)
            matters.setdefault(matter_id, _matter_names(matter, matter_id))
            info = model.steps.get(step_id)
            steps.setdefault(step_id, _step_names(model, step_id, info.name if info is not None else step_id))
        count = func.count()
        total, overdue, soon = session.execute(select(
            count,
            func.coalesce(func.sum(case((OpenStep.due_at < overdue_before, 1), else_=0)), 0),
            func.coalesce(func.sum(case((and_(OpenStep.due_at >= overdue_before, OpenStep.due_at <= soon_until), 1),
                                        else_=0)), 0),
        ).select_from(OpenStep).join(Case, Case.id == OpenStep.case_id).where(*scope)).one()
    by_name = sorted(matters.items(), key=lambda kv: kv[1].zh)
    return WorklistFacets(by_name, sorted(steps.items(), key=lambda kv: kv[1].zh), int(total), int(overdue),
                          int(soon))


# -- the migration that added due times ----------------------------------------------------------------

def fill_due_times(connection: Connection) -> None:
    """Set due_at of the open steps that have none, from their case's model version (migration 0010)."""
    with Session(bind=connection) as session:
        rows = session.execute(select(OpenStep.task_id, OpenStep.step_id, OpenStep.ready_at, Case.model_version_id)
                               .join(Case, Case.id == OpenStep.case_id).where(OpenStep.due_at.is_(None))).all()
        models: dict[int, Any] = {}
        for task_id, step_id, ready_at, version_id in rows:
            if version_id not in models:
                # decision_tables (0012), region and adopted_from (0015) came later: not selected here
                version = session.get(ModelVersion, version_id, options=[
                    defer(ModelVersion.decision_tables), defer(ModelVersion.region), defer(ModelVersion.adopted_from)])
                models[version_id] = catalog.load_version_row(version)[0] if version is not None else None
            due = step_due(step_time_limit(models[version_id], step_id), ready_at) if models[version_id] else None
            if due is not None:
                session.execute(update(OpenStep).where(OpenStep.task_id == task_id).values(due_at=due))
        session.flush()

