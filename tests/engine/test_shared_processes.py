"""A matter calling a department's shared sub-process deployed on its own (processes/shared): deployed and versioned,
pinned by each case when it starts, worked on the department's worklist like any step (SQLite and PostgreSQL)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.accounts.users import Actor
from engine.cases import lifecycle as cases
from engine.cases.driving import drive_case, step_data
from engine.cases.insight import case_overlay
from engine.cases.worklist import case_summary, work_items
from engine.catalog import versions as catalog
from engine.errors import ModelError
from engine.store.tables import Case, SharedVersion
from tests.engine.test_migrations import _alembic

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
SHARED_ID = "police_birth_registration"
POLICE = Actor("li.police", "clerk", "police")
AUDITOR = Actor("audit", "auditor", None)


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """A process library of the newborn matter and the shared sub-processes it calls."""
    root = tmp_path / "processes"
    shutil.copytree(PROCESSES / "newborn", root / "newborn")
    shutil.copytree(PROCESSES / "shared", root / "shared")
    return root


def shared_model(library: Path) -> Path:
    return library / "shared" / SHARED_ID / "process.bpmn"


def second_version(library: Path) -> None:
    """The police change their sub-process: the registration step is now another step (online)."""
    path = shared_model(library)
    path.write_text(path.read_text(encoding="utf-8").replace("register_birth", "register_birth_online")
                    .replace("依电子出生证明办理出生户口登记", "网上办理出生户口登记"), encoding="utf-8")


def to_the_call(ctx, number: str) -> list[str]:
    """Complete the applicant's step; the case enters the call. The ready steps' ids."""
    drive_case(ctx, number, rounds=1)
    return sorted(s.step_id for s in cases.get_case(ctx, number).ready_steps)


def test_deploying_the_library_deploys_the_shared_sub_process_once(ctx, library):
    first = catalog.deploy_path(ctx, library)
    shared = {(d.matter_id, d.variant, d.status) for d in first if d.variant == "shared"}
    assert shared == {(SHARED_ID, "shared", "new")}
    assert {d.status for d in catalog.deploy_path(ctx, library / "newborn")} == {"unchanged"}
    second_version(library)
    again = {(d.matter_id, d.variant): (d.version, d.status) for d in catalog.deploy_path(ctx, library)}
    assert again[(SHARED_ID, "shared")] == (2, "new") and again[("newborn", "after")] == (1, "unchanged")
    with ctx.read() as session:
        rows = session.execute(select(SharedVersion.process_id, SharedVersion.version, SharedVersion.department)
                               .order_by(SharedVersion.version)).all()
    assert [tuple(r) for r in rows] == [(SHARED_ID, 1, "police"), (SHARED_ID, 2, "police")]


def test_a_running_case_keeps_the_version_it_started_with_a_new_case_runs_the_new_one(ctx, library):
    catalog.deploy_path(ctx, library)
    old = cases.start_case(ctx, "newborn", "after").number
    second_version(library)
    catalog.deploy_path(ctx, library)
    new = cases.start_case(ctx, "newborn", "after").number
    with ctx.read() as session:
        pins = {c.number: c.calls for c in session.scalars(select(Case))}
        versions = dict(session.execute(select(SharedVersion.id, SharedVersion.version)).all())
    assert {n: {k: versions[v] for k, v in p.items()} for n, p in pins.items()} == {
        old: {SHARED_ID: 1}, new: {SHARED_ID: 2}}
    assert "register_birth" in to_the_call(ctx, old)
    assert "register_birth_online" in to_the_call(ctx, new)
    for number in (old, new):
        assert drive_case(ctx, number).view.status == "completed"
    logged = {n: [e.step_id for e in cases.step_log(ctx, n) if e.event == "completed"] for n in (old, new)}
    assert "register_birth" in logged[old] and "register_birth_online" not in logged[old]
    assert "register_birth_online" in logged[new] and "register_birth" not in logged[new]


def test_the_called_step_is_worked_on_the_police_worklist_like_any_step(ctx, library):
    catalog.deploy_path(ctx, library)
    number = cases.start_case(ctx, "newborn", "after").number
    to_the_call(ctx, number)
    [entry] = [e for e in work_items(ctx, "police") if e.item.case_number == number]
    assert entry.item.step_id == "register_birth" and entry.item.department == "police"
    assert entry.step.en == "Register the birth (hukou) from the e-certificate" and entry.time_limit == 3
    assert entry.item.deadline.due is not None
    with ctx.read() as session:
        case = session.scalar(select(Case).where(Case.number == number))
        model, matter = catalog.loaded_version(ctx, session, case.model_version_id, case.calls)
    overlay = case_overlay(ctx, number)  # the case's drawing: the call's box shows the step it runs
    assert overlay.called_in == {"register_birth": "call_birth_registration"}
    assert overlay.step_states["call_birth_registration"] == overlay.step_states["register_birth"] == "ready"
    cases.claim_step(ctx, number, "register_birth", POLICE)
    view = cases.complete_step(ctx, number, "register_birth", POLICE,
                               step_data(model, matter, "register_birth", None))
    assert "register_birth" not in {s.step_id for s in view.ready_steps}
    logged = [(e.step_id, e.event, e.actor, e.department) for e in cases.step_log(ctx, number)]
    assert ("register_birth", "completed", POLICE.name, "police") in logged
    summary = case_summary(ctx, number, AUDITOR)
    assert summary.step_names["register_birth"].en == "Register the birth (hukou) from the e-certificate"
    assert drive_case(ctx, number).view.status == "completed"
    assert case_summary(ctx, number, AUDITOR).steps_done == summary.steps_expected
    assert case_overlay(ctx, number).step_states["call_birth_registration"] == "completed"


def test_a_matter_calling_an_undeployed_process_is_not_deployed(ctx, tmp_path):
    matter = tmp_path / "newborn"
    shutil.copytree(PROCESSES / "newborn", matter)
    with pytest.raises(ModelError) as error:
        catalog.deploy_path(ctx, matter)
    assert [p.message for p in error.value.problems] == [
        f"call activity target '{SHARED_ID}' is not deployed or given"]


def test_a_deployed_shared_sub_process_is_found_by_a_matter_deployed_later(ctx, library):
    catalog.deploy_path(ctx, library / "shared")
    lone = library.parent / "elsewhere" / "newborn"
    shutil.copytree(library / "newborn", lone)
    assert {(d.variant, d.status) for d in catalog.deploy_path(ctx, lone)} == {("before", "new"), ("after", "new")}
    number = cases.start_case(ctx, "newborn", "after").number
    assert "register_birth" in to_the_call(ctx, number)


def test_cases_of_before_the_calls_migrate_with_nothing_lost(ctx):
    catalog.deploy_path(ctx, Path(__file__).resolve().parent / "models" / "parallel.bpmn")
    number = cases.start_case(ctx, "models", "parallel").number
    before = cases.get_case(ctx, number)
    _alembic(ctx, "downgrade", "0012", by_url=True)  # a database of before the calls, with a running case
    _alembic(ctx, "upgrade", "head", by_url=True)
    with ctx.read() as session:
        assert session.scalar(select(Case.calls).where(Case.number == number)) is None
    assert cases.get_case(ctx, number) == before
    assert drive_case(ctx, number, {"delivery": "hospital", "child": "A"}).view.status == "completed"
