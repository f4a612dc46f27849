"""The report's charts as PNG bytes, for the báo cáo (DOCX) and the status page alike.

matplotlib draws with its Agg backend on a bare `Figure` (no pyplot state, so the web server's
threads can draw at once), in Noto Sans from channels/fonts so Vietnamese marks show right.
"""

from __future__ import annotations

import functools
import io
from typing import TYPE_CHECKING

from channels.typeface import font_path
from worker.reports.report import Report
from worker.reports.words import words

if TYPE_CHECKING:
    from matplotlib.figure import Figure

COLOURS = {
    "website": "#1f4e79",
    "screen": "#2e8b57",
    "sms": "#c8811a",
    "facebook": "#4267b2",
    "zalo": "#0aa5e8",
    "loudspeaker": "#8c564b",
    "article": "#1f4e79",
    "video": "#b03a2e",
}
DPI = 150
WIDTH_IN = 6.3  # 16 cm: the text width of an A4 page with NĐ 30 margins
MAX_HEIGHT_IN = 8.0
_EN_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_AXES = {
    "vi": ("Số lượt đăng", "% chỉ tiêu đạt được", "Chỉ tiêu (100%)"),
    "en": ("Publications", "% of target achieved", "Target (100%)"),
}


@functools.cache
def _font_family() -> str:
    """Register the bundled Noto Sans (regular and bold) and make it matplotlib's default."""
    import matplotlib  # noqa: PLC0415 - heavy: only charts need it; keeps `loa --help` light
    from matplotlib import font_manager  # noqa: PLC0415 - as above

    matplotlib.use("Agg")
    for bold in (False, True):
        font_manager.fontManager.addfont(str(font_path(bold)))
    name = font_manager.FontProperties(fname=str(font_path(False))).get_name()
    matplotlib.rcParams["font.family"] = [name, "DejaVu Sans"]
    return name


def _figure(height_in: float) -> Figure:
    _font_family()
    from matplotlib.figure import Figure  # noqa: PLC0415 - heavy, as in _font_family

    return Figure(figsize=(WIDTH_IN, height_in), dpi=DPI, layout="constrained")


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, facecolor="white")
    return buf.getvalue()


def month_label(month: str, lang: str, *, year: bool = False) -> str:
    """'T3' or 'Mar'; with the year when the period spans more than one: 'T3/24'."""
    y, m = month.split("-")
    name = _EN_MONTHS[int(m) - 1] if lang == "en" else f"T{int(m)}"
    return f"{name}/{y[2:]}" if year else name


def months_chart(report: Report, lang: str = "vi") -> bytes:
    """Published deliveries per month of the period, stacked by channel."""
    h = words(lang)
    months = report.months()
    fig = _figure(3.2)
    ax = fig.add_subplot()
    bottom = [0] * len(months)
    x = list(range(len(months)))
    for chan in report.channels:
        values = [report.monthly[(m, chan)] for m in months]
        ax.bar(x, values, 0.7, bottom=bottom, label=h[chan], color=COLOURS[chan])
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    for i, total in enumerate(bottom):
        if total:
            ax.annotate(str(total), (i, total), ha="center", va="bottom", fontsize=8)
    years = len({m[:4] for m in months}) > 1
    ax.set_xticks(x, [month_label(m, lang, year=years) for m in months], fontsize=8)
    ax.set_ylabel(_AXES.get(lang, _AXES["vi"])[0])
    ax.set_ylim(0, max([*bottom, 1]) * 1.15)
    ax.legend(fontsize=8, ncols=min(len(report.channels), 5), loc="upper left", frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def quotas_chart(report: Report, lang: str = "vi") -> bytes | None:
    """Per unit (and campaign), each measure's achieved share of its quota; None without quotas."""
    goals = report.goals
    if not goals:
        return None
    h = words(lang)
    several = len({g.campaign for g in goals}) > 1
    rows = list(dict.fromkeys((g.unit, g.campaign) for g in goals))
    names = {(g.unit, g.campaign): g.name + (f" ({g.campaign})" if several else "") for g in goals}
    measures = list(dict.fromkeys(g.measure for g in goals))
    share = {(g.unit, g.campaign, g.measure): 100 * g.achieved / g.quota for g in goals}
    done = {(g.unit, g.campaign, g.measure): g for g in goals}
    # a bar about 0.12 in tall, the whole at most 8 in (20 cm), so it fits an A4 page
    fig = _figure(min(MAX_HEIGHT_IN, max(2.4, 0.12 * len(rows) * len(measures) + 1.2)))
    ax = fig.add_subplot()
    bar = 0.8 / len(measures)
    for j, m in enumerate(measures):
        ys = [i + j * bar for i, key in enumerate(rows) if (*key, m) in share]
        xs = [share[(*key, m)] for key in rows if (*key, m) in share]
        ax.barh(ys, xs, bar, label=h[m], color=COLOURS.get(m, "#777777"))
        for y, key in zip(ys, [k for k in rows if (*k, m) in share], strict=True):
            g = done[(*key, m)]
            ax.annotate(f" {g.achieved}/{g.quota}", (share[(*key, m)], y), va="center", fontsize=6)
    axes = _AXES.get(lang, _AXES["vi"])
    ax.axvline(100, color="#b03a2e", linewidth=1, linestyle="--", label=axes[2])
    ax.set_yticks([i + 0.4 - bar / 2 for i in range(len(rows))], [names[r] for r in rows])
    ax.tick_params(axis="y", labelsize=7)
    ax.invert_yaxis()
    ax.set_xlabel(axes[1])
    ax.set_xlim(0, max([*share.values(), 100]) * 1.15)
    ax.legend(fontsize=7, loc="lower right")
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)
