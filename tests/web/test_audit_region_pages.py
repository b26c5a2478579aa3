"""The region ranking and the province view in the web (issue #13 items 3, 4): pages in both languages, the JSON
API and its document, the auditor's subtree, `onething compare --by-region` and `onething province` (SQLite and
PostgreSQL)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine.accounts import users
from engine.audit.measured import measured_metrics
from engine.context import EngineContext
from engine.regions.by_region import compare_by_region
from engine.regions.province import province_view
from engine.runtime.clock import SimulatedClock
from tests.engine.regions_scenario import build
from tests.web.conftest import PASSWORD, sign_in
from web.app import create_app

REPO = Path(__file__).resolve().parents[2]
NAMES = {"zh": ("全省", "杭州市", "西湖区", "滨江区", "宁波市"),
         "en": ("Province", "Hangzhou", "Xihu", "Binjiang", "Ningbo")}


@pytest.fixture
def province(db_url, tmp_path):
    """A province with cases in several regions (tests/engine/regions_scenario.py), an auditor of the whole province,
    one of the city hz, a clerk; and the pages' app on it."""
    ctx = EngineContext.from_url(db_url, clock=SimulatedClock())
    ctx.init_db()
    build(ctx, tmp_path)
    users.add_user(ctx, "auditor", PASSWORD, "auditor")
    users.add_user(ctx, "auditor.hz", PASSWORD, "auditor", region="hz")
    users.add_user(ctx, "clerk.police", PASSWORD, "clerk", "police")
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": db_url,
                      "PROCESSES_PATH": str(REPO / "processes")})
    yield app, ctx, db_url
    ctx.engine.dispose()
    from web.app import engine_context

    engine_context(app).engine.dispose()


def _client(app, user: str):
    client = app.test_client()
    assert sign_in(client, user).status_code == 302
    return client


def test_the_pages_render_in_both_languages_with_the_region_names(province):
    app, _ctx, _url = province
    client = _client(app, "auditor")
    for lang in ("zh", "en"):
        for sort in ("median_days", "rating", "adoption", "region", "steps"):
            page = client.get(f"/audit/matters/newborn/regions?source=simulated&sort={sort}",
                              headers={"Accept-Language": lang})
            text = page.get_data(as_text=True)
            assert page.status_code == 200, text[-500:]
            assert all(name in text for name in NAMES[lang]), (lang, sort)
            assert text.count('class="chart"') == 1 and 'aria-sort="' in text
        real = client.get("/audit/matters/newborn/regions", headers={"Accept-Language": lang}).get_data(as_text=True)
        assert "4 (" in real or "4 <" in real  # bj's rating of 4
        page = client.get("/audit/province?source=simulated", headers={"Accept-Language": lang})
        text = page.get_data(as_text=True)
        assert page.status_code == 200 and all(name in text for name in NAMES[lang])
        assert "2 / 3" in text  # xh published, bj adopted, nb not
    english = client.get("/audit/matters/newborn/regions?source=simulated", headers={"Accept-Language": "en"})
    assert "adopted" in english.get_data(as_text=True) and "published" in english.get_data(as_text=True)
    assert "/audit/matters/newborn/regions" in client.get("/audit/matters/newborn").get_data(as_text=True)
    assert "/audit/province" in client.get("/audit/").get_data(as_text=True)


def test_bad_input_is_a_clear_error_not_a_500(province):
    app, _ctx, _url = province
    client = _client(app, "auditor")
    for query, field in (("since=2026-13-01", "since"), ("sort=loudness", "sort"), ("source=rumour", "source"),
                         ("order=sideways", "order"), ("until=9999-12-31", "until"), ("since=0001-01-01", "since")):
        page = client.get(f"/audit/matters/newborn/regions?{query}", headers={"Accept-Language": "en"})
        assert page.status_code == 422 and field in page.get_data(as_text=True), query
        api = client.get(f"/api/audit/matters/newborn/regions?{query}")
        assert api.status_code == 422 and field in json.dumps(api.get_json()), query
    assert client.get("/audit/matters/nothing_like_it/regions").status_code == 404
    assert client.get("/api/audit/matters/nothing_like_it/regions").status_code == 404
    assert client.get("/api/audit/province?source=rumour").status_code == 422
    assert client.get("/api/audit/matters/newborn/regions?since=2026-05-02&until=2026-05-01").status_code == 422
    clerk = _client(app, "clerk.police")
    assert clerk.get("/audit/province").status_code == 403
    assert clerk.get("/api/audit/matters/newborn/regions").status_code == 403


