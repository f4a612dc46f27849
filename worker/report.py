"""The per-unit report for Sở Nội vụ: what each unit published, per channel, for a period."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns.model import CHANNEL_KINDS, Config
from worker.models import FAILED, PENDING_STATES, PUBLISHED, UNCERTAIN, Delivery
from worker.periods import Period

HEADERS = {
    "en": {
        "unit": "Unit",
        "website": "Website",
        "screen": "Screens",
        "sms": "SMS",
        "facebook": "Facebook",
        "zalo": "Zalo",
        "published": "Published",
        "failed": "Failed",
        "uncertain": "Uncertain",
        "pending": "Pending",
        "total": "Total",
    },
    "vi": {
        "unit": "Đơn vị",
        "website": "Trang TTĐT",
        "screen": "Màn hình",
        "sms": "SMS",
        "facebook": "Facebook",
        "zalo": "Zalo",
        "published": "Đã đăng",
        "failed": "Lỗi",
        "uncertain": "Chưa rõ",
        "pending": "Đang chờ",
        "total": "Tổng cộng",
    },
}
COLUMNS = (*CHANNEL_KINDS, "published", "failed", "uncertain", "pending")


@dataclass
class Report:
    period: Period
    rows: list[tuple[str, str, dict[str, int]]] = field(default_factory=list)  # code, name, cells

    def totals(self) -> dict[str, int]:
        total: dict[str, int] = defaultdict(int)
        for _, _, cells in self.rows:
            for k, v in cells.items():
                total[k] += v
        return {c: total[c] for c in COLUMNS}


def build_report(
    session: Session, config: Config, period: Period, campaign: str | None = None
) -> Report:
    """Count deliveries due in the period by unit, channel and state; every unit gets a row."""
    q = (
        select(Delivery.unit, Delivery.channel, Delivery.state, func.count())
        .where(Delivery.due_at >= period.start, Delivery.due_at < period.end)
        .group_by(Delivery.unit, Delivery.channel, Delivery.state)
    )
    if campaign:
        q = q.where(Delivery.campaign == campaign)
    cells: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COLUMNS, 0))
    for unit, channel, state, n in session.execute(q):
        row = cells[unit]
        if state == PUBLISHED:
            row[channel] += n
            row["published"] += n
        elif state == FAILED:
            row["failed"] += n
        elif state == UNCERTAIN:
            row["uncertain"] += n
        elif state in PENDING_STATES:
            row["pending"] += n
    units = sorted(config.units.values(), key=lambda u: u.order)
    report = Report(period)
    for u in units:
        report.rows.append((u.code, u.name, cells.get(u.code, dict.fromkeys(COLUMNS, 0))))
    return report


def as_rows(report: Report, lang: str = "vi") -> list[list[str]]:
    h = HEADERS[lang]
    rows = [[h["unit"], *(h[c] for c in COLUMNS)]]
    rows += [[name, *(str(cells[c]) for c in COLUMNS)] for _, name, cells in report.rows]
    totals = report.totals()
    rows.append([h["total"], *(str(totals[c]) for c in COLUMNS)])
    return rows


def as_csv(report: Report, lang: str = "vi") -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(as_rows(report, lang))
    return buf.getvalue()


def as_table(rows: list[list[str]]) -> str:
    """Aligned columns: text left, numbers right; width counted in characters (NFC)."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, r in enumerate(rows):
        cells = [
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0 or n == len(rows) - 2:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
