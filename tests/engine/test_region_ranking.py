"""Metrics by region (issue #13 items 3, 4): the region filter of measured metrics, the ranking, compare --by-region
and the province view, on real and simulated cases in several regions (SQLite and PostgreSQL)."""
from __future__ import annotations

import statistics
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from engine.audit.comparison import cached_static_metrics
from engine.audit.measured import measured_metrics
from engine.catalog import designer
from engine.errors import InputError, MatterNotFound
from engine.model.metrics import compare
from engine.regions.adoption import adoption_states
from engine.regions.by_region import compare_by_region
from engine.regions.province import province_view
from engine.regions.ranking import region_ranking
from engine.regions.running import running_versions
from engine.regions.tree import parents
from engine.store.tables import Case
from engine.store.tables_audit import FinishedCase
from engine.store.tables_citizen import CaseRating
from tests.engine.regions_scenario import REGIONS, build

ALL = ("province", *REGIONS)


@pytest.fixture
def province(ctx, tmp_path):
    return build(ctx, tmp_path)


def _summaries(ctx, **where):
    with ctx.read() as session:
        rows = session.execute(select(FinishedCase.__table__)).all()
    return [r for r in rows if all(getattr(r, k) == v for k, v in where.items())]


def _quantile(values, fraction):
    if len(values) == 1:
        return values[0]
    return statistics.median(values) if fraction == 0.5 else \
        statistics.quantiles(values, n=10, method="inclusive")[8]


def _static(ctx, region):
    with ctx.read() as session:
        return {v: cached_static_metrics(ctx, model, matter, v)
                for v, (model, matter) in designer.current_models(ctx, session, "newborn", region).items()}


def test_a_region_filter_selects_the_cases_handled_in_that_region_only(ctx, province):
    for region in ALL:
        for variant in ("before", "after"):
            rows = _summaries(ctx, region=region, variant=variant, source="simulated")
            figures = measured_metrics(ctx, "newborn", source="simulated", region=region)[variant]
            assert figures["cases"] == len(rows), (region, variant)
            if rows:
                days = sorted(float(r.elapsed_workdays) for r in rows)
                assert figures["working_days"]["median"] == pytest.approx(_quantile(days, 0.5), abs=0.006)
                assert figures["working_days"]["p90"] == pytest.approx(_quantile(days, 0.9), abs=0.006)
                assert figures["trips_per_case"] == pytest.approx(statistics.fmean(r.trips for r in rows), abs=0.006)
                assert sum(s["count"] for s in figures["steps"]) == sum(r.steps for r in rows)
    every = measured_metrics(ctx, "newborn", source="simulated")  # the running totals, all regions
    assert every["after"]["cases"] == sum(measured_metrics(ctx, "newborn", source="simulated", region=r)["after"]
                                          ["cases"] for r in ALL) == 18
    assert measured_metrics(ctx, "newborn", source="simulated", region="hz")["before"]["cases"] == 0  # not its subtree
    with pytest.raises(InputError) as unknown:
        measured_metrics(ctx, "newborn", region="atlantis")
    assert "atlantis" in unknown.value.message


def test_the_versions_each_region_runs_are_the_designers(ctx, province):
    with ctx.read() as session:
        runs = running_versions(session, ["newborn"], parents(session), ALL)["newborn"]
        for region in ALL:
            assert {v: r.version_id for v, r in runs[region].items()} == \
                designer.current_version_ids(session, "newborn", region), region
    assert (runs["xh"]["after"].line, runs["bj"]["after"].line, runs["nb"]["after"].line) == ("xh", "bj", "province")


def test_the_ranking_shows_what_measured_metrics_gives_for_each_regions_cases(ctx, province):
    ranking = region_ranking(ctx, "newborn", source="real", sort="region")
    assert [row.region for row in ranking.rows] == ["province", "hz", "bj", "xh", "nb"]  # the tree's order
    assert ranking.names.en == "Newborn birth"
    states = adoption_states(ctx, "newborn")
    assert {row.region: row.adoption for row in ranking.rows} == {r: states[r] for r in ALL}
    assert (states["xh"], states["bj"], states["hz"], states["province"]) == ("published", "adopted", "before", "own")
    for source in ("real", "simulated"):
        for row in region_ranking(ctx, "newborn", source=source).rows:
            plain = measured_metrics(ctx, "newborn", source=source, region=row.region)
            for variant in ("before", "after"):
                mine, theirs = row.measured[variant], plain[variant]
                assert (mine.cases, mine.completed, mine.median_days, mine.p90_days, mine.on_time_rate) == (
                    theirs["cases"], theirs["completed"], theirs["working_days"]["median"],
                    theirs["working_days"]["p90"], theirs["on_time_rate"]), (source, row.region, variant)
            cases = plain["before"]["cases"] + plain["after"]["cases"]
            assert row.cases == cases
            assert row.after_share == (round(plain["after"]["cases"] / cases, 4) if cases else None)
            static = _static(ctx, row.region)
            assert row.variant == "after" and row.static == {k: static["after"][k] for k in ("steps", "trips",
                                                                                           "materials")}
    bj = next(row for row in ranking.rows if row.region == "bj")
    assert (bj.measured["after"].rating, bj.measured["after"].rated, bj.measured["before"].rated) == (4, 1, 0)
    assert (bj.version, bj.line, bj.cases) == (1, "bj", 4)


