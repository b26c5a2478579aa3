"""Live workflows (engine/runtime/live.py): a process keeps the workflows it saved last and serves the next use case
from memory only when the case's row is still the row it saved (SQLite and PostgreSQL)."""
from __future__ import annotations

from collections import Counter

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.serializer import DEFAULT_CONFIG as SPIFF_CONFIG
from sqlalchemy import select, update

from engine.cases import lifecycle as cases
from engine.cases.driving import drive_case, step_data
from engine.cases.persistence import find_case, load_runtime
from engine.catalog import versions as catalog
from engine.context import EngineContext
from engine.errors import InputError
from engine.runtime import state
from engine.runtime.caseflow import CaseWorkflow
from engine.runtime.state import without_data
from engine.runtime.workflow import CaseRuntime
from engine.store.tables import Case, StepLogEntry
from tests.engine.conftest import MODELS

PROCESSES = MODELS.parents[2] / "processes"
# SpiffWorkflow's converters, none of ours (its workflow converter for the case's workflow class too)
PLAIN = BpmnWorkflowSerializer.configure({**SPIFF_CONFIG, CaseWorkflow: SPIFF_CONFIG[BpmnWorkflow]})


@pytest.fixture
def other(db_url, clock):
    """A second process on the same database (its own engine and caches), on the same clock."""
    context = EngineContext.from_url(db_url, clock=clock, script_time_limit=0.5)
    yield context
    context.engine.dispose()


def _completions(ctx, number: str) -> Counter:
    with ctx.read() as session:
        case_id = session.scalar(select(Case.id).where(Case.number == number))
        return Counter(session.scalars(select(StepLogEntry.step_id).where(
            StepLogEntry.case_id == case_id, StepLogEntry.event == "completed")))


def test_two_processes_taking_turns_on_a_case_each_see_what_the_other_did(ctx, other, deployed):
    number = cases.start_case(ctx, "models", "parallel", {"child": "x", "delivery": "hospital"}).number
    for turn in range(40):
        view = drive_case(ctx if turn % 2 else other, number, rounds=1).view
        if view.status != "running":
            break
    assert view.status == "completed"
    assert len(ctx.caches.live) and len(other.caches.live)  # both kept the case as they saved it
    done = _completions(ctx, number)
    assert done and set(done.values()) == {1}  # no step done twice from a workflow the other had moved on
    assert done == _completions(other, number)


def test_a_state_rewritten_in_place_is_read_from_the_database(ctx, deployed, applicant):
    number = cases.start_case(ctx, "models", "parallel", {"child": "小明", "delivery": "home"}).number
    assert cases.get_case(ctx, number).data["child"] == "小明"  # read: the live workflow goes back as it came
    with ctx.write() as session:  # as the retention of personal data does: same row version, other state
        state = session.scalar(select(Case.state).where(Case.number == number))
        session.execute(update(Case).where(Case.number == number).values(state=without_data(state))
                        .execution_options(synchronize_session=False))
    assert "child" not in cases.get_case(ctx, number).data


def test_a_use_case_that_fails_after_moving_the_workflow_leaves_nothing_behind(ctx, deployed, applicant):
    number = cases.start_case(ctx, "models", "parallel", {"child": "x", "delivery": "hospital"}).number
    with pytest.raises(InputError, match="more than"):  # the workflow moved on in memory, then nothing was saved
        cases.complete_step(ctx, number, "apply", applicant, {"blob": "x" * 8_100_000})
    assert [s.step_id for s in cases.get_case(ctx, number).ready_steps] == ["apply"]
    view = cases.complete_step(ctx, number, "apply", applicant, {"note": "ok"})
    assert {s.step_id for s in view.ready_steps} == {"register", "certify"}
    assert _completions(ctx, number) == Counter({"apply": 1})


@pytest.mark.parametrize(("path", "matter", "variant", "home"), [
    (PROCESSES / "newborn", "newborn", "before", False), (PROCESSES / "newborn", "newborn", "after", False),
    (MODELS / "parallel.bpmn", "models", "parallel", True), (MODELS / "parallel.bpmn", "models", "parallel", False)])
