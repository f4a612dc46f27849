"""Set text in a box: the largest size that fits, wrapped by words, cut with "…" at the end."""

from __future__ import annotations

import functools
import math
import unicodedata
from dataclasses import dataclass, replace
from typing import Literal

from PIL import ImageDraw

from channels.typeface import Face

ELLIPSIS = "…"
LINE_SPACING = 1.35
"""Line height over font size: at least 1.3, since stacked capitals (Ầ, Ẫ) rise far above caps."""
TALL = "ẦẪỔỸẴỢÉÁ|"
"""Probe for the highest ink a line can have, so every line gets the same headroom."""
DEEP = "gjpqyỵỹẠ|"
"""Probe for the lowest ink (descenders, dot below)."""
TRIM = " ,.;:-–—"
SIZE_STEP = 4
"""Sizes are tried in steps of 4 px, so few font objects are ever loaded."""

Align = Literal["left", "center", "right"]
VAlign = Literal["top", "middle"]


@dataclass(frozen=True)
class Box:
    """A rectangle in pixels; `right` and `bottom` are exclusive."""

    x: int
    y: int
    w: int
    h: int

    @property
    def right(self) -> int:
        return self.x + self.w

    @property
    def bottom(self) -> int:
        return self.y + self.h

    def contains(self, other: Box) -> bool:
        """Whether `other` lies wholly inside this box."""
        return (
            self.x <= other.x
            and self.y <= other.y
            and other.right <= self.right
            and other.bottom <= self.bottom
        )


@dataclass(frozen=True)
class Fitted:
    """Text laid out in a box, with baseline origins, so drawing and tests see the same layout."""

    box: Box
    size: int
    lines: tuple[str, ...]
    origins: tuple[tuple[int, int], ...]
    truncated: bool
    height: int
    """Height of the inked block, from the top of the tallest marks to the lowest descender."""


