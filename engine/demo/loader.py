"""Demo data: the models of processes/, a user per role and department, cases at every stage (idempotent)."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from engine.accounts import users
from engine.cases import lifecycle as cases
from engine.cases.driving import actor_for, drive_case, step_data
from engine.catalog import designer, versions as catalog
from engine.citizen import applications as citizen
from engine.context import EngineContext
from engine.demo.evidence import Evidence, load_evidence
from engine.demo.regions import RegionDemo, load_regions
from engine.matters.forms import resident_id_check_character
from engine.model import reading
from engine.runtime.clock import SimulatedClock
from engine.store.tables import Case, User
from engine.vocabulary import APPLICANT, ROOT_REGION

DEMO_PASSWORD = "onething-demo"
DEMO_CHECK = "8000"  # every demo applicant's phone ends in 8000: the lookup check of every demo case
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = ["明", "芳", "伟", "秀英", "敏", "静", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "超", "霞", "平"]
AREAS = ["630104", "110101", "310104", "440305", "510107", "330106"]


@dataclass
class DemoResult:
    """What a demo load did."""

    deployed: list[catalog.Deployed] = field(default_factory=list)
    users_created: list[str] = field(default_factory=list)
    logins: list[tuple[str, str, str | None]] = field(default_factory=list)  # username, role, department
    cases_created: list[tuple[str, str, str, str]] = field(default_factory=list)  # number, matter, variant, status
    evidence: Evidence = field(default_factory=Evidence)  # simulated and imported cases for the auditor
    regions: RegionDemo = field(default_factory=RegionDemo)  # the demo province (engine/demo/regions.py)


def demo_accounts(ctx: EngineContext) -> list[tuple[str, str, str | None]]:
    """(username, role, department): an admin, an auditor, and a clerk and a designer per department."""
    departments = sorted({d for info in designer.list_matters(ctx) for d in info.departments})
    accounts: list[tuple[str, str, str | None]] = [("admin", "admin", None), ("auditor", "auditor", None)]
    for department in departments:
        accounts += [(f"clerk.{department}", "clerk", department), (f"designer.{department}", "designer", department)]
    return accounts


def load_demo(ctx: EngineContext, processes: str | Path, cases_wanted: int = 36, seed: int = 2026,
              now: datetime | None = None, evidence: bool = True, regions: bool = True) -> DemoResult:
    """Deploy, add the demo users, add real cases until there are `cases_wanted`, and (once) the auditor's
    evidence: simulated cases of both variants and imported paper-era `before` records, labelled by source; and
    (once, with `regions`) the demo province of engine/demo/regions.py."""
    result = DemoResult(deployed=catalog.deploy_path(ctx, processes))
    result.logins = demo_accounts(ctx)
    with ctx.read() as session:
        existing_users = set(session.scalars(select(User.username)))
        real = select(func.count()).select_from(Case).where(Case.source == "real")
        existing_cases = session.execute(real).scalar_one()
    for username, role, department in result.logins:
        if username not in existing_users:
            users.add_user(ctx, username, DEMO_PASSWORD, role, department, display_name=username)
            result.users_created.append(username)
    rng = random.Random(seed + existing_cases)
    now = now or ctx.clock.now()
    clock = SimulatedClock(now)  # the demo moves it; `sim` reads it
    sim = EngineContext(ctx.engine, clock=clock, script_time_limit=ctx.script_time_limit)
    matters = designer.list_matters(ctx)
    for index in range(max(0, cases_wanted - existing_cases)):
        info = matters[index % len(matters)]
        variant = "after" if rng.random() < 0.7 or "before" not in info.variants else "before"
        result.cases_created.append(demo_case(sim, clock, rng, info.id, variant, now))
    if evidence:
        result.evidence = load_evidence(ctx, seed)
    if regions:
        result.regions = load_regions(ctx, Path(processes), DEMO_PASSWORD, seed, now, demo_case)
    return result


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.5 else "")


def _resident_id(rng: random.Random) -> str:
    born = datetime(1960, 1, 1) + timedelta(days=rng.randint(0, 40 * 365))
    first17 = f"{rng.choice(AREAS)}{born:%Y%m%d}{rng.randint(0, 999):03d}"
    return first17 + resident_id_check_character(first17)


def _vary(data: dict[str, Any], form_types: dict[str, str], rng: random.Random) -> dict[str, Any]:
    """Example data with different people in it: names, resident IDs and phones."""
    varied = dict(data)
    for name in data:
        kind = form_types.get(name)
        if kind == "resident_id" and not name.startswith("child"):
            varied[name] = _resident_id(rng)
        elif kind == "phone":
            varied[name] = f"13{rng.randint(0, 9)}{rng.randint(0, 9999):04d}{DEMO_CHECK}"
        elif kind == "text" and name.endswith("_name") and "employer" not in name and "company" not in name:
            varied[name] = _person(rng)
    return varied


def _form_types(matter: Any) -> dict[str, str]:
    return {f.name: f.type for form in (matter.forms.values() if matter else ()) for f in form.fields}


def demo_case(sim: EngineContext, clock: SimulatedClock, rng: random.Random, matter_id: str, variant: str,
              now: datetime, region: str = ROOT_REGION) -> tuple[str, str, str, str]:
    """One real case at a random stage (applied, moved on by clerks of `region` in office hours, maybe rated)."""
    stage = rng.choices(["completed", "middle", "claimed", "fresh"], weights=[40, 35, 15, 10])[0]
    days_ago = rng.uniform(8, 45) if stage == "completed" else rng.uniform(0.2, 12)
    clock.set(_office_hours(now - timedelta(days=days_ago)))
    with sim.read() as session:
        row = catalog.current_version(session, matter_id, variant, region)
        model, matter = catalog.loaded_version(sim, session, row.id)
    types = _form_types(matter)
    intake = reading.first_applicant_step(model)
    data = _vary(step_data(model, matter, intake, None), types, rng) if intake else {}
    phone = f"13{rng.randint(0, 9)}{rng.randint(0, 9999):04d}{DEMO_CHECK}"
    number = citizen.start_application(sim, matter_id, variant, data, phone,
                                       region=None if region == ROOT_REGION else region)
    budget = {"completed": 500, "middle": rng.randint(1, 4), "claimed": rng.randint(0, 3), "fresh": 0}[stage]

    def office_time_passes() -> bool:
        _tick(clock, rng)
        return clock.now() < now

    view = drive_case(sim, number, rounds=budget, pick=rng.choice, before_each=office_time_passes,
                      values=lambda item: _vary(step_data(model, matter, item.step_id, None), types, rng)).view
    if view.status == "running" and stage == "claimed":
        item = next((s for s in view.ready_steps if s.department not in (None, APPLICANT)), None)
        if item is not None:
            _tick(clock, rng, hours=(0.5, 4))
            cases.claim_step(sim, number, item.task_id, actor_for(item, view.region))
    if view.status == "completed" and variant == "after" and rng.random() < 0.7:
        comments = ["", "", "一次办好，非常方便", "不用来回跑了", "Quick and clear", "等待时间略长"]
        citizen.rate(sim, number, DEMO_CHECK, rng.choice([3, 4, 4, 5, 5, 5]), rng.choice(comments), client="demo")
    return number, matter_id, variant, view.status


def _tick(clock: SimulatedClock, rng: random.Random, hours: tuple[float, float] = (2, 30)) -> None:
    clock.set(_office_hours(clock.now() + timedelta(hours=rng.uniform(*hours))))


def _office_hours(moment: datetime) -> datetime:
    """Move a moment into 09:00–17:00 Beijing time (01:00–09:00 UTC) on a weekday."""
    moment = moment.astimezone(UTC)
    if not 1 <= moment.hour < 9:
        moment = (moment + timedelta(days=1 if moment.hour >= 9 else 0)).replace(hour=1, minute=moment.minute)
    while moment.weekday() >= 5:
        moment += timedelta(days=1)
    return moment
