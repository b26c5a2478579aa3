"""Audit benchmark: prints the figures of issue #9 item 7 (measured before/after at scale).

1. N finished newborn cases (half before, half after) generated with SQL into cases, case_summaries and
   step_log (the real step ids and departments of the deployed versions; about 10 step rows a case),
   then finished_steps and the running totals rebuilt from them as `onething audit rebuild` does
2. the full measured before/after comparison (`engine.measured_metrics`, `engine.matter_comparison`)
   over them, several rounds, on SQLite and on PostgreSQL (target <= 1 s each)
3. the XES export's peak memory (a subprocess; target <= 500 MB at 1M cases) and the same statistics
   with PM4Py on the same rows in the same run, the two alternating round by round (target: OneThing
   >= 50x faster; PM4Py is test-only)
4. `engine.simulate` of a 20-step variant (seq20 of bench/engine_models.py): cases/s and steps/s

Step times: each case has a pace factor f and each step a waiting and a working time drawn around the
step's figures (applicant steps wait longer: people travel), a step is ready when the one before ends.
Usage: python bench/audit.py [--cases N] [--postgres URL] [--skip-pm4py] [--simulate N] [--quick]
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

import engine  # noqa: E402
from engine.accounts.users import Actor  # noqa: E402
from engine.audit.rollups import rebuild_totals  # noqa: E402
from engine.audit.summaries import LoggedStep, summarize, version_facts  # noqa: E402
from engine.catalog import versions as catalog  # noqa: E402
from engine.context import EngineContext  # noqa: E402
from engine.model.annotations import parse_step  # noqa: E402
from engine.runtime.workdays import default_calendar  # noqa: E402
from engine.vocabulary import APPLICANT  # noqa: E402

MATTER = "newborn"
BASE = date(2024, 1, 1)  # hour 0 of the generated times is 2024-01-01 00:00 UTC
BASE_JD = 2460310.5  # julianday('2024-01-01')
BASE_DAY = (BASE - date(1970, 1, 1)).days
OPTIONAL = "verify_home_birth"  # only home births (about 5% of cases) have this step
HOME_SHARE = 0.05
APPLICANT_WAIT, STAFF_WAIT = 48.0, 16.0  # calendar hours a step waits, on average, before it is taken up
AUDITOR = Actor("bench.auditor", "auditor")

EXPORT_CHILD = """
import resource, sys, time
sys.path.insert(0, sys.argv[1])
import engine
from engine.accounts.users import Actor
from engine.context import EngineContext
ctx = EngineContext.from_url(sys.argv[2])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
with open(sys.argv[3], "wb") as out:
    done = engine.export_xes(ctx, out, "newborn", source="real", actor=Actor("bench.auditor", "auditor"))
seconds = time.perf_counter() - started
print(done.cases, done.rows, seconds, before, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


class Sql:
    """The few SQL fragments whose spelling differs between SQLite and PostgreSQL."""

    def __init__(self, dialect: str) -> None:
        self.pg = dialect == "postgresql"

    def ts(self, hours: str) -> str:
        if self.pg:
            return f"(TIMESTAMPTZ '2024-01-01 00:00:00+00' + ({hours}) * INTERVAL '1 hour')"
        return f"(strftime('%Y-%m-%d %H:%M:%S', {BASE_JD} + ({hours}) / 24.0) || '.000000')"

    def floor(self, value: str) -> str:  # of a positive number
        return f"CAST(FLOOR({value}) AS INTEGER)" if self.pg else f"CAST({value} AS INTEGER)"

    def h(self, x: str) -> str:
        """A uniform number in [0, 1) from an integer expression (Lehmer generator steps; same on both)."""
        mod = "%%" if self.pg else "%"  # psycopg reads % as a placeholder
        return (f"(CAST(((CAST({x} AS BIGINT) {mod} 2147483629) * 48271 {mod} 2147483647) * 16807 {mod} 2147483647 "
                f"AS DOUBLE PRECISION) / 2147483647)")

    def numbers(self, n: int) -> str:
        if self.pg:
            return f"SELECT i FROM generate_series(1, {n}) AS i"
        return f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n}) SELECT i FROM n"




def version_ids(ctx: EngineContext) -> dict[str, int]:
    with ctx.read() as session:
        return {v: catalog.current_version(session, MATTER, v).id for v in ("before", "after")}


