"""The staff's case list: every case an actor may read, filtered, sorted and cut into pages in SQL.

Clerks see the cases of matters their department takes part in (as `access.check_takes_part` decides
for one case: the matter's current versions and the case's own version), auditors and admins every
case (clerks of their own region only, auditors of their region and below: `scope.readable_regions`),
designers none. Dates are China's (Asia/Shanghai). A case is *overdue* when it is past its time
limit (the case time limit of its own model version, `summaries.version_facts`, as the audit figures
use it): an open case (running, suspended, in error) whose working days since its start date exceed
the limit today, a completed case that finished late (its summary's `on_time`); a cancelled case never.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, exists, false, func, or_, select
from sqlalchemy.orm import Session, load_only
from sqlalchemy.sql.elements import ColumnElement

from engine.accounts.access import READ_ALL
from engine.accounts.users import Actor
from engine.audit.masking import mask_text
from engine.audit.summaries import version_facts
from engine.catalog import versions as catalog
from engine.catalog.designer import matter_departments
from engine.context import EngineContext
from engine.errors import InputError, NotYourDepartment, require_choice
from engine.matters.files import Names
from engine.model.reading import all_departments
from engine.regions.scope import region_conditions
from engine.runtime.workdays import CHINA, WorkCalendar, china_date, default_calendar
from engine.store.tables import Case, ModelVersion
from engine.store.tables_audit import FinishedCase
from engine.text import Text
from engine.vocabulary import OPEN_STATUSES, ROOT_REGION, SOURCES, STATUSES, VARIANTS

SORTS = {"started": Case.started_at, "number": Case.number, "status": Case.status}
PAGE_SIZE = 50
# the columns a row shows: not the workflow state, which a sort would otherwise carry along (10x slower)
SHOWN = (Case.number, Case.matter_id, Case.model_version_id, Case.variant, Case.source, Case.status, Case.started_at,
         Case.updated_at, Case.completed_at, Case.error, Case.region)
MAX_PAGE_SIZE = 200
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)  # dates a filter may name (the database's range and more)


@dataclass(frozen=True)
class CaseQuery:
    """Which cases, in which order, which page (1-based); every filter optional. `started_from` and
    `started_to` are China dates, both included."""

    matter_id: str | None = None
    variant: str | None = None
    status: str | None = None
    started_from: date | None = None
    started_to: date | None = None
    overdue: bool = False
    source: str = "real"
    sort: str = "started"
    descending: bool = True
    page: int = 1
    page_size: int = PAGE_SIZE
    region: str | None = None  # this region and the regions below it


@dataclass(frozen=True)
class CaseListRow:
    """One case on the list: what it is, where it stands, whether it is past its time limit (None: no limit,
    or cancelled). `error` is masked for auditors."""

    number: str
    matter_id: str
    matter: Names
    variant: str
    source: str
    status: str
    started_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    error: str | None
    time_limit_days: float | None
    overdue: bool | None
    region: str = ROOT_REGION


@dataclass(frozen=True)
class CaseList:
    """A page of the case list with the total, so the page can say 'n of N'."""

    rows: tuple[CaseListRow, ...]
    total: int
    page: int
    pages: int
    page_size: int


def list_cases(ctx: EngineContext, actor: Actor, query: CaseQuery | None = None) -> CaseList:
    """The cases `actor` may read that match `query`, one page of them, newest first by default."""
    query = query or CaseQuery()
    _check(query)
    if actor.role not in (*READ_ALL, "clerk"):
        raise NotYourDepartment(Text("%(user)s (%(role)s) reads no cases", user=actor.name, role=actor.role))
    page, size = max(1, query.page), max(1, min(query.page_size, MAX_PAGE_SIZE))
    today = china_date(ctx.clock.now())
    calendar = default_calendar()
    order = SORTS[query.sort].desc() if query.descending else SORTS[query.sort].asc()
    tie = Case.id.desc() if query.descending else Case.id.asc()
    with ctx.read() as session:
        where = [*_scope(ctx, session, actor), *region_conditions(session, actor, query.region),
                 *_filters(ctx, session, query, today, calendar)]
        total = session.scalar(select(func.count()).select_from(Case).where(*where)) or 0
        cases = session.scalars(select(Case).options(load_only(*SHOWN)).where(*where).order_by(order, tie)
                                .offset((page - 1) * size).limit(size)).all()
        late = _late_completed(session, [c.id for c in cases if c.status == "completed"])
        rows = tuple(_row(ctx, session, case, actor, today, calendar, late) for case in cases)
    return CaseList(rows, total, page, max(1, -(-total // size)), size)


def _check(query: CaseQuery) -> None:
    require_choice(query.source, SOURCES, "source")
    require_choice(query.sort, tuple(SORTS), "sort")
    if query.variant is not None:
        require_choice(query.variant, VARIANTS, "variant")
    if query.status is not None:
        require_choice(query.status, STATUSES, "status")
    for name, day in (("started_from", query.started_from), ("started_to", query.started_to)):
        if day is not None and not EARLIEST <= day <= LATEST:
            raise InputError(Text("%(field)s: a date from %(first)s to %(last)s", field=name, first=EARLIEST,
                                  last=LATEST),
                             fields={name: [Text("out of range")]})
    if query.started_from and query.started_to and query.started_from > query.started_to:
        raise InputError(Text("the start of the date range is after its end"),
                         fields={"started_to": [Text("before the start")]})


def _scope(ctx: EngineContext, session: Session, actor: Actor) -> list[ColumnElement[bool]]:
    """Nothing for readers of every case; for a clerk, the matters and model versions their department is in."""
    if actor.role in READ_ALL:
        return []
    matters, versions = set(), set()
    for version_id, matter_id in session.execute(select(ModelVersion.id, ModelVersion.matter_id)).all():
        model, matter = catalog.loaded_version(ctx, session, version_id)
        own = all_departments(model) | (matter.department_ids() if matter else set())
        if actor.department in own:
            versions.add(version_id)
        elif matter_id not in matters and actor.department in matter_departments(ctx, session, matter_id):
            matters.add(matter_id)
    if not matters and not versions:
        return [false()]
    return [or_(Case.matter_id.in_(sorted(matters)), Case.model_version_id.in_(sorted(versions)))]


def _filters(ctx: EngineContext, session: Session, query: CaseQuery, today: date,
             calendar: WorkCalendar) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = [Case.source == query.source]
    if query.matter_id:
        found.append(Case.matter_id == query.matter_id)
    if query.variant:
        found.append(Case.variant == query.variant)
    if query.status:
        found.append(Case.status == query.status)
    if query.started_from:
        found.append(Case.started_at >= china_midnight(query.started_from))
    if query.started_to:
        found.append(Case.started_at < china_midnight(query.started_to + timedelta(days=1)))
    if query.overdue:
        found.append(_overdue(ctx, session, query, today, calendar))
    return found


def _overdue(ctx: EngineContext, session: Session, query: CaseQuery, today: date,
             calendar: WorkCalendar) -> ColumnElement[bool]:
    """Open cases started on or before the last start date their version's limit allows, or completed late."""
    versions = select(ModelVersion.id)
    if query.matter_id:
        versions = versions.where(ModelVersion.matter_id == query.matter_id)
    by_cutoff: dict[datetime, list[int]] = {}
    for version_id in session.scalars(versions):
        limit = version_facts(ctx, session, version_id).time_limit_days
        if limit is not None:
            by_cutoff.setdefault(china_midnight(last_late_start(limit, today, calendar) + timedelta(days=1)),
                                 []).append(version_id)
    late_open = [and_(Case.model_version_id.in_(ids), Case.started_at < cutoff) for cutoff, ids in by_cutoff.items()]
    finished_late = exists().where(FinishedCase.case_id == Case.id, FinishedCase.on_time.is_(False))
    return or_(and_(Case.status.in_(OPEN_STATUSES), or_(false(), *late_open)),
               and_(Case.status == "completed", finished_late))


