"""Part II of the báo cáo, Đánh giá: the quotas against what was achieved, as sentences.

Per campaign (quotas are never added up across campaigns): which units met every quota, and
which fell short, of what and by how much.
"""

from __future__ import annotations

from worker.reports.quotas import Goal
from worker.reports.report import Report
from worker.reports.words import words

_SENTENCES: dict[str, dict[str, str]] = {
    "vi": {
        "none": "Kỳ báo cáo không có chỉ tiêu được giao.",
        "overall": "Trong kỳ, {met}/{total} chỉ tiêu được giao đã đạt.",
        "campaign": "Chiến dịch “{title}”:",
        "met": "đơn vị đạt đủ chỉ tiêu: {units}.",
        "short": "Đơn vị chưa đạt: {units}.",
        "nobody_met": "chưa đơn vị nào đạt đủ chỉ tiêu.",
        "all_met": "tất cả đơn vị đều đạt chỉ tiêu.",
        "miss": "{measure} đạt {achieved}/{quota}, còn thiếu {gap}",
    },
    "en": {
        "none": "No targets were set for this period.",
        "overall": "In the period, {met} of {total} targets were met.",
        "campaign": "Campaign “{title}”:",
        "met": "units that met every target: {units}.",
        "short": "Units behind: {units}.",
        "nobody_met": "no unit met every target yet.",
        "all_met": "every unit met its targets.",
        "miss": "{measure} {achieved}/{quota}, short by {gap}",
    },
}


def assessment(report: Report, lang: str = "vi") -> list[str]:
    """Paragraphs: the overall count, then one per campaign naming who met and who fell short."""
    s = _SENTENCES.get(lang, _SENTENCES["vi"])
    goals = report.goals
    if not goals:
        return [s["none"]]
    met = sum(1 for g in goals if not g.behind)
    paragraphs = [s["overall"].format(met=met, total=len(goals))]
    campaigns = list(dict.fromkeys((g.campaign, g.campaign_title or g.campaign) for g in goals))
    for cid, title in campaigns:
        mine = [g for g in goals if g.campaign == cid]
        paragraphs.append(_campaign(s, lang, title, mine))
    return paragraphs


def _campaign(s: dict[str, str], lang: str, title: str, goals: list[Goal]) -> str:
    h = words(lang)
    units = list(dict.fromkeys(g.unit for g in goals))
    names = {g.unit: g.name for g in goals}
    short = {u: [g for g in goals if g.unit == u and g.behind] for u in units}
    done = [names[u] for u in units if not short[u]]
    behind = [
        f"{names[u]} ("
        + "; ".join(
            s["miss"].format(measure=h[g.measure], achieved=g.achieved, quota=g.quota, gap=g.gap)
            for g in short[u]
        )
        + ")"
        for u in units
        if short[u]
    ]
    parts = [s["campaign"].format(title=title)]
    if not behind:
        parts.append(s["all_met"])
    else:
        parts.append(s["met"].format(units=", ".join(done)) if done else s["nobody_met"])
        parts.append(s["short"].format(units="; ".join(behind)))
    return " ".join(parts)
