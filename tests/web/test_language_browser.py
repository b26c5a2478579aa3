"""Pages in the reader's language in a real browser (Debian's Chromium driven by Playwright), issue #11 items 7, 10
and 11: a conflict page tells a clerk in Chinese, with department names and no task UUID; the auditor's published
sources read in the page's language and link to their publishers; in English, the same pages are English. A
phone's width (390 px) for Chinese, a desktop's for English; no sideways scrolling.

Skipped when /usr/bin/chromium or Playwright is missing, unless ONETHING_REQUIRE_BROWSER=1 (CI): then it fails.
"""
from __future__ import annotations

import re

import pytest

from engine import department_label
from engine.accounts import users
from engine.cases import lifecycle as cases
from engine.citizen import applications as citizen
from engine.matters.forms import example_data
from tests.browser import signed_in_page
from tests.web.conftest import PASSWORD
from tests.web.test_engine_texts import zh

pytestmark = pytest.mark.xdist_group("browser")  # one worker drives Chromium: no second browser beside it
VIEWS = {"zh": {"width": 390, "height": 844}, "en": {"width": 1280, "height": 900}}
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)


def _signed_in(browser, base: str, user: str, lang: str):
    context, page, _console = signed_in_page(browser, base, user, PASSWORD, lang, VIEWS[lang])
    return context, page


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"] + 1


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_step_a_colleague_finished_is_told_in_the_clerks_language(browser, served, ctx, lang):
    number = citizen.apply(ctx, "newborn", example_data(citizen.intake_form(ctx, "newborn")), "13800008000")
    step = next(i for i in cases.get_case(ctx, number).ready_steps if i.step_id == "register_birth")
    users.add_user(ctx, "clerk.police2", PASSWORD, "clerk", "police")
    cases.complete_step(ctx, number, step.task_id, users.get_actor(ctx, "clerk.police2"),
                        {"registration_approved": True, "child_resident_id": "630104202603101024"})
    context, page = _signed_in(browser, served, "clerk.police", lang)
    answer = page.goto(f"{served}/work/{number}/{step.task_id}")
    assert answer.status == 409
    shown = page.inner_text("main")
    assert not UUID.search(shown) and "register_birth" not in shown
    next_steps = cases.get_case(ctx, number).ready_steps
    assert next_steps
    for item in next_steps:  # the departments the case waits for now, by name in the page's language
        names = department_label(ctx, item.department)
        assert (names.zh if lang == "zh" else names.en) in shown
    if lang == "zh":
        said = zh("step '%(step)s' of case %(number)s is not waiting for anyone now", step=step.step_name,
                  number=number)
        assert said in shown and "is not waiting" not in shown
    else:
        assert "is not waiting for anyone now" in shown
    _no_sideways_scroll(page)
    context.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_published_sources_read_in_the_page_language_and_link_to_their_publishers(browser, served, lang):
    context, page = _signed_in(browser, served, "auditor", lang)
    page.goto(f"{served}/audit/matters/newborn")
    sources = " ".join(page.locator(".source").all_inner_texts())
    if lang == "zh":
        assert "青海 (省级)" in sources and "《青海推进新生儿出生一件事改革》" in sources
        assert "Qinghai" not in sources and "newspaper item" not in sources
    else:
        assert "Qinghai (province)" in sources and "newspaper item" in sources
    link = page.locator('.source a[href="https://hhhzy.com/"]').first
    assert link.inner_text() == "hhhzy.com" and "noopener" in (link.get_attribute("rel") or "")
    hovered = [t.text_content() or "" for t in page.locator("svg.diagram g.node > title").all()]  # shown on hover
    assert hovered and not any(re.fullmatch(r"\w+_\w+", t) for t in hovered)
    _no_sideways_scroll(page)
    context.close()
