"""Case-engine benchmark (issue #10): every ratio from both sides alternating case by case in one process.

Figures, each over several rounds with min / median / max (nothing printed that this run did not measure):

(1) throughput: cases per second through OneThing's use cases (SQLite; PostgreSQL with --postgres) against plain
    SpiffWorkflow in memory (its BpmnWorkflow, and OneThing's CaseWorkflow: the same with its idle walks skipped;
    ratios are printed against both, the floor against the faster) and SpiffWorkflow saving its state as JSON after
    every step (spec by reference, OneThing's converters: the best a SpiffWorkflow user does), on a 10-step
    sequential model and on a clerk-action model (a form of four fields validated at each of 10 reviews, an
    exclusive gateway on the data after each); and the floor:
    in-memory SpiffWorkflow plus one durable commit of one row per action on each database (what any engine that
    acknowledges an action only once stored pays at least);
(2) growth: a step at the 200th pass of a looping task / at its 10th; a 200-step model's median step / a 10-step
    model's;
(3) the clerk action's latency, p50 and p95, on the clerk-action model;
(4) storage: bytes a finished newborn `before` and `after` case occupies, per table, SQLite and PostgreSQL;
(5) CLI start: `onething --help` and `onething check FILE` against `python -c pass`, alternating (bench/cli.py).

Usage: python bench/engine.py [--postgres URL | --no-postgres] [--rounds N] [--quick]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lxml import etree  # noqa: E402
from SpiffWorkflow import TaskState  # noqa: E402
from SpiffWorkflow.bpmn import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.spiff.parser import SpiffBpmnParser  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from bench.cli import cli_figures  # noqa: E402
from bench.engine_models import clerk_data, clerk_model, sequential_model, write_matters  # noqa: E402
from bench.engine_storage import storage_figures  # noqa: E402
from engine.accounts.users import Actor  # noqa: E402
from engine.cases import lifecycle as cases  # noqa: E402
from engine.catalog import versions as catalog  # noqa: E402
from engine.context import EngineContext  # noqa: E402
from engine.runtime.caseflow import CaseWorkflow  # noqa: E402
from engine.runtime.state import _REGISTRY  # noqa: E402 - the spec-by-reference converter, without our pruning

CLERK = Actor("bench.clerk", "clerk", "office")
PLAIN, SKIPPING = "SpiffWorkflow in memory", "SpiffWorkflow in memory, idle walks skipped"
Model = tuple[str, int, Callable[[int], dict]]  # matter id, steps, the data of step i
SEQ10: Model = ("seq10", 10, lambda i: {f"field_{i}_a": f"value {i}", f"field_{i}_b": i, f"field_{i}_c": i * 1.5})
CLERK10: Model = ("clerk", 10, clerk_data)
STEP_IDS = {"seq10": "t{}", "clerk": "r{}", "seq200": "t{}"}


def spread(values: list[float], fmt: str = "{:.2f}") -> str:
    return "min " + " / median ".join([fmt.format(min(values)), fmt.format(statistics.median(values))]) + \
        " / max " + fmt.format(max(values))


def onething_case(ctx: EngineContext, model: Model, timings: list[float] | None = None) -> float:
    """Seconds to start one case and complete every step through the use cases (each a committed transaction)."""
    matter, steps, data = model
    started = time.perf_counter()
    number = cases.start_case(ctx, matter, "after").number
    for i in range(steps):
        before = time.perf_counter()
        cases.complete_step(ctx, number, STEP_IDS[matter].format(i), CLERK, data(i))
        if timings is not None:
            timings.append(time.perf_counter() - before)
    return time.perf_counter() - started


def spiff_spec(data: bytes, process_id: str):
    parser = SpiffBpmnParser()
    parser.add_bpmn_xml(etree.fromstring(data), f"{process_id}.bpmn")
    return parser.get_spec(process_id), parser.get_subprocess_specs(process_id)


def spiff_case(specs, model: Model, save_json: bool, commit: Callable[[int], None] | None = None,
               kind: type = BpmnWorkflow) -> float:
    """Seconds for one case in plain SpiffWorkflow; with save_json, its state saved and loaded after every step
    (restored as a CaseWorkflow: OneThing's converters); with `commit`, one durable commit of one small row after
    the start and after every step (the floor). `kind`: BpmnWorkflow, or OneThing's CaseWorkflow (the same
    SpiffWorkflow with its idle walks skipped: engine/runtime/caseflow.py)."""
    spec, subprocess_specs = specs
    _, steps, data = model
    started = time.perf_counter()
    workflow = kind(spec, subprocess_specs)
    workflow.do_engine_steps()
    if commit is not None:
        commit(-1)
    for i in range(steps):
        task = workflow.get_next_task(state=TaskState.READY, manual=True)
        task.data.update(data(i))
        task.run()
        workflow.do_engine_steps()
        if commit is not None:
            commit(i)
        if save_json:
            saved = json.dumps(_REGISTRY.convert(workflow), separators=(",", ":"))
            dct = json.loads(saved)
            dct["spec"], dct["subprocess_specs"] = spec, subprocess_specs
            workflow = _REGISTRY.restore(dct)
    assert workflow.is_completed()
    return time.perf_counter() - started


def committer(ctx: EngineContext) -> Callable[[int], None]:
    """One durable commit of one small row on a connection of the engine's own pool (its pragmas: WAL,
    synchronous=NORMAL on SQLite; synchronous_commit on PostgreSQL): what any engine that acknowledges an action
    only once it is stored pays at least, once per action."""
    conn = ctx.engine.connect()
    conn.execute(text("CREATE TABLE IF NOT EXISTS bench_floor (n INTEGER)"))
    conn.commit()
    insert = text("INSERT INTO bench_floor (n) VALUES (:n)")

    def commit(n: int) -> None:
        conn.execute(insert, {"n": n})
        conn.commit()
    return commit


def throughput(contexts: dict[str, EngineContext], model: Model, specs, rounds: int, per_round: int) -> None:
    """Cases/s of each side, alternating case by case; ratios per round."""
    floors = {name: committer(c) for name, c in contexts.items()}
    sides = {**{f"OneThing + {name}": (lambda c=c: onething_case(c, model)) for name, c in contexts.items()},
             PLAIN: lambda: spiff_case(specs, model, False),
             SKIPPING: lambda: spiff_case(specs, model, False, kind=CaseWorkflow),
             "SpiffWorkflow + JSON each step": lambda: spiff_case(specs, model, True, kind=CaseWorkflow),
             **{f"SpiffWorkflow + 1 commit/action, {name}": (
                 lambda f=f: spiff_case(specs, model, False, f, kind=CaseWorkflow)) for name, f in floors.items()}}
    for run in sides.values():
        run()  # warm: parsed specs, compiled conditions
    rates: dict[str, list[float]] = {name: [] for name in sides}
    for _ in range(rounds):
        spent = dict.fromkeys(sides, 0.0)
        for _ in range(per_round):
            for name, run in sides.items():
                spent[name] += run()
        for name in sides:
            rates[name].append(per_round / spent[name])
    print(f"  {model[0]} ({model[1]} steps), {rounds} rounds x {per_round} cases per side, alternating:")
    for name, values in rates.items():
        print(f"    {name:44s} cases/s  {spread(values, '{:.1f}')}")
    best = PLAIN if statistics.median(rates[PLAIN]) >= statistics.median(rates[SKIPPING]) else SKIPPING
    print(f"    in-memory baseline at its best this run: {best}")
    for name in contexts:
        ours = rates[f"OneThing + {name}"]
        for base in (PLAIN, SKIPPING, "SpiffWorkflow + JSON each step"):
            ratios = [a / b for a, b in zip(ours, rates[base], strict=True)]
            print(f"    ratio OneThing + {name} / {base}: {spread(ratios)}")
        floor = [a / b for a, b in zip(rates[f"SpiffWorkflow + 1 commit/action, {name}"], rates[best], strict=True)]
        print(f"    the floor on {name}: SpiffWorkflow + 1 commit/action / the in-memory baseline at its best: "
              f"{spread(floor)} (the most a durable engine on it reaches, before any reading, checking, logging or "
              "state)")


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _loop_pass(ctx: EngineContext, number: str, again: bool = True) -> float:
    return _timed(lambda: cases.complete_step(ctx, number, "work", CLERK, {"again": again}))


def _steps(ctx: EngineContext, model: Model) -> Iterator[float]:
    """The seconds of each step of cases of `model`, one after another, a new case when one ends."""
    matter, steps, data = model
    while True:
        number = cases.start_case(ctx, matter, "after").number
        for i in range(steps):
            yield _timed(lambda i=i, n=number: cases.complete_step(ctx, n, STEP_IDS[matter].format(i), CLERK, data(i)))


def growth(ctx: EngineContext, rounds: int) -> None:
    """A step's cost at the 200th pass of one task vs its 10th; a 200-step model's median step vs a 10-step one's.

    Both sides alternate step by step, so a change of load touches them alike: a young looping case takes its
    passes 6-14 while an old one, brought to pass 195 first, takes passes 196-204; every step of a 200-step case
    is followed by a step of 10-step cases."""
    loop_ratios, model_ratios, at200 = [], [], []
    for _ in range(rounds):
        old, young = (cases.start_case(ctx, "loop", "after").number for _ in range(2))
        for _ in range(195):
            _loop_pass(ctx, old)
        for _ in range(5):
            _loop_pass(ctx, young)
        tenth, two_hundredth = [], []
        for i in range(9):
            tenth.append(_loop_pass(ctx, young))
            two_hundredth.append(_loop_pass(ctx, old, again=i < 8))  # its last pass ends the case
        loop_ratios.append(statistics.median(two_hundredth) / statistics.median(tenth))
        at200.append(statistics.median(two_hundredth) * 1000)
        long, short = _steps(ctx, ("seq200", 200, SEQ10[2])), _steps(ctx, SEQ10)
        pairs = [(next(long), next(short)) for _ in range(200)]
        model_ratios.append(statistics.median(a for a, _ in pairs) / statistics.median(b for _, b in pairs))
    print(f"  looping task, pass 200 / pass 10 (median of 9 passes around each, alternating), {rounds} rounds: "
          f"{spread(loop_ratios)}  (pass 200 takes {spread(at200)} ms; target <= 1.5)")
    print(f"  200-step model's median step / 10-step model's (alternating step by step), {rounds} rounds: "
          f"{spread(model_ratios)}  (target <= 2)")


def latency(name: str, ctx: EngineContext, cases_wanted: int) -> None:
    timings: list[float] = []
    for _ in range(cases_wanted):
        onething_case(ctx, CLERK10, timings)
    timings.sort()
    p50, p95 = statistics.median(timings) * 1000, timings[int(len(timings) * 0.95)] * 1000
    print(f"  clerk action on the clerk-action model, {name}: p50 {p50:.2f} ms, p95 {p95:.2f} ms "
          f"({len(timings)} actions)")


def postgres_url(url: str, schema: str = "bench") -> str | None:
    try:
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        engine.dispose()
        return f"{url}?options=-csearch_path%3D{schema}"
    except Exception as exc:  # noqa: BLE001 - say so and go on with SQLite
        print(f"PostgreSQL not reachable ({type(exc).__name__}); its figures are skipped")
        return None


def deployed(url: str, folder: Path) -> EngineContext:
    ctx = EngineContext.from_url(url)
    ctx.init_db()
    catalog.deploy_path(ctx, folder)
    return ctx


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--postgres", default="postgresql://postgres@localhost/test")
    args.add_argument("--no-postgres", action="store_true")
    args.add_argument("--rounds", type=int, default=5)
    args.add_argument("--quick", action="store_true", help="3 rounds of few cases: a smoke run, not figures")
    opts = args.parse_args()
    rounds, per_round = (3, 3) if opts.quick else (opts.rounds, 20)
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "matters"
        folder.mkdir()
        write_matters(folder, [10, 200])
        contexts = {"SQLite": deployed(f"sqlite:///{Path(tmp) / 'bench.db'}", folder)}
        pg = None if opts.no_postgres else postgres_url(opts.postgres)
        if pg:
            contexts["PostgreSQL"] = deployed(pg, folder)
        print("(1) throughput")
        throughput(contexts, SEQ10, spiff_spec(sequential_model(10), "seq10"), rounds, per_round)
        throughput(contexts, CLERK10, spiff_spec(clerk_model(), "clerk"), rounds, per_round)
        print("(2) growth (SQLite)")
        growth(contexts["SQLite"], rounds)
        print("(3) latency")
        for name, ctx in contexts.items():
            latency(name, ctx, 5 if opts.quick else 30)
        print("(4) storage of a finished case (newborn)")
        schema_url = (lambda schema: postgres_url(opts.postgres, schema) or "") if pg else None
        storage_figures(Path(tmp), schema_url, 4 if opts.quick else 160)  # pages of 4-8 KB: many cases
        for ctx in contexts.values():
            ctx.engine.dispose()
    print("(5) CLI start (fresh processes, alternating round by round; targets: --help <= 0.3 s, check <= 0.6 s)")
    cli_figures(3 if opts.quick else 7, indent="  ")
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
