"""Issue #12's done-when, in a real browser: a designer opens newborn's `before` variant, starts an `after` variant
from it, deletes steps (nine: its departments must end as the deployed after variant's, or a designer may not deploy
it), merges two departments' steps (medical insurance, social security card) into one window step at the service
centre, marks a material as shared, watches the metric deltas change, fixes a problem the live check marks (a flow
deleted by mistake), and deploys; the deployed version checks clean with the CLI and opens in bpmn-js without
warnings.

Skipped when /usr/bin/chromium or Playwright is missing, unless ONETHING_REQUIRE_BROWSER=1 (CI): then it fails.
"""
from __future__ import annotations

import pytest

from engine.catalog.drafting import deployed_matter_yaml
from engine.catalog.history import list_versions
from tests.browser import SHOTS, signed_in_page
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.xdist_group("browser")  # one worker drives Chromium: no second browser beside it
REMOVE = """(ids) => {
  const modeler = window.oneThingModeler, registry = modeler.get('elementRegistry');
  modeler.get('modeling').removeElements(ids.map(id => registry.get(id)));
}"""
CONNECT = """([source, target]) => {
  const modeler = window.oneThingModeler, registry = modeler.get('elementRegistry');
  modeler.get('modeling').connect(registry.get(source), registry.get(target));
}"""
RENAME = """([id, name]) => {
  const modeler = window.oneThingModeler;
  modeler.get('modeling').updateProperties(modeler.get('elementRegistry').get(id), {name: name});
}"""
SELECT = """(id) => {
  const modeler = window.oneThingModeler;
  modeler.get('selection').select(modeler.get('elementRegistry').get(id));
}"""
CUT = """(id) => {
  const modeler = window.oneThingModeler, step = modeler.get('elementRegistry').get(id);
  const flow = step.incoming[0], source = flow.source.id;
  modeler.get('modeling').removeElements([flow]);
  return source;
}"""
MARKED = """() => Array.from(document.querySelectorAll('#modeler .djs-element.ot-problem'),
  e => e.getAttribute('data-element-id'))"""
SAVED = "() => window.oneThingModeler.saveXML().then(r => r.xml)"


def _until(page, condition, what: str, console: list[str], seconds: float = 30) -> None:
    for _ in range(int(seconds * 20)):
        if condition():
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"{what}: {page.inner_text('#modeler-status')} {page.inner_text('#modeler-problems')} "
                         f"{console}")


def _figures(page, metric: str) -> list[str]:
    """The savings row of a metric: [label, deployed before, drawn after, delta...] as shown."""
    return page.locator(f'#modeler-savings tr[data-metric="{metric}"] td').all_inner_texts()


def _state(page) -> str | None:
    return page.get_attribute("#modeler-check", "data-state")


def test_a_designer_redesigns_newborn_from_its_before_variant_and_deploys_it(browser, served, ctx, run, tmp_path):
    before = next(v for v in list_versions(ctx, "newborn") if v.variant == "before" and v.current)
    after = next(v for v in list_versions(ctx, "newborn") if v.variant == "after" and v.current)
    context, page, console = signed_in_page(browser, served, "designer.police", PASSWORD, "en")
    page.goto(f"{served}/designer/versions/{before.id}")
    page.click(f'a[href*="version={before.id}"][href*="variant=after"]')  # start the after variant from this one
    page.wait_for_selector('#modeler-check[data-state="problems"]', timeout=30_000)
    page.wait_for_selector('#matter-editor[data-state="ready"]', timeout=30_000)
    assert page.input_value("#variant") == "after"
    # as the after variant, the before's six departments are not the after's: the check says a designer may not
    assert "needs an admin" in page.inner_text("#modeler-problems")
    steps_at_start = _figures(page, "steps")

    # the redesign: the settlement letter goes (the police read the birth certificate instead), the vaccination
    # certificate is issued at the hospital, the maternity allowance is decided from shared data
    page.evaluate(REMOVE, ["apply_settlement_letter", "issue_settlement_letter", "issue_vaccination_certificate",
                           "apply_medical_insurance", "apply_ss_card", "apply_maternity_allowance",
                           "review_maternity_allowance", "pay_maternity_allowance"])
    # two departments' steps become one window step at the service centre
    page.evaluate(REMOVE, ["issue_ss_card"])
    page.evaluate(RENAME, ["enrol_medical_insurance", "一窗办理医保参保和社会保障卡"])
    page.evaluate(SELECT, "enrol_medical_insurance")
    page.wait_for_selector("#p-department")
    page.select_option("#p-department", "service_center")
    # bpmn-js joins the flows around a deleted step; the departments are the after variant's now
    _until(page, lambda: _state(page) == "valid", "the redesign checks", console)
    assert _figures(page, "steps") != steps_at_start
    # a flow deleted by mistake leaves the police's step cut off: the live check marks it, the designer draws it again
    source = page.evaluate(CUT, "apply_birth_registration")
    _until(page, lambda: "apply_birth_registration" in page.evaluate(MARKED), "the check marks the step", console)
    assert "it would never run" in page.inner_text("#modeler-problems")
    page.evaluate(CONNECT, [source, "apply_birth_registration"])
    _until(page, lambda: _state(page) == "valid" and not page.evaluate(MARKED), "fixed by a flow", console)

    # a material the applicant handed in is obtained by data sharing now: one material fewer
    materials = _figures(page, "materials")
    index = page.evaluate("() => window.oneThingMatterEditor.state().materials.findIndex(m => m.id === "
                          "'hukou_booklet')")
    page.select_option(f'#matter-editor [data-path="materials.{index}.after"]', "shared")
    _until(page, lambda: _state(page) == "valid" and _figures(page, "materials") != materials,
           "the shared material counts no more", console)
    page.screenshot(path=str(SHOTS / "onething-workbench-redesign.png"), full_page=True)

    page.click('[data-draft-action="deploy"]')
    page.wait_for_selector('#draft-status[data-state="deployed"], #draft-status[data-state="failed"]', timeout=60_000)
    assert page.get_attribute("#draft-status", "data-state") == "deployed", page.inner_text("#draft-status")
    deployed = next(v for v in list_versions(ctx, "newborn") if v.variant == "after" and v.current)
    assert deployed.version == after.version + 1

    # the CLI checks the deployed version clean, with the matter.yaml it was deployed with
    folder = tmp_path / "newborn"
    folder.mkdir()
    download = page.request.get(f"{served}/designer/versions/{deployed.id}/bpmn")
    assert download.ok
    drawn = download.body().decode("utf-8")
    assert "apply_settlement_letter" not in drawn and "一窗办理医保参保和社会保障卡" in drawn
    (folder / "after.bpmn").write_text(drawn, encoding="utf-8")
    yaml_text = deployed_matter_yaml(ctx, "newborn") or ""
    assert "after: shared" in yaml_text.split("id: hukou_booklet", 1)[1][:300]
    (folder / "matter.yaml").write_text(yaml_text, encoding="utf-8")
    result = run("check", str(folder / "after.bpmn"))  # exit status 0 (`run` asserts it), no problem line
    assert "1 file(s) OK" in result.stdout and "after.bpmn:" not in result.stdout + result.stderr, result.stdout

    # and bpmn-js opens it without a warning
    page.goto(f"{served}/designer/versions/{deployed.id}")
    page.wait_for_selector('#bpmn-view[data-state="ready"] .djs-element', timeout=30_000)
    assert page.get_attribute("#bpmn-view", "data-warnings") == "0", console
    assert not [line for line in console if line.startswith(("error", "pageerror"))], console
    context.close()
