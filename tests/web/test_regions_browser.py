"""Regions in Chromium (issue #13): an admin builds the tree on the regions page at a phone's width, the applicant
picks the county that handles the application, the admin finds the case under that county; no CSP rule broken."""
from __future__ import annotations

import pytest

from engine.cases.lifecycle import get_case
from engine.citizen import applications as citizen
from engine.matters.forms import example_data
from tests.web.test_browser import _fill, _sign_in, _sign_out, site  # noqa: F401 - the journey's site fixture

pytestmark = pytest.mark.xdist_group("browser")

PHONE_WIDTH = 390


def test_an_admin_adds_regions_and_the_applicant_chooses_one(browser, site):  # noqa: F811
    base, ctx, password = site
    page = browser.new_page(locale="zh-CN", viewport={"width": PHONE_WIDTH, "height": 900})
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if m.type == "error" else None)
    _sign_in(page, base, "admin", password)
    page.goto(f"{base}/regions")
    for region, parent, zh, en in (("yiwu-city", "province", "金华市", "Jinhua"),
                                   ("yiwu", "yiwu-city", "义乌市", "Yiwu")):
        page.select_option("#r-parent", parent)
        page.fill("#r-id", region)
        page.fill("#r-zh", zh)
        page.fill("#r-en", en)
        page.click("form.stacked button[type=submit]")
        page.wait_for_load_state()
    rows = page.locator("table.regions tbody th").all_text_contents()
    assert [r.strip() for r in rows][-2:] == ["金华市", "义乌市"], rows
    assert page.locator("table.regions th.depth-2").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    _sign_out(page)

    page.goto(f"{base}/apply/newborn")
    assert page.locator("#f-region option").all_text_contents()[1:] == ["金华市 · 义乌市"]
    form = citizen.intake_form(ctx, "newborn")
    _fill(page, form, example_data(form))
    page.select_option("#f-region", "yiwu")
    page.click("button[type=submit].primary")
    number = page.text_content("#case-number").strip()
    assert get_case(ctx, number).region == "yiwu"

    _sign_in(page, base, "admin", password)
    page.goto(f"{base}/cases")
    page.select_option('select[name="region"]', "yiwu")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    assert "region=yiwu" in page.url
    assert page.locator("table.cases tbody tr th a").all_text_contents() == [number]
    assert blocked == [], blocked
    page.close()