def templates(ctx: EngineContext, ids: dict[str, int]) -> tuple[list[dict], list[dict]]:
    """Per step: mean waiting and working calendar hours; per (variant, home birth): the summary's counts."""
    steps, paths = [], []
    calendar = default_calendar()
    with ctx.read() as session:
        for variant, vid in ids.items():
            model, _matter = catalog.loaded_version(ctx, session, vid)
            facts = version_facts(ctx, session, vid)
            for seq, (step_id, info) in enumerate(model.steps.items(), start=1):
                duration = parse_step(info).duration
                work = (duration.mean_hours if duration else 1.0) * 3  # 8 office hours a day = 24 calendar hours
                applicant = info.department == APPLICANT
                steps.append({"variant": variant, "seq": seq, "optional": int(step_id == OPTIONAL),
                              "step_id": step_id, "step_name": info.name or step_id, "department": info.department,
                              "wait": APPLICANT_WAIT if applicant and seq > 1 else STAFF_WAIT if not applicant
                              else 0.5, "work": work})
            for home in (0, 1):
                moment = datetime(2024, 1, 1, tzinfo=UTC)
                logged = []
                for s in (s for s in steps if s["variant"] == variant and (home or not s["optional"])):
                    logged.append(LoggedStep(s["step_id"], s["department"], moment, moment + timedelta(hours=1)))
                    moment += timedelta(hours=1)
                case = SimpleNamespace(id=0, matter_id=MATTER, variant=variant, model_version_id=vid, source="real",
                                       status="completed", started_at=logged[0].ready_at, region=None)
                row = summarize(case, logged, facts, moment, calendar)  # type: ignore[arg-type]
                paths.append({"variant": variant, "home": home, "version_id": vid, "steps": row["steps"],
                              "trips": row["trips"], "handoffs": row["handoffs"],
                              "time_limit": row["time_limit_days"], "path": row["path"]})
    return steps, paths


def working_days() -> list[dict]:
    """Day number (since 1970) -> working days of China's calendar up to and including it, 2023-2028."""
    calendar, rows, count, day = default_calendar(), [], 0, date(2023, 1, 1)
    while day < date(2029, 1, 1):
        count += calendar.is_workday(day)
        rows.append({"day": (day - date(1970, 1, 1)).days, "cum": count})
        day += timedelta(days=1)
    return rows


