"""Charts of measured figures: well-formed SVG the page's CSP allows, with every figure in it."""
from __future__ import annotations

from lxml import etree

from diagrams.charts import grouped_columns, horizontal_bars, share_bars

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> etree._Element:
    root = etree.fromstring(svg.encode())
    for element in root.iter():
        assert not any(name == "style" or name.startswith("on") for name in element.attrib), element.attrib
        assert etree.QName(element).localname not in ("script", "foreignObject", "image", "use")
    return root


def _bars(root: etree._Element) -> list[etree._Element]:
    return [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]


def test_columns_draw_one_bar_per_category_and_series_in_proportion() -> None:
    root = _parse(grouped_columns(["0-2", "3-5", "6+"], {"before": [1, 4, 8], "after": [9, 2, 0]},
                                  "Working days", {"before": "改革前", "after": "改革后"}))
    bars = _bars(root)
    assert len(bars) == 6
    heights = {b.find(f"{SVG}title").text: float(b.get("height")) for b in bars}
    assert heights["改革后 · 0-2: 9"] == max(heights.values()) and heights["改革后 · 6+: 0"] == 0
    assert abs(heights["改革前 · 3-5: 4"] * 2 - heights["改革前 · 6+: 8"]) < 0.2
    assert root.get("aria-label") == "Working days" and root.find(f"{SVG}title").text == "Working days"


def test_text_is_escaped_not_markup() -> None:
    root = _parse(horizontal_bars(["<b>step</b> & co"], {"waiting": [2.5], "working": [1.0]}, "a < b", unit=" h"))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "<b>step</b> & co" in texts and "3.5 h" in texts
    assert root.find(f"{SVG}b") is None


def test_stacked_bars_add_up_and_shares_say_no_data() -> None:
    root = _parse(horizontal_bars(["a", "b"], {"waiting": [3, 0], "working": [1, 2]}, "t"))
    widths = [float(b.get("width")) for b in _bars(root)]
    assert abs((widths[0] + widths[1]) - 2 * (widths[2] + widths[3])) < 0.2  # 4 hours vs 2 hours
    shares = _parse(share_bars({"before": 0.25, "after": None}, "on time"))
    texts = [t.text for t in shares.iter(f"{SVG}text")]
    assert "25.0 %" in texts and "—" in texts
