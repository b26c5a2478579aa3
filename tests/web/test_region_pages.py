"""Regions in the web (issue #13): a clerk of county A is outside county B's cases on the pages, the API and the
command line; admins filter by region; the regions page and API; the header's region; the applicant's county."""
from __future__ import annotations

import re

import pytest

from engine.accounts.users import add_user
from engine.cases import lifecycle as cases
from engine.citizen import applications as citizen
from engine.matters.forms import contact_field, example_data
from engine.regions.tree import add_region, list_regions
from tests.web.conftest import PASSWORD
from web.cli import cli

ENGLISH = {"Accept-Language": "en"}
PHONE = "13900007000"


@pytest.fixture
def counties(ctx):
    """City A with counties A and B; a police clerk in each county and an auditor of the city."""
    add_region(ctx, "city-a", "province", "甲市", "City A")
    add_region(ctx, "county-a", "city-a", "甲县", "County A")
    add_region(ctx, "county-b", "city-a", "乙县", "County B")
    add_region(ctx, "city-z", "province", "丙市", "City Z")
    add_user(ctx, "police.a", PASSWORD, "clerk", "police", region="county-a")
    add_user(ctx, "police.b", PASSWORD, "clerk", "police", region="county-b")
    add_user(ctx, "auditor.city-a", PASSWORD, "auditor", region="city-a")
    add_user(ctx, "auditor.city-z", PASSWORD, "auditor", region="city-z")


def newborn_in(ctx, region: str) -> str:
    """A newborn case the applicant filed in `region`: the police's register_birth is ready."""
    return citizen.apply(ctx, "newborn", example_data(citizen.intake_form(ctx, "newborn")), PHONE, region=region)


def task_of(ctx, number: str) -> str:
    return next(i.task_id for i in cases.get_case(ctx, number).ready_steps if i.step_id == "register_birth")


def test_a_clerk_of_county_a_gets_404_on_county_bs_case_pages_and_sees_their_own(client, login, ctx, counties):
    theirs, own = newborn_in(ctx, "county-b"), newborn_in(ctx, "county-a")
    token = login("police.a")
    task = task_of(ctx, theirs)
    for response in (client.get(f"/cases/{theirs}"), client.get(f"/work/{theirs}/{task}"),
                     client.get(f"/cases/{theirs}/bpmn"),
                     client.post(f"/work/{theirs}/{task}/claim", data={"csrf_token": token}),
                     client.post(f"/work/{theirs}/{task}/complete", data={"csrf_token": token,
                                                                         "expected_version": "1"})):
        assert response.status_code == 404, response.request.path
    missing = client.get("/cases/20260101-ZZZZZ", headers=ENGLISH).get_data(as_text=True)
    other = client.get(f"/cases/{theirs}", headers=ENGLISH).get_data(as_text=True)
    assert other.replace(theirs, "N") == missing.replace("20260101-ZZZZZ", "N")
    assert task_of(ctx, theirs) and next(i for i in cases.get_case(ctx, theirs).ready_steps).claimed_by is None
    worklist = client.get("/worklist").get_data(as_text=True)
    assert own in worklist and theirs not in worklist
    listed = client.get("/cases").get_data(as_text=True)
    assert f'href="/cases/{own}"' in listed and theirs not in listed
    assert client.get(f"/cases/{own}").status_code == 200
    assert client.post(f"/work/{own}/{task_of(ctx, own)}/claim", data={"csrf_token": token}).status_code == 302


def test_the_api_answers_a_clerk_of_county_a_as_for_a_missing_case(client, login, ctx, counties):
    theirs, own = newborn_in(ctx, "county-b"), newborn_in(ctx, "county-a")
    headers = {"X-CSRF-Token": login("police.a")}
    for response in (client.get(f"/api/cases/{theirs}"), client.get(f"/api/cases/{theirs}/steps"),
                     client.post(f"/api/cases/{theirs}/steps/register_birth/claim", json={}, headers=headers),
                     client.post(f"/api/cases/{theirs}/steps/register_birth/complete", json={"data": {}},
                                 headers=headers),
                     client.post(f"/api/cases/{theirs}/cancel", json={"reason": "x"}, headers=headers)):
        assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    assert [r["number"] for r in client.get("/api/cases").get_json()["rows"]] == [own]
    assert client.get("/api/cases").get_json()["rows"][0]["region"] == "county-a"
    assert [i["case_number"] for i in client.get("/api/worklist").get_json()["items"]] == [own]
    assert client.get(f"/api/cases/{own}").get_json()["region"] == "county-a"
    assert client.get("/api/session").get_json()["actor"]["region"] == "county-a"
    started = client.post("/api/cases", json={"matter_id": "newborn"}, headers=headers)
    assert started.status_code == 201 and started.get_json()["region"] == "county-a"


