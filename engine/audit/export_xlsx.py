"""A matter's cases and step log as an Excel workbook (XlsxWriter in constant-memory mode: rows go out as they come).

Sheets: `comparison` (static before vs after and the measured figures of the source, with the printed
report's notes), `cases` (the case
summaries), `steps` (the step log without step data). A sheet holds at most 1,048,576 rows, so a longer
table continues on `steps 2`, `steps 3`... Times are China's (UTC+8), as Excel dates carry no offset.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, BinaryIO

from engine.accounts.users import Actor
from engine.audit.exports import CASE_COLUMNS, Exported, ExportFilter, StepRow, case_rows, check_export, step_rows
from engine.audit.report import reader_report, report_tables, version_note
from engine.context import EngineContext
from engine.runtime.workdays import CHINA

MAX_ROWS = 1_048_576  # Excel's limit per sheet, the header row included
STEP_SHEET_COLUMNS = ("case_id", "matter", "variant", "source", "status", "step_id", "step_name", "department",
                      "actor", "ready (UTC+8)", "claimed (UTC+8)", "completed (UTC+8)")


class _Sheets:
    """Writes one table row by row, opening a continuation sheet whenever a sheet is full."""

    def __init__(self, workbook: Any, name: str, columns: Sequence[str], formats: dict[type, Any],
                 max_rows: int = MAX_ROWS) -> None:
        self.workbook, self.name, self.columns, self.formats, self.max_rows = workbook, name, columns, formats, max_rows
        self.sheets, self.row = 0, 0
        self.sheet: Any = None
        self._open()

    def _open(self) -> None:
        self.sheets += 1
        self.sheet = self.workbook.add_worksheet(self.name if self.sheets == 1 else f"{self.name} {self.sheets}")
        self.sheet.write_row(0, 0, self.columns, self.formats[str])
        self.sheet.freeze_panes(1, 0)
        self.row = 1

    def write(self, values: Iterable[Any]) -> None:
        if self.row >= self.max_rows:
            self._open()
        sheet, row = self.sheet, self.row
        for column, value in enumerate(values):  # typed writes: XlsxWriter's generic write() costs a third more
            if isinstance(value, str):
                sheet.write_string(row, column, value)
            elif isinstance(value, datetime):
                sheet.write_datetime(row, column, value.astimezone(CHINA).replace(tzinfo=None), self.formats[datetime])
            elif isinstance(value, bool):
                sheet.write_boolean(row, column, value)
            elif value is not None:
                sheet.write_number(row, column, value)
        self.row += 1


def _step_values(row: StepRow) -> tuple[Any, ...]:
    return (row.case_id, row.matter, row.variant, row.source, row.status, row.step_id, row.step_name,
            row.department, row.actor, row.ready, row.claimed, row.completed)


def export_xlsx(ctx: EngineContext, out: BinaryIO, matter_id: str, variant: str | None = None,
                source: str = "real", *, actor: Actor, lang: str = "zh", max_rows: int = MAX_ROWS) -> Exported:
    """Write a matter's comparison, case summaries and step log as an .xlsx workbook; how many cases and steps."""
    import xlsxwriter

    wanted = ExportFilter(matter_id, variant, source)
    with ctx.read() as session:
        wanted = check_export(ctx, session, wanted, actor)
        report = reader_report(ctx, session, matter_id, source, actor)  # the sheets' regions: check_export's
        workbook = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_numbers": False,
                                             "strings_to_formulas": False, "strings_to_urls": False})
        try:
            formats = {str: workbook.add_format({"bold": True, "bg_color": "#EEEEEE"}),
                       datetime: workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})}
            comparison = workbook.add_worksheet("comparison")
            note = version_note(report, lang)  # the versions are a region's below the reader's: the report's note
            if note:
                comparison.write_string(0, 0, note)
            row = 2 if note else 0
            for table in report_tables(report, lang):
                comparison.write(row, 0, table.heading, formats[str])
                comparison.write_row(row + 1, 0, table.columns, formats[str])
                for number, values in enumerate(table.rows, start=row + 2):
                    comparison.write_row(number, 0, values)
                row += len(table.rows) + 2
                if table.note:  # as the printed report: what a table's figures leave out
                    comparison.write_string(row, 0, table.note)
                    row += 1
                row += 1
            cases = _Sheets(workbook, "cases", CASE_COLUMNS, formats, max_rows)
            count = 0
            for values in case_rows(session, wanted):
                cases.write(values)
                count += 1
            steps = _Sheets(workbook, "steps", STEP_SHEET_COLUMNS, formats, max_rows)
            written = 0
            for step in step_rows(session, wanted):
                steps.write(_step_values(step))
                written += 1
        finally:
            workbook.close()  # zips the sheets into `out` (their rows wait in temporary files until then)
    return Exported(count, written)