def last_late_start(limit: float, today: date, calendar: WorkCalendar) -> date:
    """The latest start date from which more than `limit` working days have passed by `today`
    (working days d with start < d <= today, as `summaries` counts them)."""
    needed, day, counted = math.floor(limit) + 1, today, 0
    while True:
        if calendar.is_workday(day):
            counted += 1
            if counted >= needed:
                return day - timedelta(days=1)
        day -= timedelta(days=1)


def china_midnight(day: date) -> datetime:
    """The first moment of a China date."""
    return datetime.combine(day, time(0, 0), tzinfo=CHINA)


def _late_completed(session: Session, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    return set(session.scalars(select(FinishedCase.case_id).where(FinishedCase.case_id.in_(ids),
                                                                   FinishedCase.on_time.is_(False))))


def _row(ctx: EngineContext, session: Session, case: Case, actor: Actor, today: date, calendar: WorkCalendar,
         late: set[int]) -> CaseListRow:
    _model, matter = catalog.loaded_version(ctx, session, case.model_version_id, case.calls)
    limit = version_facts(ctx, session, case.model_version_id).time_limit_days
    overdue: bool | None
    if limit is None or case.status == "cancelled":
        overdue = None
    elif case.status == "completed":
        overdue = case.id in late
    else:
        overdue = calendar.workdays_between(china_date(case.started_at), today) > limit
    error = mask_text(case.error) if actor.role == "auditor" else case.error
    return CaseListRow(case.number, case.matter_id, matter.names if matter is not None else Names(case.matter_id,
                       case.matter_id), case.variant, case.source or "real", case.status, case.started_at,
                       case.updated_at, case.completed_at, error, limit, overdue, case.region)
