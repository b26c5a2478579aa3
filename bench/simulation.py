"""Simulation speed (issue #9 item 7): `engine.simulate`, and the floor under it.

Two subjects: house_transfer `before` (24 steps, a real matter with parallel branches and gateways) and
seq20, a generated sequential 20-step variant (bench/engine_models.py): the issue's "20-step variant".
200 clerks in each department, so queues hardly hold a case.

(1) Rounds alternate, in one process: OneThing simulates R cases into a fresh SQLite file (what
    `onething simulate` does: arrivals, queues, clerks, office hours, step log, summaries, totals);
    then SpiffWorkflow runs R cases of the same parsed spec in memory, each ready manual task
    completed with the same form example data, nothing saved, nothing scheduled: once as SpiffWorkflow's
    own BpmnWorkflow, once as CaseWorkflow (engine/runtime/caseflow.py: the same SpiffWorkflow with its
    idle tree walks skipped, the faster, so "SpiffWorkflow at its best"). The in-memory run is the floor
    any engine built on SpiffWorkflow stands on. Printed: min/median/max cases/s of each side and
    the ratio per round, and what 10,000 cases take at each median rate.
(2) One run of N cases of each subject through `engine.simulate` (the issue's target: 10,000 cases of
    a 20-step variant <= 30 s).

Usage: python bench/simulation.py [--cases 10000] [--rounds 5] [--per-round 300]
"""
from __future__ import annotations

import argparse
import copy
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from SpiffWorkflow import TaskState  # noqa: E402
from SpiffWorkflow.bpmn import BpmnWorkflow  # noqa: E402

import engine  # noqa: E402
from bench.engine_models import write_matters  # noqa: E402
from engine.cases.driving import step_data  # noqa: E402
from engine.catalog import versions as catalog  # noqa: E402
from engine.context import EngineContext  # noqa: E402
from engine.runtime.caseflow import CaseWorkflow  # noqa: E402
from engine.vocabulary import APPLICANT  # noqa: E402

MATTER, VARIANT = "house_transfer", "before"
SEQ20 = ("seq20", "after")
SUBJECTS = ((MATTER, VARIANT), SEQ20)
BASELINES = (("SpiffWorkflow's BpmnWorkflow", BpmnWorkflow), ("CaseWorkflow (at its best)", CaseWorkflow))


def spread(values: list[float], fmt: str = "{:.1f}") -> str:
    low, middle, high = (fmt.format(v) for v in (min(values), statistics.median(values), max(values)))
    return f"min {low}  median {middle}  max {high}"


def _source(matter: str) -> Path:
    """The folder the matter is deployed from: processes/, or the generated benchmark models for seq20."""
    if matter != SEQ20[0]:
        return ROOT / "processes" / matter
    folder = Path(tempfile.mkdtemp(prefix="bench-models-"))
    return write_matters(folder, [20]) / matter


def deployed(path: Path, matter: str = MATTER, variant: str = VARIANT
             ) -> tuple[EngineContext, dict[str, int], object, object]:
    """A fresh SQLite database with the matter deployed; 200 clerks per department; the model and matter."""
    ctx = EngineContext.from_url(f"sqlite:///{path}")
    ctx.init_db()
    engine.deploy_path(ctx, _source(matter))
    with ctx.read() as session:
        model, info = catalog.loaded_version(ctx, session, catalog.current_version(session, matter, variant).id)
    departments = sorted({s.department for s in model.steps.values() if s.department not in (None, APPLICANT)})
    return ctx, {d: 200 for d in departments}, model, info


def onething(folder: Path, n: int, seed: int, matter: str = MATTER, variant: str = VARIANT) -> tuple[float, int]:
    """Seconds and steps of `engine.simulate` of n cases into a fresh database (deploying is not timed)."""
    ctx, clerks, _, _ = deployed(folder / f"{matter}-{seed}.db", matter, variant)
    started = time.perf_counter()
    result = engine.simulate(ctx, matter, variant, n, seed=seed, start=date(2025, 3, 3), clerks=clerks)
    seconds = time.perf_counter() - started
    ctx.engine.dispose()
    if result.completed != n:
        sys.exit(f"simulate completed {result.completed} of {n} cases")
    return seconds, result.steps


def in_memory(model, matter, n: int, workflow_class: type = BpmnWorkflow) -> tuple[float, int]:
    """Seconds and steps of n cases of the same spec in in-memory SpiffWorkflow, nothing saved."""
    data = {s: step_data(model, matter, s, None) for s in model.steps}
    started, steps = time.perf_counter(), 0
    for _ in range(n):
        workflow = workflow_class(model.spec, model.subprocess_specs)
        workflow.do_engine_steps()
        while not workflow.is_completed():
            ready = workflow.get_tasks(state=TaskState.READY, manual=True)
            if not ready:
                sys.exit("in-memory SpiffWorkflow: a case waits with nothing ready")
            for task in ready:
                task.data.update(copy.deepcopy(data.get(task.task_spec.bpmn_id, {})))
                task.run()
                steps += 1
            workflow.refresh_timers()
            workflow.do_engine_steps()
    return time.perf_counter() - started, steps


def alternate(folder: Path, matter: str, variant: str, rounds: int, per_round: int) -> None:
    """(1) for one subject: OneThing and the two in-memory baselines, round by round."""
    ctx, _, model, info = deployed(folder / f"{matter}-spec.db", matter, variant)
    ctx.engine.dispose()
    rates: dict[str, list[float]] = {"OneThing simulate": []}
    rates.update({name: [] for name, _ in BASELINES})
    ratios: dict[str, list[float]] = {name: [] for name, _ in BASELINES}
    for seed in range(1, rounds + 1):
        seconds, steps = onething(folder, per_round, seed, matter, variant)
        rates["OneThing simulate"].append(per_round / seconds)
        for name, workflow_class in BASELINES:
            floor, floor_steps = in_memory(model, info, per_round, workflow_class)
            if steps != floor_steps:
                print(f"  note: round {seed}: {steps} steps simulated, {floor_steps} in {name}")
            rates[name].append(per_round / floor)
            ratios[name].append(rates["OneThing simulate"][-1] / rates[name][-1])
    print(f"(1) {matter} {variant} ({len(model.steps)} steps), {per_round} cases per side, {rounds} rounds "
          "alternating; cases/s, and what 10,000 cases take at the median rate (target <= 30 s for 20 steps)")
    for name, values in rates.items():
        label = name if name.startswith("OneThing") else f"in memory, nothing saved: {name}"
        print(f"  {label:<58} {spread(values)}   10,000 in {10_000 / statistics.median(values):.0f} s")
    for name, values in ratios.items():
        print(f"  ratio OneThing / {name:<40} {spread(values, '{:.2f}')}")


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--cases", type=int, default=10_000, help="cases of each long run (0 skips them)")
    args.add_argument("--rounds", type=int, default=5)
    args.add_argument("--per-round", type=int, default=300, help="cases per side and round")
    opts = args.parse_args()
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for matter, variant in SUBJECTS:
            alternate(folder, matter, variant, opts.rounds, opts.per_round)
        for matter, variant in SUBJECTS if opts.cases else ():
            seconds, steps = onething(folder, opts.cases, 7, matter, variant)
            print(f"(2) simulate {matter} {variant}, {opts.cases} cases: {seconds:.1f} s, {steps} steps, "
                  f"{opts.cases / seconds:.1f} cases/s, {steps / seconds:.0f} steps/s "
                  "(target: 10,000 cases of a 20-step variant <= 30 s)")
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
