"""The printable before/after report: HTML with print CSS and PDF with Chinese text, for one source at a time."""
from __future__ import annotations

import io
import shutil
import statistics
import subprocess
from pathlib import Path

import pytest
from lxml import html
from sqlalchemy import select

from engine import InputError, OneThingError, matter_comparison, matter_report_html, matter_report_pdf
from engine.audit.cjkfont import find_cjk_font, truetype_subset
from engine.store.tables_audit import FinishedCase
from tests.engine.exported import MATTER, make_cases


@pytest.fixture
def made(ctx, clock):
    return make_cases(ctx, clock)


def _tables(page: str) -> dict[str, dict[str, list[str]]]:
    """Each table of the report by its heading: first cell of a row -> the other cells."""
    tree = html.fromstring(page)
    return {h2.text_content(): {tr[0].text_content(): [td.text_content() for td in tr[1:]]
                                for tr in h2.getnext().iter("tr")} for h2 in tree.iter("h2")}


def _expected(ctx, variant: str) -> dict[str, float]:
    with ctx.read() as session:
        days = session.scalars(select(FinishedCase.elapsed_workdays).where(
            FinishedCase.matter_id == MATTER, FinishedCase.variant == variant, FinishedCase.source == "real")).all()
    return {"cases": len(days), "median": statistics.median(days),
            "p90": statistics.quantiles(days, n=10, method="inclusive")[-1]}


def test_html_report_shows_static_and_measured_figures_of_both_variants(ctx, made):
    out = io.BytesIO()
    matter_report_html(ctx, out, MATTER, lang="en")
    page = out.getvalue().decode("utf-8")
    tables = _tables(page)
    static = tables["Model metrics (static)"]
    comparison = matter_comparison(ctx, MATTER)
    assert static["Steps"][:2] == [str(comparison.before["steps"]), str(comparison.after["steps"])]
    measured = tables["Measured figures: real cases"]
    for column, variant in enumerate(("before", "after")):
        expected = _expected(ctx, variant)
        assert expected["cases"] == len(made.numbers("real", variant)) > 0
        assert float(measured["Ended cases"][column]) == expected["cases"]
        assert float(measured["Working days (median)"][column]) == pytest.approx(expected["median"], abs=0.01)
        assert float(measured["Working days (p90)"][column]) == pytest.approx(expected["p90"], abs=0.01)
    assert measured["Completed"] == ["2", "2"]  # the cancelled case ended but did not complete
    assert any("Qinghai (province)" in cells[2] for cells in tables["Published sources"].values())
    out = io.BytesIO()
    matter_report_html(ctx, out, MATTER, lang="zh")
    sources = _tables(out.getvalue().decode("utf-8"))["公开来源"]
    assert any("青海 (省级)" in cells[2] and "《青海推进" in cells[3] for cells in sources.values())


def test_html_report_is_self_contained_and_printable(ctx, made):
    out = io.BytesIO()
    matter_report_html(ctx, out, MATTER, source="imported")
    page = out.getvalue().decode("utf-8")
    assert page.startswith("<!DOCTYPE html>") and "@media print" in page and "@page" in page
    assert "新生儿出生一件事" in page and "导入的历史记录" in page  # Chinese by default, the source named
    for external in ("<script", "<link", "src=", "url(", "@import"):
        assert external not in page
    assert "改革前: 暂无办结案件; 改革后: 暂无办结案件" in page


def _pdf_text(data: bytes, tmp_path: Path) -> str:
    if shutil.which("pdftotext"):
        (tmp_path / "report.pdf").write_bytes(data)
        return subprocess.run(["pdftotext", str(tmp_path / "report.pdf"), "-"], capture_output=True, text=True,
                              check=True).stdout
    import pypdf

    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_pdf_report_renders_chinese_and_english(ctx, made, tmp_path):
    for lang, words in (("zh", ("新生儿出生一件事", "改革前后对比报告", "实测指标")),
                        ("en", ("Newborn birth", "Before/after report", "Measured figures"))):
        out = io.BytesIO()
        matter_report_pdf(ctx, out, MATTER, lang=lang)
        data = out.getvalue()
        assert data.startswith(b"%PDF") and b"/FontFile2" in data  # the font is embedded
        text = _pdf_text(data, tmp_path)
        for word in words:
            assert word in text


def test_reports_refuse_unknown_sources_languages_and_matters(ctx, made):
    with pytest.raises(InputError):
        matter_report_html(ctx, io.BytesIO(), MATTER, source="guessed")
    with pytest.raises(InputError):
        matter_report_pdf(ctx, io.BytesIO(), MATTER, lang="fr")
    with pytest.raises(OneThingError):
        matter_report_pdf(ctx, io.BytesIO(), "no_such_matter")


def test_a_missing_chinese_font_is_named_with_its_remedy(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no fc-match
    with pytest.raises(OneThingError, match="fonts-noto-cjk"):
        find_cjk_font()
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    builder = FontBuilder(1000, isTTF=True)  # a font with one Latin letter and no Chinese
    builder.setupGlyphOrder([".notdef", "A"])
    builder.setupCharacterMap({ord("A"): "A"})
    builder.setupGlyf({name: TTGlyphPen(None).glyph() for name in (".notdef", "A")})
    builder.setupHorizontalMetrics({".notdef": (500, 0), "A": (500, 0)})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "Latin", "styleName": "Regular"})
    builder.setupOS2()
    builder.setupPost()
    builder.save(str(tmp_path / "latin.ttf"))
    with pytest.raises(OneThingError, match="no Chinese characters"):
        truetype_subset(tmp_path / "latin.ttf", 0, "A", "Latin-Test")
