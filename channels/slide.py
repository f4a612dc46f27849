"""Public-screen slides (Anthias, Xibo): a deterministic PNG with Vietnamese text set correctly."""

from __future__ import annotations

import functools
import logging
import math
import threading
from dataclasses import dataclass, replace

import qrcode
from PIL import Image, ImageColor, ImageDraw

from campaigns.text import nfc
from channels.pngstream import PngPrefix
from channels.textbox import Box, Fitted, draw_fitted, fit_text, measure_for, moved
from channels.typeface import FontNotFoundError, Fonts, font_path, layout_engine

__all__ = ["FontNotFoundError", "SlideBase", "SlideContent", "font_path", "layout_engine"]
__all__ += ["cache_info", "clear_cache", "render_base", "render_slide", "slide_layout"]

log = logging.getLogger(__name__)

LANDSCAPE, PORTRAIT = (1920, 1080), (1080, 1920)
BASE_CACHE_SIZE = 8
_PAINTING = threading.Lock()
"""One base painted at a time in a process: worker threads delivering one item to many units
all ask for the same base at once, and without it each painted its own (8 threads: 8 images of
6 MB, 7 of them thrown away)."""
"""Unit-independent slide bases kept in memory (about 6 MB each at 1920×1080)."""
OVERSCAN = 0.05
GOLD, PAPER, INK, MUTED, FOOTER = "#ffcd00", "#ffffff", "#1f1f1f", "#555555", "#f3eee6"
QR_CAPTION = "Quét mã QR\nđể xem chi tiết"
QR_MAX = 300
"""Longer links make QR modules too small to scan off a screen: such slides go without one."""
# (min, max) px at 1080 px on the short side, scaled for other screens; 48 is the floor.
AGENCY, TITLE, SUMMARY, SMALL = (48, 54), (60, 100), (48, 64), (48, 48)
TEXT_FIELDS = ("title", "summary", "unit_name", "date_text", "agency")


@dataclass(frozen=True)
class SlideContent:
    """What one slide shows; everything but the unit and date is shared by all units."""

    title: str
    summary: str
    unit_name: str
    date_text: str
    qr_url: str | None
    agency: str = "UBND tỉnh Đồng Nai"
    accent: str = "#b71c1c"

    def __post_init__(self) -> None:
        try:
            ImageColor.getrgb(self.accent)
        except ValueError as e:
            raise ValueError(f"accent {self.accent!r} is not a colour Pillow understands") from e


@dataclass(frozen=True)
class SlideBase:
    """The unit-independent part of a slide: the cache key for its rendered background."""

    title: str
    summary: str
    qr_url: str | None
    agency: str = "UBND tỉnh Đồng Nai"
    accent: str = "#b71c1c"

    @classmethod
    def of(cls, content: SlideContent) -> SlideBase:
        return cls(content.title, content.summary, content.qr_url, content.agency, content.accent)


@dataclass(frozen=True)
class Frame:
    """Where things go on a screen of one size: bands, text column, QR, footer text."""

    size: tuple[int, int]
    scale: float
    header: Box
    star: Box
    agency: Box
    text: Box
    qr: Box | None
    caption: Box | None
    footer: Box
    footer_text: Box

    def px(self, sizes: tuple[int, int]) -> tuple[int, int]:
        """Sizes scaled to this screen."""
        return math.ceil(sizes[0] * self.scale), math.ceil(sizes[1] * self.scale)


@dataclass(frozen=True)
class SlideLayout:
    """Every text block as fitted and drawn, so tests can check nothing leaves its box."""

    frame: Frame
    agency: Fitted
    title: Fitted
    rule: Box
    summary: Fitted
    caption: Fitted | None
    unit: Fitted | None = None
    date: Fitted | None = None


