"""A province with cases in several regions (issue #13): the data the ranking, province and by-region tests share.

    province (own reform: the root's after line)
    ├── hz  杭州市 city (nothing of its own: runs the root's versions)
    │   ├── xh  西湖区 county: its own after (a changed model), published to the library
    │   └── bj  滨江区 county: adopted xh's published reform as it is
    └── nb  宁波市 city (nothing of its own)

Simulated cases: nb before, xh before and after, bj after. Real cases: bj before and after (one of them applied
for, rated 4), one nb before case started more than 365 days before the others (outside the year's volume).
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update

from engine.audit.simulation import simulate
from engine.cases import lifecycle as cases
from engine.cases.driving import drive_case
from engine.catalog import versions as catalog
from engine.citizen import applications as citizen
from engine.context import EngineContext
from engine.matters.forms import example_data
from engine.regions.tree import add_region
from engine.store.tables import Case, ModelVersion
from engine.store.tables_regions import PublishedReform

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
PHONE = "13912345678"
REGIONS = {"hz": ("province", "杭州市", "Hangzhou"), "xh": ("hz", "西湖区", "Xihu"), "bj": ("hz", "滨江区", "Binjiang"),
           "nb": ("province", "宁波市", "Ningbo")}
SIMULATED = (("nb", "before", 12, 1), ("xh", "before", 6, 2), ("xh", "after", 10, 3), ("bj", "after", 8, 4))


@dataclass(frozen=True)
class Scenario:
    rated: str  # the number of the rated case (bj, after, score 4)
    old: str  # the real case started more than a year before the rest


def _finish(ctx: EngineContext, number: str, hours: int = 5) -> None:
    def time_passes() -> bool:
        ctx.clock.advance(timedelta(hours=hours))  # type: ignore[attr-defined]
        return True

    assert drive_case(ctx, number, before_each=time_passes).view.status == "completed"


def build(ctx: EngineContext, tmp_path: Path, simulated: bool = True) -> Scenario:
    catalog.deploy_path(ctx, PROCESSES / "newborn")
    for region, (parent, zh, en) in REGIONS.items():
        add_region(ctx, region, parent, zh, en)
    old = cases.start_case(ctx, "newborn", "before", region="nb").number
    _finish(ctx, old)
    ctx.clock.advance(timedelta(days=400))  # type: ignore[attr-defined]
    _own_reform(ctx, tmp_path)
    if simulated:
        for region, variant, count, seed in SIMULATED:
            simulate(ctx, "newborn", variant, count, seed, region=region)
    for variant, hours in (("before", 20), ("after", 3), ("after", 6)):
        _finish(ctx, cases.start_case(ctx, "newborn", variant, region="bj").number, hours)
    rated = citizen.apply(ctx, "newborn", example_data(citizen.intake_form(ctx, "newborn")), PHONE)
    with ctx.write() as session:
        session.execute(update(Case).where(Case.number == rated).values(region="bj"))
    _finish(ctx, rated, 2)
    citizen.rate(ctx, rated, PHONE[-4:], 4)
    return Scenario(rated, old)


def deploy_local(ctx: EngineContext, tmp_path: Path, region: str, matter_id: str = "local_birth") -> None:
    """A matter of `region`'s own (newborn's models under another id and names), deployed in its line only; the
    after model carries `<!-- region -->` so that a test tells whose version it is."""
    copy = tmp_path / f"{matter_id}-{region}" / matter_id
    shutil.copytree(PROCESSES / "newborn", copy)
    yaml = copy / "matter.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace("id: newborn", f"id: {matter_id}", 1).replace(
        "names: {zh: 新生儿出生一件事, en: Newborn birth}", "names: {zh: 本地出生一件事, en: Local birth}", 1),
        encoding="utf-8")
    after = copy / "after.bpmn"
    after.write_bytes(after.read_bytes().replace(b"</bpmn:definitions>",
                                                 f"<!-- {region} --></bpmn:definitions>".encode()))
    catalog.deploy_path(ctx, copy, region=region)


def _own_reform(ctx: EngineContext, tmp_path: Path) -> None:
    """xh deploys a changed after and publishes it; bj adopts it unchanged."""
    copy = tmp_path / "newborn"
    shutil.copytree(PROCESSES / "newborn", copy)
    after = copy / "after.bpmn"
    after.write_bytes(after.read_bytes().replace(b"</bpmn:definitions>", b"<!-- xh --></bpmn:definitions>"))
    catalog.deploy_path(ctx, copy, region="xh")
    with ctx.write() as session:
        row = session.scalars(select(ModelVersion).where(ModelVersion.region == "xh",
                                                         ModelVersion.variant == "after")).one()
        published = PublishedReform(matter_id="newborn", variant="after", region="xh", number=1,
                                    model_version_id=row.id, published_at=ctx.clock.now())
        session.add(published)
        session.flush()
        model, _matter = catalog.loaded_version(ctx, session, row.id)
        catalog.store_version(ctx, session, "newborn", "after", row.bpmn, row.filename, model, row.matter_yaml,
                              decision_tables=row.decision_tables, source="adopt", region="bj",
                              adopted_from=published.id)
