"""Demo data: users for every role and department, cases at every stage, idempotent."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from engine.accounts import users
from engine.cases.worklist_query import WorklistFilter, worklist
from engine.citizen import applications as citizen
from engine.demo import loader as demo, regions as demo_regions
from engine.regions import tree
from engine.regions.adoption import adoption_states
from engine.regions.reformdiff import reform_diff
from engine.store.tables import Case, OpenStep

PROCESSES = Path(__file__).resolve().parents[2] / "processes"


def test_demo_load_is_idempotent_and_covers_every_stage(ctx):
    first = demo.load_demo(ctx, PROCESSES, cases_wanted=16, regions=False)
    assert ("admin", "admin", None) in first.logins and ("clerk.police", "clerk", "police") in first.logins
    assert ("designer.police", "designer", "police") in first.logins
    assert users.authenticate(ctx, "clerk.police", demo.DEMO_PASSWORD) is not None
    assert len(first.cases_created) == 16
    assert {status for *_, status in first.cases_created} >= {"running", "completed"}
    evidence = first.evidence  # the auditor's evidence, each case labelled by its source
    assert evidence.matters == ["newborn", "business_startup"]
    assert evidence.simulated == 2 * 2 * 12 and evidence.imported == 2 * 12
    again = demo.load_demo(ctx, PROCESSES, cases_wanted=16, regions=False)
    assert again.users_created == [] and again.cases_created == [] and again.evidence.simulated == 0
    with ctx.read() as session:
        by_source = dict(session.execute(select(Case.source, func.count()).group_by(Case.source)).all())
        assert by_source == {"real": 16, "simulated": 48, "imported": 24}
        imported = session.scalars(select(Case.started_at).where(Case.source == "imported")).all()
        assert max(imported) < min(session.scalars(select(Case.started_at).where(Case.source == "real")))
        starts = session.scalars(select(Case.started_at).where(Case.source == "real")).all()
        assert session.scalar(select(func.count(func.distinct(OpenStep.department)))) >= 3
    assert (max(starts) - min(starts)).days >= 3  # spread over days, not one instant
    number = first.cases_created[0][0]
    assert citizen.lookup(ctx, number, demo.DEMO_CHECK, "demo-test").number == number


def test_the_demo_province_publishes_adopts_and_runs_cases_in_each_county(ctx):
    first = demo.load_demo(ctx, PROCESSES, cases_wanted=4, evidence=False)
    province = first.regions
    assert province.regions == ["jinhua", "shaoxing", "yiwu", "dongyang", "shangyu", "keqiao"]
    assert [r.id for r in tree.list_regions(ctx)][:3] == ["province", "jinhua", "dongyang"]
    assert tree.get_region(ctx, "province").names.zh == "浙江省"
    states = adoption_states(ctx, "newborn")
    assert {r: states[r] for r in ("yiwu", "dongyang", "shangyu", "keqiao")} == {
        "yiwu": "published", "dongyang": "adopted", "shangyu": "adopted_changed", "keqiao": "before"}
    diff = reform_diff(ctx, "newborn", "shangyu")
    assert [(i.key, i.shared, i.local) for i in diff.time_limits] == [("matter", "5", "1")]
    with ctx.read() as session:
        counts = dict(session.execute(select(Case.region, func.count()).where(Case.region != "province")
                                      .group_by(Case.region)).all())
        after = dict(session.execute(select(Case.region, func.count()).where(Case.variant == "after",
                                                                            Case.region != "province")
                                     .group_by(Case.region)).all())
    per_county = 2 * demo_regions.SIMULATED + demo_regions.REAL
    assert counts == {"yiwu": per_county, "dongyang": per_county, "shangyu": per_county,
                      "keqiao": demo_regions.SIMULATED + demo_regions.REAL}
    assert "keqiao" not in after  # Keqiao still runs before
    # each county's clerks work its own cases only
    seen: set[str] = set()
    for username, _role, department, region in province.logins:
        if region == "keqiao" and department is not None:
            clerk = users.get_actor(ctx, username)
            assert clerk.region == "keqiao"
            listed = worklist(ctx, WorklistFilter(department=department, reader=clerk, limit=200)).entries
            seen |= {e.item.case_number for e in listed}
    assert seen  # its own running cases wait for its clerks
    with ctx.read() as session:
        regions_seen = set(session.scalars(select(Case.region).where(Case.number.in_(seen))))
    assert regions_seen <= {"keqiao"}
    again = demo.load_demo(ctx, PROCESSES, cases_wanted=4, evidence=False)
    assert again.regions.regions == [] and again.regions.real == 0  # loaded once
