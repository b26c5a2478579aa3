"""A matter only a region below the auditor's runs is in the auditor's figures (issue #13), on SQLite and PostgreSQL.

A province with city A (counties A1 and A2) and city B (county B1); newborn deployed at the root, and `local_birth`
deployed only in county lines (a county's own matter, or one it adopted and its city never did). The auditors of
city A and of the province read A1's and A2's cases, so their overview, portfolio and matter comparison include
the matter, as the county with the most real cases of it runs it (ties: the first in tree order), and say so; the
auditor of B1 does not see it. The printable report says so as the matter page does; the case list's matter filter
offers the matter to whoever reads A1's cases; the province view counts a county's reform as its city's view does.
"""
from __future__ import annotations

import io

import pytest

from engine.accounts.users import Actor
from engine.audit.comparison import audit_overview, matter_comparison, matter_comparisons, matter_detail, portfolio
from engine.audit.dashboard import matter_dashboard
from engine.audit.report_html import matter_report_html
from engine.audit.report_pdf import matter_report_pdf
from engine.cases import lifecycle as cases
from engine.catalog import versions as catalog
from engine.errors import MatterNotFound
from engine.matters.files import Names
from engine.regions.library import adopt_reform, publish_reform
from engine.regions.matter_lists import deployed_matter_names, readable_matters
from engine.regions.province import province_view
from engine.regions.tree import add_region, depth_first, list_regions, parents
from tests.engine.regions_scenario import PROCESSES, deploy_local
from tests.engine.test_reports import _pdf_text

CITY = Actor("auditor.city-a", "auditor", region="city-a")
PROVINCE = Actor("auditor", "auditor")
B1 = Actor("auditor.b1", "auditor", region="b1")
A1 = Actor("auditor.a1", "auditor", region="a1")
A2 = Actor("auditor.a2", "auditor", region="a2")
ADMIN = Actor("admin", "admin")
LOCAL = "local_birth"


@pytest.fixture
def tree(ctx):
    catalog.deploy_path(ctx, PROCESSES / "newborn")
    for region, parent, zh, en in (("city-a", "province", "甲市", "City A"), ("a1", "city-a", "甲一县", "County A1"),
                                   ("a2", "city-a", "甲二县", "County A2"), ("city-b", "province", "乙市", "City B"),
                                   ("b1", "city-b", "乙一县", "County B1")):
        add_region(ctx, region, parent, zh, en)


def _ids(comparisons):
    return [c.matter_id for c in comparisons]


def test_a_matter_only_a_county_runs_is_in_its_citys_and_the_provinces_figures(ctx, tree, tmp_path):
    deploy_local(ctx, tmp_path, "a1")
    for reader in (CITY, PROVINCE, None):
        overview = audit_overview(ctx, reader=reader)
        assert _ids(overview.comparisons) == [LOCAL, "newborn"], reader
        local = overview.comparisons[0]
        assert local.version_region == "a1" and local.version_region_names == Names("甲一县", "County A1")
        assert local.before and local.after and local.after_version == 1
        assert overview.comparisons[1].version_region is None  # the reader's region runs newborn itself
        assert LOCAL in overview.portfolio["matters"] and overview.portfolio["version_regions"] == {LOCAL: "a1"}
        assert LOCAL in {s.matter_id for s in overview.savings}
        assert portfolio(ctx, reader=reader) == overview.portfolio
        assert _ids(matter_comparisons(ctx, reader=reader)) == [LOCAL, "newborn"]
        one = matter_comparison(ctx, LOCAL, reader=reader)
        assert one.version_region == "a1" and b"<!-- a1 -->" in one.files["after"].data
    own = matter_comparison(ctx, LOCAL, reader=A1)
    assert own.version_region is None and own.version_region_names is None  # A1 runs it: nothing to say
    for outside in (B1, A2):  # another city's county, and a county beside A1 that runs nothing of it
        assert _ids(audit_overview(ctx, reader=outside).comparisons) == ["newborn"], outside.region
        assert LOCAL not in portfolio(ctx, reader=outside)["matters"]
        with pytest.raises(MatterNotFound):
            matter_comparison(ctx, LOCAL, reader=outside)
        with pytest.raises(MatterNotFound):
            matter_dashboard(ctx, LOCAL, reader=outside)
    with pytest.raises(MatterNotFound):  # the public matter page shows what the root runs, as before
        matter_detail(ctx, LOCAL)


