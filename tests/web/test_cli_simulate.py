"""`onething simulate` at a terminal and in a pipe: progress, figures, the same figures for the same seed."""
from __future__ import annotations


def test_simulate_prints_progress_lines_and_repeats_its_figures(run):
    run("init-db")
    run("deploy")
    args = ("simulate", "newborn", "--variant", "after", "--cases", "10", "--seed", "4", "--start", "2025-09-22",
            "--arrivals", "5", "--clerks", "police=2")
    first = run(*args).stdout.splitlines()
    progress = [line for line in first if line.startswith("simulated ")]
    assert progress == [f"simulated {n}/10 cases" for n in range(1, 11)]
    assert "10 simulated cases of newborn/after (seed 4): 10 completed, 0 stuck" in first[10]
    assert "  police: 2 clerk(s), mean wait" in "\n".join(first)
    assert "cases/s" in first[-1]
    again = run(*args).stdout.splitlines()
    assert again[:-1] == first[:-1]  # all but the timing line


def test_simulate_refuses_unknown_departments_and_bad_clerks(run):
    run("init-db")
    run("deploy")
    unknown = run("simulate", "newborn", "--cases", "2", "--clerks", "mars=2", ok=False)
    assert unknown.stderr.startswith("error: no department mars")
    malformed = run("simulate", "newborn", "--cases", "2", "--clerks", "police", ok=False)
    assert "DEPT=N" in malformed.stderr
