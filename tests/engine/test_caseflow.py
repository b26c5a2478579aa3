"""CaseWorkflow (engine/runtime/caseflow.py) does what SpiffWorkflow's BpmnWorkflow does, task for task.

Every model of processes/ (each scenario), the engine's test models, the benchmark models and the corpus files
plain SpiffWorkflow runs are driven twice in lockstep, once on each class, with the same choices and data; after
every move both task trees must be the same (walk order, spec, state, data), with the same trail, flows, ready
steps, timers and end.
"""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow

from bench.engine_models import clerk_model, looping_model, sequential_model
from engine.cases.driving import TIMER_SLACK, step_data
from engine.catalog.library import library_of
from engine.matters.files import find_matters
from engine.matters.forms import validate_form
from engine.model.decisions import dmn_files_beside
from engine.model.loading import load_model
from engine.runtime import state
from engine.runtime.caseflow import CaseWorkflow
from engine.runtime.clock import SimulatedClock, using_clock
from engine.runtime.sandbox import make_script_engine
from engine.runtime.workflow import CaseError, CaseRuntime
from tests.corpus import CORPUS, table
from tests.engine.conftest import MODELS

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
MATTERS = {m.id: m for m in find_matters(PROCESSES)}


def _matter_runs() -> list[tuple[str, Path, object, dict]]:
    runs = []
    for matter in MATTERS.values():
        for variant in ("before", "after"):
            path = PROCESSES / matter.id / f"{variant}.bpmn"
            runs.append((f"{matter.id}/{variant}", path, matter, {}))
            runs += [(f"{matter.id}/{variant}/{s.name}", path, matter, s.data)
                     for s in matter.scenarios if s.variant == variant]
    return runs


def _corpus_runs() -> list[tuple[str, Path, object, dict]]:
    if not (CORPUS / "BASELINE.md").is_file():
        return []
    roles = table.roles(CORPUS)  # a file upstream holds up to be refused (a script reading os.environ) is not run:
    ran = sorted(name for name, status in table.baseline(CORPUS).items()  # test_corpus.py checks it is refused
                 if status == "ran" and roles.get(name) != "reject")
    return [(f"corpus:{name}", CORPUS / name, None, {}) for name in ran]


RUNS = _matter_runs() + [(f"models:{p.stem}", p, None, {}) for p in sorted(MODELS.glob("*.bpmn"))] + _corpus_runs()
BENCH = {"seq12": (sequential_model(12), 12), "loop": (looping_model(), 1), "clerk": (clerk_model(4), 4)}
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # both sides on the same clock


def _load(path: Path, matter: object):
    return load_model(path.read_bytes(), str(path), matter=matter, decisions=dmn_files_beside(path),
                      library=library_of([path, *table.beside(path)]) if matter is None else library_of([path]))


def _tree(workflow: BpmnWorkflow) -> list[tuple]:
    """The whole task tree in SpiffWorkflow's walk order, subprocesses included, as comparable values."""
    return [(t.task_spec.name, t.state, t.data, t.depth) for t in workflow.get_tasks()]


def _runtime(model, engine, plain: bool) -> CaseRuntime:
    if not plain:
        return CaseRuntime.start(model, engine)
    runtime = CaseRuntime(model, BpmnWorkflow(model.spec, model.subprocess_specs, script_engine=engine), engine)
    runtime.advance()
    return runtime


def _seen(runtime: CaseRuntime) -> tuple:
    return (_tree(runtime.workflow), runtime.trail, runtime.taken, runtime.is_completed(),
            sorted(s.step_id for s in runtime.ready_steps()), len(runtime.timers()), runtime.waiting_messages())


def _same_timers(left: CaseRuntime, right: CaseRuntime) -> bool:
    """The same timers, due alike (SpiffWorkflow reads the machine's clock for some: a few microseconds apart)."""
    pairs = zip(sorted(d for _, d in left.timers()), sorted(d for _, d in right.timers()), strict=True)
    return all(abs((a - b).total_seconds()) < 1 for a, b in pairs)


