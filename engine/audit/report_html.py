"""The printable before/after report of a matter as one self-contained HTML page (print CSS, no external file)."""
from __future__ import annotations

from html import escape
from typing import BinaryIO

from engine.accounts.users import Actor
from engine.audit.report import (
    LABELS,
    MatterReport,
    ReportTable,
    check_language,
    reader_report,
    report_tables,
    version_note,
)
from engine.context import EngineContext
from engine.runtime.workdays import CHINA

STYLE = """
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif;
       color: #111; margin: 2em auto; max-width: 60em; line-height: 1.45; }
h1 { font-size: 1.5em; margin-bottom: .2em; }
h2 { font-size: 1.15em; margin-top: 1.6em; border-bottom: 1px solid #999; }
.meta { color: #444; }
.source { font-weight: bold; border: 2px solid #111; padding: .1em .5em; }
table { border-collapse: collapse; width: 100%; margin-top: .5em; }
th, td { border: 1px solid #bbb; padding: .25em .5em; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #eee; }
.note, footer { color: #444; font-size: .9em; }
@page { size: A4; margin: 16mm 14mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 10.5pt; }
  h2 { break-after: avoid; }
  table, tr { break-inside: avoid; }
  th { background: #eee !important; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def _table(table: ReportTable) -> str:
    widths = "".join(f'<col style="width:{share * 100:.0f}%">' for share in table.widths)
    head = "".join(f"<th>{escape(c)}</th>" for c in table.columns)
    body = "".join("<tr>" + "".join(f'<td{" class=n" if i in table.numeric else ""}>{escape(c)}</td>'
                                    for i, c in enumerate(row)) + "</tr>\n" for row in table.rows)
    note = f'<p class="note">{escape(table.note)}</p>\n' if table.note else ""
    return f"<h2>{escape(table.heading)}</h2>\n<table>{widths}\n<tr>{head}</tr>\n{body}</table>\n{note}"


def render_html(report: MatterReport, lang: str = "zh") -> str:
    """The report as a complete HTML document in `lang` (zh or en)."""
    check_language(lang)
    word = lambda key: escape(report.label(key, lang))  # noqa: E731
    generated = report.generated_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
    return "".join([
        f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}">\n<head>\n<meta charset="utf-8">\n',
        f"<title>{escape(report.title(lang))}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        f"<h1>{escape(report.title(lang))}</h1>\n",
        f'<p class="meta">{escape(report.names.zh)} · {escape(report.names.en)} · '
        f'<code>{escape(report.matter_id)}</code> · {word("generated")} {generated} (UTC+8)</p>\n',
        f'<p>{word("source")}: <span class="source">{word(report.source)}</span></p>\n',
        _version_note(report, lang),
        *(_table(table) for table in report_tables(report, lang)),
        f"<footer><p>{escape(LABELS['definitions'][lang])}</p></footer>\n</body>\n</html>\n",
    ])


def _version_note(report: MatterReport, lang: str) -> str:
    note = version_note(report, lang)
    return f'<p class="note version-region">{escape(note)}</p>\n' if note else ""


def matter_report_html(ctx: EngineContext, out: BinaryIO, matter_id: str, source: str = "real",
                       lang: str = "zh", actor: Actor | None = None) -> None:
    """Write a matter's printable before/after report (static, measured for `source`, sources) as HTML; as `actor`
    reads it (an auditor below the root: their region's versions, the cases of their region and below it)."""
    check_language(lang)
    with ctx.read() as session:
        report = reader_report(ctx, session, matter_id, source, actor)
    out.write(render_html(report, lang).encode("utf-8"))
