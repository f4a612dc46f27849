"""The report as a spreadsheet for Sở Nội vụ: one sheet per breakdown, Vietnamese headers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from worker.reports.report import Report
from worker.reports.tables import Table, channels_table, goals_table, sms_table, title, topics_table
from worker.reports.words import words

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
BEHIND_FILL = PatternFill("solid", fgColor="F8D7DA")
FIRST_HEADER_ROW = 4  # after the title, the scope line and a blank row


def build_workbook(report: Report, lang: str = "vi") -> Workbook:
    """Sheets 'Tổng hợp', 'Theo chủ đề', 'SMS', 'Chỉ tiêu', each titled with the period."""
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
        _write_sheet(wb.create_sheet(table.name), table, report, lang)
    return wb


def write_workbook(report: Report, out: str | Path | IO[bytes], lang: str = "vi") -> None:
    build_workbook(report, lang).save(out)


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


def _write_sheet(ws: Worksheet, table: Table, report: Report, lang: str) -> None:
    ws["A1"] = title(report, lang)
    ws["A1"].font = TITLE
    ws["A2"] = scope(report, lang)
    row = FIRST_HEADER_ROW
    if table.groups:
        row = _write_groups(ws, table, row)
    _write_row(ws, row, table.header, font=BOLD, fill=HEADER_FILL)
    ws.freeze_panes = ws.cell(row=row + 1, column=2)
    for i, values in enumerate(table.rows):
        behind = i < len(table.flagged) and table.flagged[i]
        _write_row(ws, row + 1 + i, values, fill=BEHIND_FILL if behind else None)
    if table.total:
        _write_row(ws, row + 1 + len(table.rows), table.total, font=BOLD)
    if not table.rows and table.name == words(lang)["sheet_quotas"]:
        ws.cell(row=row + 1, column=1, value=words(lang)["no_quotas"])
    _fit_columns(ws, table)


def _write_groups(ws: Worksheet, table: Table, row: int) -> int:
    col = 1
    for label, span in table.groups:
        cell = ws.cell(row=row, column=col, value=label or None)
        cell.font, cell.fill = BOLD, HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
        if span > 1:
            ws.merge_cells(start_row=row, start_column=col, end_row=row, end_column=col + span - 1)
        col += span
    return row + 1


def _write_row(
    ws: Worksheet,
    row: int,
    values: Sequence[str | int],
    *,
    font: Font | None = None,
    fill: PatternFill | None = None,
) -> None:
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=col, value=value)
        if font is not None:
            cell.font = font
        if fill is not None:
            cell.fill = fill
        if col > 1 and font is BOLD and fill is HEADER_FILL:
            cell.alignment = Alignment(horizontal="center", wrap_text=True)


def _fit_columns(ws: Worksheet, table: Table) -> None:
    """Widths from the longest value in each column (the first column holds unit names)."""
    rows: list[Sequence[str | int]] = [table.header, *table.rows]
    if table.total:
        rows.append(table.total)
    for i in range(len(table.header)):
        longest = max(len(str(r[i])) for r in rows if i < len(r))
        limit = 48 if i == 0 else 16
        ws.column_dimensions[get_column_letter(i + 1)].width = min(max(longest + 2, 8), limit)
