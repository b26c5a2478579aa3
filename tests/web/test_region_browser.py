"""The region ranking and the province view in a real browser (Debian's Chromium driven by Playwright), issue #13
items 3 and 4: region names in the page's language, sorting by a column's header, the chart drawn without script
(nothing the CSP refuses), no sideways scrolling on a phone.

Skipped when /usr/bin/chromium or Playwright is missing, unless ONETHING_REQUIRE_BROWSER=1 (CI): then it fails.
"""
from __future__ import annotations

import pytest

from engine.context import EngineContext
from engine.runtime.clock import SimulatedClock
from tests.browser import signed_in_page
from tests.engine.regions_scenario import build
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.xdist_group("browser")  # one worker drives Chromium: no second browser beside it
VIEWS = {"zh": {"width": 390, "height": 844}, "en": {"width": 1280, "height": 900}}
NAMES = {"zh": ("西湖区", "滨江区", "宁波市"), "en": ("Xihu", "Binjiang", "Ningbo")}


@pytest.fixture
def regional(app, tmp_path):
    """The deployed template with the province of tests/engine/regions_scenario.py built on it."""
    ctx = EngineContext.from_url(app.config["DATABASE_URL"], clock=SimulatedClock())
    build(ctx, tmp_path)
    ctx.engine.dispose()
    return app


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_auditor_sorts_the_regions_and_reads_the_province(browser, regional, served, lang):
    context, page, console = signed_in_page(browser, served, "auditor", PASSWORD, lang, VIEWS[lang])
    page.goto(f"{served}/audit/matters/newborn/regions?source=simulated")
    main = page.inner_text("main")
    assert all(name in main for name in NAMES[lang])
    chart = page.locator("svg.chart")
    assert chart.count() == 1 and chart.bounding_box()["height"] > 40
    first = page.locator("table.regions tbody tr").first.locator("th").inner_text()
    assert NAMES[lang][0] in first  # by median working days, fewest first: Xihu's 6 before Binjiang's 7.5
    header = page.locator("table.regions thead th", has=page.locator("a[href*='sort=after_share']"))
    header.locator("a").click()
    page.wait_for_load_state()
    assert page.locator("table.regions thead th[aria-sort]").count() == 1
    assert "sort=after_share" in page.url
    top = page.locator("table.regions tbody tr").first.locator("th").inner_text()
    assert NAMES[lang][1] in top  # Binjiang: all its simulated cases are on after
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"] + 1
    page.goto(f"{served}/audit/province?source=simulated")
    page.locator("details summary").first.click()
    shown = page.inner_text("main")
    assert "2 / 3" in shown and all(name in shown for name in NAMES[lang])
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"] + 1
    assert not [line for line in console if "Content Security Policy" in line or line.startswith("pageerror")]
    context.close()
