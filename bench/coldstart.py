"""The first requests after a start (issue #11 item 1: no request waits more than 300 ms).

A demo database (`onething init-db` + `onething demo-data`) in a temporary folder; then, for each mode,
a fresh `onething serve` process: with the models parsed at start (engine.warm_up, the default) and
without (ONETHING_WARM_UP=0, as before). As soon as the server answers, one client times the first
auditor page (sign in, GET /audit/, GET /audit/matters/newborn) and the first clerk page (sign in, GET
/worklist). Modes alternate, 3 rounds; min/median/max of each request, and the start-up time.
Usage: python bench/coldstart.py [--rounds N]
"""
from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ONETHING = [sys.executable, "-c", "from web.cli import main; main()"]
PASSWORD = "onething-demo"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def timed_session(base: str, username: str, pages: list[str]) -> list[float]:
    """Sign in as `username`, then GET each page; seconds of the sign-in POST and of each GET."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    form = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    times = []
    started = time.perf_counter()
    opener.open(base + "/login", urllib.parse.urlencode(
        {"username": username, "password": PASSWORD, "csrf_token": token}).encode()).read()
    times.append(time.perf_counter() - started)
    for page in pages:
        started = time.perf_counter()
        opener.open(base + page).read()
        times.append(time.perf_counter() - started)
    return times


def one_start(env: dict[str, str], warm: bool) -> tuple[float, list[float]]:
    port = free_port()
    env = dict(env, ONETHING_WARM_UP="1" if warm else "0")
    started = time.perf_counter()
    server = subprocess.Popen([*ONETHING, "serve", "--port", str(port)], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        while True:
            try:
                urllib.request.urlopen(base + "/track", timeout=1).read()
                break
            except OSError:
                time.sleep(0.05)
        ready = time.perf_counter() - started
        auditor = timed_session(base, "auditor", ["/audit/", "/audit/matters/newborn"])
        clerk = timed_session(base, "clerk.police", ["/worklist"])
        return ready, auditor + clerk
    finally:
        server.terminate()
        server.wait(30)


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--rounds", type=int, default=3)
    rounds = args.parse_args().rounds
    print(f"bench/coldstart.py (load average {', '.join(f'{x:.2f}' for x in os.getloadavg())})")
    labels = ["auditor sign-in", "GET /audit/", "GET /audit/matters/newborn", "clerk sign-in", "GET /worklist"]
    with tempfile.TemporaryDirectory() as folder:
        env = dict(os.environ, ONETHING_DATABASE_URL=f"sqlite:///{folder}/demo.db", ONETHING_INSTANCE_PATH=folder)
        for command in (["init-db"], ["demo-data"]):
            subprocess.run([*ONETHING, *command], cwd=ROOT, env=env, check=True, capture_output=True)
        results: dict[bool, list[tuple[float, list[float]]]] = {True: [], False: []}
        for _ in range(rounds):
            for warm in (True, False):
                results[warm].append(one_start(env, warm))
    for warm, runs in results.items():
        print(f"{'models parsed at start (default)' if warm else 'ONETHING_WARM_UP=0 (parsed on first use)'}:")
        ready = [r for r, _ in runs]
        print(f"  until the server answers: min {min(ready):.2f} s  median {statistics.median(ready):.2f} s  "
              f"max {max(ready):.2f} s")
        for index, label in enumerate(labels):
            values = [times[index] * 1000 for _, times in runs]
            print(f"  first {label}: min {min(values):.0f} ms  median {statistics.median(values):.0f} ms  "
                  f"max {max(values):.0f} ms  (target <= 300 ms)")


if __name__ == "__main__":
    main()
