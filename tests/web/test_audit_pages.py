"""The auditor's measured pages: drill-down from a figure to its cases."""
from __future__ import annotations

import engine
from engine.cases import lifecycle as cases
from engine.cases.driving import drive_case


def _finished(ctx, variant: str) -> str:
    number = cases.start_case(ctx, "newborn", variant).number
    assert drive_case(ctx, number).view.status == "completed"
    return number


def test_auditor_drills_down_to_the_cases_of_a_figure(client, login, ctx):
    before, after = _finished(ctx, "before"), _finished(ctx, "after")
    login("auditor")
    page = client.get("/audit/matters/newborn/cases")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and before in text and after in text
    only_after = client.get("/audit/matters/newborn/cases?variant=after&sort=working_days&order=asc")
    assert after in only_after.get_data(as_text=True) and before not in only_after.get_data(as_text=True)
    assert f'href="/cases/{after}"' in only_after.get_data(as_text=True)
    simulated = client.get("/audit/matters/newborn/cases?source=simulated").get_data(as_text=True)
    assert before not in simulated and after not in simulated
    paged = client.get("/audit/matters/newborn/cases?page=2").get_data(as_text=True)
    assert before not in paged and after not in paged  # two cases fit on page 1


def test_bad_filters_get_a_clear_error_and_clerks_are_refused(client, login):
    login("auditor")
    bad = client.get("/audit/matters/newborn/cases?since=2026-13-01")
    assert bad.status_code == 422 and "since" in bad.get_data(as_text=True)
    assert client.get("/audit/matters/newborn/cases?source=guessed").status_code == 422
    assert client.get("/audit/matters/newborn/cases?page=x").status_code == 422
    client.get("/logout")
    login("clerk.police")
    assert client.get("/audit/matters/newborn/cases").status_code == 403


def test_the_matter_page_charts_measured_cases_and_links_to_heat_maps(client, login, ctx):
    _finished(ctx, "before")
    _finished(ctx, "after")
    login("auditor")
    page = client.get("/audit/matters/newborn", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert page.count('class="chart"') >= 3  # distribution, on-time rate, steps of each variant
    assert "Completed cases by working days elapsed" in page and "Median waiting and working hours" in page
    assert 'id="definitions"' in page and "/audit/matters/newborn/cases?source=real" in page
    for mode in ("duration", "frequency"):
        heat = client.get(f"/audit/matters/newborn/heat?variant=before&mode={mode}")
        assert heat.status_code == 200 and 'class="diagram"' in heat.get_data(as_text=True)
    assert client.get("/audit/matters/newborn/heat?mode=loud").status_code == 422
    simulated = client.get("/audit/matters/newborn?source=simulated", headers={"Accept-Language": "en"})
    assert simulated.status_code == 200 and "No finished case from this source yet." in simulated.get_data(as_text=True)
    assert client.get("/audit/matters/newborn?source=guessed").status_code == 422


def test_the_dashboard_downloads_every_export(client, login, ctx):
    number = _finished(ctx, "after")
    login("auditor")
    page = client.get("/audit/matters/newborn").get_data(as_text=True)
    for fmt, start in (("csv", b"case_id,activity"), ("xes", b"<?xml"), ("xlsx", b"PK"), ("html", b"<!"),
                       ("pdf", b"%PDF")):
        assert f"/audit/matters/newborn/export.{fmt}?source=real" in page
        response = client.get(f"/audit/matters/newborn/export.{fmt}?source=real")
        body = response.get_data()
        response.close()  # as the WSGI server does: the spooled file is closed with the response
        assert response.status_code == 200 and body.startswith(start), fmt
        assert "attachment" in response.headers["Content-Disposition"]
        if fmt in ("csv", "xes"):
            assert number.encode() in body
    assert client.get("/audit/matters/newborn/export.doc").status_code == 404
    assert client.get("/audit/matters/newborn/export.csv?source=guessed").status_code == 422
    client.get("/logout")
    login("clerk.police")
    assert client.get("/audit/matters/newborn/export.csv").status_code == 403


def test_the_portfolio_weighs_savings_by_case_volume(client, login, ctx):
    for variant in ("before", "after", "after"):
        _finished(ctx, variant)
    login("auditor")
    page = client.get("/audit/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    overview = engine.audit_overview(ctx)
    newborn = next(s for s in overview.savings if s.matter_id == "newborn")
    assert newborn.cases_per_year == 3 and newborn.days_basis == "measured"
    comparison = next(c for c in overview.comparisons if c.matter_id == "newborn")
    assert newborn.trips_saved_per_case == comparison.before["trips"] - comparison.after["trips"]
    assert newborn.trips_saved_per_year == newborn.trips_saved_per_case * 3
    assert overview.savings[0].matter_id == "newborn"  # the most demanded first
    assert "Savings weighted by case volume" in page and 'id="def-volume"' in page


def test_every_portfolio_figure_says_what_it_is_and_over_which_matters(client, login, ctx):
    """"time limit 27 -> 5" under "8 matters in total" was the mean of the 2 matters that have a limit."""
    from engine.audit.comparison import audit_overview

    portfolio = audit_overview(ctx).portfolio
    total = len(portfolio["matters"])
    limit = portfolio["metrics"]["time_limit_days"]
    assert limit["how"] == "mean" and limit["matters"] == len(limit["over"]) < total
    login("auditor")
    page = client.get("/audit/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f"mean per matter over {limit['matters']} of {total} matters" in page
    steps = portfolio["metrics"]["steps"]
    assert f"sum over {steps['matters']} of {total} matters" in page
    assert 'id="def-time_limit_days"' in page and 'href="#def-time_limit_days"' in page
    names = {c.matter_id: c.names for c in audit_overview(ctx).comparisons}
    for matter_id in limit["over"]:  # the card names the matters it is over
        assert names[matter_id].en in page
