"""The engine context's caches and script engine, shared by the threads of one process."""
from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

import pytest

from engine.caches import Memo
from engine.catalog import versions as catalog
from engine.context import EngineContext
from engine.model.loading import load_model
from engine.model.reading import next_steps

MODELS = Path(__file__).resolve().parent / "models"
THREADS = 8


def _together(work, count: int = THREADS) -> list:
    """Run `work(i)` in `count` threads released at the same moment; their results in order."""
    start, results, errors = threading.Barrier(count), [None] * count, []

    def run(i: int) -> None:
        try:
            start.wait()
            results[i] = work(i)
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return results


def test_threads_missing_the_same_key_at_once_all_get_the_first_stored_value():
    memo: Memo[str, object] = Memo()
    computing = threading.Barrier(THREADS)  # every thread is inside compute before any stores

    def compute() -> object:
        computing.wait()
        return object()

    results = _together(lambda i: memo.get_or_compute("key", compute))
    assert all(result is results[0] for result in results)
    assert memo.get("key") is results[0]


def test_a_stored_value_is_not_computed_again():
    memo: Memo[int, list[int]] = Memo()
    calls: list[int] = []
    first = memo.get_or_compute(1, lambda: calls.append(1) or [1])
    assert memo.get_or_compute(1, lambda: calls.append(2) or [2]) is first and calls == [1]
    assert memo.put(1, [3]) is first and memo.get(2) is None


def test_a_version_loaded_by_many_threads_is_one_model(ctx):
    deployed = catalog.deploy_path(ctx, MODELS / "parallel.bpmn")[0]
    with ctx.read() as session:
        version_id = catalog.current_version(session, deployed.matter_id, deployed.variant).id

    def load(_: int):
        with ctx.read() as session:
            model, _matter = catalog.loaded_version(ctx, session, version_id)
            return model, catalog.version_number(ctx, session, version_id)

    results = _together(load)
    assert all(model is results[0][0] for model, _ in results)
    assert {number for _, number in results} == {deployed.version}
    assert ctx.caches.versions.get(version_id)[0] is results[0][0]


def test_contexts_do_not_share_caches(sqlite_url):
    one, other = EngineContext.from_url(sqlite_url), EngineContext.from_url(sqlite_url)
    one.caches.version_numbers.put(1, 7)
    assert other.caches.version_numbers.get(1) is None and one.caches is not other.caches


def test_every_thread_sees_one_script_engine(sqlite_url):
    ctx = EngineContext.from_url(sqlite_url, script_time_limit=0.25)
    engines = _together(lambda i: ctx.script_engine)
    assert all(engine is engines[0] for engine in engines)
    assert engines[0].environment.time_limit == 0.25


def test_a_model_is_immutable_and_knows_its_flows():
    model = load_model((MODELS / "parallel.bpmn").read_bytes(), "parallel.bpmn")
    with pytest.raises(dataclasses.FrozenInstanceError):
        model.filename = "other.bpmn"
    assert not hasattr(model, "__dict__")  # nothing can hide a cache on a shared model
    flow = "//*[local-name()='sequenceFlow'][@sourceRef=$s][@targetRef=$t]"
    for source, targets in model.flows.items():
        for target in targets:
            assert model.root.xpath(flow, s=source, t=target)
    first = next(iter(model.steps))
    assert next_steps(model, first) and set(next_steps(model, first)) <= set(model.steps)