def test_the_command_line_refuses_a_clerk_of_county_a_county_bs_case(app, ctx, counties):
    theirs = newborn_in(ctx, "county-b")
    runner = app.test_cli_runner()
    for verb in ("claim", "complete"):
        refused = runner.invoke(cli, ["case", verb, theirs, "register_birth", "--as", "police.a"])
        assert refused.exit_code == 1 and f"no case '{theirs}'" in refused.stderr, refused.stderr
    claimed = runner.invoke(cli, ["case", "claim", theirs, "register_birth", "--as", "police.b"])
    assert claimed.exit_code == 0 and "claimed by police.b" in claimed.output
    own = newborn_in(ctx, "county-a")
    listed = runner.invoke(cli, ["case", "steps", "--department", "police", "--region", "county-a"]).output
    assert own in listed and theirs not in listed


def test_user_add_refuses_an_unknown_region_and_takes_a_known_one(app, ctx, counties):
    runner = app.test_cli_runner()
    refused = runner.invoke(cli, ["user", "add", "police.x", "--role", "clerk", "--department", "police",
                                  "--region", "atlantis", "--password", PASSWORD])
    assert refused.exit_code == 1, refused.output
    assert refused.stderr.startswith("error: ") and "no region 'atlantis'" in refused.stderr
    assert "county-a" in refused.stderr and "Traceback" not in refused.stderr  # the known ones are named
    added = runner.invoke(cli, ["user", "add", "police.y", "--role", "clerk", "--department", "police",
                                "--region", "county-b", "--password", PASSWORD])
    assert added.exit_code == 0, added.stderr


def test_an_auditor_of_a_city_reads_its_counties_and_not_another_citys(client, login, ctx, counties):
    a, b, z = newborn_in(ctx, "county-a"), newborn_in(ctx, "county-b"), newborn_in(ctx, "city-z")
    login("auditor.city-a")
    listed = client.get("/cases").get_data(as_text=True)
    assert a in listed and b in listed and z not in listed
    assert client.get(f"/cases/{b}").status_code == 200 and client.get(f"/cases/{z}").status_code == 404
    assert {r["number"] for r in client.get("/api/cases").get_json()["rows"]} == {a, b}


def test_an_admin_sees_every_region_and_filters_by_one(client, login, ctx, counties):
    a, b = newborn_in(ctx, "county-a"), newborn_in(ctx, "county-b")
    login("admin")
    listed = client.get("/cases", headers=ENGLISH).get_data(as_text=True)
    assert a in listed and b in listed
    assert re.search(r'<select name="region">.*<option value="county-b"\s*>[^<]*County B</option>', listed, re.S)
    only_b = client.get("/cases?region=county-b", headers=ENGLISH).get_data(as_text=True)
    assert b in only_b and a not in only_b and "<td>County B</td>" in only_b
    assert "乙县" in client.get("/cases", headers={"Accept-Language": "zh"}).get_data(as_text=True)
    work = client.get("/worklist?region=county-a").get_data(as_text=True)
    assert a in work and b not in work and '<option value="county-a" selected>' in work
    assert {i["case_number"] for i in client.get("/api/worklist?region=city-a").get_json()["items"]} >= {a, b}
    assert [r["number"] for r in client.get("/api/cases?region=county-b").get_json()["rows"]] == [b]
    unknown = client.get("/api/cases?region=atlantis")
    assert unknown.status_code == 422 and "atlantis" in unknown.get_json()["error"]["message"]


def test_the_header_names_the_signed_in_users_region(client, login, ctx, counties):
    login("police.b")
    page = client.get("/worklist", headers=ENGLISH).get_data(as_text=True)
    assert re.search(r'class="who">police\.b · Clerk · [^<]+ · <span class="region">County B</span>', page)


def test_the_header_shows_no_region_while_there_is_only_the_root(client, login):
    login("clerk.police")
    assert 'class="region"' not in client.get("/worklist").get_data(as_text=True)


