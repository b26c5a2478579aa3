"""The applicant's side, without login: the intake form, applying, looking up progress, rating."""
from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.cases.persistence import create_case, save_case
from engine.catalog import designer, versions as catalog
from engine.catalog.designer import MatterInfo
from engine.citizen import offers
from engine.citizen.checking import checked_application
from engine.citizen.checks import check_hash, checked_case
from engine.context import EngineContext
from engine.errors import Conflict, InputError, MatterNotFound, Throttled
from engine.matters.files import Form, FormField, Matter
from engine.matters.forms import contact_field
from engine.matters.messages import message
from engine.model import reading
from engine.model.metrics import static_metrics
from engine.model.reading import named_step
from engine.model.types import Model
from engine.regions.tree import leaves, parents
from engine.runtime.clock import using_clock
from engine.runtime.workdays import china_date
from engine.runtime.workflow import CaseError
from engine.store.tables import Case, OpenStep, StepLogEntry
from engine.store.tables_citizen import CaseContact, CaseRating
from engine.store.throttle import exceeded
from engine.text import Listed, Text
from engine.vocabulary import APPLICANT, ROOT_REGION

APPLICATION_WINDOW = timedelta(hours=1)
MAX_APPLICATIONS = 10  # per client address an hour


@dataclass(frozen=True)
class Progress:
    """A case's progress in plain words, for the applicant; carries no personal data."""

    number: str
    matter_id: str
    matter_zh: str
    matter_en: str
    status: str
    stage_zh: str
    stage_en: str
    next_zh: str
    next_en: str
    steps_done: int
    steps_expected: int
    started_at: datetime
    completed_at: datetime | None
    can_rate: bool
    rating: int | None
    rating_comment: str | None


@dataclass(frozen=True)
class ApplicationForm:
    """A matter as an applicant chooses it, with the one form to fill (None: nothing to fill) and the form's
    field that is the applicant's contact phone (None: the phone is asked apart from the form)."""

    matter: MatterInfo
    form: Form | None
    contact: FormField | None = None
    regions: tuple[str, ...] = ()  # the regions that handle applications for it (engine.citizen.offers), tree order


# -- intake and applying --------------------------------------------------------------------------------

def _intake(model: Model, matter: Matter | None) -> tuple[str, Form] | None:
    step_id = reading.first_applicant_step(model)
    if matter is None or not step_id:
        return None
    form = reading.step_form(model, matter, step_id)  # matter.yaml's, or the one of its Camunda/Flowable fields
    return (step_id, form) if form is not None else None


def intake_form(ctx: EngineContext, matter_id: str, region: str | None = None) -> Form | None:
    """The form of the first applicant step of the matter's `after` version that `region` runs when it handles the
    matter, else the one the first region that handles it runs (`engine.citizen.offers`)."""
    return application_form(ctx, matter_id, region).form


def application_form(ctx: EngineContext, matter_id: str, region: str | None = None) -> ApplicationForm:
    """What the applicant sees before applying: the matter, its one form and the regions that handle it.

    The form (and the matter's names) are those of the `after` version `region` runs when it handles the matter,
    else of the first region that does (tree order): the root's while it is the only region."""
    with ctx.read() as session:
        handling = offers.handling_regions(session, matter_id)
        if not handling:
            catalog.current_version(session, matter_id, "after")  # MatterNotFound, naming the deployed matters
            raise MatterNotFound(Text("no deployed matter '%(matter)s'", matter=matter_id))
        shown = region if region in handling else handling[0]
        version = catalog.current_version(session, matter_id, "after", shown)
        found = _intake(*catalog.loaded_version(ctx, session, version.id))
        form = found[1] if found else None
        return ApplicationForm(designer.matter_info(ctx, session, matter_id, shown), form, contact_field(form),
                               tuple(handling))


def apply(ctx: EngineContext, matter_id: str, data: dict[str, Any], phone: str | None, client: str = "-",
          region: str | None = None) -> str:
    """Start a case of the current `after` version with the intake form filled in, in the county or district the
    applicant chose (`region`; None: the root); return its number."""
    return start_application(ctx, matter_id, "after", data, phone, client, region)


