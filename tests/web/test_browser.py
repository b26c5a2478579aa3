"""The whole journey in a real browser (Debian's Chromium driven by Playwright): apply, work, track, rate, audit.

Skipped when /usr/bin/chromium or Playwright is missing, unless ONETHING_REQUIRE_BROWSER=1 (CI): then it fails.
"""
from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest

from engine.accounts.users import Actor
from engine.cases import lifecycle as cases
from engine.citizen import applications as citizen
from engine.context import EngineContext
from engine.matters.forms import example_data
from tests.browser import SHOTS
from web.app import create_app

REPO = Path(__file__).resolve().parents[2]
PHONE = "13912348000"
pytestmark = pytest.mark.xdist_group("browser")  # one worker drives Chromium: no second browser beside it


@pytest.fixture
def site(tmp_path):
    """The app on a fresh SQLite database (processes deployed, demo users and a few demo cases), served on 127.0.0.1."""
    from werkzeug.serving import make_server

    from engine.demo.loader import DEMO_PASSWORD, load_demo

    url = f"sqlite:///{tmp_path / 'onething.db'}"
    ctx = EngineContext.from_url(url)
    ctx.init_db()
    load_demo(ctx, REPO / "processes", cases_wanted=8, evidence=False, regions=False)  # one region: the root
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "browser-test", "PROCESSES_PATH": str(REPO / "processes")})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        from web.app import engine_context

        yield f"http://127.0.0.1:{server.server_port}", engine_context(app), DEMO_PASSWORD
    finally:
        server.shutdown()
        thread.join(5)
        ctx.engine.dispose()


def _fill(page, form, data: dict) -> None:
    for item in form.fields:
        if item.name not in data:
            continue
        value = data[item.name]
        if item.type == "boolean":
            page.check(f'input[name="{item.name}"][value="{"yes" if value else "no"}"]')
        elif item.type == "choice":
            page.check(f'input[name="{item.name}"][value="{value}"]')
        else:
            page.fill(f"#f-{item.name}", str(value))


def _sign_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()


def _sign_out(page) -> None:
    page.click("form.user button")
    page.wait_for_load_state()


JOURNEYS = {"zh": ("zh-CN", {"width": 1280, "height": 900}), "en": ("en-US", {"width": 390, "height": 844})}


@pytest.mark.parametrize("lang", list(JOURNEYS))  # Chinese on a desktop, English on a phone (issue #11 done-when)
def test_applicant_clerks_and_auditor_journey(browser, site, lang):
    base, ctx, password = site
    locale, viewport = JOURNEYS[lang]
    page = browser.new_page(locale=locale, viewport=viewport)
    shots = lang == "zh"  # the documentation's screenshots are the Chinese desktop ones

    # the applicant applies for the newborn matter (after variant) with one form
    page.goto(f"{base}/apply")
    page.click('a[href="/apply/newborn"]')
    form = citizen.intake_form(ctx, "newborn")
    _fill(page, form, example_data(form))
    page.fill("#f-phone", PHONE)  # the form's own phone is the lookup phone: asked once
    page.click("button[type=submit].primary")
    number = page.text_content("#case-number").strip()
    assert re.fullmatch(r"[0-9A-Z-]+", number)
    assert page.get_attribute("html", "lang").startswith(lang)

    # the clerks of each department complete their steps through the worklist
    from engine.cases.worklist import step_detail

    worked: list[str] = []
    shot_taken = not shots
    for _ in range(40):
        view = cases.get_case(ctx, number)
        if view.status != "running":
            break
        if not view.ready_steps:
            for name in view.waiting_messages:  # another department's result arrives as a message
                cases.send_message(ctx, number, name, {}, actor=Actor.system())
            continue
        item = view.ready_steps[0]
        assert item.department != "Applicant", "the after variant asks the applicant only once"
        detail = step_detail(ctx, number, item.task_id, Actor(f"clerk.{item.department}", "clerk", item.department))
        _sign_in(page, base, f"clerk.{item.department}", password)
        assert "/worklist" in page.url
        if not shot_taken:
            page.screenshot(path=str(SHOTS / "onething-worklist.png"), full_page=True)
            shot_taken = True
        page.click(f'a[href="/work/{number}/{item.task_id}"]')
        if detail.form is not None:
            _fill(page, detail.form, example_data(detail.form))
        page.click("form.stack button[type=submit].primary")
        page.wait_for_load_state()
        assert page.locator(".notice-success").count() == 1, page.content()[:2000]
        worked.append(item.step_id)
        _sign_out(page)
    assert cases.get_case(ctx, number).status == "completed", worked

    # the applicant looks the case up and rates it
    page.goto(f"{base}/track")
    page.fill("#number", number)
    page.fill("#check", PHONE[-4:])
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
    assert page.locator("h1.stage").count() == 1
    page.check('input[name="score"][value="5"]')
    page.fill("#comment", "一次办好，很方便" if lang == "zh" else "Done in one go")
    page.click("form[action='/track/rate'] button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".notice-success").count() == 1
    assert citizen.lookup(ctx, number, PHONE[-4:], "test").rating == 5

    # the auditor sees the matter's before/after comparison
    _sign_in(page, base, "auditor", password)
    assert "/audit/" in page.url
    if shots:
        page.screenshot(path=str(SHOTS / "onething-audit.png"), full_page=True)
    page.goto(f"{base}/cases/{number}")
    assert page.locator("svg.diagram").count() == 1 and page.locator("progress").count() == 1
    assert "630104199203152426" not in page.content()  # the mother's resident ID, masked for auditors
    page.wait_for_selector('#bpmn-view[data-state="ready"] .djs-element')  # the model drawn by bpmn-js
    done = page.evaluate("""Array.from(document.querySelectorAll('#bpmn-view .djs-element.ot-done'),
                                       e => e.getAttribute('data-element-id'))""")
    drawn = set(page.evaluate("""Array.from(document.querySelectorAll('#bpmn-view .djs-element[data-element-id]'),
                                            e => e.getAttribute('data-element-id'))"""))
    inside_calls = {s for s in worked if s not in drawn}  # steps of the police's shared sub-process: one call box
    assert {s for s in worked if s in drawn} <= set(done) and page.locator("#bpmn-view .ot-active").count() == 0, done
    assert inside_calls == {"register_birth"} and "call_birth_registration" in done, (inside_calls, done)
    if shots:
        page.screenshot(path=str(SHOTS / "onething-case.png"), full_page=False)
    page.goto(f"{base}/audit/")
    page.click('a[href="/audit/matters/newborn"]')
    page.wait_for_url("**/audit/matters/newborn")  # the click only starts the navigation: a loaded machine is slow
    page.wait_for_selector("table.compare caption")
    assert page.locator("table.compare caption").count() >= 2  # static figures; measured ones, now a case finished
    assert page.locator("svg.diagram").count() == 1 and page.locator("svg.chart").count() >= 2
    if shots:
        page.screenshot(path=str(SHOTS / "onething-audit-newborn.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1  # no sideways scroll
    page.click('a[href="/audit/matters/newborn/cases?source=real"]')  # drill down from the figures to the cases
    page.wait_for_load_state()
    assert page.locator(f'a[href="/cases/{number}"]').count() == 1
    page.click(f'a[href="/cases/{number}"]')
    page.wait_for_load_state()
    assert f"/cases/{number}" in page.url
    page.close()
