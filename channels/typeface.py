"""Fonts for Vietnamese text: where to find one, and the layout engine that sets marks right."""

from __future__ import annotations

import functools
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from PIL import ImageFont, features

log = logging.getLogger(__name__)

FONT_DIR_ENV = "LOA_FONT_DIR"
BUNDLED_FONTS = Path(__file__).with_name("fonts")
SYSTEM_FONTS = (Path("/usr/share/fonts/truetype/noto"), Path("/usr/share/fonts/truetype/dejavu"))
FONT_FILES = {
    False: ("NotoSans-Regular.ttf", "DejaVuSans.ttf"),
    True: ("NotoSans-Bold.ttf", "DejaVuSans-Bold.ttf"),
}


class FontNotFoundError(FileNotFoundError):
    """No font covering Vietnamese was found in any of the places searched."""


def font_path(bold: bool) -> Path:
    """First Vietnamese-capable font found; raises FontNotFoundError naming every place tried."""
    dirs = [Path(d) for d in [os.environ.get(FONT_DIR_ENV)] if d] + [BUNDLED_FONTS, *SYSTEM_FONTS]
    tried = [folder / name for folder in dirs for name in FONT_FILES[bold]]
    for path in tried:
        if path.is_file():
            return path
    raise FontNotFoundError(
        f"no {'bold' if bold else 'regular'} font for Vietnamese text; looked for "
        f"{', '.join(map(str, tried))}. Set {FONT_DIR_ENV} or install fonts-noto-core."
    )


@functools.cache
def layout_engine() -> ImageFont.Layout:
    """RAQM when libraqm works (decomposed marks place right); BASIC with one warning if not."""
    if features.check("raqm"):
        return ImageFont.Layout.RAQM
    log.warning(
        "libraqm is unavailable (install libfribidi0): text uses basic layout; it is "
        "NFC-normalised so Vietnamese still renders, but complex shaping is off"
    )
    return ImageFont.Layout.BASIC


@functools.lru_cache(maxsize=64)
def _load(path: Path, size: int, engine: ImageFont.Layout) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size, layout_engine=engine)


@dataclass(frozen=True)
class Face:
    """One font file with one layout engine; each size is loaded once and reused."""

    path: Path
    engine: ImageFont.Layout

    @classmethod
    def find(cls, bold: bool = False) -> Face:
        """The face to use now (re-resolved each call, so LOA_FONT_DIR changes take effect)."""
        return cls(font_path(bold), layout_engine())

    @property
    def language(self) -> str | None:
        """`vi` under raqm (Vietnamese glyph forms); basic layout refuses any language."""
        return "vi" if self.engine == ImageFont.Layout.RAQM else None

    def at(self, size: int) -> ImageFont.FreeTypeFont:
        return _load(self.path, size, self.engine)


@dataclass(frozen=True)
class Fonts:
    """A regular and a bold face, resolved together (hashable: part of render cache keys)."""

    regular: Face
    bold: Face

    @classmethod
    def find(cls) -> Fonts:
        return cls(Face.find(bold=False), Face.find(bold=True))