def generate(ctx: EngineContext, n: int) -> dict[str, int]:
    """Fill cases, case_summaries and step_log with n finished cases in one transaction; row counts."""
    sql, half = Sql(ctx.dialect), n // 2
    h = sql.h
    ids = version_ids(ctx)
    steps, paths = templates(ctx, ids)
    before_days, after_days, after_from = 365, 365, 425  # before: 2024; after: from 2025-03-01
    start_day = (f"CASE WHEN i <= {half} THEN {sql.floor(f'(i - 1) * {before_days}.0 / {half}')} "
                 f"ELSE {after_from} + {sql.floor(f'(i - {half} - 1) * {after_days}.0 / {max(n - half, 1)}')} END")
    cases = (f"SELECT i AS id, CASE WHEN i <= {half} THEN 'before' ELSE 'after' END AS variant, "
             f"CASE WHEN {h('i * 64 + 1')} < {HOME_SHARE} THEN 1 ELSE 0 END AS home, "
             f"0.5 + 2.0 * {h('i * 64 + 2')} * {h('i * 64 + 2')} AS f, "
             f"({start_day}) * 24 + 1 + 8 * {h('i * 64 + 3')} AS start_h FROM ({sql.numbers(n)}) AS numbers")
    generated = ("SELECT c.id, c.start_h, t.seq, t.step_id, t.step_name, t.department, "
                 f"c.f * t.wait * (0.2 + 1.6 * {h('c.id * 64 + t.seq * 2 + 8')}) AS wait, "
                 f"c.f * t.work * (0.2 + 1.6 * {h('c.id * 64 + t.seq * 2 + 9')}) AS work "
                 "FROM gen_cases c JOIN gen_template t ON t.variant = c.variant AND (t.optional = 0 OR c.home = 1)")
    ended = ("SELECT s.*, s.start_h + SUM(s.wait + s.work) OVER (PARTITION BY s.id ORDER BY s.seq) AS end_h "
             f"FROM ({generated}) AS s")
    day = lambda hours: f"{sql.floor(f'({hours} + 8) / 24.0')} + {BASE_DAY}"  # noqa: E731 - China date
    done = "c.start_h + e.hours"
    with ctx.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TEMP TABLE gen_template (variant VARCHAR(16), seq INTEGER, optional INTEGER, "
                             "step_id VARCHAR(255), step_name VARCHAR(255), department VARCHAR(64), "
                             "wait DOUBLE PRECISION, work DOUBLE PRECISION)")
        conn.execute(text("INSERT INTO gen_template VALUES (:variant, :seq, :optional, :step_id, :step_name, "
                          ":department, :wait, :work)"), steps)
        conn.exec_driver_sql("CREATE TEMP TABLE gen_paths (variant VARCHAR(16), home INTEGER, version_id INTEGER, "
                             "steps INTEGER, trips INTEGER, handoffs INTEGER, time_limit DOUBLE PRECISION, path TEXT)")
        conn.execute(text("INSERT INTO gen_paths VALUES (:variant, :home, :version_id, :steps, :trips, :handoffs, "
                          ":time_limit, :path)"), paths)
        conn.exec_driver_sql("CREATE TEMP TABLE gen_days (day INTEGER PRIMARY KEY, cum INTEGER)")
        conn.execute(text("INSERT INTO gen_days VALUES (:day, :cum)"), working_days())
        conn.exec_driver_sql(f"CREATE TEMP TABLE gen_cases AS {cases}")
        conn.exec_driver_sql(f"CREATE TEMP TABLE gen_ends AS SELECT id, SUM(wait + work) AS hours "
                             f"FROM ({generated}) AS s GROUP BY id")
        conn.exec_driver_sql(
            "INSERT INTO cases (id, number, model_version_id, matter_id, variant, status, source, version, state, "
            "trail, flows, started_at, updated_at, completed_at, applicant) "
            f"SELECT c.id, 'NB' || c.id, p.version_id, '{MATTER}', c.variant, 'completed', 'real', 1, '', '[]', "
            f"'[]', {sql.ts('c.start_h')}, {sql.ts(done)}, {sql.ts(done)}, '{{}}' "
            "FROM gen_cases c JOIN gen_ends e ON e.id = c.id "
            "JOIN gen_paths p ON p.variant = c.variant AND p.home = c.home ORDER BY c.id")
        conn.exec_driver_sql(
            "INSERT INTO step_log (case_id, task_id, step_id, step_name, department, event, actor, ready_at, "
            "claimed_at, at) "
            "SELECT id, 'g' || id || '.' || seq, step_id, step_name, department, 'completed', "
            f"CASE WHEN department = '{APPLICANT}' THEN 'applicant' ELSE 'clerk.' || department END, "
            f"{sql.ts('end_h - wait - work')}, {sql.ts('end_h - work')}, {sql.ts('end_h')} "
            f"FROM ({ended}) AS w ORDER BY id, seq")
        workdays = "d2.cum - d1.cum"
        conn.exec_driver_sql(
            "INSERT INTO case_summaries (case_id, matter_id, variant, model_version_id, source, status, started_at, "
            "finished_at, elapsed_hours, elapsed_workdays, steps, trips, handoffs, time_limit_days, on_time, path) "
            f"SELECT c.id, '{MATTER}', c.variant, p.version_id, 'real', 'completed', {sql.ts('c.start_h')}, "
            f"{sql.ts(done)}, ROUND(CAST(e.hours AS NUMERIC), 4), {workdays}, p.steps, p.trips, p.handoffs, "
            f"p.time_limit, CASE WHEN p.time_limit IS NULL THEN NULL ELSE {workdays} <= p.time_limit END, p.path "
            "FROM gen_cases c JOIN gen_ends e ON e.id = c.id "
            "JOIN gen_paths p ON p.variant = c.variant AND p.home = c.home "
            f"JOIN gen_days d1 ON d1.day = {day('c.start_h')} JOIN gen_days d2 ON d2.day = {day(done)} ORDER BY c.id")
        for table in ("gen_ends", "gen_cases", "gen_days", "gen_paths", "gen_template"):
            conn.exec_driver_sql(f"DROP TABLE {table}")
    with ctx.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
        return {t: conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar_one()
                for t in ("cases", "case_summaries", "step_log")}


def spread(values: list[float]) -> str:
    return f"min {min(values):.3f} s  median {statistics.median(values):.3f} s  max {max(values):.3f} s"


def timed(call, rounds: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(rounds):
        started = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - started)
    return times, result


