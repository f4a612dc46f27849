"""Where everything on a public-screen slide goes, for a screen of any size: pure geometry.

The header names the publishing unit (its agency line, under its parent's or the
province's), the body holds title, summary and the QR code (with a play mark for a video),
and the footer the unit's name and the date. Header and footer are laid out per unit; the
body is the same for every unit publishing the item.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from channels.textbox import Box, Fitted, fit_text, measure_for, moved, place
from channels.typeface import Fonts

OVERSCAN = 0.05
QR_MAX = 300
"""Longer links make QR modules too small to scan off a screen: such slides go without one."""
QR_CAPTION = "Quét mã QR\nđể xem chi tiết"
VIDEO_CAPTION = "Quét mã QR\nđể xem video"
VIDEO_CUE = "Xem video"
# (min, max) px at 1080 px on the short side, scaled for other screens; 48 is the floor.
AGENCY, PARENT, SMALL = (48, 54), (48, 48), (48, 48)
TITLE, SUMMARY = (60, 100), (48, 64)
TITLE_WIDE, SUMMARY_WIDE = (60, 128), (48, 76)
"""A slide without a QR code has the whole body for its text: it may grow this large."""


@dataclass(frozen=True)
class Frame:
    """Where things go on a screen of one size: bands, text column, QR, footer text."""

    size: tuple[int, int]
    scale: float
    header: Box
    star: Box
    masthead: Box
    text: Box
    qr: Box | None
    caption: Box | None
    cue: Box | None
    footer: Box
    footer_text: Box
    middle: tuple[int, int]
    """Rows [top, bottom) that are the same for every unit: between the gold strip and footer."""

    def px(self, sizes: tuple[int, int]) -> tuple[int, int]:
        """Sizes scaled to this screen."""
        return math.ceil(sizes[0] * self.scale), math.ceil(sizes[1] * self.scale)

    @property
    def line(self) -> int:
        return round(68 * self.scale)


@dataclass(frozen=True)
class SlideLayout:
    """Every text block as fitted and drawn, so tests can check nothing leaves its box."""

    frame: Frame
    title: Fitted
    rule: Box
    summary: Fitted
    caption: Fitted | None
    cue: Fitted | None = None
    play: Box | None = None
    """The play mark of a video: a disc beside the "Xem video" cue."""
    agency: Fitted | None = None
    parent: Fitted | None = None
    unit: Fitted | None = None
    date: Fitted | None = None


def frame(size: tuple[int, int], has_qr: bool, video: bool = False) -> Frame:
    """Geometry for a screen: 5 % overscan margin, header and footer bands, QR in a corner."""
    w, h = size
    s, portrait = min(w, h) / 1080, h > w
    mx, my, gap, line = round(w * OVERSCAN), round(h * OVERSCAN), round(44 * s), round(68 * s)
    rows = 3 if portrait else 2  # the parent line, then the agency (two lines on portrait)
    masthead_h = rows * line + round(12 * s)
    header = Box(0, 0, w, my + masthead_h + round(22 * s))
    star = Box(mx, my + (masthead_h - line) // 2, line, line)
    masthead = Box(star.right + round(20 * s), my, w - mx - star.right - round(20 * s), masthead_h)
    footer_rows = 2 if portrait else 1  # portrait: the unit name, the date under it
    footer_text = Box(mx, h - my - footer_rows * line, w - 2 * mx, footer_rows * line)
    footer = Box(0, footer_text.y - round(18 * s), w, h - footer_text.y + round(18 * s))
    middle = (header.bottom + round(10 * s) + 1, footer.y)
    top = middle[0] + gap
    body = Box(mx, top, w - 2 * mx, footer.y - gap - top)
    side = round(360 * s)
    text, qr, caption, cue = body, None, None, None
    if not has_qr:
        pass
    elif not portrait:
        qr = Box(body.right - side, body.bottom - side - gap // 2 - 2 * line, side, side)
        caption = Box(qr.x, qr.bottom + gap // 2, side, 2 * line)
        cue = Box(qr.x, qr.y - gap // 2 - line, side, line) if video else None
        text = Box(body.x, body.y, body.w - side - gap, body.h)
    else:
        qr = Box(body.right - side, body.bottom - side, side, side)
        caption = Box(body.x, qr.y, body.w - side - gap, side)
        cue = replace(caption, h=line) if video else None
        if video:
            caption = Box(caption.x, qr.y + line, caption.w, side - line)
        text = Box(body.x, body.y, body.w, qr.y - gap - body.y)
    return Frame(
        size, s, header, star, masthead, text, qr, caption, cue, footer, footer_text, middle
    )


def layout_body(
    title: str, summary: str, qr_url: str | None, video: bool, size: tuple[int, int], fonts: Fonts
) -> SlideLayout:
    """Fit title (at most half the column), summary and QR caption; centre the text."""
    (w, h), has_qr = size, bool(qr_url) and len(qr_url or "") <= QR_MAX
    f = frame(size, has_qr, video)
    col = f.text
    t_sizes, s_sizes = (TITLE, SUMMARY) if has_qr else (TITLE_WIDE, SUMMARY_WIDE)
    fitted_title = fit_text(title, replace(col, h=col.h // 2), fonts.bold, f.px(t_sizes))
    rule = Box(col.x, col.y + fitted_title.height + round(30 * f.scale), *f.px((140, 8)))
    top = rule.bottom + round(34 * f.scale)
    fitted_summary = fit_text(
        summary, replace(col, y=top, h=col.bottom - top), fonts.regular, f.px(s_sizes)
    )
    used = (
        fitted_summary.box.y + fitted_summary.height if fitted_summary.lines else rule.bottom
    ) - col.y
    dy = max((col.h - used) // 2, 0)
    caption = None
    if f.caption is not None:
        caption = fit_text(
            VIDEO_CAPTION if video else QR_CAPTION,
            f.caption,
            fonts.regular,
            f.px(SMALL),
            align="right" if h > w else "center",
            valign="middle" if h > w else "top",
        )
    cue, play = _cue(f, fonts, right=h > w)
    return SlideLayout(
        f,
        moved(fitted_title, dy),
        replace(rule, y=rule.y + dy),
        moved(fitted_summary, dy),
        caption,
        cue,
        play,
    )


def _cue(f: Frame, fonts: Fonts, right: bool) -> tuple[Fitted | None, Box | None]:
    """A play mark and "Xem video" beside the QR code: centred over it, or right-aligned."""
    if f.cue is None:
        return None, None
    measure = measure_for(fonts.bold, f.px(SMALL)[1])
    disc, pad = f.line, round(16 * f.scale)
    group = disc + pad + measure.width(VIDEO_CUE)
    x = f.cue.right - group if right else f.cue.x + (f.cue.w - group) // 2
    play = Box(x, f.cue.y, disc, disc)
    box = Box(play.right + pad, f.cue.y, f.cue.right - play.right - pad, f.cue.h)
    return place([VIDEO_CUE], measure, box, align="left", valign="middle"), play


def layout_masthead(layout: SlideLayout, parent: str, agency: str, fonts: Fonts) -> SlideLayout:
    """The unit's agency line in capitals (two lines on portrait if it needs them), under
    its parent's line; the block centred in the header band."""
    f = layout.frame
    box, line, gap = f.masthead, f.line, round(6 * f.scale)
    above = None
    if parent.strip():
        above = fit_text(parent.upper(), replace(box, h=line), fonts.regular, f.px(PARENT))
    taken = above.height + gap if above is not None else 0
    named = fit_text(agency.upper(), replace(box, h=box.h - taken), fonts.bold, f.px(AGENCY))
    dy = max((box.h - taken - named.height) // 2, 0)
    return replace(
        layout,
        parent=moved(above, dy) if above is not None else None,
        agency=moved(named, dy + taken),
    )


def layout_footer(layout: SlideLayout, unit: str, date: str, fonts: Fonts) -> SlideLayout:
    """Unit name and date: one line (date at the right) on landscape, stacked on portrait."""
    f, sizes = layout.frame, layout.frame.px(SMALL)
    box, line = f.footer_text, f.line
    if f.size[1] > f.size[0]:
        rows = 2 if date.strip() else 1
        top = box.y + (box.h - rows * line) // 2
        named = fit_text(unit, replace(box, y=top, h=line), fonts.bold, sizes, valign="middle")
        dated = fit_text(
            date, replace(box, y=top + line, h=line), fonts.regular, sizes, valign="middle"
        )
        return replace(layout, unit=named, date=dated)
    half = replace(box, x=box.x + box.w // 2, w=box.w - box.w // 2)
    dated = fit_text(date, half, fonts.regular, sizes, align="right", valign="middle")
    used = measure_for(fonts.regular, dated.size).width(dated.lines[0]) if dated.lines else 0
    room = box.w - used - (round(48 * f.scale) if used else 0)
    named = fit_text(unit, replace(box, w=room), fonts.bold, sizes, valign="middle")
    return replace(layout, unit=named, date=dated)
