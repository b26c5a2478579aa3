"""Zoom, pan and fit of the drawings in a real browser (Debian's Chromium driven by Playwright), under the CSP.

Skipped when /usr/bin/chromium or Playwright is missing, unless ONETHING_REQUIRE_BROWSER=1 (CI): then it fails.
"""
from __future__ import annotations

import pytest

from tests.browser import launch, require_browser
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.xdist_group("browser")  # one worker drives Chromium: no second browser beside it


def _view_box(page) -> list[float]:
    return [float(x) for x in page.get_attribute(".diagram-wrap svg.diagram", "viewBox").split()]


def test_zoom_in_pan_and_fit_change_the_view_box_without_a_csp_violation(served):
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(locale="en", viewport={"width": 1280, "height": 900})
        console: list[str] = []
        page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
        page.goto(f"{served}/login")
        page.fill("#username", "auditor")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit].primary")
        page.wait_for_load_state()
        page.goto(f"{served}/audit/matters/newborn")
        page.wait_for_selector(".diagram-wrap.zoomable .diagram-tools:not([hidden])")
        fit = _view_box(page)
        assert page.get_attribute('button[data-zoom="in"]', "aria-label") == "Zoom in"

        page.click('button[data-zoom="in"]')
        page.click('button[data-zoom="in"]')
        zoomed = _view_box(page)
        assert zoomed[2] == pytest.approx(fit[2] / 1.25 ** 2) and zoomed[3] == pytest.approx(fit[3] / 1.25 ** 2)

        box = page.locator(".diagram-wrap svg.diagram").bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] / 2 + 120, box["y"] + box["height"] / 2 + 40, steps=4)
        page.mouse.up()
        panned = _view_box(page)
        assert panned[0] < zoomed[0] and panned[1] < zoomed[1] and panned[2:] == pytest.approx(zoomed[2:])

        page.focus(".diagram-wrap.zoomable")  # the keys work on the focused drawing
        page.keyboard.press("+")
        assert _view_box(page)[2] < panned[2]
        page.keyboard.press("-")
        assert _view_box(page)[2] == pytest.approx(panned[2])
        page.keyboard.press("0")
        assert _view_box(page) == pytest.approx(fit)

        page.click('button[data-zoom="in"]')
        page.click('button[data-zoom="fit"]')
        assert _view_box(page) == pytest.approx(fit)
        page.keyboard.down("Control")
        page.mouse.move(box["x"] + 200, box["y"] + 100)
        page.mouse.wheel(0, -100)
        page.keyboard.up("Control")
        assert _view_box(page)[2] < fit[2]
        browser.close()
    assert not [line for line in console if "Content Security Policy" in line or line.startswith(("error", "page"))], \
        console
