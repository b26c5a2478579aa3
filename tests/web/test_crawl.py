"""Every link reachable from each role's home page, on the demo data, in both languages (issue #11, 'done when').

A crawler signs in as each role, follows every same-site link it finds from `/` breadth-first (GET only; never the
sign-out link or the language switch, which are forms), and requires that none answers 4xx or 5xx: a page that
links somewhere must link somewhere its reader may go. Paths that differ only in their numbers (case numbers, step
ids, version ids) are sampled, a few of each shape, so the crawl stays in seconds while reaching every kind of page.
Chinese pages must not show a drawing's internal ids where a reader hovers (dot titles every element by its id).
"""
from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from engine.context import EngineContext
from engine.demo.loader import DEMO_PASSWORD, load_demo
from web.app import create_app

from .conftest import REPO

ROLES = (None, "clerk.health", "clerk.police", "designer.police", "auditor", "admin")
PER_SHAPE = 3  # pages of one path shape (numbers and ids masked) the crawl opens
DELIBERATE: set[str] = set()  # paths a page links to that answer 4xx on purpose (none today)


class _Page(HTMLParser):
    """The links and the SVG titles (what a browser shows on hover in a drawing) of one HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.titles: list[str] = []
        self._svg = 0
        self._title = False

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)
        self._svg += tag == "svg"
        self._title = tag == "title" and self._svg > 0

    def handle_endtag(self, tag):
        self._svg -= tag == "svg"
        self._title = False

    def handle_data(self, data):
        if self._title:
            self.titles.append(data)


def _shape(path: str) -> str:
    """A path with its numbers and ids masked: /cases/20261207-3KXQ2 and /cases/20261208-ZZ01A share one shape."""
    path = re.sub(r"\d{8}-[0-9A-Z]{5}", "CASE", re.sub(r"/\d+", "/N", path))
    return re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "UUID", path)


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    # module scope runs before the per-test `isolated` fixture: the app gets its own instance folder here,
    # or it would compile its translations into the checkout's instance/
    folder = tmp_path_factory.mktemp("crawl")
    db = folder / "demo.db"
    mp = pytest.MonkeyPatch()
    mp.setenv("ONETHING_INSTANCE_PATH", str(folder / "instance"))
    ctx = EngineContext.from_url(f"sqlite:///{db}")
    ctx.init_db()
    load_demo(ctx, REPO / "processes")
    ctx.engine.dispose()
    app = create_app({"TESTING": True, "SECRET_KEY": "crawl", "DATABASE_URL": f"sqlite:///{db}",
                      "PROCESSES_PATH": str(REPO / "processes")})
    mp.undo()
    yield app
    app.extensions["onething"].engine.dispose()


def _signed_in(app, username: str | None):
    client = app.test_client()
    if username:
        client.get("/login")
        with client.session_transaction() as session:
            token = session["csrf"]
        answer = client.post("/login", data={"username": username, "password": DEMO_PASSWORD, "csrf_token": token})
        assert answer.status_code == 302, answer.get_data(as_text=True)[:300]
    return client


def crawl(client, lang: str):
    """(pages opened, [(status, path, linked from)], {path: [element ids shown as hover titles]})."""
    queue, seen, shapes = [("/", "-")], set(), Counter()
    broken, id_titles, opened = [], {}, 0
    while queue:
        path, origin = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        shapes[_shape(urlsplit(path).path)] += 1
        if shapes[_shape(urlsplit(path).path)] > PER_SHAPE:
            continue
        answer = client.get(path, headers={"Accept-Language": lang})
        opened += 1
        status, location, html = answer.status_code, answer.headers.get("Location"), answer.mimetype == "text/html"
        body = answer.get_data(as_text=True) if html else ""
        answer.close()  # a download streams from a temporary file
        if status >= 400 and urlsplit(path).path not in DELIBERATE:
            broken.append((status, path, origin))
        if location:
            queue.append((_local(path, location), path))
            continue
        if not html:
            continue
        page = _Page()
        page.feed(body)
        ids = [t for t in page.titles  # an id alone, or an unnamed element's id before its kind: "gw_merge (排他网关)"
               if re.fullmatch(r"(cluster_|legend_|after__|before__)\w*|\w+_\w+( \(.*\))?", t.strip())]
        if ids:
            id_titles[path] = ids[:5]
        for href in page.links:
            target = _local(path, href)
            if target and "/logout" not in target and not target.startswith("/lang"):
                queue.append((target, path))
    return opened, broken, id_titles


def _local(base: str, href: str) -> str:
    """`href` as a path of this site, or "" for another site."""
    url = urlsplit(urljoin("http://onething.test" + base, href))
    if url.netloc != "onething.test":
        return ""
    return url.path + (f"?{url.query}" if url.query else "")


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("username", ROLES, ids=[r or "citizen" for r in ROLES])
def test_every_link_of_every_role_leads_somewhere_it_may_go(demo_app, username, lang):
    client = _signed_in(demo_app, username)
    home = client.get("/", headers={"Accept-Language": lang}, follow_redirects=True).get_data(as_text=True)
    assert f'lang="{lang}' in home
    opened, broken, id_titles = crawl(client, lang)
    assert opened >= 8, f"the crawl reached only {opened} pages"
    assert not broken, broken[:10]
    assert not id_titles, id_titles


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_outliers_name_what_held_them_in_the_page_language(demo_app, lang):
    """The slowest cases' longest step and its department by name (issue #11 item 11), never by id."""
    client = _signed_in(demo_app, "auditor")
    page = client.get("/audit/matters/newborn?source=simulated", headers={"Accept-Language": lang})
    section = page.get_data(as_text=True).split('id="outliers-h"', 1)[1].split("</section>", 1)[0]
    held = re.findall(r"<td>([^<]+) \(([^,<]+), [\d.]+ h\)</td>", section)
    assert held, "the demo's simulated cases have outliers"
    departments = {"zh": {"医疗保障局", "政务服务中心", "公安局", "卫生健康委"},
                   "en": {"Medical Security Bureau", "Public Security Bureau (police station)"}}[lang]
    assert {department for _step, department in held} & departments, held
    for step, department in held:
        assert not re.fullmatch(r"\w+_\w+|police|health|service_center", department), held
        assert not re.fullmatch(r"\w+_\w+", step), held
        assert bool(re.search(r"[\u4e00-\u9fff]", step + department)) == (lang == "zh"), held
