"""The applicants' portal across the regions (issue #13): a matter only some counties run is offered on /apply, its
apply page offers only the counties that run it, an application there is handled in that county on that county's
version, another county is refused on the `region` field (pages and API), on SQLite and PostgreSQL."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.accounts import users
from engine.catalog import versions as catalog
from engine.citizen import applications as citizen
from engine.context import EngineContext
from engine.matters.forms import example_data
from engine.regions.tree import add_region
from engine.runtime.clock import SimulatedClock
from engine.store.tables import Case, ModelVersion
from tests.engine.regions_scenario import PROCESSES, deploy_local
from tests.web.conftest import PASSWORD, token_of
from web.app import create_app, engine_context

REPO = Path(__file__).resolve().parents[2]
ENGLISH = {"Accept-Language": "en"}
PHONE = "13900007001"
TREE = (("city-a", "province", "甲市", "City A"), ("county-a", "city-a", "甲县", "County A"),
        ("county-b", "city-a", "乙县", "County B"), ("city-z", "province", "丙市", "City Z"))
MATTER_LINK = re.compile(r'<a href="/apply/([^"]+)">')


def _app(db_url: str):
    return create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": db_url,
                       "PROCESSES_PATH": str(REPO / "processes")})


@pytest.fixture
def app(db_url, tmp_path):
    """Newborn at the root; `local_birth` in County A's and City Z's lines only (County B, beside County A under
    City A, runs none of it); an admin."""
    ctx = EngineContext.from_url(db_url, clock=SimulatedClock())
    ctx.init_db()
    catalog.deploy_path(ctx, PROCESSES / "newborn")
    for region, parent, zh, en in TREE:
        add_region(ctx, region, parent, zh, en)
    deploy_local(ctx, tmp_path, "county-a")
    deploy_local(ctx, tmp_path, "city-z")
    users.add_user(ctx, "admin", PASSWORD, "admin")
    ctx.engine.dispose()
    app = _app(db_url)
    yield app
    engine_context(app).engine.dispose()


@pytest.fixture
def ctx(app):
    return engine_context(app)


def _choices(page: str) -> list[str]:
    return re.findall(r'<option value="([^"]*)"', page.split('id="f-region"')[1].split("</select>")[0])


def _posted(ctx, matter_id: str, region: str | None = None) -> dict[str, str]:
    return {k: ("yes" if v is True else "no" if v is False else str(v))
            for k, v in example_data(citizen.intake_form(ctx, matter_id, region)).items()}


def _handled(ctx, number: str) -> tuple[str, str]:
    """(the case's region, the region whose version line it runs)."""
    with ctx.read() as session:
        return session.execute(select(Case.region, ModelVersion.region).join(
            ModelVersion, ModelVersion.id == Case.model_version_id).where(Case.number == number)).tuples().one()


def test_a_matter_only_some_counties_run_is_listed_on_the_portal(app):
    page = app.test_client().get("/apply", headers=ENGLISH).get_data(as_text=True)
    assert MATTER_LINK.findall(page) == ["local_birth", "newborn"]
    assert "Local birth" in page


def test_its_apply_page_offers_only_the_counties_that_run_it(app):
    client = app.test_client()
    page = client.get("/apply/local_birth", headers=ENGLISH)
    assert page.status_code == 200
    assert _choices(page.get_data(as_text=True)) == ["", "county-a", "city-z"]
    assert "City A · County A" in page.get_data(as_text=True)
    # the province's matter is still offered in every county and district
    assert _choices(client.get("/apply/newborn").get_data(as_text=True)) == ["", "county-a", "county-b", "city-z"]


def test_an_application_there_is_handled_in_that_county_on_its_version(app, ctx):
    client = app.test_client()
    token = token_of(client)
    done = client.post("/apply/local_birth", data={**_posted(ctx, "local_birth", "county-a"), "region": "county-a",
                                                   "csrf_token": token})
    assert done.status_code == 302, done.get_data(as_text=True)[:2000]
    with client.session_transaction() as session:
        number = session["applied"]
    assert _handled(ctx, number) == ("county-a", "county-a")
    with ctx.read() as session:
        version = session.scalar(select(ModelVersion).join(Case, Case.model_version_id == ModelVersion.id)
                                 .where(Case.number == number))
        assert version is not None and b"<!-- county-a -->" in version.bpmn


def test_a_county_that_does_not_run_it_is_refused_on_the_region_field(app, ctx):
    client = app.test_client()
    token = token_of(client)
    refused = client.post("/apply/local_birth", headers=ENGLISH,
                          data={**_posted(ctx, "local_birth"), "region": "county-b", "csrf_token": token})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert re.search(r'<p class="field-error" id="f-region-error">[^<]*does not handle this matter', page), page[:3000]
    with ctx.read() as session:
        assert session.scalar(select(Case.id).where(Case.matter_id == "local_birth")) is None
    api = client.post("/api/applications", json={"matter_id": "local_birth", "phone": PHONE, "region": "county-b",
                                                 "data": example_data(citizen.intake_form(ctx, "local_birth"))})
    assert api.status_code == 422 and "region" in api.get_json()["error"]["fields"]


def test_the_api_applies_in_a_county_that_runs_it_and_gives_its_form(app, ctx):
    client = app.test_client()
    form = client.get("/api/matters/local_birth/intake-form?region=city-z")
    assert form.status_code == 200 and form.get_json()["fields"]
    made = client.post("/api/applications", json={"matter_id": "local_birth", "phone": PHONE, "region": "city-z",
                                                  "data": example_data(citizen.intake_form(ctx, "local_birth"))})
    assert made.status_code == 201, made.get_json()
    assert _handled(ctx, made.get_json()["number"]) == ("city-z", "city-z")


def test_one_county_running_it_is_offered_chosen(db_url, tmp_path):
    ctx = EngineContext.from_url(db_url, clock=SimulatedClock())
    ctx.init_db()
    catalog.deploy_path(ctx, PROCESSES / "shared")  # the sub-processes newborn's models call, and no matter
    for region, parent, zh, en in TREE[:3]:
        add_region(ctx, region, parent, zh, en)
    deploy_local(ctx, tmp_path, "county-b")
    ctx.engine.dispose()
    app = _app(db_url)
    try:
        page = app.test_client().get("/apply/local_birth").get_data(as_text=True)
        assert _choices(page) == ["", "county-b"]
        assert re.search(r'<option value="county-b" selected>', page)
        assert MATTER_LINK.findall(app.test_client().get("/apply").get_data(as_text=True)) == ["local_birth"]
    finally:
        engine_context(app).engine.dispose()


def test_with_only_the_root_the_portal_is_as_before(db_url):
    ctx = EngineContext.from_url(db_url, clock=SimulatedClock())
    ctx.init_db()
    catalog.deploy_path(ctx, PROCESSES / "newborn")
    ctx.engine.dispose()
    app = _app(db_url)
    ctx = engine_context(app)  # the one the app disposes of
    try:
        client = app.test_client()
        assert MATTER_LINK.findall(client.get("/apply").get_data(as_text=True)) == ["newborn"]
        page = client.get("/apply/newborn").get_data(as_text=True)
        assert 'id="f-region"' not in page
        done = client.post("/apply/newborn", data={**_posted(ctx, "newborn"), "csrf_token": token_of(client)})
        assert done.status_code == 302
        with client.session_transaction() as session:
            assert _handled(ctx, session["applied"]) == ("province", "province")
        assert client.get("/apply/no_such_matter").status_code == 404
        assert [r["id"] for r in client.get("/api/matters/newborn/regions").get_json()] == ["province"]
    finally:
        engine_context(app).engine.dispose()


def test_the_api_lists_what_the_portal_offers_and_who_handles_it(app):
    client = app.test_client()
    assert [m["id"] for m in client.get("/api/applications/matters").get_json()] == ["local_birth", "newborn"]
    assert [r["id"] for r in client.get("/api/matters/local_birth/regions").get_json()] == ["county-a", "city-z"]
    assert [r["id"] for r in client.get("/api/matters/newborn/regions").get_json()] == ["county-a", "county-b",
                                                                                         "city-z"]
    assert client.get("/api/matters/no_such_matter/regions").status_code == 404
    assert [m["id"] for m in client.get("/api/matters").get_json()] == ["newborn"]  # the province's catalogue


def test_the_api_asks_for_the_county_of_a_matter_the_province_does_not_run(app, ctx):
    data = example_data(citizen.intake_form(ctx, "local_birth"))
    unchosen = app.test_client().post("/api/applications", json={"matter_id": "local_birth", "phone": PHONE,
                                                                  "data": data})
    assert unchosen.status_code == 422 and "region" in unchosen.get_json()["error"]["fields"]
