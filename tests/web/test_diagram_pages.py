"""Drawings on the pages in the page's language (issue #11 item 2), each with its zoom toolbar."""
from __future__ import annotations

import re

from engine.catalog.history import list_versions

CHINESE = {"Accept-Language": "zh"}
ENGLISH = {"Accept-Language": "en"}


def _svg_texts(page: str) -> set[str]:
    svg = page[page.index("<svg"):page.index("</svg>")]
    return set(re.findall(r">([^<>]+)</text>", svg))


def test_the_compare_drawing_follows_the_page_language_and_each_has_its_own_cache_entry(client, login):
    login("auditor")
    pages = [client.get("/audit/matters/newborn", headers=h).get_data(as_text=True)
             for h in (CHINESE, ENGLISH, CHINESE)]
    chinese, english, again = map(_svg_texts, pages)
    assert {"改革前", "改革后", "公安局", "开始"} <= chinese and not {"Before", "Start"} & chinese
    assert {"Before", "After", "Start", "Where was the", "Public Security Bureau (police station)", "Applicant",
            "Newborn birth"} <= english
    assert not {"改革前", "改革后", "公安局", "开始", "申请人", "分娩地点？"} & english  # not the cached zh drawing
    assert again == chinese  # nor is the zh one the cached en drawing
    assert 'data-zoom="fit"' in pages[1] and 'aria-label="Zoom in"' in pages[1]


def test_the_designer_version_drawing_is_in_english_on_an_english_page(client, login, ctx):
    login("designer.police")
    version = next(v.id for v in list_versions(ctx, "newborn") if v.variant == "after")
    texts = _svg_texts(client.get(f"/designer/versions/{version}", headers=ENGLISH).get_data(as_text=True))
    assert {"Start", "(shared sub-process)", "Applicant", "Health Commission (midwifery hospital)",
            "Newborn birth"} <= texts, sorted(texts)
    assert not {"开始", "卫生健康委", "申请人"} & texts