def measure(ctx: EngineContext, label: str, rounds: int) -> None:
    """Time the measured comparison (whole and windowed) and the matter comparison; print them with a few figures."""
    times, figures = timed(lambda: engine.measured_metrics(ctx, MATTER), rounds)
    print(f"  measured_metrics ({label}, {rounds} rounds): {spread(times)}  (target <= 1 s)")
    comparison_times, _ = timed(lambda: engine.matter_comparison(ctx, MATTER), rounds)
    print(f"  matter_comparison ({label}, {rounds} rounds): {spread(comparison_times)}  (target <= 1 s)")
    window = {"since": date(2025, 12, 1), "until": date(2025, 12, 31)}  # the after variant's last month
    window_times, windowed = timed(lambda: engine.measured_metrics(ctx, MATTER, **window), rounds)
    print(f"  measured_metrics with a window (December 2025: {windowed['after']['cases']:,} cases; "  # type: ignore[index]
          f"the row SQL, no totals; {label}, {rounds} rounds): {spread(window_times)}")
    for variant in ("before", "after"):
        f = figures[variant]  # type: ignore[index]
        print(f"    {variant}: {f['cases']} cases, working days mean/median/p90 {f['working_days']['mean']}/"
              f"{f['working_days']['median']}/{f['working_days']['p90']}, steps/case {f['steps_per_case']}, "
              f"on time {f['on_time_rate']}, {len(f['steps'])} steps, {len(f['paths'])} paths")


def export_memory(url: str, folder: Path) -> None:
    """Export the log as XES in a fresh interpreter and print its peak resident memory."""
    out = folder / "newborn.xes"
    child = subprocess.run([sys.executable, "-c", EXPORT_CHILD, str(ROOT), url, str(out)],
                           capture_output=True, text=True, check=True)
    cases, events, seconds, before, peak = child.stdout.split()
    print(f"  XES export: {cases} traces, {events} events, {out.stat().st_size / 1e6:.0f} MB written in "
          f"{float(seconds):.1f} s; peak RSS {int(peak) / 1024:.0f} MB (after imports {int(before) / 1024:.0f} MB)"
          "  (target <= 500 MB at 1M cases)")


def pm4py_side(ctx: EngineContext, rounds: int, rebuilt: float) -> None:
    """The same statistics with PM4Py over a DataFrame of the same step-log rows."""
    import contextlib
    import io

    import numpy as np
    import pandas as pd
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        import pm4py  # its welcome banner is no figure
        from pm4py.statistics.traces.generic.pandas import case_statistics

    started = time.perf_counter()
    with ctx.engine.connect() as conn:
        frame = pd.read_sql_query(text(
            "SELECT s.case_id, c.variant, s.step_id, s.ready_at, s.claimed_at, s.at FROM step_log s "
            "JOIN case_summaries c ON c.case_id = s.case_id WHERE c.matter_id = 'newborn' AND c.source = 'real' "
            "AND s.event = 'completed'"), conn)
    for column in ("ready_at", "claimed_at", "at"):
        frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601")
    frame["case_id"] = frame["case_id"].astype(str)
    loaded = time.perf_counter() - started
    print(f"  PM4Py input: DataFrame of {len(frame)} step-log rows from the same SQL tables, loaded in {loaded:.2f} s "
          "(not counted below)")
    def theirs_once() -> dict:
        summary = {}
        for variant, rows in frame.groupby("variant"):
            log = pm4py.format_dataframe(rows, case_id="case_id", activity_key="step_id", timestamp_key="at",
                                         start_timestamp_key="claimed_at")
            described = case_statistics.get_cases_description(log, parameters={  # get_all_case_durations fails here
                "timestamp_key": "time:timestamp", "start_timestamp_key": "time:timestamp",
                "case_id_key": "case:concept:name"})
            hours = np.array([case["caseDuration"] for case in described.values()]) / 3600
            working = pm4py.get_service_time(log, "median", start_timestamp_key="claimed_at")
            waiting = pm4py.get_service_time(log, "median", timestamp_key="claimed_at", start_timestamp_key="ready_at")
            pm4py.get_service_time(log, "mean", start_timestamp_key="claimed_at")
            pm4py.get_service_time(log, "mean", timestamp_key="claimed_at", start_timestamp_key="ready_at")
            variants = pm4py.get_variants(log)
            summary[variant] = (len(hours), hours.mean(), np.median(hours), np.percentile(hours, 90), len(working),
                                len(waiting), len(variants))
        return summary

    ours, theirs, summary = [], [], {}
    for _ in range(rounds):  # the two sides alternate, round by round
        ours += timed(lambda: engine.measured_metrics(ctx, MATTER), 1)[0]
        took, summary = timed(theirs_once, 1)
        theirs += took
    for variant, (n, mean, median, p90, working, waiting, paths) in summary.items():
        print(f"    PM4Py {variant}: {n} cases, hours first to last completion, mean/median/p90 "
              f"{mean:.1f}/{median:.1f}/{p90:.1f}, {working} activities' service and {waiting} waiting times, "
              f"{paths} variants")
    ratios = sorted(t / o for t, o in zip(theirs, ours, strict=True))
    print(f"  PM4Py {pm4py.__version__} statistics ({rounds} rounds, alternating): {spread(theirs)}")
    print(f"  OneThing measured_metrics (SQLite), the same rounds: {spread(ours)}")
    print(f"  ratio PM4Py / OneThing per round: min {ratios[0]:.1f}x  median {statistics.median(ratios):.1f}x  "
          f"max {ratios[-1]:.1f}x  (target >= 50x; anchor: PM4Py 2.7 54 s at 1M)")
    print(f"  from scratch (OneThing rebuilding its totals first, {rebuilt:.1f} s + {statistics.median(ours):.3f} s): "
          f"ratio {statistics.median(theirs) / (rebuilt + statistics.median(ours)):.2f}x")


