"""Regions scope what staff see and do (issue #13), through the real engine on SQLite and PostgreSQL.

A province with two cities, city A with counties A1 and A2, city B with county B1. A clerk works and reads only
their own region's cases (another region's case is the CaseNotFound of a missing number); an auditor reads their
region and everything below it; admins every region, and may narrow a list to one region and what is below it.
"""
from __future__ import annotations

import pytest

from engine.accounts.users import Actor, add_user
from engine.cases import lifecycle as cases
from engine.cases.admin import incidents
from engine.cases.caselist import CaseQuery, list_cases
from engine.cases.done import done_by
from engine.cases.insight import case_model
from engine.cases.worklist import case_summary, step_detail, work_items
from engine.cases.worklist_query import WorklistFilter, worklist, worklist_facets
from engine.errors import CaseNotFound, InputError, NotFound, NotYourDepartment
from engine.regions.tree import add_region

APPLICANT = Actor.applicant()
ADMIN = Actor("root.admin", "admin")


@pytest.fixture
def tree(ctx):
    for region, parent, zh, en in (("city-a", "province", "甲市", "City A"), ("a1", "city-a", "甲一县", "County A1"),
                                   ("a2", "city-a", "甲二县", "County A2"), ("city-b", "province", "乙市", "City B"),
                                   ("b1", "city-b", "乙一县", "County B1")):
        add_region(ctx, region, parent, zh, en)


@pytest.fixture
def staff(ctx, deployed, tree):
    """Police clerks of A1 and B1, auditors of city A, of the province and of county B1."""
    return {"a1": add_user(ctx, "police.a1", "password1", "clerk", "police", region="a1"),
            "b1": add_user(ctx, "police.b1", "password1", "clerk", "police", region="b1"),
            "health.a1": add_user(ctx, "health.a1", "password1", "clerk", "health", region="a1"),
            "city_auditor": add_user(ctx, "audit.city-a", "password1", "auditor", region="city-a"),
            "root_auditor": add_user(ctx, "audit.province", "password1", "auditor"),
            "b1_auditor": add_user(ctx, "audit.b1", "password1", "auditor", region="b1")}


def applied_in(ctx, deployed, region):
    """A case of `region` whose applicant step is done: police's `register` and health's `certify` are ready."""
    number = cases.start_case(ctx, deployed.matter_id, deployed.variant, region=region).number
    return cases.complete_step(ctx, number, "apply", APPLICANT, {"delivery": "hospital", "child": "A"})


def test_a_clerk_of_county_a1_cannot_tell_county_b1s_case_from_a_missing_one(ctx, deployed, staff):
    theirs = applied_in(ctx, deployed, "b1")
    own = applied_in(ctx, deployed, "a1")
    clerk = staff["a1"]
    for attempt in (lambda n: case_summary(ctx, n, clerk), lambda n: step_detail(ctx, n, "register", clerk),
                    lambda n: cases.claim_step(ctx, n, "register", clerk),
                    lambda n: cases.complete_step(ctx, n, "register", clerk, {}),
                    lambda n: cases.cancel_case(ctx, n, clerk, "not mine"),
                    lambda n: cases.send_message(ctx, n, "anything", {}, actor=clerk),
                    lambda n: case_model(ctx, n, clerk)):
        with pytest.raises(CaseNotFound) as other:
            attempt(theirs.number)
        with pytest.raises(CaseNotFound) as missing:
            attempt("20260101-ZZZZZ")
        assert str(other.value).replace(theirs.number, "N") == str(missing.value).replace("20260101-ZZZZZ", "N")
    assert cases.get_case(ctx, theirs.number).version == theirs.version  # nothing changed
    assert case_summary(ctx, own.number, clerk).case.region == "a1"
    assert cases.claim_step(ctx, own.number, "register", clerk).claimed_by == "police.a1"
    view = cases.complete_step(ctx, own.number, "register", clerk, {})
    assert "register" not in {s.step_id for s in view.ready_steps}
    assert cases.complete_step(ctx, theirs.number, "register", staff["b1"], {}).number == theirs.number


