"""Web benchmark: 100,000 cases in SQLite, gunicorn on loopback, 16 concurrent clients; p50/p95 per endpoint.

    python bench/web.py [--cases 100000] [--workers 4] [--clients 16] [--seconds 20] [--db PATH]

Cases: a few hundred through the real use cases (engine.demo.loader, simulated clock), then copied with
bulk inserts (new numbers, task ids and shifted times) until --cases are stored. Target p95 <= 50 ms.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from engine.cases.numbers import ALPHABET  # noqa: E402
from engine.context import EngineContext  # noqa: E402
from engine.demo import loader as demo  # noqa: E402

PASSWORD = demo.DEMO_PASSWORD
CLERK = "clerk.police"


def _number(day: str, n: int) -> str:
    tail = "".join(ALPHABET[(n >> (5 * i)) & 31] for i in range(5))
    return f"{day}-{tail}"


def load(db: Path, total: int, seeded: int) -> None:
    """Seed cases through the use cases, then copy them in bulk up to `total`."""
    if db.exists():
        db.unlink()
    ctx = EngineContext.from_url(f"sqlite:///{db}")
    ctx.init_db()
    started = time.perf_counter()
    demo.load_demo(ctx, REPO / "processes", cases_wanted=seeded)
    ctx.engine.dispose()
    print(f"seeded {seeded} cases through the use cases in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    cols = {t: [r[1] for r in con.execute(f"PRAGMA table_info({t})")] for t in
            ("cases", "open_steps", "step_log", "case_contacts", "case_ratings")}
    rows = {t: con.execute(f"SELECT {', '.join(c)} FROM {t}").fetchall() for t, c in cols.items()}
    by_case = {t: {} for t in ("open_steps", "step_log", "case_contacts", "case_ratings")}
    for table in by_case:
        key = cols[table].index("case_id")
        for row in rows[table]:
            by_case[table].setdefault(row[key], []).append(row)
    next_id = max(r[0] for r in rows["cases"]) + 1
    next_log = con.execute("SELECT max(id) FROM step_log").fetchone()[0] + 1
    rng = random.Random(7)
    serial = 1 << 20
    time_cols = {"started_at", "updated_at", "completed_at", "ready_at", "claimed_at", "at", "rated_at"}
    batch: dict[str, list] = {t: [] for t in cols}
    copies = total - len(rows["cases"])

    def moved(table: str, row: tuple, shift: timedelta, **set_to) -> tuple:
        out = []
        for name, value in zip(cols[table], row, strict=True):
            if name in set_to:
                value = set_to[name]
            elif name in time_cols and value is not None:
                value = (datetime.fromisoformat(value) + shift).isoformat(" ")
            out.append(value)
        return tuple(out)

    for i in range(copies):
        template = rows["cases"][i % len(rows["cases"])]
        shift = timedelta(days=-rng.uniform(0, 60))
        new_id = next_id + i
        serial += 1
        day = (datetime.fromisoformat(template[cols["cases"].index("started_at")]) + shift).strftime("%Y%m%d")
        batch["cases"].append(moved("cases", template, shift, id=new_id, number=_number(day, serial)))
        old = template[0]
        for row in by_case["open_steps"].get(old, []):
            batch["open_steps"].append(moved("open_steps", row, shift, case_id=new_id, task_id=str(uuid.uuid4())))
        for row in by_case["step_log"].get(old, []):
            batch["step_log"].append(moved("step_log", row, shift, case_id=new_id, id=next_log))
            next_log += 1
        for table in ("case_contacts", "case_ratings"):
            for row in by_case[table].get(old, []):
                batch[table].append(moved(table, row, shift, case_id=new_id))
        if len(batch["cases"]) >= 5000 or i == copies - 1:
            for table, items in batch.items():
                if items:
                    marks = ", ".join("?" * len(cols[table]))
                    con.executemany(f"INSERT INTO {table} ({', '.join(cols[table])}) VALUES ({marks})", items)
                    items.clear()
            con.commit()
    con.execute("ANALYZE")
    con.commit()
    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("cases", "open_steps", "step_log")}
    departments = con.execute("SELECT count(DISTINCT department) FROM open_steps").fetchone()[0]
    con.close()
    print(f"copied to {counts['cases']} cases ({counts['open_steps']} open steps over {departments} departments, "
          f"{counts['step_log']} step-log rows) in {time.perf_counter() - started:.1f} s")


def _sample_numbers(db: Path, n: int) -> list[str]:
    con = sqlite3.connect(db)
    police = [r[0] for r in con.execute(
        "SELECT DISTINCT c.matter_id FROM cases c JOIN open_steps o ON o.case_id = c.id WHERE o.department = 'police'")]
    marks = ", ".join("?" * len(police))
    numbers = [r[0] for r in con.execute(
        f"SELECT number FROM cases WHERE matter_id IN ({marks}) ORDER BY random() LIMIT ?", (*police, n))]
    con.close()
    return numbers


def _request(conn: http.client.HTTPConnection, method: str, path: str, body: dict | None = None,
             headers: dict | None = None) -> tuple[int, bytes, http.client.HTTPResponse]:
    data = json.dumps(body).encode() if body is not None else None
    conn.request(method, path, body=data, headers={"Content-Type": "application/json", **(headers or {})})
    response = conn.getresponse()
    return response.status, response.read(), response


class Client(threading.Thread):
    """One simulated user: a signed-in clerk for worklist and case pages, anonymous for lookups."""

    def __init__(self, port: int, numbers: list[str], deadline: float, max_requests: int, seed: int) -> None:
        super().__init__(daemon=True)
        self.port, self.numbers, self.deadline, self.max_requests = port, numbers, deadline, max_requests
        self.rng = random.Random(seed)
        self.times: dict[str, list[float]] = {"worklist": [], "case": [], "lookup": []}
        self.errors: list[str] = []

    def _conn(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def run(self) -> None:
        status, _, response = _request(self._conn(), "POST", "/api/session", {"username": CLERK, "password": PASSWORD})
        cookie = response.getheader("Set-Cookie", "").split(";", 1)[0]
        if status != 200:
            self.errors.append(f"login {status}")
            return
        kinds = ["worklist", "case", "lookup"]
        for i in range(self.max_requests):
            if time.monotonic() > self.deadline:
                break
            kind = kinds[i % 3]
            number = self.rng.choice(self.numbers)
            conn = self._conn()  # gunicorn's sync workers close every connection
            started = time.perf_counter()
            if kind == "worklist":
                status, body, _ = _request(conn, "GET", "/api/worklist", headers={"Cookie": cookie})
            elif kind == "case":
                status, body, _ = _request(conn, "GET", f"/api/cases/{number}", headers={"Cookie": cookie})
            else:
                status, body, _ = _request(conn, "POST", "/api/lookup", {"number": number, "check": demo.DEMO_CHECK})
            self.times[kind].append((time.perf_counter() - started) * 1000)
            conn.close()
            if status != 200:
                self.errors.append(f"{kind} {status} {body[:120]!r}")


def _wait_ready(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            status, _, _ = _request(http.client.HTTPConnection("127.0.0.1", port, timeout=2), "GET", "/api/matters")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seeded", type=int, default=300)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--requests", type=int, default=2000, help="at most this many requests per client")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--db", type=Path, default=Path("/tmp/onething-bench/web.db"))
    parser.add_argument("--reuse", action="store_true", help="keep an existing database")
    args = parser.parse_args()
    args.db.parent.mkdir(parents=True, exist_ok=True)
    if not (args.reuse and args.db.exists()):
        load(args.db, args.cases, args.seeded)
    env = {**os.environ, "ONETHING_DATABASE_URL": f"sqlite:///{args.db}", "ONETHING_SECRET_KEY": "bench",
           "ONETHING_INSTANCE_PATH": str(args.db.parent / "instance")}
    gunicorn = Path(sys.executable).parent / "gunicorn"
    server = subprocess.Popen([str(gunicorn), "-w", str(args.workers), "-b", f"127.0.0.1:{args.port}",
                               "--log-level", "warning", "web.wsgi:app"], cwd=REPO, env=env)
    try:
        _wait_ready(args.port)
        numbers = _sample_numbers(args.db, 2000)
        warm = Client(args.port, numbers, time.monotonic() + 30, 3 * args.workers * 4, seed=0)
        warm.run()  # every worker loads its models once before the clock starts
        deadline = time.monotonic() + args.seconds
        clients = [Client(args.port, numbers, deadline, args.requests, seed=i + 1) for i in range(args.clients)]
        started = time.perf_counter()
        for client in clients:
            client.start()
        for client in clients:
            client.join()
        elapsed = time.perf_counter() - started
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    errors = [e for c in clients for e in c.errors]
    total = sum(len(t) for c in clients for t in c.times.values())
    print(f"{args.clients} clients, {args.workers} gunicorn workers, {total} requests in {elapsed:.1f} s "
          f"({total / elapsed:.0f}/s), {len(errors)} errors")
    for kind in ("worklist", "case", "lookup"):
        values = sorted(v for c in clients for v in c.times[kind])
        if values:
            p95 = values[int(0.95 * (len(values) - 1))]
            p50 = statistics.median(values)
            verdict = "ok" if p95 <= 50 else "OVER the 50 ms target"
            print(f"  {kind:9} n={len(values):6}  p50={p50:6.1f} ms  p95={p95:6.1f} ms  {verdict}")
    for error in errors[:5]:
        print("  error:", error)


if __name__ == "__main__":
    main()