def _move(runtime: CaseRuntime, clock: SimulatedClock, model, matter, given: dict) -> str | None:
    """One move as the tests' drivers make it; what was done (None: nothing left to do)."""
    order = {str(t.id): i for i, t in enumerate(runtime.workflow.get_tasks())}  # task ids differ between sides
    ready = sorted(runtime.ready_steps(), key=lambda s: (s.step_id, order[s.task_id]))
    if ready:
        step = ready[0]
        data = step_data(model, matter, step.step_id, given) if matter is not None else dict(given)
        form_id = model.steps[step.step_id].properties.get("form") if step.step_id in model.steps else None
        if matter is not None and form_id:
            data = validate_form(matter.forms[form_id], data)
        runtime.complete(step.task_id, data)
        return f"complete {step.step_id}"
    if runtime.waiting_messages():
        runtime.send_message(runtime.waiting_messages()[0], {})
        return "message"
    if runtime.timers():
        clock.set(min(due for _, due in runtime.timers()) + TIMER_SLACK)
        runtime.advance()
        return "timer"
    return None


def _lockstep(model, matter, given: dict, moves: int = 200) -> tuple[int, bool]:
    """Drive both classes side by side (both stay equal throughout): the moves made, and whether the case ended."""
    engine = make_script_engine()
    clocks = SimulatedClock(START), SimulatedClock(START)
    ends: list[object] = []
    sides = []
    for plain, clock in zip((True, False), clocks, strict=True):
        with using_clock(clock):
            try:
                sides.append(_runtime(model, engine, plain))
            except CaseError as exc:
                ends.append(str(exc))
    if ends:
        assert len(ends) == 2 and ends[0] == ends[1]
        return 0, False
    assert type(sides[0].workflow) is BpmnWorkflow and type(sides[1].workflow) is CaseWorkflow
    assert _seen(sides[0]) == _seen(sides[1])
    for made in range(moves):
        done = []
        for runtime, clock in zip(sides, clocks, strict=True):
            with using_clock(clock):
                try:
                    done.append(_move(runtime, clock, model, matter, given))
                except CaseError as exc:
                    done.append(f"error {exc}")
        assert done[0] == done[1]
        assert _seen(sides[0]) == _seen(sides[1]), f"after move {made}: {done[0]}"
        assert _same_timers(*sides)
        if done[0] is None or done[0].startswith("error"):
            return made, sides[1].is_completed()
    return moves, sides[1].is_completed()


@pytest.mark.parametrize("name,path,matter,given", RUNS, ids=[r[0] for r in RUNS])
def test_a_case_workflow_moves_as_spiffworkflow_does(name, path, matter, given):
    model = _load(path, matter)
    made, ended = _lockstep(model, matter, given)
    if matter is not None:
        assert made >= 2 and ended  # a matter's run goes through its steps to its end


@pytest.mark.parametrize("name", sorted(BENCH))
def test_the_benchmark_models_move_as_on_spiffworkflow(name):
    source, steps = BENCH[name]
    given = {"again": False, "decision": "accept", "amount": 5}
    made, ended = _lockstep(load_model(source, f"{name}.bpmn"), None, given)
    assert made == steps and ended


def test_a_stored_workflow_comes_back_as_a_case_workflow_under_spiffworkflows_type_name():
    model = load_model(sequential_model(3), "seq3.bpmn")
    engine = make_script_engine()
    runtime = CaseRuntime.start(model, engine)
    text = runtime.dump()
    assert '"typename":"BpmnWorkflow"' in text  # stored states keep the format they had
    assert type(CaseRuntime.load(model, text, engine).workflow) is CaseWorkflow
    plain = BpmnWorkflow(model.spec, model.subprocess_specs, script_engine=engine)
    assert type(state.load_state(state.dump_state(plain), model.spec, model.subprocess_specs)[0]) is CaseWorkflow
