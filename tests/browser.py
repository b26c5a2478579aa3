"""Debian's Chromium driven by Playwright, shared by the browser tests (pages and the bpmn-js modeler).

A test that needs the browser calls `chromium()` inside `sync_playwright()`: it skips with the reason
when Chromium or Playwright is missing, or fails when ONETHING_REQUIRE_BROWSER=1 (CI).
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("ONETHING_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = Path(os.environ.get("ONETHING_SCREENSHOTS", "/tmp"))
REQUIRED = os.environ.get("ONETHING_REQUIRE_BROWSER") == "1"  # read at import: each test runs with ONETHING_* cleared


def browser_problem(*extra: str | None) -> str | None:
    """Why the browser cannot run here (None: it can); `extra` adds the caller's own missing pieces."""
    if not Path(CHROMIUM).is_file():
        return f"{CHROMIUM} not found (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install playwright; no `playwright install` needed)"
    return next((reason for reason in extra if reason), None)


def require_browser(*extra: str | None) -> None:
    """Skip (or, with ONETHING_REQUIRE_BROWSER=1, fail) when the browser cannot run."""
    problem = browser_problem(*extra)
    if problem:
        if REQUIRED:
            pytest.fail(f"browser tests are required (ONETHING_REQUIRE_BROWSER=1): {problem}")
        pytest.skip(problem)


def launch(playwright):
    """Headless Debian Chromium with the flags this machine's closed network needs."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)


def signed_in_page(browser, base: str, user: str, password: str, lang: str = "en",
                   viewport: dict[str, int] | None = None):
    """A fresh context in `lang` at `viewport`, signed in as `user` on the app at `base`: (context, page, console),
    console collecting the page's console messages and uncaught errors as "type: text" lines."""
    context = browser.new_context(locale="zh-CN" if lang == "zh" else "en",
                                  viewport=viewport or {"width": 1280, "height": 900})
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
    page.goto(f"{base}/login")
    page.fill("#username", user)
    page.fill("#password", password)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
    return context, page, console