def frame(size: tuple[int, int], has_qr: bool) -> Frame:
    """Geometry for a screen: 5 % overscan margin, header and footer bands, QR in a corner."""
    w, h = size
    s = min(w, h) / 1080
    mx, my, gap, line = round(w * OVERSCAN), round(h * OVERSCAN), round(44 * s), round(68 * s)
    header = Box(0, 0, w, my + line + round(22 * s))
    star = Box(mx, my, line, line)
    agency = Box(star.right + round(20 * s), my, w - mx - star.right - round(20 * s), line)
    rows = 3 if h > w else 1  # portrait: the unit name may take two lines, the date a third
    footer_text = Box(mx, h - my - rows * line, w - 2 * mx, rows * line)
    footer = Box(0, footer_text.y - round(18 * s), w, h - footer_text.y + round(18 * s))
    top = header.bottom + round(10 * s) + gap
    body = Box(mx, top, w - 2 * mx, footer.y - gap - top)
    if not has_qr:
        return Frame(size, s, header, star, agency, body, None, None, footer, footer_text)
    side = round(360 * s)
    if w > h:
        qr = Box(body.right - side, body.bottom - side - gap // 2 - 2 * line, side, side)
        caption = Box(qr.x, qr.bottom + gap // 2, side, 2 * line)
        text = Box(body.x, body.y, body.w - side - gap, body.h)
    else:
        qr = Box(body.right - side, body.bottom - side, side, side)
        caption = Box(body.x, qr.y, body.w - side - gap, side)
        text = Box(body.x, body.y, body.w, qr.y - gap - body.y)
    return Frame(size, s, header, star, agency, text, qr, caption, footer, footer_text)


def layout_base(base: SlideBase, size: tuple[int, int], fonts: Fonts) -> SlideLayout:
    """Fit agency, title (at most half the column), summary and QR caption; centre the text."""
    (w, h), f = size, frame(size, bool(base.qr_url) and len(base.qr_url or "") <= QR_MAX)
    agency = fit_text(base.agency.upper(), f.agency, fonts.bold, f.px(AGENCY), valign="middle")
    col = f.text
    title = fit_text(base.title, replace(col, h=col.h // 2), fonts.bold, f.px(TITLE))
    rule = Box(col.x, col.y + title.height + round(30 * f.scale), *f.px((140, 8)))
    top = rule.bottom + round(34 * f.scale)
    summary = fit_text(
        base.summary, replace(col, y=top, h=col.bottom - top), fonts.regular, f.px(SUMMARY)
    )
    used = (summary.box.y + summary.height if summary.lines else rule.bottom) - col.y
    dy = max((col.h - used) // 2, 0)
    caption = None
    if f.caption is not None:
        caption = fit_text(
            QR_CAPTION,
            f.caption,
            fonts.regular,
            f.px(SMALL),
            align="right" if h > w else "center",
            valign="middle" if h > w else "top",
        )
    rule = replace(rule, y=rule.y + dy)
    return SlideLayout(f, agency, moved(title, dy), rule, moved(summary, dy), caption)


def layout_footer(layout: SlideLayout, unit: str, date: str, fonts: Fonts) -> SlideLayout:
    """Unit name and date: one line (date at the right) on landscape, stacked on portrait."""
    f, sizes = layout.frame, layout.frame.px(SMALL)
    box, line = f.footer_text, round(68 * f.scale)
    if f.size[1] > f.size[0]:
        named = fit_text(unit, replace(box, h=box.h - line), fonts.bold, sizes)
        block = named.height + (line if date.strip() else 0)
        top = box.y + (box.h - block) // 2
        named = fit_text(unit, replace(box, y=top, h=named.height), fonts.bold, sizes)
        dated = fit_text(date, replace(box, y=top + named.height, h=line), fonts.regular, sizes)
        return replace(layout, unit=named, date=dated)
    half = replace(box, x=box.x + box.w // 2, w=box.w - box.w // 2)
    dated = fit_text(date, half, fonts.regular, sizes, align="right", valign="middle")
    used = measure_for(fonts.regular, dated.size).width(dated.lines[0]) if dated.lines else 0
    room = box.w - used - (round(48 * f.scale) if used else 0)
    named = fit_text(unit, replace(box, w=room), fonts.bold, sizes, valign="middle")
    return replace(layout, unit=named, date=dated)


def slide_layout(content: SlideContent, size: tuple[int, int] = LANDSCAPE) -> SlideLayout:
    """The full layout `render_slide` draws for this content and size."""
    content, fonts = _normalised(content), Fonts.find()
    base = layout_base(SlideBase.of(content), _checked(size), fonts)
    return layout_footer(base, content.unit_name, content.date_text, fonts)


def _rgb(colour: str, factor: float = 1.0) -> tuple[int, int, int]:
    r, g, b = ImageColor.getrgb(colour)[:3]
    return round(r * factor), round(g * factor), round(b * factor)


def _star(draw: ImageDraw.ImageDraw, box: Box, fill: str) -> None:
    cx, cy, outer = box.x + box.w / 2, box.y + box.h / 2, box.h * 0.46
    points = []
    for i in range(10):
        r, angle = (outer if i % 2 == 0 else outer * 0.382), i * math.pi / 5
        points.append((cx + r * math.sin(angle), cy - r * math.cos(angle) + outer * 0.08))
    draw.polygon(points, fill=fill)


@functools.lru_cache(maxsize=32)
def _qr(url: str, side: int) -> Image.Image:
    """The QR code, quiet zone included, scaled by a whole factor so modules stay crisp."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(url)
    code.make(fit=True)
    matrix: list[list[bool]] = code.get_matrix()
    n = len(matrix)
    image = Image.new("L", (n, n))
    image.putdata([0 if cell else 255 for row in matrix for cell in row])
    k = max(side // n, 1)
    return image.resize((n * k, n * k), Image.Resampling.NEAREST).convert("RGB")


def _paint_base(base: SlideBase, layout: SlideLayout, fonts: Fonts) -> Image.Image:
    f, (w, h), accent = layout.frame, layout.frame.size, _rgb(base.accent)
    image = Image.new("RGB", f.size, PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, w - 1, f.header.bottom - 1), fill=accent)
    draw.rectangle((0, f.header.bottom, w - 1, f.header.bottom + round(10 * f.scale)), fill=GOLD)
    _star(draw, f.star, GOLD)
    draw_fitted(draw, layout.agency, fonts.bold, GOLD)
    draw_fitted(draw, layout.title, fonts.bold, _rgb(base.accent, 0.8))
    rule = layout.rule
    draw.rectangle((rule.x, rule.y, rule.right - 1, rule.bottom - 1), fill=GOLD)
    draw_fitted(draw, layout.summary, fonts.regular, INK)
    if base.qr_url and f.qr is not None and layout.caption is not None:
        code = _qr(base.qr_url, f.qr.w)  # shared: only ever read
        image.paste(code, (f.qr.x + (f.qr.w - code.width) // 2, f.qr.bottom - code.height))
        draw_fitted(draw, layout.caption, fonts.regular, MUTED)
    draw.rectangle((0, f.footer.y, w - 1, h - 1), fill=FOOTER)
    draw.rectangle((0, f.footer.y, w - 1, f.footer.y + round(6 * f.scale) - 1), fill=accent)
    return image


@dataclass(frozen=True)
class _Base:
    """A rendered base's footer band (the only rows a unit changes), its layout, and its PNG
    stream deflated down to that band. The rest of the 6 MB image is not kept: cached bases
    cost ~1 MB each instead of ~7."""

    footer: Image.Image
    layout: SlideLayout
    fonts: Fonts
    png: PngPrefix


@functools.lru_cache(maxsize=BASE_CACHE_SIZE)
def _cached_base(base: SlideBase, size: tuple[int, int], fonts: Fonts) -> _Base:
    layout = layout_base(base, size, fonts)
    if base.qr_url and layout.frame.qr is None:
        log.warning(
            "slide link is over %s characters, so it gets no QR code: %s", QR_MAX, base.qr_url[:80]
        )
    image = _paint_base(base, layout, fonts)
    top = layout.frame.footer.y
    footer = image.crop((0, top, *image.size))
    return _Base(footer, layout, fonts, PngPrefix.of(image, top))


def _base(base: SlideBase, size: tuple[int, int]) -> _Base:
    base = replace(base, title=nfc(base.title), summary=nfc(base.summary), agency=nfc(base.agency))
    key = (base, _checked(size), Fonts.find())
    with _PAINTING:  # the others wait for the one painting, then find it in the cache
        return _cached_base(*key)


def render_base(base: SlideBase, size: tuple[int, int] = LANDSCAPE) -> Image.Image:
    """The unit-independent slide (its layout cached; painted anew, so safe to draw on)."""
    b = replace(base, title=nfc(base.title), summary=nfc(base.summary), agency=nfc(base.agency))
    cached = _base(b, size)
    return _paint_base(b, cached.layout, cached.fonts)


def render_slide(content: SlideContent, size: tuple[int, int] = LANDSCAPE) -> bytes:
    """The slide as PNG bytes; the same content and size always give the same bytes."""
    content = _normalised(content)
    base = _base(SlideBase.of(content), size)
    layout = layout_footer(base.layout, content.unit_name, content.date_text, base.fonts)
    top = layout.frame.footer.y
    footer = base.footer.copy()
    draw = ImageDraw.Draw(footer)
    if layout.unit is not None and layout.date is not None:
        unit_colour = _rgb(content.accent, 0.8)
        draw_fitted(draw, layout.unit, base.fonts.bold, unit_colour, offset=(0, -top))
        draw_fitted(draw, layout.date, base.fonts.regular, INK, offset=(0, -top))
    return base.png.finish(footer)


def cache_info() -> functools._CacheInfo:
    """Hits and misses of the base cache (a test proves one render serves many units)."""
    return _cached_base.cache_info()


def clear_cache() -> None:
    """Forget cached bases (after changing fonts on disk, or between tests)."""
    _cached_base.cache_clear()


def _normalised(content: SlideContent) -> SlideContent:
    """NFC every text field: decomposed input from Word or Zalo must not reach the renderer."""
    return replace(content, **{name: nfc(getattr(content, name)) for name in TEXT_FIELDS})


def _checked(size: tuple[int, int]) -> tuple[int, int]:
    w, h = size
    if min(w, h) < 720 or max(w, h) > 3840:
        raise ValueError(f"slide size {w}×{h} is outside 720…3840 px (use 1920×1080 or 1080×1920)")
    return (int(w), int(h))
