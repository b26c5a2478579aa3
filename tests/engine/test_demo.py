"""Demo data: users for every role and department, cases at every stage, idempotent."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from engine.accounts import users
from engine.citizen import applications as citizen
from engine.demo import loader as demo
from engine.store.tables import Case, OpenStep

PROCESSES = Path(__file__).resolve().parents[2] / "processes"


def test_demo_load_is_idempotent_and_covers_every_stage(ctx):
    first = demo.load_demo(ctx, PROCESSES, cases_wanted=16)
    assert ("admin", "admin", None) in first.logins and ("clerk.police", "clerk", "police") in first.logins
    assert ("designer.police", "designer", "police") in first.logins
    assert users.authenticate(ctx, "clerk.police", demo.DEMO_PASSWORD) is not None
    assert len(first.cases_created) == 16
    assert {status for *_, status in first.cases_created} >= {"running", "completed"}
    evidence = first.evidence  # the auditor's evidence, each case labelled by its source
    assert evidence.matters == ["newborn", "business_startup"]
    assert evidence.simulated == 2 * 2 * 12 and evidence.imported == 2 * 12
    again = demo.load_demo(ctx, PROCESSES, cases_wanted=16)
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
