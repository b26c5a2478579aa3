"""The modeler's drafts in a real browser (issue #12 items 5 and 6): a designer renames a step of newborn's after,
saves a draft, reloads and finds it resumed, simulates it (the forecast shows), deploys it, and the models page
lists the new version and the design log's save and deploy with the designer's name.

Skipped when /usr/bin/chromium or Playwright is missing, unless ONETHING_REQUIRE_BROWSER=1 (CI): then it fails.
"""
from __future__ import annotations

import pytest

from engine.catalog.drafting import deployed_matter_yaml
from engine.catalog.history import list_versions
from tests.browser import SHOTS, signed_in_page
from tests.web.conftest import PASSWORD, REPO

pytestmark = pytest.mark.xdist_group("browser")  # one worker drives Chromium: no second browser beside it
RENAME = """(name) => {
  const modeler = window.oneThingModeler;
  const step = modeler.get('elementRegistry').get('verify_home_birth');
  modeler.get('modeling').updateProperties(step, {name: name});
}"""
NAME_OF = "() => window.oneThingModeler.get('elementRegistry').get('verify_home_birth').businessObject.name"
NEW_NAME = "上门核实非医院分娩情况"


def test_a_draft_is_saved_resumed_simulated_and_deployed(browser, served, ctx):
    before = next(v for v in list_versions(ctx, "newborn") if v.variant == "after" and v.current)
    context, page, console = signed_in_page(browser, served, "designer.police", PASSWORD, "en")
    drawing = f"{served}/designer/model?matter_id=newborn&variant=after"
    page.goto(drawing)
    page.wait_for_selector('#modeler-check[data-state="valid"]', timeout=20_000)
    page.evaluate(RENAME, NEW_NAME)
    page.click('[data-draft-action="save"]')
    page.wait_for_selector('#draft-status[data-state="saved"], #draft-status[data-state="failed"]', timeout=20_000)
    assert page.get_attribute("#draft-status", "data-state") == "saved", page.inner_text("#draft-status")
    page.goto(drawing)  # a reload resumes the draft, and says whose it is
    page.wait_for_selector('#modeler-check[data-state="valid"]', timeout=20_000)
    assert "Resumed the draft saved by designer.police" in page.inner_text("#draft-resumed")
    assert page.evaluate(NAME_OF) == NEW_NAME
    page.click('[data-draft-action="simulate"]')
    page.wait_for_selector('#draft-status[data-state="simulated"], #draft-status[data-state="failed"]',
                           timeout=90_000)
    assert page.get_attribute("#draft-status", "data-state") == "simulated", page.inner_text("#draft-status")
    rows = page.locator("#modeler-forecast tbody tr")
    assert rows.count() == 2 and page.locator("#modeler-forecast").is_visible()
    drawn = page.locator('#modeler-forecast tr[data-run="draft"] td').all_inner_texts()
    assert drawn[0] != "–" and drawn[-1] == "50/50", drawn  # the median working days, every case completed
    page.click('[data-draft-action="deploy"]')
    page.wait_for_selector('#draft-status[data-state="deployed"], #draft-status[data-state="failed"]', timeout=30_000)
    assert page.get_attribute("#draft-status", "data-state") == "deployed", page.inner_text("#draft-status")
    assert f"as version {before.version + 1}" in page.inner_text("#draft-status")
    page.screenshot(path=str(SHOTS / "onething-modeler-drafts.png"), full_page=True)
    sent = (REPO / "processes/newborn/matter.yaml").read_text(encoding="utf-8")
    assert deployed_matter_yaml(ctx, "newborn") == sent  # the page's matter.yaml went with it, unchanged
    page.click("#draft-status a")  # to the models page
    page.wait_for_selector("#design-log")
    versions = page.inner_text("#versions-h + .table-wrap")
    assert f"v{before.version + 1}" in versions
    log = page.locator("#design-log tbody tr")
    first, second = log.nth(0).inner_text(), log.nth(1).inner_text()
    assert "designer.police" in first and "deployed a draft" in first and f"v{before.version + 1}" in first
    assert "designer.police" in second and "saved a draft" in second
    assert page.locator("#drafts .empty").count() == 1  # the deployed draft is gone
    assert not [line for line in console if line.startswith(("error", "pageerror"))], console
    context.close()
