"""An auditor below the root reads the figures of their region and the regions below it only (issue #13): the
matter's dashboard, comparison, printable report, workbook and API, on SQLite and PostgreSQL.

The province of tests/engine/regions_scenario.py: the city hz has the counties xh and bj, the city nb none. The real
cases hz's auditor reads are bj's only, the simulated ones xh's (before and after) and bj's (after), so their figures
must equal those of the exact-region filter (`measured_metrics(..., region=)`, a separate condition) over those
counties, and differ from the root auditor's, which include nb's cases and stay the running totals'.
"""
from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from engine.accounts import users
from engine.accounts.users import Actor
from engine.audit.comparison import audit_overview, matter_comparison
from engine.audit.dashboard import matter_dashboard
from engine.audit.export_xlsx import export_xlsx
from engine.audit.measured import measured_metrics
from engine.context import EngineContext
from engine.runtime.clock import SimulatedClock
from engine.store.tables import Case
from tests.engine.regions_scenario import build
from tests.web.conftest import PASSWORD, sign_in
from web.app import create_app

REPO = Path(__file__).resolve().parents[2]
CITY = Actor("auditor.hz", "auditor", region="hz")
ROOT_AUDITOR = Actor("auditor", "auditor")


@pytest.fixture
def province(db_url, tmp_path):
    ctx = EngineContext.from_url(db_url, clock=SimulatedClock())
    ctx.init_db()
    build(ctx, tmp_path)
    users.add_user(ctx, "auditor", PASSWORD, "auditor")
    users.add_user(ctx, "auditor.hz", PASSWORD, "auditor", region="hz")
    users.add_user(ctx, "auditor.xh", PASSWORD, "auditor", region="xh")
    users.add_user(ctx, "admin", PASSWORD, "admin")
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": db_url,
                      "PROCESSES_PATH": str(REPO / "processes")})
    yield app, ctx
    ctx.engine.dispose()
    from web.app import engine_context

    engine_context(app).engine.dispose()


def _client(app, user: str):
    client = app.test_client()
    assert sign_in(client, user).status_code == 302
    return client


def expected_city(ctx: EngineContext, source: str) -> dict:
    """hz's figures by the exact-region filter: real cases are bj's only; simulated before xh's only."""
    if source == "real":
        return measured_metrics(ctx, "newborn", source="real", region="bj")
    return {"before": measured_metrics(ctx, "newborn", source="simulated", region="xh")["before"]}


def test_a_city_auditors_dashboard_is_of_the_city_and_its_counties(province):
    _app, ctx = province
    for source in ("real", "simulated"):
        city, root = matter_dashboard(ctx, "newborn", source, reader=CITY), matter_dashboard(ctx, "newborn", source)
        expected = expected_city(ctx, source)
        for variant, figures in expected.items():
            assert figures["cases"] > 0 and city.measured[variant] == figures, (source, variant)
        assert root.measured == measured_metrics(ctx, "newborn", source=source)  # the running totals, unchanged
        assert root == matter_dashboard(ctx, "newborn", source, reader=ROOT_AUDITOR)
        assert root == matter_dashboard(ctx, "newborn", source, reader=Actor("admin", "admin"))
        assert city.measured["before"]["cases"] < root.measured["before"]["cases"]  # nb's before cases are not hz's
        for variant in ("before", "after"):
            completed = city.measured[variant]["completed"]
            assert sum(n for _, n in city.distribution[variant]) == completed
        with ctx.read() as session:
            for variant, slow in city.outliers.items():
                numbers = [o.case.number for o in slow]
                regions = set(session.scalars(select(Case.region).where(Case.number.in_(numbers))))
                assert regions <= {"hz", "xh", "bj"}, (variant, regions)
    simulated = matter_dashboard(ctx, "newborn", "simulated", reader=CITY).measured["after"]
    counties = [measured_metrics(ctx, "newborn", source="simulated", region=r)["after"]["cases"] for r in ("xh", "bj")]
    assert simulated["cases"] == sum(counties) == 18
    assert matter_dashboard(ctx, "newborn", "real", reader=CITY).forecast["before"] == expected_city(
        ctx, "simulated")["before"]


