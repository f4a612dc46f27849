"""The báo cáo a unit files with Sở Nội vụ (plan section V.1), as a Word document.

Laid out as Nghị định 30/2020/NĐ-CP prescribes: the header block (issuing agency at the left,
the national motto at the right, number, place and date), the title naming the period as the
plan does, I. Kết quả thực hiện (tables and a chart), II. Đánh giá (the quotas as sentences,
a table and a chart), then "Nơi nhận:" and the signature block, left blank for a wet or
digital signature. The same `Report` feeds the CSV and XLSX, so the numbers agree.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import IO

from docx import Document as new_document
from docx.document import Document
from docx.shared import Cm, Pt

from worker.reports.assessment import assessment
from worker.reports.charts import months_chart, quotas_chart
from worker.reports.letterhead import Letterhead, header_lines, period_name, phrases, subject
from worker.reports.report import Report
from worker.reports.tables import (
    awaiting_notes,
    forms_table,
    goals_table,
    summary_table,
    topics_table,
)
from worker.reports.wordparts import (
    CENTER,
    TEXT_WIDTH_CM,
    data_table,
    heading,
    keep_rows_whole,
    line,
    no_borders,
    page_setup,
    widths,
)
from worker.reports.words import words

LEFT_CM, RIGHT_CM = 6.5, 9.5  # the header block's two columns
# STT, unit, measure, quota, achieved, gap, status, campaign
GOAL_COLUMNS_CM = (1.2, 3.4, 1.9, 1.5, 1.4, 1.5, 1.6, 3.5)


def build_document(report: Report, head: Letterhead, lang: str = "vi") -> Document:
    doc = new_document()
    page_setup(doc)
    _header_block(doc, head, lang)
    _title(doc, report, head, lang)
    _results(doc, report, lang)
    _assessment(doc, report, lang)
    _signature(doc, head, lang)
    return doc


def write_document(
    report: Report, head: Letterhead, out: str | Path | IO[bytes], lang: str = "vi"
) -> None:
    build_document(report, head, lang).save(out)  # type: ignore[arg-type]


def _header_block(doc: Document, head: Letterhead, lang: str) -> None:
    """Agency and parent at the left, the nation and motto at the right; number, place, date."""
    rows = header_lines(head, lang)
    t = doc.add_table(rows=2, cols=2)
    no_borders(t)
    widths(t, [LEFT_CM, RIGHT_CM])
    left, right = t.cell(0, 0), t.cell(0, 1)
    (parent, nation), (agency, motto), (number, date) = rows
    line(left, parent, size=13, align=CENTER, first=True)
    if agency:
        line(left, agency, bold=True, size=13, align=CENTER)
    line(left, "————", size=9, align=CENTER)
    line(right, nation, bold=True, size=12, align=CENTER, first=True)
    line(right, motto, bold=True, size=13, align=CENTER)
    line(right, "————————", size=9, align=CENTER)
    line(t.cell(1, 0), number, size=13, align=CENTER, first=True)
    line(t.cell(1, 1), date, italic=True, size=13, align=CENTER, first=True)


def _title(doc: Document, report: Report, head: Letterhead, lang: str) -> None:
    p = phrases(lang)
    line(doc, p["kind"], bold=True, size=14, align=CENTER).paragraph_format.space_before = Pt(12)
    line(doc, subject(report.period, lang), bold=True, size=14, align=CENTER)
    line(doc, "————", size=9, align=CENTER)
    last = report.period.end.date() - dt.timedelta(days=1)
    intro = p["intro"].format(
        agency=head.name,
        period=period_name(report.period, lang),
        start=f"{report.period.start:%d/%m/%Y}",
        end=f"{last:%d/%m/%Y}",
    )
    line(doc, intro).paragraph_format.first_line_indent = Cm(1)
    if report.filters.campaign:
        title = report.campaigns.get(report.filters.campaign, report.filters.campaign)
        line(doc, p["scope_campaign"].format(title=title)).paragraph_format.first_line_indent = Cm(
            1
        )


def _results(doc: Document, report: Report, lang: str) -> None:
    p, h = phrases(lang), words(lang)
    heading(doc, p["results"])
    heading(doc, p["by_channel"])
    data_table(doc, summary_table(report, lang), h["stt"])
    heading(doc, p["by_form"])
    data_table(doc, forms_table(report, lang), h["stt"], first_cm=8.0)
    sms = [report.sms[c] for c, _ in report.units if c in report.sms]
    if "sms" in report.channels and sms:
        line(doc, _sms_sentence(lang, sum(s.recipients for s in sms), sum(s.sent for s in sms)))
    _chart(doc, months_chart(report, lang), p["chart_months"])
    heading(doc, p["by_topic"])
    data_table(doc, topics_table(report, lang), h["stt"], first_cm=5.0)
    if report.awaiting:
        heading(doc, p["awaiting"])
        for note in awaiting_notes(report, lang):
            line(doc, f"- {note}")


def _sms_sentence(lang: str, recipients: int, sent: int) -> str:
    if lang == "en":
        return f"SMS reached {recipients:,} recipients ({sent:,} messages sent)."
    return f"Tin nhắn SMS đến {recipients:,} lượt người nhận ({sent:,} tin nhắn đã gửi).".replace(
        ",", "."
    )


def _assessment(doc: Document, report: Report, lang: str) -> None:
    p, h = phrases(lang), words(lang)
    heading(doc, p["assessment"])
    for paragraph in assessment(report, lang):
        line(doc, paragraph).paragraph_format.first_line_indent = Cm(1)
    if report.goals:
        line(doc, p["quota_table"], italic=True, align=CENTER)
        data_table(doc, goals_table(report, lang), h["stt"], cm=GOAL_COLUMNS_CM)
        chart = quotas_chart(report, lang)
        if chart:
            _chart(doc, chart, p["chart_quotas"])


def _chart(doc: Document, png: bytes, caption: str) -> None:
    """The caption above, then the chart as an inline picture the text width wide."""
    line(doc, caption, italic=True, size=12, align=CENTER).paragraph_format.keep_with_next = True
    doc.add_picture(io.BytesIO(png), width=Cm(TEXT_WIDTH_CM))
    doc.paragraphs[-1].alignment = CENTER


def _signature(doc: Document, head: Letterhead, lang: str) -> None:
    """ "Nơi nhận:" at the left; the signer's title, room to sign, and name at the right."""
    p = phrases(lang)
    doc.add_paragraph()
    t = doc.add_table(rows=1, cols=2)
    no_borders(t)
    widths(t, [LEFT_CM + 1, RIGHT_CM - 1])
    keep_rows_whole(t)
    left, right = t.cell(0, 0), t.cell(0, 1)
    line(left, p["recipients"], bold=True, italic=True, size=12, first=True)
    for r in head.recipients:
        line(left, f"- {r}", size=11)
    line(right, head.signer_title, bold=True, size=13, align=CENTER, first=True)
    line(right, p["signature_note"], italic=True, size=12, align=CENTER)
    for _ in range(4):  # room for a wet signature and the seal, or a digital one
        line(right, "", size=13)
    line(right, head.signer_name, bold=True, size=13, align=CENTER)
    # Word needs a paragraph after a table: keep it tiny so it does not spill onto a new page
    tail = doc.add_paragraph()
    tail.paragraph_format.space_after = Pt(0)
    tail.add_run("").font.size = Pt(1)
