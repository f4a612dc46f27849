"""Building blocks of a Word document laid out as Nghị định 30/2020: fonts, tables, borders.

python-docx is imported by the callers' modules only when `loa report --format docx` runs.
"""

from __future__ import annotations

from collections.abc import Sequence

from docx.document import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from worker.reports.tables import Cell, Table

FONT = "Times New Roman"
BODY_PT = 13
TABLE_PT = 11
STT_CM = 1.2
TEXT_WIDTH_CM = 16.0  # A4 (21 cm) less NĐ 30 margins: 3 cm left, 2 cm right
CENTER = WD_ALIGN_PARAGRAPH.CENTER


def page_setup(doc: Document) -> None:
    """A4 portrait, margins 2/2/3/2 cm, Times New Roman 13 (NĐ 30/2020, Phụ lục I)."""
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for key in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(key), FONT)
    normal.paragraph_format.space_after = Pt(4)


def line(
    container: Document | _Cell,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    size: float | None = None,
    align: object = None,
    first: bool = False,
) -> Paragraph:
    """One paragraph of one run; `first` reuses a table cell's empty first paragraph."""
    p = container.paragraphs[0] if first else container.add_paragraph()
    run = p.add_run(text)
    run.bold, run.italic = bold or None, italic or None
    if size:
        run.font.size = Pt(size)
    if align is not None:
        p.alignment = align
    p.paragraph_format.space_after = Pt(0 if isinstance(container, _Cell) else 4)
    return p


def heading(doc: Document, text: str) -> Paragraph:
    p = line(doc, text, bold=True)
    p.paragraph_format.space_before = Pt(6)
    return p


def no_borders(table: DocxTable) -> None:
    """A layout table (header block, signature): no lines at all."""
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    table._tbl.tblPr.append(borders)


def widths(table: DocxTable, cm: Sequence[float]) -> None:
    """Column widths in the grid (LibreOffice reads these) and on every cell (Word does)."""
    table.autofit = False
    for column, w in zip(table.columns, cm, strict=True):
        column.width = Cm(w)
    for row in table.rows:
        for cell, w in zip(row.cells, cm, strict=True):
            cell.width = Cm(w)


def _narrow_margins(table: DocxTable) -> None:
    """Cell margins of 0.1 cm left and right, so narrow number columns keep their headers."""
    margins = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:w"), "57")  # twentieths of a point: 57 = 0.1 cm
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    table._tbl.tblPr.append(margins)


def keep_rows_whole(table: DocxTable) -> None:
    """No row breaks across a page (the signature block stays in one piece)."""
    for row in table.rows:
        flag = OxmlElement("w:cantSplit")
        flag.set(qn("w:val"), "true")
        row._tr.get_or_add_trPr().append(flag)


def repeat_header(table: DocxTable) -> None:
    """Repeat the first row at the top of every page the table runs onto."""
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    tr_pr.append(flag)


def data_table(
    doc: Document, table: Table, stt: str, *, first_cm: float = 3.6, cm: Sequence[float] = ()
) -> DocxTable:
    """A ruled table with an STT column: header, numbered rows, then the totals row if any.

    Columns: STT, the first column `first_cm` wide, the rest sharing the text width; or `cm`.
    """
    header = [stt, *table.flat_header()]
    body: list[list[Cell]] = [[i, *row] for i, row in enumerate(table.rows, start=1)]
    if table.total:
        body.append(["", *table.total])
    t: DocxTable = doc.add_table(rows=1 + len(body), cols=len(header))
    t.style = doc.styles["Table Grid"]
    _narrow_margins(t)
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    rest = (TEXT_WIDTH_CM - STT_CM - first_cm) / max(len(header) - 2, 1)
    widths(t, cm or [STT_CM, first_cm, *([rest] * (len(header) - 2))])
    for c, text in enumerate(header):
        line(t.cell(0, c), text, bold=True, size=TABLE_PT - 1.5, align=CENTER, first=True)
    for r, row in enumerate(body, start=1):
        total = bool(table.total) and r == len(body)
        for c, value in enumerate(row):
            align = None if c == 1 else CENTER
            line(t.cell(r, c), str(value), bold=total, size=TABLE_PT, align=align, first=True)
    repeat_header(t)
    return t
