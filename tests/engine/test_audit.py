"""Before vs after per matter and across matters, from the deployed models."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.audit import comparison as audit
from engine.catalog import versions as catalog
from engine.catalog.library import library_of
from engine.matters.files import find_matters
from engine.model.decisions import dmn_files_beside
from engine.model.loading import load_model
from engine.model.metrics import compare, static_metrics

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
MATTERS = {matter.id: matter for matter in find_matters(PROCESSES)}
# Every published figure of processes/ (matters without one publish nothing to reproduce, so they add no test).
PUBLISHED = [(matter_id, source) for matter_id, matter in sorted(MATTERS.items()) for source in matter.sources]


@pytest.fixture
def matters(ctx):
    return catalog.deploy_path(ctx, PROCESSES)


def test_every_deployed_matter_is_compared_with_its_sources(ctx, matters):
    comparisons = audit.matter_comparisons(ctx)
    assert {c.matter_id for c in comparisons} == {d.matter_id for d in matters if d.variant != "shared"}
    newborn = next(c for c in comparisons if c.matter_id == "newborn")
    assert (newborn.before["steps"], newborn.after["steps"]) == (16, 3)
    assert newborn.comparison == compare(newborn.before, newborn.after)
    assert any(s.figure == "trips" for s in newborn.sources)
    assert newborn.measured["before"]["cases"] == newborn.measured["after"]["cases"] == 0  # no case yet


def test_the_library_publishes_figures_to_reproduce():
    assert PUBLISHED, "no matter of processes/ cites a published figure"
    assert all(source.source.strip() and source.place.strip() for _, source in PUBLISHED)


@pytest.mark.parametrize("matter_id,source", PUBLISHED,
                         ids=[f"{m}-{s.variant}-{s.figure}" for m, s in PUBLISHED])
def test_the_published_figure_is_reproduced_by_the_model(matter_id, source):
    matter = MATTERS[matter_id]
    path = PROCESSES / matter_id / f"{source.variant}.bpmn"
    metrics = static_metrics(load_model(path.read_bytes(), str(path), matter=matter, decisions=dmn_files_beside(path),
                                    library=library_of([path])),
                             matter, source.variant)
    assert metrics[source.figure] == source.value


def test_the_comparisons_carry_and_reproduce_every_published_figure(ctx, matters):
    checked = []
    for comparison in audit.matter_comparisons(ctx):
        assert comparison.sources == MATTERS[comparison.matter_id].sources
        for source in comparison.sources:
            metrics = comparison.before if source.variant == "before" else comparison.after
            assert metrics[source.figure] == source.value, (comparison.matter_id, source.figure)
            checked.append((comparison.matter_id, source))
    assert checked == PUBLISHED


def test_portfolio_sums_counts_and_averages_days(ctx, matters):
    comparisons = audit.matter_comparisons(ctx)
    totals = audit.portfolio(ctx)
    steps = totals["metrics"]["steps"]
    assert steps["before"] == sum(c.before["steps"] for c in comparisons)
    assert steps["after"] == sum(c.after["steps"] for c in comparisons)
    assert steps["change"] == steps["after"] - steps["before"] and steps["how"] == "sum"
    assert totals["metrics"]["expected_days"]["how"] == "mean"
    assert len(totals["matters"]) == len(comparisons)


def test_no_matters_no_totals(ctx):
    assert audit.matter_comparisons(ctx) == []
    assert audit.portfolio(ctx) == {"matters": [], "metrics": {}, "version_regions": {}}
