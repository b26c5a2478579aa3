"""The printable before/after report of a matter as PDF (ReportLab), with the HTML report's tables."""
from __future__ import annotations

import hashlib
import io
import string
from typing import Any, BinaryIO

from engine.accounts.users import Actor
from engine.audit.cjkfont import find_cjk_font, truetype_subset
from engine.audit.report import LABELS, MatterReport, check_language, reader_report, report_tables, version_note
from engine.context import EngineContext
from engine.runtime.workdays import CHINA


def _font(characters: str) -> str:
    """The name of a registered font holding `characters` (a subset of the system's Chinese font)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    # Printable ASCII always: figures change with every case, and a new character set would register a new font.
    wanted = "".join(sorted(set(characters) | set(string.printable.strip()) | {" "}))
    name = "OneThingCJK-" + hashlib.sha1(wanted.encode("utf-8")).hexdigest()[:12]
    if name not in pdfmetrics.getRegisteredFontNames():
        path, index = find_cjk_font()
        pdfmetrics.registerFont(TTFont(name, io.BytesIO(truetype_subset(path, index, wanted, name))))
    return name


def _lines(report: MatterReport, lang: str) -> tuple[str, list[str], list[Any], str]:
    """The title, the lines under it, the tables and the footer, as text."""
    generated = report.generated_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
    meta = [f"{report.names.zh} · {report.names.en} · {report.matter_id}",
            f"{report.label('generated', lang)} {generated} (UTC+8)",
            f"{report.label('source', lang)}: {report.label(report.source, lang)}"]
    note = version_note(report, lang)  # the versions are a region's below the reader's: the page's note
    if note:
        meta.append(note)
    return report.title(lang), meta, report_tables(report, lang), LABELS["definitions"][lang]


def render_pdf(report: MatterReport, out: BinaryIO, lang: str = "zh") -> None:
    """Write the report as an A4 PDF in `lang` (zh or en) to `out`."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    check_language(lang)
    title, meta, tables, footer = _lines(report, lang)
    every = [title, *meta, footer] + [t.heading + t.note + "".join(t.columns) + "".join("".join(r) for r in t.rows)
                                      for t in tables]
    font = _font("".join(every))
    style = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=13, wordWrap="CJK")
    heading = ParagraphStyle("heading", parent=style, fontSize=12.5, leading=17, spaceBefore=10, spaceAfter=4)
    big = ParagraphStyle("title", parent=style, fontSize=17, leading=23, spaceAfter=6)
    cell = ParagraphStyle("cell", parent=style, fontSize=8.5, leading=11)
    right = ParagraphStyle("figure", parent=cell, alignment=2)  # TA_RIGHT
    story: list[Any] = [Paragraph(escape(title), big)] + [Paragraph(escape(line), style) for line in meta]
    width = A4[0] - 28 * mm
    for table in tables:
        story.append(Paragraph(escape(table.heading), heading))
        rows = [[Paragraph(escape(value), right if number and column in table.numeric else cell)
                 for column, value in enumerate(row)] for number, row in enumerate((table.columns, *table.rows))]
        shares = table.widths or (1 / len(table.columns),) * len(table.columns)
        grid = Table(rows, colWidths=[width * share for share in shares], repeatRows=1)
        grid.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                                  ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                                  ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story.append(grid)
        if table.note:
            story.append(Paragraph(escape(table.note), cell))
    story += [Spacer(1, 6 * mm), Paragraph(escape(footer), cell)]
    document = SimpleDocTemplate(out, pagesize=A4, leftMargin=14 * mm, rightMargin=14 * mm, topMargin=16 * mm,
                                 bottomMargin=16 * mm, title=title, author="OneThing", lang=lang)
    document.build(story)


def matter_report_pdf(ctx: EngineContext, out: BinaryIO, matter_id: str, source: str = "real",
                      lang: str = "zh", actor: Actor | None = None) -> None:
    """Write a matter's printable before/after report (static, measured for `source`, sources) as PDF; as `actor`
    reads it (an auditor below the root: their region's versions, the cases of their region and below it)."""
    check_language(lang)
    with ctx.read() as session:
        report = reader_report(ctx, session, matter_id, source, actor)
    render_pdf(report, out, lang)
