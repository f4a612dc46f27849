"""The report as a spreadsheet for Sở Nội vụ, ready to print: one sheet per breakdown.

Each sheet carries the báo cáo's header block (agency at the left, the national motto at the
right, number, place and date), the title naming the period, then a ruled table with an STT
column and a totals row. It prints landscape on A4, fitted to the page width, with the
table's header rows repeated on every page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from worker.reports.letterhead import Letterhead, consolidated, header_lines, phrases, subject
from worker.reports.report import Report
from worker.reports.tables import Table, channels_table, goals_table, sms_table, topics_table
from worker.reports.words import words

FONT = "Times New Roman"
BODY = Font(name=FONT, size=12)
BOLD = Font(name=FONT, size=12, bold=True)
TITLE = Font(name=FONT, bold=True, size=14)
ITALIC = Font(name=FONT, size=12, italic=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
BEHIND_FILL = PatternFill("solid", fgColor="F8D7DA")
THIN = Side(style="thin", color="000000")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
TITLE_ROW = 5  # after the three header-block lines and a blank row
FIRST_HEADER_ROW = 9  # after the title, the subject, the scope line and a blank row


def build_workbook(report: Report, lang: str = "vi", head: Letterhead | None = None) -> Workbook:
    """Sheets 'Tổng hợp', 'Theo chủ đề', 'SMS', 'Chỉ tiêu', each with the báo cáo's header."""
    wb = Workbook()
    tables = [
        channels_table(report, lang),
        topics_table(report, lang),
        sms_table(report, lang),
        goals_table(report, lang),
    ]
    default = wb.active
    if default is not None:
        wb.remove(default)
    for table in tables:
        ws = wb.create_sheet(table.name)
        _write_sheet(ws, table, report, lang, head or consolidated())
    return wb


def write_workbook(
    report: Report, out: str | Path | IO[bytes], lang: str = "vi", head: Letterhead | None = None
) -> None:
    build_workbook(report, lang, head).save(out)


def scope(report: Report, lang: str) -> str:
    """What the numbers cover: the dates, and any campaign, unit or channel filter."""
    h = words(lang)
    p = report.period
    last = p.end.date() - dt.timedelta(days=1)
    span = f"{p.start:%d/%m/%Y} – {last:%d/%m/%Y}"
    parts = [
        f"{h['period']}: {span}",
        f"{h['campaign']}: {report.filters.campaign or h['all_campaigns']}",
    ]
    if report.filters.unit:
        parts.append(
            f"{h['unit']}: {dict(report.units).get(report.filters.unit, report.filters.unit)}"
        )
    if report.filters.channel:
        parts.append(f"{h['channel']}: {h[report.filters.channel]}")
    return " · ".join(parts)


def _write_sheet(ws: Worksheet, table: Table, report: Report, lang: str, head: Letterhead) -> None:
    width = len(table.header) + 1  # the STT column first
    _header_block(ws, head, lang, width)
    _merged(ws, TITLE_ROW, 1, width, phrases(lang)["kind"], TITLE)
    _merged(ws, TITLE_ROW + 1, 1, width, subject(report.period, lang), TITLE)
    _merged(ws, TITLE_ROW + 2, 1, width, scope(report, lang), ITALIC)
    row = FIRST_HEADER_ROW
    if table.groups:
        row = _write_groups(ws, table, row)
    _write_row(ws, row, [words(lang)["stt"], *table.header], font=BOLD, fill=HEADER_FILL)
    if table.groups:  # the STT heading spans both header rows
        ws.cell(row=row - 1, column=1, value=words(lang)["stt"]).font = BOLD
        ws.cell(row=row - 1, column=1).alignment = CENTER
        ws.merge_cells(start_row=row - 1, start_column=1, end_row=row, end_column=1)
    ws.freeze_panes = ws.cell(row=row + 1, column=3)
    for i, values in enumerate(table.rows):
        behind = i < len(table.flagged) and table.flagged[i]
        _write_row(ws, row + 1 + i, [i + 1, *values], fill=BEHIND_FILL if behind else None)
    last = row + len(table.rows)
    if table.total:
        last += 1
        _write_row(ws, last, ["", *table.total], font=BOLD)
    if not table.rows and table.name == words(lang)["sheet_quotas"]:
        ws.cell(row=row + 1, column=2, value=words(lang)["no_quotas"]).font = ITALIC
    _fit_columns(ws, table)
    _print_setup(ws, FIRST_HEADER_ROW, row)


def _header_block(ws: Worksheet, head: Letterhead, lang: str, width: int) -> None:
    """The agency over the left columns, the nation and motto over the right ones."""
    split = 2 if width >= 5 else 1
    fonts = [(BODY, BOLD), (BOLD, BOLD), (BODY, ITALIC)]
    for r, ((left, right), (lf, rf)) in enumerate(
        zip(header_lines(head, lang), fonts, strict=True), 1
    ):
        _merged(ws, r, 1, split, left, lf)
        _merged(ws, r, split + 1, width, right, rf)


def _merged(ws: Worksheet, row: int, first: int, last: int, value: str, font: Font) -> None:
    cell = ws.cell(row=row, column=first, value=value or None)
    cell.font, cell.alignment = font, Alignment(horizontal="center", vertical="center")
    if last > first:
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)


def _print_setup(ws: Worksheet, first_header: int, last_header: int) -> None:
    """Landscape A4, one page wide (as many tall as needed), header rows on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{first_header}:{last_header}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6


def _write_groups(ws: Worksheet, table: Table, row: int) -> int:
    col = 2
    for label, span in table.groups:
        for c in range(col, col + span):
            ws.cell(row=row, column=c).border = GRID
        cell = ws.cell(row=row, column=col, value=label or None)
        cell.font, cell.fill, cell.alignment = BOLD, HEADER_FILL, CENTER
        if span > 1:
            ws.merge_cells(start_row=row, start_column=col, end_row=row, end_column=col + span - 1)
        col += span
    ws.cell(row=row, column=1).border = GRID
    ws.cell(row=row, column=1).fill = HEADER_FILL
    return row + 1


def _write_row(
    ws: Worksheet,
    row: int,
    values: Sequence[str | int],
    *,
    font: Font | None = None,
    fill: PatternFill | None = None,
) -> None:
    header = font is BOLD and fill is HEADER_FILL
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=col, value=value)
        cell.font, cell.border = font or BODY, GRID
        if fill is not None:
            cell.fill = fill
        if header or col == 1 or isinstance(value, int):
            cell.alignment = CENTER


def _fit_columns(ws: Worksheet, table: Table) -> None:
    """STT narrow; the others from their longest value (the unit names get room)."""
    ws.column_dimensions["A"].width = 6
    rows: list[Sequence[str | int]] = [table.header, *table.rows]
    if table.total:
        rows.append(table.total)
    for i in range(len(table.header)):
        longest = max(len(str(r[i])) for r in rows if i < len(r))
        limit = 48 if i == 0 else 16
        ws.column_dimensions[get_column_letter(i + 2)].width = min(max(longest + 2, 9), limit)
