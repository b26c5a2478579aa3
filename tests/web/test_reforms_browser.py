"""The adopt-and-diff flow of the library of reforms in a real browser (issue #13 item 2): Yiwu's designer publishes
from the version page, Pujiang's designer adopts from the library and lands on the diff, which shows Pujiang's
local step, department name and time limit beside the shared original.

Skipped when /usr/bin/chromium or Playwright is missing, unless ONETHING_REQUIRE_BROWSER=1 (CI): then it fails.
"""
from __future__ import annotations

import pytest

from engine.accounts.users import Actor
from engine.catalog import designer, history
from tests.browser import SHOTS, signed_in_page
from tests.engine.test_reform_library import LOCAL_MATTER, YIWU_AFTER, local_edit
from tests.web.conftest import PASSWORD
from tests.web.test_pages_reforms import counties  # noqa: F401  (the fixture)

pytestmark = pytest.mark.xdist_group("browser")


def test_publish_adopt_and_diff_in_the_browser(browser, served, counties):  # noqa: F811
    ctx = counties
    yiwu = Actor("designer.yiwu", "designer", "service_center", "yiwu")
    done = designer.deploy_upload(ctx, YIWU_AFTER, "after.bpmn", None, "newborn", "after", yiwu)
    version = next(v.id for v in history.list_versions(ctx, "newborn", region="yiwu") if v.region == "yiwu"
                   and v.version == done.version)
    context, page, console = signed_in_page(browser, served, "designer.yiwu", PASSWORD, "en")
    page.goto(f"{served}/designer/versions/{version}")
    page.fill("#note", "online joint application")
    page.click("text=Publish to the library of reforms")
    page.wait_for_selector(".notice-success")
    assert "Published as reform 1 of Newborn birth." in page.inner_text(".flashes")
    context.close()
    context, page, console = signed_in_page(browser, served, "designer.pujiang", PASSWORD, "en")
    page.goto(f"{served}/library/")
    row = page.locator("tr[data-publication]")
    assert "online joint application" in row.inner_text() and "Yiwu" in row.inner_text()
    row.locator("button", has_text="Adopt").click()
    page.wait_for_selector("h1")
    assert "Pujiang against the shared original" in page.inner_text("h1")
    assert "Unchanged." in page.inner_text("main")
    designer.deploy_upload(ctx, local_edit(YIWU_AFTER), "after.bpmn", LOCAL_MATTER, "newborn", "after",
                           Actor("designer.pujiang", "designer", "service_center", "pujiang"))
    page.reload()
    main = page.inner_text("main")
    for shown in ("local_check", "本地复核", "Pujiang County Police", "deliver_results"):
        assert shown in main, shown
    page.screenshot(path=str(SHOTS / "onething-reform-diff.png"), full_page=True)
    page.goto(f"{served}/library/")
    assert "adopted with local changes" in page.inner_text("tr[data-publication]")
    assert not [line for line in console if line.startswith(("error", "pageerror"))], console
    context.close()
