"""CLI start-up benchmark (issue #10 item 5): wall time of `onething --help` and `onething check FILE`.

Each command runs as a fresh subprocess of this interpreter: `python -c pass` (the interpreter's own
start), then `onething --help` and `onething check MODEL` as `python -c "from web.cli import main; main()"`
(what the console script runs). The three alternate round by round, so a change of load touches them
alike; the figures are min/median/max wall seconds over the rounds and each one's ratio to
`python -c pass` of the same run. One warm-up round first (it may write .pyc files) is not counted.

Usage: python bench/cli.py [--rounds 7] [--model processes/newborn/after.bpmn]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ONETHING = [sys.executable, "-c", "from web.cli import main; main()"]


def commands(model: str) -> dict[str, list[str]]:
    return {"python -c pass": [sys.executable, "-c", "pass"],
            "onething --help": [*ONETHING, "--help"],
            f"onething check {model}": [*ONETHING, "check", model]}


def wall(command: list[str], env: dict[str, str]) -> float:
    """Seconds from start to exit of one fresh process; a failing command stops the benchmark."""
    started = time.perf_counter()
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} exited {result.returncode}:\n{result.stdout}{result.stderr}")
    return seconds


def cli_figures(rounds: int = 7, model: str = "processes/newborn/after.bpmn", indent: str = "") -> None:
    """Print each command's min / median / max wall seconds over `rounds` alternating rounds (after one warm-up
    round) and its median's ratio to `python -c pass` (bench/engine.py prints these too)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    print(f"{indent}interpreter: {_shown(sys.executable)} (Python {sys.version.split()[0]}); {rounds} rounds after 1 "
          "warm-up")
    runs = commands(model)
    for command in runs.values():
        wall(command, env)
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, command in runs.items():
            times[name].append(wall(command, env))
    base = statistics.median(times["python -c pass"])
    print(f"{indent}{'command':<48} {'min s':>7} {'median s':>9} {'max s':>7} {'median / pass':>14}")
    for name, seconds in times.items():
        median = statistics.median(seconds)
        print(f"{indent}{name:<48} {min(seconds):>7.3f} {median:>9.3f} {max(seconds):>7.3f} {median / base:>13.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="measured rounds (default 7)")
    parser.add_argument("--model", default="processes/newborn/after.bpmn", help="the model `check` reads")
    args = parser.parse_args()
    load = os.getloadavg()
    print(f"load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} ({os.cpu_count()} cores)")
    cli_figures(args.rounds, args.model)
    load = os.getloadavg()
    print(f"load average at end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")

if __name__ == "__main__":
    main()


def _shown(path: str) -> str:
    """The interpreter's path relative to the repository when it lives there (the figures get committed)."""
    try:
        return str(Path(path).relative_to(Path(__file__).resolve().parents[1]))
    except ValueError:
        return Path(path).name
