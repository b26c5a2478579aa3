"""A designer cannot stall the checker: long models check in linear time up to a cap, beyond it are refused at once."""
from __future__ import annotations

import pytest

from bench.diagrams import model as chain  # a row of user tasks through five lanes, as bench/check.py times
from engine.errors import ModelError
from engine.model.loading import MAX_ELEMENTS, load_model


def test_a_long_chain_under_the_cap_loads():
    """SpiffWorkflow's parser recursed past Python's limit at about 490 tasks in a row."""
    model = load_model(chain(MAX_ELEMENTS - 2), "chain.bpmn")
    assert len(model.steps) == MAX_ELEMENTS - 2


@pytest.mark.parametrize("steps", [MAX_ELEMENTS - 1, 20_000])
def test_a_model_over_the_cap_is_refused_with_its_size(steps):
    with pytest.raises(ModelError) as caught:
        load_model(chain(steps), "chain.bpmn")
    (problem,) = caught.value.problems
    assert f"the model has {steps + 2:,} flow elements" in problem.message
    assert f"at most {MAX_ELEMENTS:,}" in problem.message
