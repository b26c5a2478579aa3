"""The case list and an admin's case page in Chromium at a phone's 390 px: nothing wider than the screen, no
script or style the CSP blocks, the filter form works by a plain GET (issue #11 item 17)."""
from __future__ import annotations

import pytest

from tests.web.test_browser import _sign_in, site  # noqa: F401 - the journey's site fixture (browser: conftest)

pytestmark = pytest.mark.xdist_group("browser")

PHONE_WIDTH = 390


def test_the_case_list_and_case_page_fit_a_phone_and_break_no_csp_rule(browser, site):  # noqa: F811
    base, _ctx, password = site
    page = browser.new_page(locale="zh-CN", viewport={"width": PHONE_WIDTH, "height": 800})
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if m.type == "error" else None)
    _sign_in(page, base, "admin", password)
    page.goto(f"{base}/cases")
    assert page.locator("table.cases tbody tr").count() > 0
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    page.select_option('select[name="status"]', "running")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    assert "status=running" in page.url
    statuses = page.locator("table.cases tbody .status").all_text_contents()
    assert statuses and set(statuses) == {"办理中"}, statuses  # "in progress" in Chinese
    page.click("table.cases tbody tr th a")
    page.wait_for_load_state()
    assert page.locator('form.admin-action input[name="reason"]').count() >= 2  # suspend and cancel
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    page.goto(f"{base}/cases/incidents")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    assert blocked == [], blocked
    page.close()