class Measure:
    """Ink extents of text in one font at one size, relative to the baseline origin."""

    def __init__(self, face: Face, size: int) -> None:
        self.size = size
        self.font = face.at(size)
        self.language = face.language
        self.ascent = -self.bbox(TALL)[1]
        self.descent = self.bbox(DEEP)[3]
        self.line_height = max(math.ceil(size * LINE_SPACING), self.ascent + self.descent)
        self._edges: dict[str, tuple[float, float, float]] = {}

    def bbox(self, text: str) -> tuple[int, int, int, int]:
        """Exact ink box (slow: FreeType loads every outline)."""
        x0, y0, x1, y1 = self.font.getbbox(text, anchor="ls", language=self.language)
        return math.floor(x0), math.floor(y0), math.ceil(x1), math.ceil(y1)

    def _edge(self, cluster: str) -> tuple[float, float, float]:
        """Left ink edge, right ink edge and advance of one letter, cached."""
        if cluster not in self._edges:
            x0, _, x1, _ = self.font.getbbox(cluster, anchor="ls", language=self.language)
            advance = self.font.getlength(cluster, language=self.language)
            self._edges[cluster] = (x0, x1, advance)
        return self._edges[cluster]

    def overhang(self, text: str) -> int:
        """How far the first letter's ink reaches left of the origin (0 if it does not)."""
        return -math.floor(min(0.0, self._edge(first_cluster(text))[0])) if text else 0

    def width(self, text: str) -> int:
        """Inked width: the shaped advance, corrected by the last letter's ink edge (fast)."""
        if not text:
            return 0
        _, x1, advance = self._edge(last_cluster(text))
        pen = self.font.getlength(text, language=self.language) - advance
        return math.ceil(pen + x1) + self.overhang(text)

    def block(self, lines: int) -> int:
        """Height of `lines` lines of ink."""
        return self.ascent + self.descent + max(lines - 1, 0) * self.line_height

    def capacity(self, height: int) -> int:
        """How many lines fit in `height` (at least one: the layout keeps boxes one line tall)."""
        return max((height - self.ascent - self.descent) // self.line_height + 1, 1)


@functools.lru_cache(maxsize=256)
def measure_for(face: Face, size: int) -> Measure:
    """One Measure per face and size, so letter edges are measured once per process."""
    return Measure(face, size)


def first_cluster(text: str) -> str:
    """The first letter with its combining marks: its ink decides the left overhang."""
    end = 1
    while end < len(text) and unicodedata.combining(text[end]):
        end += 1
    return text[:end]


def last_cluster(text: str) -> str:
    """The last letter with its combining marks: its ink decides where the line ends."""
    start = len(text) - 1
    while start > 0 and unicodedata.combining(text[start]):
        start -= 1
    return text[start:]


def clusters(word: str) -> list[str]:
    """Split into characters, keeping combining marks on their base letter."""
    out: list[str] = []
    for char in word:
        if out and unicodedata.combining(char):
            out[-1] += char
        else:
            out.append(char)
    return out


def break_word(word: str, measure: Measure, width: int, limit: int) -> list[str]:
    """Hard-break a word wider than the box (a long URL, a code) into at most `limit` pieces."""
    pieces = [""]
    for cluster in clusters(word):
        if pieces[-1] and measure.width(pieces[-1] + cluster) > width:
            if len(pieces) == limit:
                break
            pieces.append("")
        pieces[-1] += cluster
    return pieces


def wrap(text: str, measure: Measure, width: int, limit: int = 1_000_000) -> list[str]:
    """Greedy word wrap by measured width, keeping line breaks; stops past `limit` lines."""
    lines: list[str] = []
    for paragraph in text.splitlines():
        current = ""
        for word in paragraph.split():
            candidate = f"{current} {word}" if current else word
            if measure.width(candidate) <= width:
                current = candidate
                continue
            if current:
                lines.append(current)
            pieces = break_word(word, measure, width, limit + 1)
            lines.extend(pieces[:-1])
            current = pieces[-1]
            if len(lines) > limit:
                return lines
        if current:
            lines.append(current)
    return lines


def ellipsise(line: str, measure: Measure, width: int) -> str:
    """Drop words (then characters) from the end until the line plus "…" fits."""
    words = line.split(" ")
    while len(words) > 1 and measure.width(" ".join(words).rstrip(TRIM) + ELLIPSIS) > width:
        words.pop()
    parts = clusters(" ".join(words).rstrip(TRIM))
    while parts and measure.width("".join(parts).rstrip(TRIM) + ELLIPSIS) > width:
        parts.pop()
    return "".join(parts).rstrip(TRIM) + ELLIPSIS


def fit_text(
    text: str,
    box: Box,
    face: Face,
    sizes: tuple[int, int],
    *,
    align: Align = "left",
    valign: VAlign = "top",
) -> Fitted:
    """Largest size in `sizes` (min, max) at which the wrapped text fits; else cut at the min."""
    smallest, largest = sizes
    if not text.strip():
        return place([], measure_for(face, smallest), box, align=align, valign=valign)
    candidates = sorted({*range(smallest, largest, SIZE_STEP), largest})
    chosen: tuple[Measure, list[str]] | None = None
    low, high = 0, len(candidates) - 1
    while low <= high:
        middle = (low + high) // 2
        measure = measure_for(face, candidates[middle])
        lines = wrap(text, measure, box.w, measure.capacity(box.h))
        if measure.block(len(lines)) <= box.h:
            chosen, low = (measure, lines), middle + 1
        else:
            high = middle - 1
    if chosen is not None:
        return place(chosen[1], chosen[0], box, align=align, valign=valign)
    measure = measure_for(face, smallest)
    keep = measure.capacity(box.h)
    lines = wrap(text, measure, box.w, keep)
    cut = [*lines[: keep - 1], ellipsise(lines[keep - 1], measure, box.w)]
    return place(cut, measure, box, align=align, valign=valign, truncated=True)


def place(
    lines: list[str],
    measure: Measure,
    box: Box,
    *,
    align: Align,
    valign: VAlign,
    truncated: bool = False,
) -> Fitted:
    """Baseline origins for each line: same headroom per line, aligned inside the box."""
    height = measure.block(len(lines)) if lines else 0
    top = box.y + ((box.h - height) // 2 if valign == "middle" else 0)
    origins: list[tuple[int, int]] = []
    for index, line in enumerate(lines):
        slack = box.w - measure.width(line)
        shift = {"left": 0, "center": slack // 2, "right": slack}[align]
        baseline = top + measure.ascent + index * measure.line_height
        origins.append((box.x + shift + measure.overhang(line), baseline))
    return Fitted(box, measure.size, tuple(lines), tuple(origins), truncated, height)


def moved(fitted: Fitted, dy: int) -> Fitted:
    """The same text `dy` pixels lower, its box shrunk to the inked block."""
    box = Box(fitted.box.x, fitted.box.y + dy, fitted.box.w, fitted.height)
    return replace(fitted, box=box, origins=tuple((x, y + dy) for x, y in fitted.origins))


def draw_fitted(
    draw: ImageDraw.ImageDraw,
    fitted: Fitted,
    face: Face,
    fill: str | tuple[int, int, int],
    offset: tuple[int, int] = (0, 0),
) -> None:
    """Draw the lines exactly where `fit_text` measured them (shifted by `offset` on a crop)."""
    font = face.at(fitted.size)
    for line, (x, y) in zip(fitted.lines, fitted.origins, strict=True):
        origin = (x + offset[0], y + offset[1])
        draw.text(origin, line, font=font, fill=fill, anchor="ls", language=face.language)


def ink_boxes(fitted: Fitted, face: Face) -> list[Box]:
    """The measured ink rectangle of each drawn line (for checks that nothing spills)."""
    measure = measure_for(face, fitted.size)
    boxes = []
    for line, (x, y) in zip(fitted.lines, fitted.origins, strict=True):
        x0, y0, x1, y1 = measure.bbox(line)
        boxes.append(Box(x + x0, y + y0, x1 - x0, y1 - y0))
    return boxes