def test_the_ranking_sorts_best_first_and_keeps_to_the_readers_subtree(ctx, province):
    ranking = region_ranking(ctx, "newborn", source="simulated", sort="median_days")
    medians = [row.shown.median_days for row in ranking.rows]
    known = [m for m in medians if m is not None]
    assert known == sorted(known) and medians[len(known):] == [None] * (len(medians) - len(known))
    assert [row.rank for row in ranking.rows] == list(range(1, len(ALL) + 1))
    worst_first = region_ranking(ctx, "newborn", source="simulated", sort="median_days", order="desc")
    assert [r.shown.median_days for r in worst_first.rows][:len(known)] == sorted(known, reverse=True)
    shares = [r.after_share for r in region_ranking(ctx, "newborn", source="simulated", sort="after_share").rows]
    assert shares[:2] == [1, 0.625]  # bj: all after; xh: 10 of 16
    city = region_ranking(ctx, "newborn", scope="hz", source="simulated", sort="region")
    assert [row.region for row in city.rows] == ["hz", "bj", "xh"]
    reversed_city = region_ranking(ctx, "newborn", scope="hz", sort="region", order="desc")
    assert [row.region for row in reversed_city.rows] == ["xh", "bj", "hz"] and reversed_city.descending
    assert region_ranking(ctx, "newborn", scope="xh").rows[0].region == "xh"
    for bad in ({"sort": "loudness"}, {"order": "sideways"}, {"source": "rumour"}, {"scope": "atlantis"},
                {"since": date(2026, 5, 2), "until": date(2026, 5, 1)}, {"since": date.min}, {"until": date.max}):
        with pytest.raises(InputError):
            region_ranking(ctx, "newborn", **bad)
    with pytest.raises(MatterNotFound):
        region_ranking(ctx, "nothing_like_it")


def test_compare_by_region_is_compare_filtered_per_region(ctx, province):
    with ctx.read() as session:
        day = session.scalars(select(FinishedCase.finished_at).order_by(FinishedCase.finished_at)).all()
    since = (day[len(day) // 3] + timedelta(hours=8)).date()  # a window that leaves some cases out
    for window in ({}, {"since": since}, {"since": since, "until": since + timedelta(days=30)}):
        result = compare_by_region(ctx, "newborn", source="simulated", **window)
        assert set(result) == {"matter", "regions"} and list(result["regions"]) == ["province", "hz", "bj", "xh",
                                                                                     "nb"]
        for region, figures in result["regions"].items():
            assert set(figures) == {"static", "measured"}
            assert figures["measured"] == measured_metrics(ctx, "newborn", source="simulated", region=region,
                                                           **window)
            static = _static(ctx, region)
            assert figures["static"] == compare(static["before"], static["after"])
    assert compare_by_region(ctx, "newborn", scope="hz")["regions"].keys() == {"hz", "xh", "bj"}
    with pytest.raises(MatterNotFound):
        compare_by_region(ctx, "nothing_like_it")


def test_the_province_view_sums_the_regions_savings(ctx, province):
    view = province_view(ctx, source="real")
    (newborn,) = [m for m in view.matters if m.matter_id == "newborn"]
    assert (newborn.leaves, newborn.adopted) == (3, 2)  # bj, xh, nb: xh published, bj adopted
    assert newborn.states["published"] == newborn.states["adopted"] == 1 and newborn.states["before"] == 1
    with ctx.read() as session:
        started = session.execute(select(Case.region, Case.variant, Case.started_at).where(Case.source == "real")).all()
        ratings = session.scalars(select(CaseRating.score)).all()
    year_ago = ctx.clock.now() - timedelta(days=365)
    recent = [r for r in started if r.started_at >= year_ago]
    assert len(started) == len(recent) + 1 and ratings == [4]  # the old nb case is outside the year
    assert newborn.cases_per_year == len(recent) == sum(r.cases_per_year for r in newborn.regions) == 4
    assert newborn.after_cases_per_year == sum(1 for r in recent if r.variant == "after") == 3
    bj = next(r for r in newborn.regions if r.region == "bj")
    completed = {v: [r for r in _summaries(ctx, region="bj", source="real", variant=v, status="completed")]
                 for v in ("before", "after")}
    days = {v: statistics.median(float(r.elapsed_workdays) for r in rows) for v, rows in completed.items()}
    trips = {v: statistics.fmean(r.trips for r in rows) for v, rows in completed.items()}
    assert bj.basis == "measured" and bj.days_saved_per_case == pytest.approx(days["before"] - days["after"])
    assert bj.trips_saved_per_case == pytest.approx(trips["before"] - trips["after"])
    assert bj.days_saved_per_year == pytest.approx((days["before"] - days["after"]) * 3)
    nb = next(r for r in newborn.regions if r.region == "nb")
    static = _static(ctx, "nb")
    assert nb.basis == "model" and nb.trips_saved_per_case == static["before"]["trips"] - static["after"]["trips"]
    assert (nb.cases_per_year, nb.after_cases_per_year, nb.days_saved_per_year) == (0, 0, 0)
    assert newborn.days_saved_per_year == pytest.approx(sum(r.days_saved_per_year or 0 for r in newborn.regions))
    assert newborn.days_saved_per_case == pytest.approx(newborn.days_saved_per_year / 3, abs=0.01)
    assert view.matters[0].matter_id == "newborn"  # the only matter with cases: the most demanded first
    simulated = next(m for m in province_view(ctx, source="simulated").matters if m.matter_id == "newborn")
    assert simulated.cases_per_year == 36 and simulated.after_cases_per_year == 18
    county = province_view(ctx, scope="xh", source="simulated")
    (mine,) = [m for m in county.matters if m.matter_id == "newborn"]
    assert [r.region for r in mine.regions] == ["xh"] and (mine.leaves, mine.adopted, mine.cases_per_year) == (1, 1, 16)
    with pytest.raises(InputError):
        province_view(ctx, scope="atlantis")
