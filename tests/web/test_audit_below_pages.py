"""A matter only a county below the auditor runs, in the web (issue #13): the city auditor's overview lists it with
a note naming the county whose versions are shown, in both languages, the matter page and the printable report say
so, the API's comparison and portfolio name the county; an auditor of another city sees none of it. The case list
offers it to whoever reads the county's cases (and GET /api/matters lists it for them), the library names it
(SQLite and PostgreSQL)."""
from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pytest

import engine
from engine.accounts import users
from engine.accounts.users import Actor
from engine.catalog import versions as catalog
from engine.context import EngineContext
from engine.regions.tree import add_region
from engine.runtime.clock import SimulatedClock
from tests.engine.regions_scenario import PROCESSES, deploy_local
from tests.web.conftest import PASSWORD, sign_in
from web.app import create_app

REPO = Path(__file__).resolve().parents[2]
NOTE = re.compile(r'<a href="/audit/matters/local_birth">[^<]+</a><br><span class="muted small version-region">([^<]+)'
                  r'</span>')


@pytest.fixture
def app(db_url, tmp_path):
    """Newborn at the root; `local_birth` deployed only in County A's line; auditors of City A and City Z."""
    ctx = EngineContext.from_url(db_url, clock=SimulatedClock())
    ctx.init_db()
    catalog.deploy_path(ctx, PROCESSES / "newborn")
    for region, parent, zh, en in (("city-a", "province", "甲市", "City A"), ("county-a", "city-a", "甲县", "County A"),
                                   ("city-z", "province", "丙市", "City Z")):
        add_region(ctx, region, parent, zh, en)
    deploy_local(ctx, tmp_path, "county-a")
    users.add_user(ctx, "auditor.city-a", PASSWORD, "auditor", region="city-a")
    users.add_user(ctx, "auditor.city-z", PASSWORD, "auditor", region="city-z")
    users.add_user(ctx, "auditor", PASSWORD, "auditor")
    users.add_user(ctx, "admin", PASSWORD, "admin")
    users.add_user(ctx, "clerk.county-a", PASSWORD, "clerk", "health", region="county-a")
    users.add_user(ctx, "clerk.province", PASSWORD, "clerk", "health")
    ctx.engine.dispose()
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": db_url,
                      "PROCESSES_PATH": str(REPO / "processes")})
    yield app
    from web.app import engine_context

    engine_context(app).engine.dispose()


def _client(app, user: str):
    client = app.test_client()
    assert sign_in(client, user).status_code == 302
    return client


def _status(client, link: str) -> int:
    response = client.get(link)
    response.close()  # an export is streamed from a spooled file
    return response.status_code


