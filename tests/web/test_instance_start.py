"""Processes starting together on a fresh instance folder (gunicorn's workers, `onething` commands) agree.

Both races were found by tests/web/test_crash.py and test_races.py: a worker failed to boot when another
moved its temporary .mo file away, and commands crashed with FileExistsError creating the secret key.
"""
from __future__ import annotations

import multiprocessing

from web.app import _persistent_secret
from web.translations import compiled_directory

PROCESSES = 8


def _start(instance: str, barrier, results) -> None:
    from pathlib import Path

    barrier.wait(30)
    try:
        compiled_directory(Path(instance))
        results.put(_persistent_secret(Path(instance)))
    except Exception as error:  # noqa: BLE001 - reported to the test, which fails on it
        results.put(f"{type(error).__name__}: {error}")


def test_processes_starting_together_share_one_key_and_compiled_translations(tmp_path):
    instance = tmp_path / "instance"
    fork = multiprocessing.get_context("fork")  # no new interpreter: the processes start within microseconds
    barrier, results = fork.Barrier(PROCESSES), fork.Queue()
    processes = [fork.Process(target=_start, args=(str(instance), barrier, results)) for _ in range(PROCESSES)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)
    keys = [results.get(timeout=5) for _ in processes]
    assert len(set(keys)) == 1 and len(keys[0]) == 64, keys
    assert (instance / "secret_key").read_text() == keys[0]
    assert sorted(p.name for p in instance.iterdir()) == ["secret_key", "translations"]  # no temporary file left
    assert all(mo.stat().st_size > 0 for mo in (instance / "translations").rglob("*.mo"))
    assert not list((instance / "translations").rglob("*.tmp"))