def test_the_regions_page_lists_adds_and_renames(client, login, ctx, counties):
    token = login("admin")
    page = client.get("/regions", headers=ENGLISH).get_data(as_text=True)
    assert "County B" in page and "City A" in page and "County or district" in page
    assert '<option value="county-a"' not in page.split('id="r-parent"')[1].split("</select>")[0]  # nothing below
    added = client.post("/regions", data={"csrf_token": token, "id": "county-c", "parent": "city-a",
                                          "name_zh": "丙县", "name_en": "County C"})
    assert added.status_code == 302
    assert any(r.id == "county-c" and r.parent_id == "city-a" and r.level == "county" for r in list_regions(ctx))
    bad = client.post("/regions", headers=ENGLISH, data={"csrf_token": token, "id": "Bad Id", "parent": "city-a",
                                                         "name_zh": "", "name_en": "x"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'id="id-error"' in html and 'id="name_zh-error"' in html
    assert 'value="Bad Id"' in html  # what was typed stays
    below = client.post("/regions", data={"csrf_token": token, "id": "x", "parent": "county-a", "name_zh": "某",
                                          "name_en": "X"})
    assert below.status_code == 422  # nothing below a county
    renamed = client.post("/regions/county-a", data={"csrf_token": token, "name_zh": "甲区", "name_en": "District A"})
    assert renamed.status_code == 302
    assert "District A" in client.get("/regions", headers=ENGLISH).get_data(as_text=True)
    assert client.post("/regions/atlantis", data={"csrf_token": token, "name_zh": "a", "name_en": "b"}
                       ).status_code == 404


def test_the_regions_api(client, login, ctx, counties):
    headers = {"X-CSRF-Token": login("admin")}
    listed = client.get("/api/regions").get_json()
    assert [r["id"] for r in listed][:3] == ["province", "city-a", "county-a"]
    assert listed[2] == {"id": "county-a", "parent_id": "city-a", "level": "county",
                         "names": {"zh": "甲县", "en": "County A"}, "depth": 2}
    added = client.post("/api/regions", json={"id": "county-c", "parent": "city-z", "name_zh": "丁县",
                                              "name_en": "County C"}, headers=headers)
    assert added.status_code == 201 and added.get_json()["level"] == "county"
    again = client.post("/api/regions", json={"id": "county-c", "parent": "city-z", "name_zh": "丁县",
                                              "name_en": "County C"}, headers={**headers, "Accept-Language": "en"})
    assert again.status_code == 422 and "exists already" in again.get_json()["error"]["message"]
    in_chinese = client.post("/api/regions", json={"id": "county-c", "parent": "city-z", "name_zh": "丁县",
                                                   "name_en": "County C"}, headers={**headers, "Accept-Language": "zh"})
    assert in_chinese.get_json()["error"]["message"] == "地区“county-c”已存在"
    missing = client.post("/api/regions", json={"id": "county-d", "name_zh": "a", "name_en": "b"}, headers=headers)
    assert missing.status_code in (400, 422) and "parent" in str(missing.get_json()["error"])
    renamed = client.post("/api/regions/county-c", json={"name_zh": "丁区", "name_en": "District C"},
                          headers=headers)
    assert renamed.status_code == 200 and renamed.get_json()["names"] == {"zh": "丁区", "en": "District C"}
    assert client.post("/api/regions/atlantis", json={"name_zh": "a", "name_en": "b"},
                       headers=headers).status_code == 404
    paths = client.get("/api/openapi.json").get_json()["paths"]
    assert {"get", "post"} <= set(paths["/api/regions"]) and "post" in paths["/api/regions/{region_id}"]


def test_the_applicant_chooses_the_county_that_handles_the_case(client, ctx, counties):
    page = client.get("/apply/newborn", headers=ENGLISH).get_data(as_text=True)
    choices = re.findall(r'<option value="([^"]*)"', page.split('id="f-region"')[1].split("</select>")[0])
    assert choices == ["", "county-a", "county-b", "city-z"]  # the regions nothing is below
    assert "City A · County B" in page
    client.get("/apply/newborn")
    with client.session_transaction() as session:
        token = session["csrf"]
    form = {k: ("yes" if v is True else "no" if v is False else str(v))
            for k, v in example_data(citizen.intake_form(ctx, "newborn")).items()}
    unchosen = client.post("/apply/newborn", data={**form, "csrf_token": token}, headers=ENGLISH)
    assert unchosen.status_code == 422 and 'id="f-region-error"' in unchosen.get_data(as_text=True)
    wrong = client.post("/apply/newborn", data={**form, "region": "city-a", "csrf_token": token})
    assert wrong.status_code == 422  # a city is not where an application is handled
    chosen = client.post("/apply/newborn", data={**form, "region": "county-b", "csrf_token": token})
    assert chosen.status_code == 302
    with client.session_transaction() as session:
        number = session["applied"]
    assert cases.get_case(ctx, number).region == "county-b"
    phone = form[contact_field(citizen.intake_form(ctx, "newborn")).name]  # the form's own contact phone
    assert citizen.lookup(ctx, number, phone[-4:], "-").number == number  # the lookup does not ask for the region


def test_with_only_the_root_the_applicant_is_not_asked_and_the_root_handles_it(client, ctx):
    page = client.get("/apply/newborn").get_data(as_text=True)
    assert 'id="f-region"' not in page
    number = citizen.apply(ctx, "newborn", example_data(citizen.intake_form(ctx, "newborn")), PHONE)
    assert cases.get_case(ctx, number).region == "province"


def test_the_api_applies_in_a_chosen_county(client, ctx, counties):
    data = example_data(citizen.intake_form(ctx, "newborn"))
    made = client.post("/api/applications", json={"matter_id": "newborn", "phone": PHONE, "data": data,
                                                   "region": "county-a"})
    assert made.status_code == 201 and cases.get_case(ctx, made.get_json()["number"]).region == "county-a"
    wrong = client.post("/api/applications", json={"matter_id": "newborn", "phone": PHONE, "data": data,
                                                   "region": "atlantis"})
    assert wrong.status_code == 422 and "region" in wrong.get_json()["error"].get("fields", {})
