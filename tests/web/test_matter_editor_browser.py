"""The modeler's department select and matter editor in a real browser (issue #12 item 2): a designer opens
newborn's after variant, moves a step to another department's lane through the properties panel, adds a material
in the matter editor and picks it for a step, marks a material shared; the live check and savings follow.

Skipped when /usr/bin/chromium or Playwright is missing, unless ONETHING_REQUIRE_BROWSER=1 (CI): then it fails.
"""
from __future__ import annotations

import pytest

from engine import matter_comparison
from engine.catalog.history import list_versions
from tests.browser import SHOTS, signed_in_page
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.xdist_group("browser")  # one worker drives Chromium: no second browser beside it
SELECT = """(id) => {
  const modeler = window.oneThingModeler;
  modeler.get('selection').select(modeler.get('elementRegistry').get(id));
}"""
LANE_OF = """(id) => {
  const registry = window.oneThingModeler.get('elementRegistry');
  const step = registry.get(id).businessObject;
  return registry.filter(e => e.type === 'bpmn:Lane' && (e.businessObject.flowNodeRef || []).includes(step))
    .map(l => l.id);
}"""
UNDO = "() => window.oneThingModeler.get('commandStack').undo()"
SAVED = "() => window.oneThingModeler.saveXML().then(r => r.xml)"


def _until(page, condition, what: str, console: list[str]) -> None:
    """Poll for the final state (the check runs 800 ms after an edit, the matter editor 500 ms)."""
    for _ in range(600):
        if condition():
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"{what}: {page.inner_text('#modeler-status')} {page.inner_text('#modeler-problems')} "
                         f"{page.inner_text('#matter-editor .matter-status')} {console}")


def _figure(page, metric: str) -> str | None:
    cells = page.locator(f'#modeler-savings tr[data-metric="{metric}"] td')
    return cells.all_inner_texts()[1] if cells.count() else None


def _valid_with(page, metric: str, value: int) -> bool:
    return page.get_attribute("#modeler-check", "data-state") == "valid" and _figure(page, metric) == str(value)


def test_a_designer_moves_a_step_adds_and_shares_materials_and_the_check_follows(browser, served, ctx):
    version = next(v for v in list_versions(ctx, "newborn") if v.variant == "after" and v.current)
    deployed = matter_comparison(ctx, "newborn").comparison
    context, page, console = signed_in_page(browser, served, "designer.police", PASSWORD, "en")
    page.goto(f"{served}/designer/model?version={version.id}")
    page.wait_for_selector('#modeler-check[data-state="valid"]', timeout=30_000)
    page.wait_for_selector('#matter-editor[data-state="ready"]', timeout=30_000)

    # the department select moves the step into the service centre's lane: the health commission then has no
    # step left, and the live check says a designer may not change the departments; moved back, it is valid
    page.evaluate(SELECT, "verify_home_birth")
    page.wait_for_selector("#p-department")
    assert page.input_value("#p-department") == "health"
    page.select_option("#p-department", "service_center")
    _until(page, lambda: page.evaluate(LANE_OF, "verify_home_birth") == ["service_center"], "moved", console)
    _until(page, lambda: page.get_attribute("#modeler-check", "data-state") == "problems"
           and "needs an admin" in page.inner_text("#modeler-problems"), "the departments changed", console)
    page.select_option("#p-department", "health")
    _until(page, lambda: page.evaluate(LANE_OF, "verify_home_birth") == ["health"]
           and page.get_attribute("#modeler-check", "data-state") == "valid", "moved back", console)

    # a department the diagram has no lane for gets one (the id and name the check recognises); undo takes it away
    page.select_option("#p-department", "street_office")
    _until(page, lambda: page.evaluate(LANE_OF, "verify_home_birth") == ["street_office"], "new lane", console)
    assert '<bpmn:lane id="street_office" name="Street office">' in page.evaluate(SAVED)
    _until(page, lambda: page.get_attribute("#modeler-check", "data-state") == "problems", "new department", console)
    for _ in range(3):  # the move, the lane's id and name, the lane
        page.evaluate(UNDO)
    _until(page, lambda: page.evaluate(LANE_OF, "verify_home_birth") == ["health"]
           and page.get_attribute("#modeler-check", "data-state") == "valid", "undone", console)
    assert 'id="street_office"' not in page.evaluate(SAVED)

    # a new material in the matter editor, at once a choice of the panel, picked for the applicant's step
    materials = page.locator('#matter-editor table[data-rows="materials"] tbody tr').count()
    page.locator('#matter-editor .table-wrap:has(> table[data-rows="materials"]) > button').click()
    row = f'#matter-editor [data-path="materials.{materials}'
    page.locator(row + '.id"]').fill("vaccination_card")
    page.locator(row + '.names.zh"]').fill("预防接种证")
    page.locator(row + '.names.en"]').fill("Vaccination card")
    page.locator(row + '.names.en"]').press("Tab")
    page.wait_for_selector('#matter-editor[data-state="valid"]', timeout=20_000)
    assert "vaccination_card" in page.input_value("#matter-yaml")
    page.evaluate(SELECT, "submit_joint_application")
    page.wait_for_selector("#p-material-vaccination_card")
    page.check("#p-material-vaccination_card")
    _until(page, lambda: _valid_with(page, "materials", deployed["materials"]["after"] + 1), "one material more",
           console)

    # a material the applicant still hands in is now obtained by data sharing: one fewer again
    index = page.evaluate("() => window.oneThingMatterEditor.state().materials.findIndex(m => m.id === "
                          "'hukou_booklet')")
    page.select_option(f'#matter-editor [data-path="materials.{index}.after"]', "shared")
    _until(page, lambda: _valid_with(page, "materials", deployed["materials"]["after"]), "shared", console)
    assert "after: shared" in page.input_value("#matter-yaml").split("id: hukou_booklet", 1)[1][:200]

    # a problem the editor marks on its field, and the live check lists it; fixing it makes both valid again
    page.locator(row + '.id"]').fill("Vaccination Card")
    page.locator(row + '.id"]').press("Tab")
    page.wait_for_selector('#matter-editor[data-state="problems"]', timeout=20_000)
    assert "ot-invalid" in (page.get_attribute(row + '.id"]', "class") or ""), (
        page.inner_text("#matter-editor .matter-problems"), page.get_attribute(row + '.id"]', "data-check"))
    _until(page, lambda: page.get_attribute("#modeler-check", "data-state") == "problems", "check marks it", console)
    page.locator(row + '.id"]').fill("vaccination_card")
    page.locator(row + '.id"]').press("Tab")
    _until(page, lambda: _valid_with(page, "materials", deployed["materials"]["after"]), "fixed", console)
    page.screenshot(path=str(SHOTS / "onething-matter-editor.png"), full_page=True)
    assert not [line for line in console if line.startswith(("error", "pageerror"))], console
    context.close()