def simulation(folder: Path, n: int) -> None:
    """One run of n cases (bench/simulation.py measures it against plain SpiffWorkflow, alternating)."""
    from bench.simulation import SEQ20, onething

    seconds, steps = onething(folder, n, 7, *SEQ20)
    print(f"  simulate {' '.join(SEQ20)} (20 steps), N = {n} cases, 200 clerks in each department: {seconds:.2f} s, "
          f"{steps} steps; {n / seconds:.1f} cases/s, {steps / seconds:.0f} steps/s (target: 10,000 cases <= 30 s; "
          f"measured here with N = {n}; against in-memory SpiffWorkflow: python bench/simulation.py)")


def postgres_url(url: str) -> str:
    admin = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS bench_audit CASCADE"))
        conn.execute(text("CREATE SCHEMA bench_audit"))
    admin.dispose()
    return f"{url}?options=-csearch_path%3Dbench_audit"


def fresh(url: str, label: str, n: int) -> tuple[EngineContext, float]:
    ctx = EngineContext.from_url(url)
    ctx.init_db()
    engine.deploy_path(ctx, ROOT / "processes" / MATTER)
    started = time.perf_counter()
    counts = generate(ctx, n)
    print(f"  generated on {label} in {time.perf_counter() - started:.1f} s: "
          + ", ".join(f"{t} {c:,}" for t, c in counts.items())
          + f" ({counts['step_log'] / max(counts['cases'], 1):.2f} step rows a case)")
    started = time.perf_counter()
    with ctx.write() as session:  # what `onething audit rebuild` does after the summaries
        rebuild_totals(session)
    with ctx.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
        steps = conn.exec_driver_sql("SELECT count(*) FROM finished_steps").scalar_one()
    rebuilt = time.perf_counter() - started
    print(f"  running totals and finished_steps ({steps:,} rows) rebuilt from scratch in {rebuilt:.1f} s "
          "(engine.audit.rollups.rebuild_totals, then ANALYZE; the engine keeps them as cases end)")
    return ctx, rebuilt


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--cases", type=int, default=1_000_000)
    args.add_argument("--postgres", help="e.g. postgresql://postgres@localhost/test_bench (a schema bench_audit)")
    args.add_argument("--skip-pm4py", action="store_true")
    args.add_argument("--simulate", type=int, default=10_000, help="cases to simulate; 0 skips")
    args.add_argument("--quick", action="store_true", help="fewer rounds")
    opts = args.parse_args()
    rounds = 3 if opts.quick else 5
    print(f"bench/audit.py --cases {opts.cases:,} ({json.dumps({'quick': opts.quick})})")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print("SQLite")
        sqlite_url = f"sqlite:///{folder / 'audit.db'}"
        sqlite, rebuilt = fresh(sqlite_url, "SQLite", opts.cases)
        measure(sqlite, "SQLite", rounds)
        if opts.postgres:
            print("PostgreSQL")
            pg, _ = fresh(postgres_url(opts.postgres), "PostgreSQL", opts.cases)
            measure(pg, "PostgreSQL", rounds)
            pg.engine.dispose()
        if not opts.skip_pm4py:
            print("Export and PM4Py (SQLite)")
            export_memory(sqlite_url, folder)
            pm4py_side(sqlite, rounds, rebuilt)
        if opts.simulate:
            print("Simulation")
            simulation(folder, opts.simulate)


if __name__ == "__main__":
    main()