def test_worklist_case_list_and_done_show_a_clerk_their_own_region_only(ctx, deployed, staff):
    a1, b1 = applied_in(ctx, deployed, "a1"), applied_in(ctx, deployed, "b1")
    province = applied_in(ctx, deployed, "province")
    clerk = staff["a1"]
    page = worklist(ctx, WorklistFilter(department="police", reader=clerk))
    assert [e.item.case_number for e in page.entries] == [a1.number] and page.total == 1
    facets = worklist_facets(ctx, "police", clerk)
    assert facets.total == 1
    assert {e.item.case_number for e in work_items(ctx, "police", region="a1")} == {a1.number}
    assert [r.number for r in list_cases(ctx, clerk).rows] == [a1.number]
    assert list_cases(ctx, clerk).rows[0].region == "a1"
    # a clerk asking for another region gets nothing of it (their reach, narrowed)
    assert worklist(ctx, WorklistFilter(department="police", reader=clerk, region="b1")).total == 0
    assert list_cases(ctx, clerk, CaseQuery(region="city-b")).total == 0
    cases.complete_step(ctx, a1.number, "register", clerk, {})
    cases.complete_step(ctx, b1.number, "register", staff["b1"], {})
    assert [e.case_number for e in done_by(ctx, "police.a1", region="a1").entries] == [a1.number]
    assert done_by(ctx, "police.a1", region="b1").total == 0
    everything = worklist(ctx, WorklistFilter(department="health"))  # the operator (no reader): every region
    assert {e.item.case_number for e in everything.entries} == {a1.number, b1.number, province.number}


def test_an_auditor_reads_their_region_and_below_and_the_root_auditor_everything(ctx, deployed, staff):
    a1, a2 = applied_in(ctx, deployed, "a1"), applied_in(ctx, deployed, "a2")
    b1, city = applied_in(ctx, deployed, "b1"), applied_in(ctx, deployed, "city-a")
    auditor = staff["city_auditor"]
    assert {r.number for r in list_cases(ctx, auditor).rows} == {a1.number, a2.number, city.number}
    assert case_summary(ctx, a2.number, auditor).case.number == a2.number
    with pytest.raises(CaseNotFound):
        case_summary(ctx, b1.number, auditor)
    assert {r.number for r in list_cases(ctx, auditor, CaseQuery(region="a2")).rows} == {a2.number}
    assert {r.number for r in list_cases(ctx, staff["b1_auditor"]).rows} == {b1.number}
    with pytest.raises(CaseNotFound):
        case_summary(ctx, city.number, staff["b1_auditor"])  # above their region: not theirs either
    assert list_cases(ctx, staff["root_auditor"]).total == 4
    assert case_summary(ctx, b1.number, staff["root_auditor"]).case.region == "b1"


def test_an_admin_sees_every_region_and_filters_by_one_and_what_is_below_it(ctx, deployed, staff):
    a1, a2, b1 = (applied_in(ctx, deployed, r) for r in ("a1", "a2", "b1"))
    assert list_cases(ctx, ADMIN).total == 3
    assert {r.number for r in list_cases(ctx, ADMIN, CaseQuery(region="city-a")).rows} == {a1.number, a2.number}
    assert {e.item.case_number for e in worklist(ctx, WorklistFilter(department="police", reader=ADMIN,
                                                                      region="b1")).entries} == {b1.number}
    assert worklist_facets(ctx, None, ADMIN, "city-a").total == 4  # two cases, two ready steps each
    assert incidents(ctx, ADMIN, region="b1") == []
    with pytest.raises(InputError, match="no region 'atlantis'"):
        list_cases(ctx, ADMIN, CaseQuery(region="atlantis"))
    with pytest.raises(InputError, match="no region 'atlantis'"):
        worklist(ctx, WorklistFilter(reader=ADMIN, region="atlantis"))