def test_a_live_workflow_saves_the_state_a_fresh_conversion_gives(ctx, path, matter, variant, home):
    """Predicted tasks are converted once per live workflow (engine/runtime/state.py): at every step the state it
    saves is the text a conversion from scratch gives (a gateway's branches predicted, then decided)."""
    catalog.deploy_path(ctx, path)
    number = cases.start_case(ctx, matter, variant, {"child": "x", "delivery": "home" if home else "hospital"}).number
    checked = []

    def same_state() -> bool:
        with ctx.read() as session:
            case = find_case(session, number)
            runtime, _ = load_runtime(ctx, session, case)
            workflows = [runtime.workflow, *runtime.workflow.subprocesses.values()]
            if case.status == "running" and any("_onething_predicted" in w.__dict__ for w in workflows):
                assert runtime.dump() == case.state
                ours, theirs = state._REGISTRY.convert(runtime.workflow), PLAIN.convert(runtime.workflow)
                assert ours["tasks"] == theirs["tasks"]  # SpiffWorkflow's own conversion, task by task
                assert {k: v["tasks"] for k, v in ours["subprocesses"].items()} == \
                    {k: v["tasks"] for k, v in theirs["subprocesses"].items()}
                for workflow in workflows:
                    workflow.__dict__.pop("_onething_predicted", None)
                assert runtime.dump() == case.state
                checked.append(case.version)
        return True

    assert drive_case(ctx, number, before_each=same_state).view.status == "completed"
    assert len(checked) >= 3


def test_the_kept_workflows_are_bounded(ctx, deployed):
    ctx.caches.live.size = 3
    for _ in range(5):
        cases.start_case(ctx, "models", "parallel", {"child": "x", "delivery": "hospital"})
    assert len(ctx.caches.live) == 3


@pytest.mark.parametrize(("path", "matter", "variant", "steps"), [
    (PROCESSES / "newborn", "newborn", "before", 5), (PROCESSES / "house_transfer", "house_transfer", "before", 5),
    (MODELS / "parallel.bpmn", "models", "parallel", 1)])  # (branches early: then the whole tree is looked at)
def test_pruning_finds_by_the_trunk_the_ancestor_the_whole_tree_gives(ctx, path, matter, variant, steps):
    """state._first_unfinished_on_the_trunk, the walk a save takes first, names the lowest common ancestor of the
    unfinished tasks that looking at every task names, and the very tasks outside its subtree, wherever it can
    tell, at every step of a case kept in memory and never pruned (its trunk the longest)."""
    catalog.deploy_path(ctx, path)
    with ctx.read() as session:
        version = catalog.current_version(session, matter, variant)
        model, files = catalog.loaded_version(ctx, session, version.id)
    runtime = CaseRuntime.start(model, ctx.script_engine, {"child": "x", "delivery": "home"})
    told = 0
    for _ in range(60):
        workflow, ready = runtime.workflow, runtime.ready_steps()
        unfinished = {t.id: t for t in workflow.tasks.values() if not t.state & state._GONE}
        whole = state._lowest_common_ancestor([t for t in unfinished.values() if t._parent not in unfinished])
        found, passed = state._first_unfinished_on_the_trunk(workflow.task_tree)
        if found is not None:
            assert found is whole
            # what the trunk walk drops is what keeping the ancestor's subtree (and the root) drops
            outside = set(workflow.tasks) - state._subtree_ids(whole) - {workflow.task_tree.id}
            assert {t.id for t in passed} == outside
            told += 1
        if not ready:
            break
        runtime.complete(ready[0].task_id, step_data(model, files, ready[0].step_id, None))
    assert told >= steps


def test_a_looping_case_kept_live_keeps_only_the_conversions_of_its_tasks(ctx):
    """A case passing one task again and again makes new predicted tasks every pass; the conversions kept for the
    pruned ones are dropped, so a workflow kept live stays the size of its model."""
    catalog.deploy_path(ctx, MODELS / "loop.bpmn")
    with ctx.read() as session:
        model, _ = catalog.loaded_version(ctx, session, catalog.current_version(session, "models", "loop").id)
    runtime = CaseRuntime.start(model, ctx.script_engine, {})
    for _ in range(60):
        runtime.complete(runtime.ready_steps()[0].task_id, {"again": True, "note": "again"})
        runtime.dump()
    seen = runtime.workflow.__dict__[state.SEEN]
    assert seen and len(seen) <= 2 * len(runtime.workflow.tasks) + 16
