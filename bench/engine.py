"""Case-engine benchmark: prints the three figures of issue #2 (targets in DESIGN §7).

(a) p50/p95 of a clerk action (load, check, step, save, commit) on a 20-step case, SQLite and PostgreSQL
(b) cost of a step at step 200 divided by the cost at step 10 (one 200-step case; also the
    cross-model ratio: a step of a 200-step model vs a step of a 10-step model)
(c) 10-step cases completed per second through the use cases and the database, divided by plain
    in-memory SpiffWorkflow on the same model in the same run

Usage: python bench/engine.py [--postgres URL] [--quick]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lxml import etree  # noqa: E402
from SpiffWorkflow import TaskState  # noqa: E402
from SpiffWorkflow.bpmn import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer  # noqa: E402
from SpiffWorkflow.spiff.parser import SpiffBpmnParser  # noqa: E402
from SpiffWorkflow.spiff.serializer import DEFAULT_CONFIG as SPIFF_CONFIG  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from engine.accounts.users import Actor  # noqa: E402
from engine.cases import lifecycle as cases
from engine.catalog import versions as catalog  # noqa: E402
from engine.context import EngineContext  # noqa: E402

CLERK = Actor("bench.clerk", "clerk", "office")


def sequential_model(steps: int) -> bytes:
    """A sequential process of `steps` user tasks in one department."""
    tasks = "".join(f'<bpmn:userTask id="t{i}" name="Step {i}"><bpmn:incoming>f{i}</bpmn:incoming>'
                    f'<bpmn:outgoing>f{i + 1}</bpmn:outgoing></bpmn:userTask>' for i in range(steps))
    flows = "".join(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{"start" if i == 0 else f"t{i - 1}"}" '
                    f'targetRef="{f"t{i}" if i < steps else "end"}"/>' for i in range(steps + 1))
    nodes = ["start", "end"] + [f"t{i}" for i in range(steps)]
    refs = "".join(f"<bpmn:flowNodeRef>{n}</bpmn:flowNodeRef>" for n in nodes)
    lanes = f'<bpmn:laneSet id="ls"><bpmn:lane id="office" name="Office">{refs}</bpmn:lane></bpmn:laneSet>'
    end = f'<bpmn:endEvent id="end"><bpmn:incoming>f{steps}</bpmn:incoming></bpmn:endEvent>'
    return f'''<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://bench">
<bpmn:process id="seq{steps}" isExecutable="true">{lanes}
<bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>{tasks}
{end}{flows}</bpmn:process></bpmn:definitions>'''.encode()


def form_data(i: int) -> dict:
    return {f"field_{i}_a": f"value {i}", f"field_{i}_b": i, f"field_{i}_c": i * 1.5, f"field_{i}_d": i % 2 == 0}


def make_ctx(url: str, folder: Path, sizes: list[int]) -> EngineContext:
    ctx = EngineContext.from_url(url)
    ctx.init_db()
    for size in sizes:
        matter = folder / f"seq{size}"
        matter.mkdir(exist_ok=True)
        (matter / "after.bpmn").write_bytes(sequential_model(size))
        catalog.deploy_path(ctx, matter)
    return ctx


def run_case(ctx: EngineContext, size: int, timings: list[float] | None = None) -> None:
    number = cases.start_case(ctx, f"seq{size}", "after").number
    for i in range(size):
        started = time.perf_counter()
        cases.complete_step(ctx, number, f"t{i}", CLERK, form_data(i))
        if timings is not None:
            timings.append(time.perf_counter() - started)


def clerk_action(ctx: EngineContext, n_cases: int) -> tuple[float, float]:
    timings: list[float] = []
    for _ in range(n_cases):
        run_case(ctx, 20, timings)
    timings.sort()
    return statistics.median(timings) * 1000, timings[int(len(timings) * 0.95)] * 1000


def growth(ctx: EngineContext, n_cases: int) -> tuple[float, float, float]:
    at10, at200, step10model = [], [], []
    for _ in range(n_cases):
        timings: list[float] = []
        run_case(ctx, 200, timings)
        at10.append(timings[9])
        at200.append(timings[199])
        small: list[float] = []
        run_case(ctx, 10, small)
        step10model.extend(small)
    ratio_in_case = statistics.median(at200) / statistics.median(at10)
    ratio_models = statistics.median(at200) / statistics.median(step10model)
    return ratio_in_case, ratio_models, statistics.median(at200) * 1000


def throughput_db(ctx: EngineContext, seconds: float) -> float:
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        run_case(ctx, 10)
        done += 1
    return done / (time.perf_counter() - started)


def throughput_plain(seconds: float, json_roundtrip: bool = False) -> float:
    """Plain SpiffWorkflow in memory; with json_roundtrip, serialize and reload after every step (no database)."""
    parser = SpiffBpmnParser()
    parser.add_bpmn_xml(etree.fromstring(sequential_model(10)), "seq10.bpmn")
    spec = parser.get_spec("seq10")
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        workflow = BpmnWorkflow(spec)
        workflow.do_engine_steps()
        i = 0
        while not workflow.is_completed():
            if json_roundtrip:
                workflow = serializer.deserialize_json(serializer.serialize_json(workflow))
            task = workflow.get_next_task(state=TaskState.READY, manual=True)
            task.data.update(form_data(i))
            task.run()
            workflow.do_engine_steps()
            i += 1
        done += 1
    return done / (time.perf_counter() - started)


def postgres_url(url: str) -> str | None:
    try:
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS bench CASCADE"))
            conn.execute(text("CREATE SCHEMA bench"))
        engine.dispose()
        return f"{url}?options=-csearch_path%3Dbench"
    except Exception as exc:
        print(f"PostgreSQL not reachable ({type(exc).__name__}); skipping its figure")
        return None


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--postgres", default="postgresql://postgres@localhost/test")
    args.add_argument("--quick", action="store_true", help="fewer repetitions")
    opts = args.parse_args()
    n = 10 if opts.quick else 50
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sqlite = make_ctx(f"sqlite:///{folder / 'bench.db'}", folder, [10, 20, 200])
        run_case(sqlite, 20)  # warm the caches (parsed specs, compiled conditions)
        p50, p95 = clerk_action(sqlite, n)
        print(f"(a) clerk action, 20-step case, SQLite:     p50 {p50:.2f} ms  p95 {p95:.2f} ms  (target p50 <= 3 ms)")
        pg = postgres_url(opts.postgres)
        if pg:
            pgctx = make_ctx(pg, folder, [20])
            run_case(pgctx, 20)
            p50, p95 = clerk_action(pgctx, n)
            print(f"(a) clerk action, 20-step case, PostgreSQL: p50 {p50:.2f} ms  p95 {p95:.2f} ms")
        in_case, models, at200 = growth(sqlite, 3 if opts.quick else 10)
        print(f"(b) step 200 / step 10 in one 200-step case: {in_case:.2f}x  "
              f"(target <= 2; step 200 takes {at200:.2f} ms)")
        print(f"    a step of a 200-step model / a step of a 10-step model: {models:.2f}x (plain Spiff JSON: 19x)")
        seconds = 3 if opts.quick else 10
        db = throughput_db(sqlite, seconds)
        plain = throughput_plain(seconds)
        print(f"(c) 10-step cases/s: engine + SQLite {db:.1f}, plain in-memory SpiffWorkflow {plain:.1f}, "
              f"ratio {db / plain:.2f}  (target >= 0.5)")
        json_plain = throughput_plain(seconds, json_roundtrip=True)
        print("    for scale: plain SpiffWorkflow with a JSON save+load after every step, no database: "
              f"{json_plain:.1f} cases/s (engine + SQLite / that = {db / json_plain:.2f})")


if __name__ == "__main__":
    main()
