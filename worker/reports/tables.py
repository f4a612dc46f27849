"""Each breakdown of a report as one table, so text, CSV and XLSX show the same numbers."""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field

from worker.reports.report import BUCKETS, FORMS, Broadcast, Report
from worker.reports.sections import SECTION_ALIASES
from worker.reports.topic_names import topic_name
from worker.reports.words import words

Cell = str | int


@dataclass(frozen=True)
class Table:
    """A header, unit (or topic) rows, a totals row; `groups` spans header cells (XLSX)."""

    name: str
    header: list[str]
    rows: list[list[Cell]]
    total: list[Cell] | None = None
    groups: list[tuple[str, int]] = field(default_factory=list)
    flagged: list[bool] = field(default_factory=list)

    def flat_header(self) -> list[str]:
        """One header row: a grouped column reads 'group: column'."""
        if not self.groups:
            return self.header
        names = [g for g, span in self.groups for _ in range(span)]
        return [f"{g}: {h}" if g else h for g, h in zip(names, self.header, strict=True)]

    def text_rows(self) -> list[list[str]]:
        rows = [self.flat_header(), *([str(c) for c in r] for r in self.rows)]
        return rows + ([[str(c) for c in self.total]] if self.total else [])


def title(report: Report, lang: str) -> str:
    h = words(lang)
    label = report.period.label_vi() if lang == "vi" else report.period.label
    return f"{h['title']}: {label}"


def summary_table(report: Report, lang: str) -> Table:
    """Published per channel, then every state bucket over all channels, per unit."""
    h = words(lang)
    cols = (*report.channels, *BUCKETS)
    rows: list[list[Cell]] = [[name, *(cells[c] for c in cols)] for _, name, cells in report.rows]
    totals = report.totals()
    return Table(
        h["sheet_summary"],
        [h["unit"], *(h[c] for c in cols)],
        rows,
        [h["total"], *(totals[c] for c in cols)],
    )


def channels_table(report: Report, lang: str) -> Table:
    """Unit x channel x state bucket, with a column group per channel and one for all."""
    h = words(lang)
    groups = [("", 1), *((h[c], len(BUCKETS)) for c in report.channels), (h["total"], len(BUCKETS))]
    header = [h["unit"], *(h[b] for _ in range(len(report.channels) + 1) for b in BUCKETS)]
    chans: list[str | None] = [*report.channels, None]
    rows: list[list[Cell]] = [
        [name, *(report.count(code, c, b) for c in chans for b in BUCKETS)]
        for code, name in report.units
    ]
    return Table(h["sheet_summary"], header, rows, _column_sums(h["total"], rows), groups)


def topics_table(report: Report, lang: str) -> Table:
    """Published deliveries per topic and channel; an item with two topics counts under both.

    Topics show as their labels from topics.yaml (a term not listed, as its words), never as
    slugs, in every format: the terminal, CSV, XLSX and the báo cáo.
    """
    h = words(lang)
    chans = report.channels

    def label(topic: str | None) -> str:
        if topic is None:
            return h["no_topic"]
        return topic_name(topic, lang, report.topic_table)

    rows: list[list[Cell]] = [
        [label(t.topic), *(t.channels[c] for c in chans), t.total] for t in report.topics
    ]
    tt = report.topic_totals
    total: list[Cell] = [h["topic_total"], *(tt[c] for c in chans), sum(tt.values())]
    return Table(h["sheet_topics"], [h["topic"], *(h[c] for c in chans), h["total"]], rows, total)


def sms_table(report: Report, lang: str) -> Table:
    """SMS per unit: messages, recipients, segments, SMS sent (billed), and the recipients
    reported delivered and failed."""
    h = words(lang)
    keys = ("messages", "recipients", "segments", "sent", "delivered", "failed")
    heads = ("messages", "recipients", "segments", "sent", "sms_delivered", "sms_failed")
    rows: list[list[Cell]] = []
    for code, name in report.units:
        s = report.sms.get(code)
        rows.append([name, *((getattr(s, k) if s else 0) for k in keys)])
    return Table(
        h["sheet_sms"], [h["unit"], *(h[k] for k in heads)], rows, _column_sums(h["total"], rows)
    )


def forms_table(report: Report, lang: str) -> Table:
    """Published per content form (tin, bài; video clip; màn hình; SMS; Facebook; Zalo)."""
    h = words(lang)
    codes = [code for code, _ in report.units]
    rows: list[list[Cell]] = [
        [h[f], sum(report.forms[(code, f)] for code in codes)] for f in _forms_of(report)
    ]
    return Table(h["form"], [h["form"], h["count"]], rows, _column_sums(h["total"], rows))


def _forms_of(report: Report) -> tuple[str, ...]:
    chans = report.channels
    return tuple(
        f for f in FORMS if f in chans or (f in ("article", "video") and "website" in chans)
    )


