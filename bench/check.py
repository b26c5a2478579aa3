"""How long `check` takes on long models: linear up to the cap, refused at once beyond it (hardening issue item 2).

Prints min/median/max of 3 rounds of `engine.model.loading.load_model` on generated rows of user tasks
(bench/diagrams.py's model) of 1,000, 2,000, 4,998 (the cap) and 20,000 steps. Target: a 20,000-task
model answered in <= 2 s.
"""
from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.diagrams import model  # noqa: E402
from engine.errors import ModelError  # noqa: E402
from engine.model.loading import MAX_ELEMENTS, load_model  # noqa: E402


def main() -> None:
    print(f"bench/check.py (load average {', '.join(f'{x:.2f}' for x in os.getloadavg())})")
    for steps in (1_000, 2_000, MAX_ELEMENTS - 2, 20_000):
        data, times, outcome = model(steps), [], ""
        for _ in range(3):
            started = time.perf_counter()
            try:
                outcome = f"loaded, {len(load_model(data, 'chain.bpmn').steps):,} steps"
            except ModelError as error:
                outcome = f"refused: {error.problems[0].message}"
            times.append(time.perf_counter() - started)
        print(f"  {steps:>6,} tasks ({len(data) / 1e6:.2f} MB): min {min(times):.3f} s  median "
              f"{statistics.median(times):.3f} s  max {max(times):.3f} s  — {outcome}")


if __name__ == "__main__":
    main()
