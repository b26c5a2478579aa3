"""Every model of processes/: passes check, runs end to end, takes every gateway flow, beats its before."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.cases import lifecycle as cases
from engine.cases.driving import TIMER_SLACK, drive_case, step_data
from engine.catalog import versions as catalog
from engine.catalog.library import library_of
from engine.context import EngineContext
from engine.matters.files import find_matters
from engine.matters.forms import validate_form
from engine.model.decisions import dmn_files_beside
from engine.model.loading import load_model
from engine.model.metrics import static_metrics
from engine.runtime.clock import SimulatedClock, using_clock
from engine.runtime.sandbox import make_script_engine
from engine.runtime.workflow import CaseRuntime

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
MATTERS = {m.id: m for m in find_matters(PROCESSES)}
VARIANTS = [(m, v) for m in sorted(MATTERS) for v in ("before", "after")]
RUNS = [(m, v, s.name, s.data) for m, v in VARIANTS for s in MATTERS[m].scenarios if s.variant == v]
RUNS = [(m, v, "happy path", {}) for m, v in VARIANTS] + RUNS


def model_of(matter_id: str, variant: str):
    path = PROCESSES / matter_id / f"{variant}.bpmn"
    return load_model(path.read_bytes(), str(path), matter=MATTERS[matter_id], decisions=dmn_files_beside(path),
                      library=library_of([path]))  # the shared sub-processes it calls


def drive(model, matter, overrides: dict, roundtrip: bool):
    """Run a model in memory to its end, moving as drive_case does; with roundtrip, reload its saved state each step."""
    clock = SimulatedClock()
    engine = make_script_engine()
    passed, taken = [], set()
    with using_clock(clock):
        runtime = CaseRuntime.start(model, engine)
        taken |= set(runtime.taken)
        for _ in range(500):
            if roundtrip:
                runtime = CaseRuntime.load(model, runtime.dump(), engine)
            ready = sorted(runtime.ready_steps(), key=lambda s: s.step_id)
            if ready:
                step = ready[0]
                data = step_data(model, matter, step.step_id, overrides)
                form_id = model.steps[step.step_id].properties.get("form")
                if form_id:
                    data = validate_form(matter.forms[form_id], data)
                runtime.complete(step.task_id, data)
                passed.append(step.step_id)
            elif runtime.waiting_messages():
                runtime.send_message(runtime.waiting_messages()[0], {})
            elif runtime.timers():
                clock.set(min(due for _, due in runtime.timers()) + TIMER_SLACK)
                runtime.advance()
            else:
                break
            taken |= set(runtime.taken)
        return runtime, passed, taken


@pytest.mark.parametrize("matter_id,variant", VARIANTS)
def test_model_passes_check_with_its_matter(matter_id, variant):
    model = model_of(matter_id, variant)
    assert model.process_id == f"{matter_id}_{variant}"
    root = model.root
    assert root.xpath("//*[local-name()='BPMNDiagram']"), "the model carries no diagram interchange (DI)"


@pytest.mark.parametrize("matter_id,variant,scenario,data", RUNS)
def test_run_reaches_the_end_and_survives_a_save_after_every_step(matter_id, variant, scenario, data):
    matter = MATTERS[matter_id]
    model = model_of(matter_id, variant)
    saved, saved_steps, _ = drive(model, matter, data, roundtrip=True)
    plain, plain_steps, _ = drive(model, matter, data, roundtrip=False)
    assert saved.is_completed(), f"{scenario}: stopped after {saved_steps}"
    assert saved_steps == plain_steps
    assert saved.data() == plain.data()


@pytest.mark.parametrize("matter_id,variant", VARIANTS)
def test_every_gateway_flow_is_taken_by_some_run(matter_id, variant):
    matter = MATTERS[matter_id]
    model = model_of(matter_id, variant)
    taken = set()
    for m, v, _name, data in RUNS:
        if (m, v) == (matter_id, variant):
            taken |= drive(model, matter, data, roundtrip=True)[2]
    ns = {"b": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
    any_gateway = "//b:exclusiveGateway|//b:inclusiveGateway|//b:parallelGateway"
    gateways = {g.get("id") for g in model.root.xpath(any_gateway, namespaces=ns)}
    flows = {(f.get("sourceRef"), f.get("targetRef")) for f in model.root.xpath("//b:sequenceFlow", namespaces=ns)
             if f.get("sourceRef") in gateways}
    assert flows - taken == set(), "gateway flows no scenario takes"


@pytest.mark.parametrize("matter_id", sorted(MATTERS))
def test_after_variant_beats_before_on_steps_trips_and_materials(matter_id):
    matter = MATTERS[matter_id]
    before = static_metrics(model_of(matter_id, "before"), matter, "before")
    after = static_metrics(model_of(matter_id, "after"), matter, "after")
    for key in ("steps", "trips", "materials"):
        assert after[key] < before[key], key


def test_happy_paths_run_through_the_engine_and_the_database(sqlite_url):
    """All matters deployed into one database; each variant's case completed by its clerks."""
    clock = SimulatedClock()
    ctx = EngineContext.from_url(sqlite_url, clock=clock)
    ctx.init_db()
    catalog.deploy_path(ctx, PROCESSES)
    for matter_id, variant in VARIANTS:
        matter = MATTERS[matter_id]
        model = model_of(matter_id, variant)
        view = drive_case(ctx, cases.start_case(ctx, matter_id, variant).number, rounds=200).view
        assert view.status == "completed", (matter_id, variant, view)
        done = [e for e in cases.step_log(ctx, view.number) if e.event == "completed"]
        assert len(done) >= static_metrics(model, matter, variant)["steps"]
