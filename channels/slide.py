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
from channels.pngstream import Segment, assemble
from channels.slidelayout import (
    OVERSCAN,
    QR_CAPTION,
    QR_MAX,
    VIDEO_CUE,
    Frame,
    SlideLayout,
    layout_body,
    layout_footer,
    layout_masthead,
)
from channels.textbox import Box, draw_fitted
from channels.typeface import FontNotFoundError, Fonts, font_path, layout_engine

__all__ = ["OVERSCAN", "QR_CAPTION", "QR_MAX", "VIDEO_CUE", "FontNotFoundError", "Frame"]
__all__ += ["SlideBase", "SlideContent", "SlideLayout", "font_path", "layout_engine"]
__all__ += ["cache_info", "clear_cache", "render_base", "render_slide", "slide_layout"]

log = logging.getLogger(__name__)

LANDSCAPE, PORTRAIT = (1920, 1080), (1080, 1920)
BASE_CACHE_SIZE = 8
"""Unit-independent slide bases kept in memory (about 1.5 MB each at 1920×1080)."""
_PAINTING = threading.Lock()
"""One base painted at a time in a process: worker threads delivering one item to many units
all ask for the same base at once, and without it each painted its own (8 threads: 8 images of
6 MB, 7 of them thrown away)."""
GOLD, PAPER, INK, MUTED, FOOTER = "#ffcd00", "#ffffff", "#1f1f1f", "#555555", "#f3eee6"


@dataclass(frozen=True)
class SlideContent:
    """What one slide shows. The header names the publishing unit (`agency`, under its
    `parent_agency`), the footer its name and the date; the rest is shared by all units."""

    title: str
    summary: str
    unit_name: str
    date_text: str
    qr_url: str | None
    agency: str = "UBND tỉnh Đồng Nai"
    accent: str = "#b71c1c"
    parent_agency: str = ""
    video: bool = False
    """A video item: a play mark and "Xem video" beside the QR code."""

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
    accent: str = "#b71c1c"
    video: bool = False

    @classmethod
    def of(cls, content: SlideContent) -> SlideBase:
        return cls(content.title, content.summary, content.qr_url, content.accent, content.video)


def slide_layout(content: SlideContent, size: tuple[int, int] = LANDSCAPE) -> SlideLayout:
    """The full layout `render_slide` draws for this content and size."""
    content, fonts = _normalised(content), Fonts.find()
    base = SlideBase.of(content)
    layout = layout_body(base.title, base.summary, base.qr_url, base.video, _checked(size), fonts)
    return _unit_layout(layout, content, fonts)


def _unit_layout(layout: SlideLayout, content: SlideContent, fonts: Fonts) -> SlideLayout:
    layout = layout_masthead(layout, content.parent_agency, content.agency, fonts)
    return layout_footer(layout, content.unit_name, content.date_text, fonts)


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


