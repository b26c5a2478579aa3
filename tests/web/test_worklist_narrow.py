"""The worklist at a phone's width (390 px) with JavaScript off: no sideways scrolling of the page, the filter
bar and its pages work as plain GET forms and links."""
from __future__ import annotations

from tests.browser import SHOTS
from tests.web.test_browser import _sign_in, site  # noqa: F401  (the site fixture; browser: conftest)

WIDE = "document.documentElement.scrollWidth"


def test_the_worklist_fits_a_phone_and_filters_without_javascript(browser, site):  # noqa: F811
    base, _ctx, password = site
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    widths = {}
    for user in ("clerk.police", "admin"):
        _sign_in(page, base, user, password)
        page.goto(f"{base}/worklist")
        widths[user] = page.evaluate(WIDE)
        page.screenshot(path=str(SHOTS / f"onething-worklist-390-{user}.png"), full_page=True)
        page.select_option('select[name="due"]', "on_time")
        page.click("form.filters button[type=submit]")
        page.wait_for_load_state()
        assert "due=on_time" in page.url and page.evaluate(WIDE) <= 390
        context.clear_cookies()
    _sign_in(page, base, "clerk.police", password)
    page.goto(f"{base}/worklist/done")
    widths["done"] = page.evaluate(WIDE)
    print("page widths at 390 px:", widths)
    assert all(width <= 390 for width in widths.values()), widths
    context.close()