def test_a_clerk_starts_cases_in_their_own_region_only(ctx, deployed, staff):
    view = cases.start_case(ctx, deployed.matter_id, deployed.variant, actor=staff["a1"])
    assert view.region == "a1"
    assert cases.start_case(ctx, deployed.matter_id, deployed.variant, actor=staff["a1"], region="a1").region == "a1"
    with pytest.raises(NotYourDepartment, match="works in region 'a1', not in 'b1'"):
        cases.start_case(ctx, deployed.matter_id, deployed.variant, actor=staff["a1"], region="b1")
    assert cases.start_case(ctx, deployed.matter_id, deployed.variant, actor=ADMIN, region="b1").region == "b1"
    with pytest.raises(InputError, match="no region 'atlantis'"):
        cases.start_case(ctx, deployed.matter_id, deployed.variant, actor=ADMIN, region="atlantis")


def test_an_admin_reassigns_a_step_only_to_a_clerk_of_the_cases_region(ctx, deployed, staff):
    b1 = applied_in(ctx, deployed, "b1")
    with pytest.raises(InputError, match="works in region 'a1'") as refused:
        cases.reassign_step(ctx, b1.number, "register", ADMIN, "police.a1")
    assert "clerk" in refused.value.fields
    assert cases.reassign_step(ctx, b1.number, "register", ADMIN, "police.b1").claimed_by == "police.b1"


def test_an_account_in_an_unknown_region_is_refused(ctx, deployed, tree):
    with pytest.raises(InputError, match="no region 'atlantis'"):
        add_user(ctx, "police.x", "password1", "clerk", "police", region="atlantis")
    with pytest.raises(NotFound):
        cases.step_log(ctx, "20260101-ZZZZZ")


def test_an_auditor_exports_and_drills_into_the_ended_cases_of_their_region_and_below_only(ctx, deployed, staff):
    import io

    from engine.audit.exports import export_step_log_csv
    from engine.cases.driving import drive_case

    ended = {}
    for region in ("a1", "a2", "b1"):
        number = applied_in(ctx, deployed, region).number
        assert drive_case(ctx, number).view.status == "completed"  # as clerks of the case's region
        ended[region] = number

    def exported(actor):
        out = io.BytesIO()
        export_step_log_csv(ctx, out, deployed.matter_id, actor=actor)
        return {line.split(",")[0] for line in out.getvalue().decode().splitlines()[1:]}

    assert exported(staff["city_auditor"]) == {ended["a1"], ended["a2"]}
    assert exported(staff["b1_auditor"]) == {ended["b1"]}
    assert exported(staff["root_auditor"]) == set(ended.values())

    from engine.audit.drilldown import CaseFilter, find_cases

    def drilled(actor):
        return {row.number for row in find_cases(ctx, CaseFilter(deployed.matter_id), reader=actor).rows}

    assert drilled(staff["city_auditor"]) == {ended["a1"], ended["a2"]}
    assert drilled(staff["root_auditor"]) == drilled(None) == set(ended.values())


def test_an_admins_reassign_choices_are_the_clerks_of_the_cases_region(ctx, deployed, staff):
    """Worklist entries carry their case's region, and the clerks are grouped by region and department, so the
    admin's list offers a step of A1's case to A1's police clerks only (reassign_step refuses the others)."""
    from engine.accounts.users import department_clerks

    numbers = {region: applied_in(ctx, deployed, region).number for region in ("a1", "b1")}
    entries = worklist(ctx, WorklistFilter(department="police", reader=ADMIN)).entries
    assert {e.item.case_number: e.region for e in entries} == {n: r for r, n in numbers.items()}
    clerks = department_clerks(ctx)
    assert clerks["a1"] == {"police": ["police.a1"], "health": ["health.a1"]}
    assert clerks["b1"] == {"police": ["police.b1"]}
    for entry in entries:
        for name in clerks[entry.region][entry.item.department]:
            assert cases.reassign_step(ctx, entry.item.case_number, entry.item.task_id, ADMIN, name).claimed_by == name