def _play(draw: ImageDraw.ImageDraw, box: Box, fill: tuple[int, int, int]) -> None:
    """A play mark: a filled disc with a white triangle pointing right."""
    draw.ellipse((box.x, box.y, box.right - 1, box.bottom - 1), fill=fill)
    cx, cy, r = box.x + box.w / 2, box.y + box.h / 2, box.w * 0.26
    draw.polygon([(cx - r * 0.7, cy - r), (cx - r * 0.7, cy + r), (cx + r, cy)], fill=PAPER)


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
    draw.rectangle((0, f.header.bottom, w - 1, f.middle[0] - 1), fill=GOLD)
    _star(draw, f.star, GOLD)
    draw_fitted(draw, layout.title, fonts.bold, _rgb(base.accent, 0.8))
    rule = layout.rule
    draw.rectangle((rule.x, rule.y, rule.right - 1, rule.bottom - 1), fill=GOLD)
    draw_fitted(draw, layout.summary, fonts.regular, INK)
    if base.qr_url and f.qr is not None and layout.caption is not None:
        code = _qr(base.qr_url, f.qr.w)  # shared: only ever read
        image.paste(code, (f.qr.x + (f.qr.w - code.width) // 2, f.qr.bottom - code.height))
        draw_fitted(draw, layout.caption, fonts.regular, MUTED)
    if layout.play is not None and layout.cue is not None:
        _play(draw, layout.play, accent)
        draw_fitted(draw, layout.cue, fonts.bold, _rgb(base.accent, 0.8))
    draw.rectangle((0, f.footer.y, w - 1, h - 1), fill=FOOTER)
    draw.rectangle((0, f.footer.y, w - 1, f.footer.y + round(6 * f.scale) - 1), fill=accent)
    return image


@dataclass(frozen=True)
class _Base:
    """A rendered base's header and footer bands (the rows a unit changes), its layout, and
    its middle rows deflated once. The rest of the 6 MB image is not kept."""

    header: Image.Image
    footer: Image.Image
    layout: SlideLayout
    fonts: Fonts
    middle: Segment


@functools.lru_cache(maxsize=BASE_CACHE_SIZE)
def _cached_base(base: SlideBase, size: tuple[int, int], fonts: Fonts) -> _Base:
    layout = layout_body(base.title, base.summary, base.qr_url, base.video, size, fonts)
    if base.qr_url and layout.frame.qr is None:
        log.warning(
            "slide link is over %s characters, so it gets no QR code: %s", QR_MAX, base.qr_url[:80]
        )
    image = _paint_base(base, layout, fonts)
    top, bottom = layout.frame.middle
    header, footer = image.crop((0, 0, size[0], top)), image.crop((0, bottom, *size))
    return _Base(header, footer, layout, fonts, Segment.of(image, top, bottom))


def _base(base: SlideBase, size: tuple[int, int]) -> _Base:
    base = replace(base, title=nfc(base.title), summary=nfc(base.summary))
    key = (base, _checked(size), Fonts.find())
    with _PAINTING:  # the others wait for the one painting, then find it in the cache
        return _cached_base(*key)


def render_base(base: SlideBase, size: tuple[int, int] = LANDSCAPE) -> Image.Image:
    """The unit-independent slide (its layout cached; painted anew, so safe to draw on)."""
    b = replace(base, title=nfc(base.title), summary=nfc(base.summary))
    cached = _base(b, size)
    return _paint_base(b, cached.layout, cached.fonts)


def render_slide(content: SlideContent, size: tuple[int, int] = LANDSCAPE) -> bytes:
    """The slide as PNG bytes; the same content and size always give the same bytes."""
    content = _normalised(content)
    base = _base(SlideBase.of(content), size)
    layout, fonts = _unit_layout(base.layout, content, base.fonts), base.fonts
    header, footer = base.header.copy(), base.footer.copy()
    top, colour = layout.frame.middle[1], _rgb(content.accent, 0.8)
    draw = ImageDraw.Draw(header)
    if layout.parent is not None:
        draw_fitted(draw, layout.parent, fonts.regular, PAPER)
    if layout.agency is not None:
        draw_fitted(draw, layout.agency, fonts.bold, GOLD)
    draw = ImageDraw.Draw(footer)
    if layout.unit is not None and layout.date is not None:
        draw_fitted(draw, layout.unit, fonts.bold, colour, offset=(0, -top))
        draw_fitted(draw, layout.date, fonts.regular, INK, offset=(0, -top))
    segments = [Segment.of(header), base.middle, Segment.of(footer)]
    return assemble(layout.frame.size, segments)


def cache_info() -> functools._CacheInfo:
    """Hits and misses of the base cache (a test proves one render serves many units)."""
    return _cached_base.cache_info()


def clear_cache() -> None:
    """Forget cached bases (after changing fonts on disk, or between tests)."""
    _cached_base.cache_clear()


def _normalised(content: SlideContent) -> SlideContent:
    """NFC every text field: decomposed input from Word or Zalo must not reach the renderer."""
    return replace(
        content,
        title=nfc(content.title),
        summary=nfc(content.summary),
        unit_name=nfc(content.unit_name),
        date_text=nfc(content.date_text),
        agency=nfc(content.agency),
        parent_agency=nfc(content.parent_agency),
    )


def _checked(size: tuple[int, int]) -> tuple[int, int]:
    w, h = size
    if min(w, h) < 720 or max(w, h) > 3840:
        raise ValueError(f"slide size {w}×{h} is outside 720…3840 px (use 1920×1080 or 1080×1920)")
    return (int(w), int(h))
