"""Simulation speed (issue #9 item 7): `engine.simulate` of a real variant, and the floor under it.

(1) Rounds alternate, in one process: OneThing simulates R cases of house_transfer `before` (24 steps)
    into a fresh SQLite file (what `onething simulate` does: queues, clerks, office hours, step log,
    summaries, totals); then plain SpiffWorkflow runs R cases of the same parsed spec in memory with its
    own default script engine, each ready manual task completed with the same form example data,
    nothing saved. The second is the floor any engine built on SpiffWorkflow stands on. Printed:
    min/median/max cases/s of each side and the ratio per round.
(2) One run of N cases through `engine.simulate` (the issue's target: 10,000 cases <= 30 s).

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
from engine.cases.driving import step_data  # noqa: E402
from engine.catalog import versions as catalog  # noqa: E402
from engine.context import EngineContext  # noqa: E402
from engine.vocabulary import APPLICANT  # noqa: E402

MATTER, VARIANT = "house_transfer", "before"


def spread(values: list[float], fmt: str = "{:.1f}") -> str:
    low, middle, high = (fmt.format(v) for v in (min(values), statistics.median(values), max(values)))
    return f"min {low}  median {middle}  max {high}"


def deployed(path: Path) -> tuple[EngineContext, dict[str, int], object, object]:
    """A fresh SQLite database with the matter deployed; 200 clerks per department; the model and matter."""
    ctx = EngineContext.from_url(f"sqlite:///{path}")
    ctx.init_db()
    engine.deploy_path(ctx, ROOT / "processes" / MATTER)
    with ctx.read() as session:
        model, matter = catalog.loaded_version(ctx, session, catalog.current_version(session, MATTER, VARIANT).id)
    departments = sorted({s.department for s in model.steps.values() if s.department not in (None, APPLICANT)})
    return ctx, {d: 200 for d in departments}, model, matter


def onething(folder: Path, n: int, seed: int) -> tuple[float, int]:
    """Seconds and steps of `engine.simulate` of n cases into a fresh database (deploying is not timed)."""
    ctx, clerks, _, _ = deployed(folder / f"round{seed}.db")
    started = time.perf_counter()
    result = engine.simulate(ctx, MATTER, VARIANT, n, seed=seed, start=date(2025, 3, 3), clerks=clerks)
    seconds = time.perf_counter() - started
    ctx.engine.dispose()
    if result.completed != n:
        sys.exit(f"simulate completed {result.completed} of {n} cases")
    return seconds, result.steps


def plain_spiff(model, matter, n: int) -> tuple[float, int]:
    """Seconds and steps of n cases of the same spec in plain in-memory SpiffWorkflow, nothing saved."""
    data = {s: step_data(model, matter, s, None) for s in model.steps}
    started, steps = time.perf_counter(), 0
    for _ in range(n):
        workflow = BpmnWorkflow(model.spec, model.subprocess_specs)
        workflow.do_engine_steps()
        while not workflow.is_completed():
            ready = workflow.get_tasks(state=TaskState.READY, manual=True)
            if not ready:
                sys.exit("plain SpiffWorkflow: a case waits with nothing ready")
            for task in ready:
                task.data.update(copy.deepcopy(data.get(task.task_spec.bpmn_id, {})))
                task.run()
                steps += 1
            workflow.refresh_timers()
            workflow.do_engine_steps()
    return time.perf_counter() - started, steps


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--cases", type=int, default=10_000, help="cases of the one long run (0 skips it)")
    args.add_argument("--rounds", type=int, default=5)
    args.add_argument("--per-round", type=int, default=300, help="cases per side and round")
    opts = args.parse_args()
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ctx, _, model, matter = deployed(folder / "spec.db")
        ctx.engine.dispose()
        ours, theirs, ratios = [], [], []
        for seed in range(1, opts.rounds + 1):
            seconds, steps = onething(folder, opts.per_round, seed)
            floor, floor_steps = plain_spiff(model, matter, opts.per_round)
            if steps != floor_steps:
                print(f"  note: round {seed}: {steps} steps simulated, {floor_steps} in plain SpiffWorkflow")
            ours.append(opts.per_round / seconds)
            theirs.append(opts.per_round / floor)
            ratios.append(ours[-1] / theirs[-1])
        print(f"(1) {MATTER} {VARIANT} ({len(model.steps)} steps), {opts.per_round} cases per side, "
              f"{opts.rounds} rounds alternating")
        print(f"  OneThing simulate, cases/s: {spread(ours)}")
        print(f"  plain in-memory SpiffWorkflow, nothing saved, cases/s: {spread(theirs)}")
        print(f"  ratio OneThing / plain SpiffWorkflow per round: {spread(ratios, '{:.2f}')}")
        print(f"  10,000 cases at the median rates: OneThing {10_000 / statistics.median(ours):.0f} s, "
              f"plain SpiffWorkflow {10_000 / statistics.median(theirs):.0f} s (target <= 30 s)")
        if opts.cases:
            seconds, steps = onething(folder, opts.cases, 7)
            print(f"(2) simulate {opts.cases} cases: {seconds:.1f} s, {steps} steps, {opts.cases / seconds:.1f} "
                  f"cases/s, {steps / seconds:.0f} steps/s (target: 10,000 cases <= 30 s)")
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