def test_the_comparison_and_overview_are_the_citys_and_show_the_version_the_region_runs(province):
    _app, ctx = province
    city = matter_comparison(ctx, "newborn", reader=CITY)
    assert city.measured == expected_city(ctx, "real") and city.region == "hz"
    root = matter_comparison(ctx, "newborn", reader=ROOT_AUDITOR)
    assert root == matter_comparison(ctx, "newborn") and root.region is None
    assert root.measured == measured_metrics(ctx, "newborn") != city.measured
    county = matter_comparison(ctx, "newborn", reader=Actor("auditor.xh", "auditor", region="xh"))
    assert b"<!-- xh -->" in county.files["after"].data  # xh runs its own after
    assert b"<!-- xh -->" not in root.files["after"].data and b"<!-- xh -->" not in city.files["after"].data
    saving = {s.matter_id: s for s in audit_overview(ctx, reader=CITY).savings}["newborn"]
    bj = measured_metrics(ctx, "newborn", region="bj")
    assert saving.cases_per_year == bj["before"]["cases"] + bj["after"]["cases"]
    assert saving.days_basis == "measured"
    assert saving.days_saved_per_case == pytest.approx(
        bj["before"]["working_days"]["median"] - bj["after"]["working_days"]["median"])
    assert audit_overview(ctx, reader=ROOT_AUDITOR) == audit_overview(ctx)


def test_the_api_gives_a_city_auditor_the_citys_figures(province):
    app, ctx = province
    city = _client(app, "auditor.hz").get("/api/matters/newborn/metrics").get_json()
    root = _client(app, "auditor").get("/api/matters/newborn/metrics").get_json()
    expected = expected_city(ctx, "real")
    assert city["region"] == "hz" and root["region"] is None
    assert city["measured"]["before"]["cases"] == expected["before"]["cases"]
    assert city["measured"]["after"]["working_days"] == expected["after"]["working_days"]
    assert root["measured"]["before"]["cases"] == measured_metrics(ctx, "newborn")["before"]["cases"] \
        != city["measured"]["before"]["cases"]
    for user in ("auditor.hz", "auditor", "admin"):
        assert _client(app, user).get("/api/portfolio").status_code == 200


def _download(client, path: str, lang: str) -> tuple[int, bytes]:
    response = client.get(path, headers={"Accept-Language": lang})
    try:
        return response.status_code, response.get_data()
    finally:
        response.close()  # as the WSGI server does: the spooled file is closed with the response


def _report_cases(html: str) -> list[str]:
    """The report's ended cases, before and after (the measured table's first row)."""
    row = re.search(r"<tr><td[^>]*>(?:Ended cases|办结案件数)</td>(.*?)</tr>", html)
    assert row is not None, html[:2000]
    return re.findall(r"<td[^>]*>([^<]*)</td>", row.group(1))


def test_the_report_and_workbook_are_the_citys(province):
    app, ctx = province
    expected = expected_city(ctx, "real")
    totals = measured_metrics(ctx, "newborn")
    city, root = _client(app, "auditor.hz"), _client(app, "auditor")
    for lang, words in (("zh", "杭州市及其下辖地区的案件"), ("en", "cases of Hangzhou and the regions below it")):
        status, data = _download(city, "/audit/matters/newborn/export.html", lang)
        html = data.decode("utf-8")
        assert status == 200 and words in html
        assert _report_cases(html) == [str(expected[v]["cases"]) for v in ("before", "after")]
        whole = _download(root, "/audit/matters/newborn/export.html", lang)[1].decode("utf-8")
        assert words not in whole and _report_cases(whole) == [str(totals[v]["cases"]) for v in ("before", "after")]
        status, pdf = _download(city, "/audit/matters/newborn/export.pdf", lang)
        assert status == 200 and pdf.startswith(b"%PDF")
    out = io.BytesIO()
    export_xlsx(ctx, out, "newborn", actor=CITY, lang="en")
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue()), read_only=True)["comparison"]
    rows = [r for r in sheet.iter_rows(values_only=True)]
    assert any(str(r[0]).endswith("(cases of Hangzhou and the regions below it)") for r in rows if r[0])
    ended = [r for r in rows if r[0] == "Ended cases"]
    assert ended and [str(x) for x in ended[0][1:3]] == [str(expected[v]["cases"]) for v in ("before", "after")]


def test_the_pages_say_whose_figures_they_are_in_both_languages(province):
    app, _ctx = province
    city, root = _client(app, "auditor.hz"), _client(app, "auditor")
    pages = ("/audit/", "/audit/matters/newborn", "/audit/matters/newborn?source=simulated",
             "/audit/matters/newborn/heat?variant=before&mode=frequency&source=simulated",
             "/audit/matters/newborn/heat?variant=after&mode=duration")
    for lang, name in (("zh", "杭州市"), ("en", "Hangzhou")):
        for path in pages:
            page = city.get(path, headers={"Accept-Language": lang})
            text = page.get_data(as_text=True)
            assert page.status_code == 200, (path, text[-500:])
            assert 'class="hint scope"' in text and name in text, (lang, path)
            whole = root.get(path, headers={"Accept-Language": lang})
            assert whole.status_code == 200 and 'class="hint scope"' not in whole.get_data(as_text=True)
