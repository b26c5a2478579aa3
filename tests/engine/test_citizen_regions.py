"""Applying across the regions (issue #13, engine/citizen/offers.py): which matters are open, whose versions show
them, which counties handle them, and on whose version an application runs (SQLite and PostgreSQL)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.catalog import versions as catalog
from engine.citizen import applications as citizen
from engine.citizen.offers import offered_regions, open_matters
from engine.errors import InputError, MatterNotFound
from engine.matters.forms import example_data
from engine.regions.tree import add_region
from engine.store.tables import Case, ModelVersion
from tests.engine.regions_scenario import PHONE, PROCESSES, build, deploy_local

TREE = (("city-a", "province", "甲市", "City A"), ("county-a", "city-a", "甲县", "County A"),
        ("county-b", "city-a", "乙县", "County B"), ("city-z", "province", "丙市", "City Z"))


@pytest.fixture
def tree(ctx):
    """province ─ city-a ─ {county-a, county-b}; province ─ city-z (a city nothing is below)."""
    for region, parent, zh, en in TREE:
        add_region(ctx, region, parent, zh, en)


def _line(ctx, number: str) -> bytes:
    """The BPMN of the version the case runs."""
    with ctx.read() as session:
        return session.scalar(select(ModelVersion.bpmn).join(Case, Case.model_version_id == ModelVersion.id)
                              .where(Case.number == number))


def test_a_matter_only_a_county_runs_is_open_by_its_versions_in_that_county_only(ctx, tree, tmp_path):
    catalog.deploy_path(ctx, PROCESSES / "newborn")
    deploy_local(ctx, tmp_path, "county-b")
    assert [m.id for m in open_matters(ctx)] == ["local_birth", "newborn"]
    assert [r.id for r in offered_regions(ctx, "local_birth")] == ["county-b"]
    assert [r.id for r in offered_regions(ctx, "newborn")] == ["county-a", "county-b", "city-z"]
    page = citizen.application_form(ctx, "local_birth")
    assert page.regions == ("county-b",) and page.matter.names.en == "Local birth" and page.form is not None
    number = citizen.apply(ctx, "local_birth", example_data(page.form), PHONE, region="county-b")
    assert b"<!-- county-b -->" in _line(ctx, number)
    with pytest.raises(InputError) as refused:
        citizen.apply(ctx, "local_birth", example_data(page.form), PHONE, region="county-a")
    assert list(refused.value.fields) == ["region"]
    with pytest.raises(MatterNotFound):
        citizen.apply(ctx, "no_such_matter", {}, PHONE, region="county-a")
    with pytest.raises(MatterNotFound):
        citizen.application_form(ctx, "no_such_matter")


def test_the_portal_shows_the_roots_versions_when_the_root_runs_the_after_else_a_countys(ctx, tree, tmp_path):
    catalog.deploy_path(ctx, PROCESSES / "newborn")
    deploy_local(ctx, tmp_path, "county-a", matter_id="newborn")  # County A's own newborn, under other names
    assert [m.names.en for m in open_matters(ctx)] == ["Newborn birth"]
    assert citizen.application_form(ctx, "newborn", "county-a").matter.names.en == "Local birth"
    assert citizen.application_form(ctx, "newborn", "county-b").matter.names.en == "Newborn birth"


def test_a_matter_whose_after_only_a_county_runs_shows_that_countys(ctx, tree, tmp_path):
    catalog.deploy_path(ctx, PROCESSES / "newborn" / "before.bpmn")  # the province runs the old way only
    assert open_matters(ctx) == []  # nothing to apply for yet
    deploy_local(ctx, tmp_path, "county-b", matter_id="newborn")
    [shown] = open_matters(ctx)
    assert shown.id == "newborn" and shown.names.en == "Local birth" and "after" in shown.variants
    assert [r.id for r in offered_regions(ctx, "newborn")] == ["county-b"]


def test_an_application_runs_the_version_its_county_runs(ctx, tmp_path):
    build(ctx, tmp_path, simulated=False)  # xh's own after, bj adopted it; hz's other counties: none; nb: root's
    form = citizen.intake_form(ctx, "newborn", "xh")
    assert [r.id for r in offered_regions(ctx, "newborn")] == ["bj", "xh", "nb"]
    assert b"<!-- xh -->" in _line(ctx, citizen.apply(ctx, "newborn", example_data(form), PHONE, region="xh"))
    assert b"<!-- xh -->" not in _line(ctx, citizen.apply(ctx, "newborn", example_data(form), PHONE, region="nb"))
