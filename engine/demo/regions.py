"""Demo province (issue #13 item 5): Zhejiang with two cities and four counties around newborn's reform.

Grounded in shared/domain/one-thing-facts.md, "Regions in the source reports": Yiwu (under Jinhua) is the
county the province told to spread its reform by "one place innovation, whole province sharing"; Shangyu (under
Shaoxing) is where the newborn figures come from (2 days and 4 forms before, 1 hour and 1 form after). Dongyang
and Keqiao are real counties of the same cities, named here only to make a province of four (no figures of theirs
are used). Yiwu publishes newborn's `after` variant; Dongyang adopts it as published; Shangyu adopts it and
shortens the time limit to its own one working day and names its service centre; Keqiao still runs `before`.
Each county gets simulated cases and a few real ones (rated when they end), handled by its own clerks.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from engine.accounts import users
from engine.accounts.users import Actor
from engine.audit.simulation import simulate
from engine.catalog import versions as catalog
from engine.catalog.designer import deploy_upload, deployed_matter_ids, model_departments
from engine.context import EngineContext
from engine.regions import library, tree
from engine.runtime.clock import SimulatedClock
from engine.store.tables import User
from engine.store.tables_regions import Region
from engine.vocabulary import ROOT_REGION

MATTER = "newborn"
PROVINCE = ("浙江省", "Zhejiang")
CITIES = (("jinhua", "金华市", "Jinhua"), ("shaoxing", "绍兴市", "Shaoxing"))
COUNTIES = (("yiwu", "jinhua", "义乌市", "Yiwu"), ("dongyang", "jinhua", "东阳市", "Dongyang"),
            ("shangyu", "shaoxing", "上虞区", "Shangyu"), ("keqiao", "shaoxing", "柯桥区", "Keqiao"))
PUBLISHER, AS_PUBLISHED, CHANGED, STILL_BEFORE = "yiwu", "dongyang", "shangyu", "keqiao"
SIMULATED, REAL = 10, 4  # cases per county and variant it runs


@dataclass
class RegionDemo:
    """What the demo province added (nothing when it was there already)."""

    regions: list[str] = field(default_factory=list)
    logins: list[tuple[str, str, str | None, str]] = field(default_factory=list)  # user, role, department, region
    simulated: int = 0
    real: int = 0


def load_regions(ctx: EngineContext, processes: Path, password: str, seed: int, now: datetime,
                 case_maker) -> RegionDemo:
    """The province, its cities and counties, the reform published and adopted, accounts and cases (once)."""
    found = RegionDemo()
    with ctx.read() as session:
        if session.get(Region, PUBLISHER) is not None or MATTER not in _deployed(session):
            return found
    tree.rename_region(ctx, ROOT_REGION, *PROVINCE)
    for city, zh, en in CITIES:
        tree.add_region(ctx, city, ROOT_REGION, zh, en)
    for county, city, zh, en in COUNTIES:
        tree.add_region(ctx, county, city, zh, en)
    found.regions = [c[0] for c in CITIES] + [c[0] for c in COUNTIES]
    catalog.deploy_path(ctx, processes / MATTER / "after.bpmn", region=PUBLISHER)  # Yiwu's own reform
    library.publish_reform(ctx, MATTER, PUBLISHER, note="义乌“出生一件事”：一表申请、一窗受理、并联审批")
    library.adopt_reform(ctx, MATTER, PUBLISHER, AS_PUBLISHED)
    library.adopt_reform(ctx, MATTER, PUBLISHER, CHANGED)
    _local_change(ctx, processes)
    found.logins = _accounts(ctx, password)
    _cases(ctx, found, seed, now, case_maker)
    return found


def _local_change(ctx: EngineContext, processes: Path) -> None:
    """Shangyu's adjustment: its own time limit (the source's one working day) and its service centre's name."""
    text = (processes / MATTER / "matter.yaml").read_text(encoding="utf-8")
    changed = text.replace("  after: 5\n", "  after: 1\n", 1).replace(
        "names: {zh: 政务服务中心, en: Government service centre (comprehensive window)}",
        "names: {zh: 上虞区行政服务中心, en: Shangyu administrative service centre}", 1)
    bpmn = (processes / MATTER / "after.bpmn").read_bytes()
    deploy_upload(ctx, bpmn, "after.bpmn", changed.encode("utf-8"), MATTER, "after", Actor("demo", "admin"),
                  region=CHANGED)


def _accounts(ctx: EngineContext, password: str) -> list[tuple[str, str, str | None, str]]:
    """A clerk of each of newborn's departments in each county, a designer in Yiwu, an auditor per city."""
    with ctx.read() as session:
        departments: set[str] = set()
        for variant in ("before", "after"):
            version = catalog.current_version(session, MATTER, variant, PUBLISHER)
            departments |= model_departments(catalog.loaded_version(ctx, session, version.id)[0])
        existing = set(session.scalars(select(User.username)))
    logins: list[tuple[str, str, str | None, str]] = []
    for county, *_ in COUNTIES:
        logins += [(f"clerk.{d}.{county}", "clerk", d, county) for d in sorted(departments)]
    logins += [(f"designer.service_center.{PUBLISHER}", "designer", "service_center", PUBLISHER)]
    logins += [(f"auditor.{city}", "auditor", None, city) for city, *_ in CITIES]
    for username, role, department, region in logins:
        if username not in existing:
            users.add_user(ctx, username, password, role, department, display_name=username, region=region)
    return logins


def _cases(ctx: EngineContext, found: RegionDemo, seed: int, now: datetime, case_maker) -> None:
    rng = random.Random(seed)
    clock = SimulatedClock(now)
    sim = EngineContext(ctx.engine, clock=clock, script_time_limit=ctx.script_time_limit)
    for index, (county, *_) in enumerate(COUNTIES):
        variants = ("before",) if county == STILL_BEFORE else ("before", "after")
        for variant in variants:
            result = simulate(ctx, MATTER, variant, SIMULATED, seed + index, arrivals=3.0, region=county,
                              clerks=_three_each(ctx, variant, county))
            found.simulated += result.cases
        for _ in range(REAL):
            variant = "before" if county == STILL_BEFORE else "after"
            case_maker(sim, clock, rng, MATTER, variant, now, county)
            found.real += 1


def _three_each(ctx: EngineContext, variant: str, region: str) -> dict[str, int]:
    with ctx.read() as session:
        version = catalog.current_version(session, MATTER, variant, region)
        return {d: 3 for d in model_departments(catalog.loaded_version(ctx, session, version.id)[0])}


def _deployed(session) -> set[str]:
    return set(deployed_matter_ids(session))