def start_application(ctx: EngineContext, matter_id: str, variant: str, data: dict[str, Any], phone: str | None,
                      client: str = "-", region: str | None = None) -> str:
    """Validate, start, complete the first applicant step and store the contact check, in one transaction.

    The contact phone (its last four digits are the lookup check) is `phone` when given, else the intake
    form's contact field (`contact_field`), so the applicant is not asked twice. Every problem of the
    phone and of the form is reported at once. The case is handled in `region`, a region nothing is below
    (a county or district; the root while it is the only region), on the version that region runs; None: the
    root (callers that know no regions); "": the applicant was asked and chose none."""
    if not isinstance(data, dict):
        raise InputError(Text("the application must be an object"), fields={"data": [Text("must be an object")]})
    client = (client or "-")[:64]
    with ctx.write() as session, using_clock(ctx.clock):
        if client != "-":
            _limit_applications(session, client, ctx.clock.now())
        region = ROOT_REGION if region is None else _handling_region(session, region, matter_id, variant)
        try:
            version = catalog.current_version(session, matter_id, variant, region)
        except MatterNotFound:
            if region == ROOT_REGION and offers.handling_regions(session, matter_id, variant):  # counties' alone
                raise _unchosen() from None
            raise
        model, matter = catalog.loaded_version(ctx, session, version.id)
        intake = _intake(model, matter)
        clean, contact = checked_application(intake[1] if intake else None, data, phone)
        now = ctx.clock.now()
        case, runtime, _rows = create_case(ctx, session, version, None if intake else clean, None, region=region)
        if intake:
            ready = next((s for s in runtime.ready_steps() if s.step_id == intake[0]), None)
            if ready is None:
                raise InputError(Text("matter '%(matter)s' does not start with its applicant step '%(step)s'",
                                      matter=matter_id, step=named_step(model, intake[0])))
            try:
                runtime.complete(ready.task_id, clean)
            except CaseError as exc:
                raise InputError(Text("the application was not accepted: %(reason)s", reason=str(exc))) from None
            save_case(ctx, session, case, runtime, now, completed={ready.task_id: ("applicant", clean)})
        salt = secrets.token_hex(16)
        session.add(CaseContact(case_id=case.id, salt=salt, phone_hash=check_hash(salt, contact),
                                check_hash=check_hash(salt, contact[-4:]), client=client, applied_at=now))
        return case.number


def _handling_region(session: Session, region: str, matter_id: str, variant: str) -> str:
    """`region` if an application for the matter may be handled there (a region nothing is below that runs the
    variant), else InputError on `region`; a matter no region runs is left to `current_version` (MatterNotFound)."""
    if not region:
        raise _unchosen()
    if region not in leaves(parents(session)):
        problem = Text("no county or district '%(region)s'", region=region)
        raise InputError(problem, fields={"region": [problem]})
    handling = offers.handling_regions(session, matter_id, variant)
    if handling and region not in handling:
        problem = Text("this county or district does not handle this matter")
        raise InputError(Text("'%(region)s' does not handle matter '%(matter)s'; choose one of: %(regions)s",
                              region=region, matter=matter_id, regions=Listed(handling)),
                         fields={"region": [problem]})
    return region


def _unchosen() -> InputError:
    problem = Text("choose the county or district that handles your application")
    return InputError(problem, fields={"region": [problem]})


def _limit_applications(session: Session, client: str, now: datetime) -> None:
    """At most MAX_APPLICATIONS per client an hour, so nobody floods the clerks' worklists."""
    if exceeded(session, CaseContact.applied_at, now - APPLICATION_WINDOW,
                (CaseContact.client == client, MAX_APPLICATIONS)):
        raise Throttled(Text("too many applications from this address in the last hour; please try again later"))


# -- lookup and rating --------------------------------------------------------------------------------

def lookup(ctx: EngineContext, number: str, check: str, client: str) -> Progress:
    """A case's progress for whoever knows its number and the check: the phone's last four digits, or all of it.

    Throttled (with `retry_after`) for an address that guessed too often, FullPhoneRequired for the four
    digits of a number under attack (engine/citizen/checks.py); a wrong check is NotFound.
    """
    with ctx.read() as session:
        case = checked_case(ctx, session, number, check, client)
        return _progress(ctx, session, case)