def test_the_county_with_the_most_real_cases_gives_the_versions_ties_the_first_in_tree_order(ctx, tree, tmp_path):
    deploy_local(ctx, tmp_path, "a2")
    deploy_local(ctx, tmp_path, "a1")
    assert matter_comparison(ctx, LOCAL, reader=CITY).version_region == "a1"  # no case yet: a1 comes first
    for region in ("a2", "a2", "a1"):
        cases.start_case(ctx, LOCAL, "after", region=region)
    for _ in range(3):  # simulated cases are no demand: they do not choose
        cases.start_case(ctx, LOCAL, "after", region="a1", source="simulated")
    for reader in (CITY, PROVINCE):
        chosen = matter_comparison(ctx, LOCAL, reader=reader)
        assert chosen.version_region == "a2" and b"<!-- a2 -->" in chosen.files["after"].data
        board = matter_dashboard(ctx, LOCAL, reader=reader)
        assert board.comparison.version_region == "a2" and board.step_names  # the steps named from a2's model
    saving = {s.matter_id: s for s in audit_overview(ctx, reader=CITY).savings}[LOCAL]
    assert saving.cases_per_year == 3
    assert matter_comparison(ctx, LOCAL, reader=A1).version_region is None


def test_tree_order_is_the_region_lists(ctx, tree):
    with ctx.read() as session:
        tree_of = parents(session)
    assert depth_first(tree_of, "province") == [r.id for r in list_regions(ctx)] == \
        ["province", "city-a", "a1", "a2", "city-b", "b1"]
    assert depth_first(tree_of, "city-a") == ["city-a", "a1", "a2"]


NOTES = {"zh": "按甲一县运行的版本：您所查看的地区未运行此事项；在运行它的下辖地区中，该地区的真实办件最多。",
         "en": "The versions as County A1 runs them"}


def test_the_printable_report_names_the_county_whose_versions_it_shows(ctx, tree, tmp_path):
    deploy_local(ctx, tmp_path, "a1")
    for lang, note in NOTES.items():
        for reader in (CITY, PROVINCE, None):
            out = io.BytesIO()
            matter_report_html(ctx, out, LOCAL, lang=lang, actor=reader)
            assert note in out.getvalue().decode("utf-8"), (lang, reader)
        for reader, matter in ((A1, LOCAL), (CITY, "newborn")):  # A1 runs it; the city runs newborn itself
            out = io.BytesIO()
            matter_report_html(ctx, out, matter, lang=lang, actor=reader)
            assert "version-region" not in out.getvalue().decode("utf-8"), (lang, matter)
        out = io.BytesIO()
        matter_report_pdf(ctx, out, LOCAL, lang=lang, actor=CITY)
        text = "".join(_pdf_text(out.getvalue(), tmp_path).split())  # lines break anywhere: no spaces compared
        assert "".join(note.split()) in text, lang


def test_the_case_lists_matters_are_those_of_the_regions_whose_cases_the_reader_reads(ctx, tree, tmp_path):
    deploy_local(ctx, tmp_path, "a1")
    clerk = Actor("clerk.a1", "clerk", "health", region="a1")
    for reader in (clerk, A1, CITY, PROVINCE, ADMIN, None):
        found = {m.id: m for m in readable_matters(ctx, reader)}
        assert sorted(found) == [LOCAL, "newborn"], reader
        assert found[LOCAL].names == Names("本地出生一件事", "Local birth") and found[LOCAL].variants == \
            {"before": 1, "after": 1}
    for reader in (A2, B1, Actor("clerk.a2", "clerk", "health", region="a2"), Actor("clerk", "clerk", "health")):
        assert [m.id for m in readable_matters(ctx, reader)] == ["newborn"], reader
    assert deployed_matter_names(ctx) == {LOCAL: Names("本地出生一件事", "Local birth"),
                                          "newborn": Names("新生儿出生一件事", "Newborn birth")}


def test_the_province_counts_a_countys_reform_as_its_city_does(ctx, tree, tmp_path):
    """Not a defect (checked): the province view counts the leaf regions of the reader's subtree by their own
    `after` line, so a reform only counties of another city run counts at the root as in that city's view."""
    deploy_local(ctx, tmp_path, "b1")
    publish_reform(ctx, LOCAL, "b1", ADMIN)
    adopt_reform(ctx, LOCAL, "b1", "a2", ADMIN)
    adopted = {scope: {m.matter_id: (m.adopted, m.leaves) for m in province_view(ctx, scope=scope).matters}[LOCAL]
               for scope in ("province", "city-a", "city-b")}
    assert adopted == {"province": (2, 3), "city-a": (1, 2), "city-b": (1, 1)}