def test_the_city_auditors_overview_lists_the_countys_matter_and_says_whose_version_it_shows(app):
    client = _client(app, "auditor.city-a")
    for lang, county in (("zh", "甲县"), ("en", "County A")):
        page = client.get("/audit/", headers={"Accept-Language": lang}).get_data(as_text=True)
        notes = NOTE.findall(page)
        assert len(notes) == 1 and county in notes[0], (lang, notes)
        assert page.count('class="muted small version-region"') == 1  # newborn, which the city runs, has no note
        matter = client.get("/audit/matters/local_birth", headers={"Accept-Language": lang})
        assert matter.status_code == 200
        assert re.search(r'<p class="hint version-region">[^<]*' + county, matter.get_data(as_text=True)), lang
    english = client.get("/audit/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert NOTE.findall(english) == ["as County A runs it"]
    metrics = client.get("/api/matters/local_birth/metrics").get_json()
    assert metrics["version_region"] == "county-a" and metrics["region"] == "city-a"
    assert metrics["version_region_names"] == {"zh": "甲县", "en": "County A"}
    assert client.get("/api/matters/newborn/metrics").get_json()["version_region"] is None
    folio = client.get("/api/portfolio").get_json()
    assert "local_birth" in folio["matters"] and folio["version_regions"] == {"local_birth": "county-a"}


def test_every_link_of_the_matter_page_answers_the_city_auditor(app):
    """The drill-down, the exports, the heat maps and the ranking the page links to read the county's matter too."""
    client = _client(app, "auditor.city-a")
    page = client.get("/audit/matters/local_birth", headers={"Accept-Language": "en"}).get_data(as_text=True)
    links = {link.replace("&amp;", "&") for link in re.findall(r'href="(/audit/matters/local_birth/[^"]*)"', page)}
    assert {link.split("?")[0] for link in links} >= {
        "/audit/matters/local_birth/cases", "/audit/matters/local_birth/export.csv",
        "/audit/matters/local_birth/export.xlsx", "/audit/matters/local_birth/regions"}
    assert {link: _status(client, link) for link in links} == dict.fromkeys(links, 200)
    cases = client.get("/audit/matters/local_birth/cases", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Local birth" in cases


def test_an_auditor_of_another_city_sees_none_of_it(app):
    client = _client(app, "auditor.city-z")
    page = client.get("/audit/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "/audit/matters/local_birth" not in page and "version-region" not in page
    for link in ("", "/cases", "/export.csv?source=real", "/export.xlsx?source=real"):
        assert _status(client, f"/audit/matters/local_birth{link}") == 404, link
    assert client.get("/api/matters/local_birth/metrics").status_code == 404
    folio = client.get("/api/portfolio").get_json()
    assert "local_birth" not in folio["matters"] and folio["version_regions"] == {}


def test_the_printable_report_says_whose_versions_it_shows(app):
    client = _client(app, "auditor.city-a")
    for lang, note in (("zh", "按甲县运行的版本：您所查看的地区未运行此事项"),
                       ("en", "The versions as County A runs them: the region you read runs none of this matter")):
        response = client.get("/audit/matters/local_birth/export.html", headers={"Accept-Language": lang})
        page = response.get_data(as_text=True)
        response.close()
        assert response.status_code == 200 and re.search(r'<p class="note version-region">' + note, page), lang
        response = client.get("/audit/matters/newborn/export.html", headers={"Accept-Language": lang})
        assert response.status_code == 200 and "version-region" not in response.get_data(as_text=True)
        response.close()
        for matter, noted in (("local_birth", True), ("newborn", False)):  # the workbook's comparison sheet too
            response = client.get(f"/audit/matters/{matter}/export.xlsx", headers={"Accept-Language": lang})
            sheet = openpyxl.load_workbook(io.BytesIO(response.get_data()), read_only=True)["comparison"]
            cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c]
            response.close()
            assert response.status_code == 200 and (cells[0].startswith(note) if noted else
                                                    not any(c.startswith(note) for c in cells)), (lang, cells[:3])
            no_cases = {"zh": "暂无办结案件", "en": "no ended cases"}[lang]
            assert any(no_cases in c for c in cells), (lang, cells)  # the measured table's note: nothing real ended


OPTION = re.compile(r'<option value="([^"]+)"[^>]*>([^<]*)</option>')


def _matter_filter(client) -> dict[str, str]:
    """The case list's matter drop-down: matter id -> the name shown (in English)."""
    page = client.get("/cases", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    select = re.search(r'<select[^>]* name="matter"[^>]*>(.*?)</select>', html, re.S)
    assert select is not None, html[:3000]
    return {value: name for value, name in OPTION.findall(select.group(1)) if value}


def test_the_case_list_offers_the_countys_matter_to_whoever_reads_its_cases(app):
    for user in ("clerk.county-a", "auditor.city-a", "auditor", "admin"):
        client = _client(app, user)
        assert _matter_filter(client) == {"local_birth": "Local birth", "newborn": "Newborn birth"}, user
        listed = {m["id"]: m for m in client.get("/api/matters").get_json()}
        assert sorted(listed) == ["local_birth", "newborn"], user
        assert listed["local_birth"]["variants"] == {"before": 1, "after": 1}
        assert listed["local_birth"]["names"] == {"zh": "本地出生一件事", "en": "Local birth"}
    for user in ("clerk.province", "auditor.city-z"):  # the root's clerk and another city read none of its cases
        client = _client(app, user)
        assert _matter_filter(client) == {"newborn": "Newborn birth"}, user
        assert [m["id"] for m in client.get("/api/matters").get_json()] == ["newborn"], user
    assert [m["id"] for m in app.test_client().get("/api/matters").get_json()] == ["newborn"]  # the public list


def test_the_library_names_a_matter_only_a_county_runs(app):
    from web.app import engine_context

    engine.publish_reform(engine_context(app), "local_birth", "county-a", Actor("admin", "admin"))
    for user, lang, name in (("auditor.city-z", "en", "Local birth"), ("admin", "zh", "本地出生一件事")):
        page = _client(app, user).get("/library/", headers={"Accept-Language": lang}).get_data(as_text=True)
        rows = re.findall(r'<tr data-publication="\d+"><td>([^<]*)</td>', page)
        assert rows == [name], (user, rows)