def loudspeaker_table(report: Report, lang: str) -> Table:
    """Published loudspeaker items per unit: bulletins they went out in, items, minutes."""
    h = words(lang)
    rows: list[list[Cell]] = []
    minutes = 0.0
    for code, name in report.units:
        b = report.loudspeaker.get(code)
        minutes += b.minutes if b else 0.0
        rows.append([name, b.bulletins if b else 0, b.items if b else 0, _minutes(b)])
    total: list[Cell] = [
        h["total"],
        sum(int(r[1]) for r in rows),
        sum(int(r[2]) for r in rows),
        f"{minutes:.1f}",
    ]
    header = [h["unit"], h["bulletins"], h["items_aired"], h["minutes_aired"]]
    return Table(h["sheet_loudspeaker"], header, rows, total)


def _minutes(b: Broadcast | None) -> str:
    return f"{b.minutes:.1f}" if b else "0.0"


def goals_table(report: Report, lang: str) -> Table:
    """Quota, achieved and gap per unit x campaign x measure; units behind are flagged.

    A unit in two campaigns with quotas has a row for each, the campaign in the last column.
    """
    h = words(lang)
    rows: list[list[Cell]] = [
        [
            g.name,
            h[g.measure],
            g.quota,
            g.achieved,
            g.gap,
            h["behind"] if g.behind else h["on_track"],
            g.campaign_title or g.campaign,
        ]
        for g in report.goals
    ]
    header = [
        h["unit"],
        h["measure"],
        h["quota"],
        h["achieved"],
        h["gap"],
        h["status"],
        h["campaign"],
    ]
    goals = report.goals
    total: list[Cell] | None = None
    if goals:
        sums = (
            sum(g.quota for g in goals),
            sum(g.achieved for g in goals),
            sum(g.gap for g in goals),
        )
        total = [h["total"], "", *sums, "", ""]
    return Table(h["sheet_quotas"], header, rows, total, flagged=[g.behind for g in report.goals])


def _column_sums(label: str, rows: list[list[Cell]]) -> list[Cell]:
    width = max((len(r) for r in rows), default=1)
    sums: list[Cell] = [label]
    for i in range(1, width):
        sums.append(sum(int(r[i]) for r in rows))
    return sums


def table_of(report: Report, lang: str, section: str) -> Table:
    """One section by name (SECTIONS, or an old name in SECTION_ALIASES); KeyError otherwise."""
    return {
        "summary": summary_table,
        "channels": channels_table,
        "topics": topics_table,
        "sms": sms_table,
        "loudspeaker": loudspeaker_table,
        "quotas": goals_table,
    }[SECTION_ALIASES.get(section, section)](report, lang)


def as_section_csv(
    report: Report, lang: str, section: str = "summary", *, delimiter: str = ","
) -> str:
    return csv_text(table_of(report, lang, section).text_rows(), delimiter=delimiter)


def awaiting_notes(report: Report, lang: str) -> list[str]:
    """One line per campaign with deliveries awaiting approval, naming the command to release."""
    h = words(lang)
    return [
        h["awaiting_note"].format(n=n, title=report.campaigns.get(c, c), id=c)
        for c, n in report.awaiting.items()
    ]


def as_text(report: Report, lang: str = "vi") -> str:
    """The whole report for a terminal: title, summary, SMS, topics, then quotas."""
    h = words(lang)
    parts = [title(report, lang), "", as_table(summary_table(report, lang).text_rows())]
    if report.awaiting:
        parts += ["", *awaiting_notes(report, lang)]
    if "sms" in report.channels:
        parts += ["", f"{h['sheet_sms']}:", as_table(sms_table(report, lang).text_rows())]
    if "loudspeaker" in report.channels:
        table = loudspeaker_table(report, lang).text_rows()
        parts += ["", f"{h['sheet_loudspeaker']}:", as_table(table)]
    parts += ["", f"{h['sheet_topics']}:", as_table(topics_table(report, lang).text_rows())]
    goals = goals_table(report, lang)
    parts += ["", f"{h['sheet_quotas']}:"]
    parts.append(as_table(goals.text_rows()) if goals.rows else h["no_quotas"])
    return "\n".join(parts)


def as_rows(report: Report, lang: str = "vi") -> list[list[str]]:
    """The summary table: unit, published per channel, then published/failed/uncertain/pending."""
    h = words(lang)
    cols = (*report.channels, *BUCKETS)
    rows = [[h["unit"], *(h[c] for c in cols)]]
    rows += [[name, *(str(cells[c]) for c in cols)] for _, name, cells in report.rows]
    totals = report.totals()
    rows.append([h["total"], *(str(totals[c]) for c in cols)])
    return rows


def as_csv(report: Report, lang: str = "vi") -> str:
    return csv_text(as_rows(report, lang))


def csv_text(rows: list[list[str]], *, delimiter: str = ",") -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def as_table(rows: list[list[str]], *, totals: bool = True) -> str:
    """Aligned columns: text left, numbers right; a rule above the totals row when there is one."""
    rows = [[unicodedata.normalize("NFC", c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    numeric = [i > 0 and all(_number(r[i]) for r in rows[1:]) for i in range(len(widths))]
    lines = []
    for n, r in enumerate(rows):
        cells = [
            c.rjust(w) if numeric[i] else c.ljust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0 or (totals and n == len(rows) - 2):
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _number(text: str) -> bool:
    return text == "" or text.removeprefix("-").isdigit()
