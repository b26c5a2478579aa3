"""From a figure to its cases: filters, sorting and pages over the finished cases; distribution; slowest step."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from engine.accounts.users import Actor
from engine.audit.drilldown import CaseFilter, buckets, find_cases, slowest_step, working_days_distribution
from engine.cases import lifecycle as cases
from engine.cases.driving import drive_case
from engine.catalog import versions as catalog
from engine.errors import InputError

PROCESSES = Path(__file__).resolve().parents[2] / "processes"


@pytest.fixture
def finished(ctx, clock):
    """Five newborn cases: three 'before' at 30, 50 and 70 hours a step, two 'after' at 2 hours, one cancelled."""
    catalog.deploy_path(ctx, PROCESSES / "newborn")
    numbers = {}
    for variant, hours in (("before", 30), ("before", 50), ("before", 70), ("after", 2), ("after", 2)):
        number = cases.start_case(ctx, "newborn", variant).number

        def tick(hours: float = hours) -> bool:
            clock.advance(timedelta(hours=hours))
            return True

        assert drive_case(ctx, number, before_each=tick).view.status == "completed"
        numbers.setdefault(variant, []).append(number)
    cancelled = cases.start_case(ctx, "newborn", "after").number
    cases.cancel_case(ctx, cancelled, Actor("admin", "admin"), "withdrawn")
    numbers["cancelled"] = [cancelled]
    return numbers


def test_filters_sorting_and_pages(ctx, finished):
    every = find_cases(ctx, CaseFilter("newborn"))
    assert every.total == 6 and {r.number for r in every.rows} == {n for ns in finished.values() for n in ns}
    before = find_cases(ctx, CaseFilter("newborn", variant="before"), sort="working_days", descending=True)
    assert [r.number for r in before.rows] == list(reversed(finished["before"]))
    assert [r.working_days for r in before.rows] == sorted((r.working_days for r in before.rows), reverse=True)
    paged = find_cases(ctx, CaseFilter("newborn", variant="before"), sort="working_days", page=2, page_size=2)
    assert paged.total == 3 and paged.pages == 2 and [r.number for r in paged.rows] == [finished["before"][0]]
    assert [r.number for r in find_cases(ctx, CaseFilter("newborn", status="cancelled")).rows] == finished["cancelled"]
    assert find_cases(ctx, CaseFilter("newborn", source="simulated")).total == 0
    slow = find_cases(ctx, CaseFilter("newborn", min_workdays=before.rows[0].working_days))
    assert before.rows[0].number in {r.number for r in slow.rows}
    police = find_cases(ctx, CaseFilter("newborn", department="police"))
    assert 0 < police.total <= 5


def test_bad_filters_say_which_field(ctx):
    for kwargs, field in (({"source": "guess"}, "source"), ({"variant": "x"}, "variant"), ({"status": "x"}, "status")):
        with pytest.raises(InputError) as caught:
            find_cases(ctx, CaseFilter("newborn", **kwargs))
        assert field in caught.value.fields
    with pytest.raises(InputError):
        find_cases(ctx, CaseFilter("newborn"), sort="nope")


def test_distribution_buckets_and_the_step_that_held_a_case(ctx, finished):
    found = working_days_distribution(ctx, "newborn")
    assert sum(found["before"].values()) == 3 and sum(found["after"].values()) == 2
    labelled = buckets({0: 2, 1: 1, 2: 4, 7: 1, 45: 3})
    assert labelled[:3] == [("0", 2), ("1-2", 5), ("3-4", 0)] and labelled[-1] == ("40+", 3)
    assert sum(n for _, n in labelled) == 11
    slowest = slowest_step(ctx, finished["before"][-1])
    log = [e for e in cases.step_log(ctx, finished["before"][-1]) if e.event == "completed"]
    longest = max(log, key=lambda e: e.at - e.ready_at)
    assert slowest["step_id"] == longest.step_id
    assert slowest["hours"] == round((longest.at - longest.ready_at).total_seconds() / 3600, 2)