def test_the_api_gives_the_engines_figures(province):
    app, ctx, _url = province
    client = _client(app, "auditor")
    ranking = client.get("/api/audit/matters/newborn/regions?source=simulated&sort=region").get_json()
    assert [row["region"] for row in ranking["rows"]] == ["province", "hz", "bj", "xh", "nb"]
    for row in ranking["rows"]:
        plain = measured_metrics(ctx, "newborn", source="simulated", region=row["region"])
        for variant in ("before", "after"):
            mine = row["measured"][variant]
            assert (mine["cases"], mine["median_days"], mine["p90_days"], mine["on_time_rate"]) == (
                plain[variant]["cases"], plain[variant]["working_days"]["median"],
                plain[variant]["working_days"]["p90"], plain[variant]["on_time_rate"])
    assert {row["region"]: row["adoption"] for row in ranking["rows"]}["bj"] == "adopted"
    windowed = client.get("/api/audit/matters/newborn/regions?source=simulated&since=2030-01-01").get_json()
    assert windowed["since"] == "2030-01-01" and all(row["cases"] == 0 for row in windowed["rows"])
    view = client.get("/api/audit/province?source=simulated").get_json()
    engine_view = province_view(ctx, source="simulated")
    assert [m["matter_id"] for m in view["matters"]] == [m.matter_id for m in engine_view.matters]
    newborn = view["matters"][0]
    assert (newborn["matter_id"], newborn["adopted"], newborn["leaves"], newborn["cases_per_year"]) == \
        ("newborn", 2, 3, 36)
    assert newborn["days_saved_per_year"] == pytest.approx(engine_view.matters[0].days_saved_per_year)


def test_an_auditor_of_a_city_sees_its_subtree_only(province):
    app, _ctx, _url = province
    client = _client(app, "auditor.hz")
    ranking = client.get("/api/audit/matters/newborn/regions?source=simulated").get_json()
    assert sorted(row["region"] for row in ranking["rows"]) == ["bj", "hz", "xh"]
    view = client.get("/api/audit/province?source=simulated").get_json()
    newborn = next(m for m in view["matters"] if m["matter_id"] == "newborn")
    assert view["scope"] == "hz" and sorted(r["region"] for r in newborn["regions"]) == ["bj", "hz", "xh"]
    assert (newborn["leaves"], newborn["cases_per_year"]) == (2, 24)  # xh 16 and bj 8, not nb's 12
    for url in ("/audit/matters/newborn/regions?source=simulated", "/audit/province?source=simulated"):
        text = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
        assert "Xihu" in text and "Binjiang" in text and "Ningbo" not in text, url


def test_the_openapi_document_has_the_regions_routes(province):
    app, _ctx, _url = province
    document = app.test_client().get("/api/openapi.json").get_json()
    ranking = document["paths"]["/api/audit/matters/{matter_id}/regions"]["get"]
    assert ranking["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/RegionRanking")
    assert {p["name"] for p in ranking["parameters"]} >= {"matter_id", "source", "since", "until", "sort", "order"}
    province = document["paths"]["/api/audit/province"]["get"]
    assert province["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/Province")
    assert "RegionRow" in document["components"]["schemas"] and "MatterProvince" in document["components"]["schemas"]


def _onething(url: str, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, ONETHING_DATABASE_URL=url)
    result = subprocess.run([sys.executable, "-c", "from web.cli import main; main()", *args], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=300)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def test_the_commands_print_the_engines_figures(province):
    _app, ctx, url = province
    by_region = _onething(url, "compare", "newborn", "--by-region", "--json", "--source", "simulated",
                          "--since", "2026-01-01")
    assert by_region.returncode == 0, by_region.stderr
    from datetime import date

    expected = compare_by_region(ctx, "newborn", source="simulated", since=date(2026, 1, 1))
    assert json.loads(by_region.stdout) == json.loads(json.dumps(expected))
    plain = _onething(url, "compare", "newborn", "--json")  # its static part from the files: the same keys
    assert set(json.loads(plain.stdout)["static"]) == set(expected["regions"]["xh"]["static"])
    assert set(json.loads(plain.stdout)["measured"]["after"]) == set(expected["regions"]["xh"]["measured"]["after"])
    table = _onething(url, "compare", "newborn", "--by-region", "--source", "simulated")
    assert table.returncode == 0 and "xh" in table.stdout and "nb" in table.stdout
    view = _onething(url, "province", "--json", "--source", "simulated", "--region", "hz")
    assert view.returncode == 0, view.stderr
    newborn = next(m for m in json.loads(view.stdout)["matters"] if m["matter_id"] == "newborn")
    assert (newborn["cases_per_year"], newborn["adopted"], newborn["leaves"]) == (24, 2, 2)
    assert "newborn" in _onething(url, "province").stdout
    refused = _onething(url, "province", "--region", "atlantis")
    assert refused.returncode == 1 and "atlantis" in refused.stderr
    unknown = _onething(url, "compare", "nothing_like_it", "--by-region")
    assert unknown.returncode == 1 and "nothing_like_it" in unknown.stderr
