"""Races to complete one step, with real processes: exactly one winner each time, the others a clear refusal.

Issue #15 ("Deliver, in CI"): 8 clerks complete the same ready step at once, over HTTP against gunicorn
(one instance; two instances on one PostgreSQL database) and with 8 `onething case complete` processes,
on SQLite and PostgreSQL. tests/engine/test_concurrency.py races threads and processes inside the engine;
tests/engine/test_timer_workers.py races timer workers. The counts are printed (`pytest -s` or `-rA`).
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import drop_schema, postgres_schema_url
from tests.web.servers import NO_ANSWER, REPO, Gunicorn, Http, audit_cases, open_cases, seeded_database

MATTER, STEP, CLERK = "newborn", "register_birth", "clerk.police"
RACERS = 8
HTTP_ROUNDS = 60  # per database; with the two-node rounds and the CLI rounds, 200 races in all
NODE_ROUNDS = 76
CLI_ROUNDS = 2  # per database; each racer is a new Python process: a race costs seconds, not milliseconds

pytestmark = pytest.mark.slow


def http_races(ports: list[int], numbers: list[str], data: dict) -> tuple[list[Counter], list[str]]:
    """A race of RACERS threads (spread over `ports`) on each case; the statuses of each race, and the
    answers that were not a 2xx, 404 or 409."""
    signed_in = Http(ports[0]).sign_in(CLERK)
    clients = [signed_in.on(ports[i % len(ports)]) for i in range(RACERS)]
    statuses: list[list[int]] = [[] for _ in numbers]
    odd: list[str] = []
    start = threading.Barrier(RACERS)

    def racer(http: Http) -> None:
        for round_, number in enumerate(numbers):
            start.wait(60)
            try:
                status, body = http.call("POST", f"/api/cases/{number}/steps/{STEP}/complete", data)
            except NO_ANSWER as error:
                status, body = 0, repr(error)
            statuses[round_].append(status)
            if status not in (200, 404, 409):
                odd.append(f"{number} on port {http.port}: {status} {str(body)[:200]}")

    threads = [threading.Thread(target=racer, args=(client,), daemon=True) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(600)
    return [Counter(race) for race in statuses], odd


def verdict(kind: str, races: list[Counter], odd: list[str], url: str, seconds: float) -> str:
    """The figures of a series of races (printed), after checking the database agrees with the winners."""
    winners = Counter(race[200] for race in races)
    refused = sum((Counter({s: n for s, n in race.items() if s != 200}) for race in races), Counter())
    logged, problems = audit_cases(url)
    figures = (f"{len(races)} races of {RACERS} {kind}: winners per race {dict(winners)}, "
               f"refusals {dict(refused)}, other answers {len(odd)}, {seconds:.1f} s ({url.split(':', 1)[0]})")
    print(f"\n{figures}")
    assert winners == {1: len(races)}, figures
    assert not odd, f"{odd[:5]}; {figures}"
    assert not problems, f"{problems[:5]}; {figures}"
    assert sum(logged.values()) == 2 * len(races), f"application and one completion per case; {figures}"
    return figures


@pytest.mark.xdist_group("gunicorn-races")
def test_http_races_have_one_winner(db_url, tmp_path):
    data = {"data": seeded_database(db_url, [MATTER]).examples[(MATTER, STEP)]}
    numbers = open_cases(db_url, MATTER, HTTP_ROUNDS)
    with Gunicorn(db_url, tmp_path / "instance", workers=3) as server:
        server.start()
        started = time.monotonic()
        races, odd = http_races([server.port], numbers, data)
        seconds = time.monotonic() - started
    verdict("HTTP clients, 3 gunicorn workers", races, odd, db_url, seconds)


@pytest.fixture
def postgres_url():
    url, schema = postgres_schema_url()
    yield url
    drop_schema(schema)


@pytest.mark.postgres
@pytest.mark.xdist_group("gunicorn-nodes")
def test_two_nodes_on_one_database_have_one_winner(postgres_url, tmp_path):
    """Two gunicorn instances (2 and 1 workers) as two nodes behind a load balancer, one PostgreSQL."""
    data = {"data": seeded_database(postgres_url, [MATTER]).examples[(MATTER, STEP)]}
    numbers = open_cases(postgres_url, MATTER, NODE_ROUNDS)
    with Gunicorn(postgres_url, tmp_path / "node-a", workers=2) as a, \
            Gunicorn(postgres_url, tmp_path / "node-b", workers=1) as b:
        a.start()
        b.start()
        started = time.monotonic()
        races, odd = http_races([a.port, b.port], numbers, data)
        seconds = time.monotonic() - started
    verdict("HTTP clients on two nodes (2 + 1 workers)", races, odd, postgres_url, seconds)


# A racer: the real `onething` command, held at a gate once Python and the app's modules are loaded (it
# says so with a file of its own; the test opens the gate when all are there), so that the 8 processes
# reach the database together however slowly each one started.
GATED_CLI = ("import os, sys, time\n"
             "from web.cli import main\n"
             "import web.app, engine.cases.lifecycle\n"
             "gate = sys.argv.pop(1)\n"
             "open(f'{gate}.{os.getpid()}', 'w').close()\n"
             "while not os.path.exists(gate):\n"
             "    time.sleep(0.005)\n"
             "main()\n")


def cli_race(url: str, number: str, data: str, gate: Path, instance: Path) -> list[subprocess.CompletedProcess]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("ONETHING_")}
    env.update(ONETHING_DATABASE_URL=url, ONETHING_INSTANCE_PATH=str(instance), PYTHONPATH=str(REPO))
    command = [sys.executable, "-c", GATED_CLI, str(gate), "case", "complete", number, STEP, "--as", CLERK,
               "--data", data]
    racers = [subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
              for _ in range(RACERS)]
    try:
        deadline = time.monotonic() + 120
        while len(list(gate.parent.glob(f"{gate.name}.*"))) < RACERS and time.monotonic() < deadline:
            time.sleep(0.02)
        gate.touch()
        return [subprocess.CompletedProcess(r.args, r.wait(120), *r.communicate(timeout=120)) for r in racers]
    finally:
        for racer in racers:
            if racer.poll() is None:
                racer.kill()
                racer.wait()


@pytest.mark.xdist_group("cli-races")
def test_cli_races_have_one_winner(db_url, tmp_path):
    import json

    seeded = seeded_database(db_url, [MATTER])
    numbers = open_cases(db_url, MATTER, CLI_ROUNDS)
    data = json.dumps(seeded.examples[(MATTER, STEP)])
    races: list[Counter] = []
    odd: list[str] = []
    started = time.monotonic()
    for i, number in enumerate(numbers):
        results = cli_race(db_url, number, data, tmp_path / f"gate-{i}", tmp_path / "instance")
        race: Counter = Counter()
        for result in results:
            if result.returncode == 0 and f"completed {STEP} of case {number}" in result.stdout:
                race[200] += 1
            elif result.returncode == 1 and result.stderr.startswith("error: "):
                race[re.sub(r"case \S+ ", "case N ", result.stderr.splitlines()[0])[:60]] += 1
            else:
                odd.append(f"{number}: exit {result.returncode}: {result.stdout[-300:]} {result.stderr[-500:]}")
        races.append(race)
    verdict("`onething case complete` processes", races, odd, db_url, time.monotonic() - started)