def rate(ctx: EngineContext, number: str, check: str, score: int, comment: str | None = None,
         client: str = "-") -> None:
    """Rate a completed case once (1–5, optional comment up to 500 characters)."""
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise InputError(Text("the score is a whole number from 1 to 5"),
                         fields={"score": [message("between", min=1, max=5)]})
    comment = (comment or "").strip() or None
    if comment is not None and len(comment) > 500:
        raise InputError(Text("the comment is longer than %(max)s characters", max=500),
                         fields={"comment": [message("too_long", max=500)]})
    with ctx.read() as session:
        case = checked_case(ctx, session, number, check, client)
        case_id, status = case.id, case.status
    if status != "completed":
        raise Conflict(Text("only a completed case can be rated"))
    try:
        with ctx.write() as session:
            if session.get(CaseRating, case_id) is not None:
                raise Conflict(Text("this case has been rated already"))
            session.add(CaseRating(case_id=case_id, score=score, comment=comment, rated_at=ctx.clock.now()))
    except IntegrityError:
        raise Conflict(Text("this case has been rated already")) from None


# -- progress in plain words ------------------------------------------------------------------------

def _expected_steps(ctx: EngineContext, version_id: int, model: Model, matter: Matter | None, variant: str) -> int:
    return ctx.caches.expected_steps.get_or_compute(version_id, lambda: static_metrics(model, matter, variant)["steps"])


def _progress(ctx: EngineContext, session: Session, case: Case) -> Progress:
    model, matter = catalog.loaded_version(ctx, session, case.model_version_id, case.calls)
    done = session.execute(select(func.count()).select_from(StepLogEntry).where(
        StepLogEntry.case_id == case.id, StepLogEntry.event == "completed")).scalar_one()
    rating = session.get(CaseRating, case.id)
    open_steps = session.scalars(select(OpenStep).where(OpenStep.case_id == case.id).order_by(OpenStep.ready_at)).all()
    stage, following = _words(case, model, matter, open_steps, rating is not None)
    return Progress(
        number=case.number, matter_id=case.matter_id,
        matter_zh=matter.names.zh if matter else case.matter_id,
        matter_en=matter.names.en if matter else case.matter_id,
        status=case.status, stage_zh=stage[0], stage_en=stage[1], next_zh=following[0], next_en=following[1],
        steps_done=done, steps_expected=_expected_steps(ctx, case.model_version_id, model, matter, case.variant),
        started_at=case.started_at, completed_at=case.completed_at,
        can_rate=case.status == "completed" and rating is None,
        rating=rating.score if rating else None, rating_comment=rating.comment if rating else None)


def _join(items: list[str], sep: str) -> str:
    return sep.join(dict.fromkeys(items))


def _words(case: Case, model: Model, matter: Matter | None, open_steps: Sequence[OpenStep],
           rated: bool) -> tuple[tuple[str, str], tuple[str, str]]:
    """(stage zh, en), (next zh, en) for the applicant."""
    if case.status == "completed":
        assert case.completed_at is not None  # set together with the status (save_case)
        day = china_date(case.completed_at).isoformat()
        stage = (f"已于 {day} 办结", f"Completed on {day}")
        return stage, (("无需再办理其他事项", "Nothing more to do") if rated
                       else ("欢迎对本次服务进行评价", "You can now rate the service"))
    if case.status == "cancelled":
        return (("已撤销", "Cancelled"),
                ("如有疑问请联系办理窗口", "Please contact the service window with any question"))
    if case.status == "error":
        return (("办理遇到问题，工作人员正在处理", "A problem occurred; staff are looking into it"),
                ("工作人员处理后将继续办理", "The case continues once staff have fixed it"))
    if not open_steps:
        return (("等待部门间传递办理结果", "Waiting for results passed between departments"),
                ("结果到达后将自动进入下一环节", "The case moves on automatically when the result arrives"))
    yours = [s for s in open_steps if s.department == APPLICANT]
    if yours:
        stage = ("等待您办理：" + _join([s.step_name for s in yours], "、"),
                 "Waiting for you: " + _join([reading.step_name_en(model, s.step_id) for s in yours], ", "))
    else:
        names = [reading.department_names(model, matter, s.department) for s in open_steps]
        stage = ("正在由" + _join([n.zh for n in names], "、")
                 + "办理：" + _join([s.step_name for s in open_steps], "、"),
                 "Being handled by " + _join([n.en for n in names], ", ") + ": "
                 + _join([reading.step_name_en(model, s.step_id) for s in open_steps], ", "))
    open_ids = {o.step_id for o in open_steps}
    after = [n for s in open_steps for n in reading.next_steps(model, s.step_id) if n not in open_ids]
    if not after:
        return stage, ("本环节完成后即可办结", "The case is complete once this is done")
    return stage, ("下一环节：" + _join([model.steps[n].name for n in after], "、"),
                   "Next: " + _join([reading.step_name_en(model, n) for n in after], ", "))
