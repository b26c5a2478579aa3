"""The worklist page's filter bar, sort links and cursor pages, and "done by me" (no JavaScript needed)."""
from __future__ import annotations

import html
import re

import pytest

from engine.accounts.users import Actor
from engine.cases import lifecycle as cases
from engine.citizen import applications as citizen
from engine.matters.forms import example_data
from web.pages import worklist as page

PHONE = "13800008000"
POLICE = Actor("clerk.police", "clerk", "police")
APPROVED = {"registration_approved": "yes", "child_resident_id": "630104202603101024"}


@pytest.fixture
def numbers(ctx):
    """Three newborn cases waiting for the police (register_birth), oldest first."""
    form = citizen.intake_form(ctx, "newborn")
    assert form is not None
    return [citizen.apply(ctx, "newborn", example_data(form), PHONE) for _ in range(3)]


def shown(body: str) -> list[str]:
    """Case numbers in the worklist table, in order."""
    return re.findall(r'<a class="mono" href="/cases/[^"]+">([^<]+)</a>', body)


def links(body: str, rel: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(rf'<a rel="{rel}" href="([^"]+)"', body)]


def test_filters_search_and_claims_narrow_the_list(client, login, ctx, numbers):
    cases.claim_step(ctx, numbers[1], "register_birth", POLICE)
    login("clerk.police")
    body = client.get("/worklist", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert set(shown(body)) == set(numbers) and "3 steps match" in body
    assert '<select name="matter">' in body and '<option value="newborn"' in body and "<script" not in body
    assert shown(client.get(f"/worklist?q={numbers[2]}").get_data(as_text=True)) == [numbers[2]]
    assert shown(client.get("/worklist?claimed=me").get_data(as_text=True)) == [numbers[1]]
    assert set(shown(client.get("/worklist?claimed=unclaimed").get_data(as_text=True))) == {numbers[0], numbers[2]}
    assert set(shown(client.get("/worklist?matter=newborn&step=register_birth&q=Birth").get_data(as_text=True))) \
        == set(numbers)
    overdue = client.get("/worklist?due=overdue", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert shown(overdue) == [] and "No ready step matches these filters." in overdue
    assert client.get("/worklist?due=whenever&claimed=x&sort=y").status_code == 200  # nonsense is left out


def test_pages_follow_the_cursor_and_sort_links_turn_the_order(client, login, numbers, monkeypatch):
    monkeypatch.setattr(page, "PAGE", 2)
    login("clerk.police")
    first = client.get("/worklist?sort=arrival").get_data(as_text=True)
    assert len(shown(first)) == 2 and len(links(first, "next")) == 1
    second = client.get(links(first, "next")[0]).get_data(as_text=True)
    assert links(second, "next") == [] and "sort=arrival" in links(first, "next")[0]
    assert sorted(shown(first) + shown(second)) == sorted(numbers)
    assert 'aria-sort="ascending"' in first and "order=desc" in first  # the header link turns the order
    newest = client.get("/worklist?sort=arrival&order=desc").get_data(as_text=True)
    turned = client.get(links(newest, "next")[0]).get_data(as_text=True)
    assert shown(newest) + shown(turned) == (shown(first) + shown(second))[::-1]
    stale = client.get(links(first, "next")[0].replace("order=asc", "") + "&order=desc")
    assert stale.status_code == 302 and "cursor" not in stale.headers["Location"]


def test_done_by_me_lists_what_i_completed_newest_first(client, login, ctx, numbers):
    login("clerk.police")
    empty = client.get("/worklist/done", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "You have not completed any step yet." in empty
    for number in numbers[:2]:
        cases.complete_step(ctx, number, "register_birth", POLICE, APPROVED)
    body = client.get("/worklist/done", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert shown(body) == numbers[1::-1] and "2 steps completed" in body
    assert client.get("/worklist/done?cursor=bogus").status_code == 302
