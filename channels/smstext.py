"""SMS text arithmetic: GSM-7 or UCS-2, how many parts a text costs, and cutting it to fit."""

from __future__ import annotations

import unicodedata
from typing import Literal

Encoding = Literal["gsm7", "ucs2"]
ENCODINGS: tuple[str, ...] = ("gsm7", "ucs2")

GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
"""GSM 03.38 default alphabet (the escape code itself is not a character a text may hold)."""
GSM_EXTENSION = frozenset("\f^{}\\[~]|€")
"""Characters sent as escape + code, so each costs two septets."""

# (units in a single message, units per part of a concatenated one)
LIMITS: dict[str, tuple[int, int]] = {"gsm7": (160, 153), "ucs2": (70, 67)}
ELLIPSIS = "..."


def is_gsm7(text: str) -> bool:
    """True when every character exists in GSM 03.38, so the text need not go as UCS-2."""
    return all(c in GSM_BASIC or c in GSM_EXTENSION for c in text)


def encoding_for(text: str) -> Encoding:
    """The cheapest encoding that carries `text` unchanged."""
    return "gsm7" if is_gsm7(text) else "ucs2"


def _units(char: str, encoding: str) -> int:
    if encoding == "ucs2":
        return 2 if ord(char) > 0xFFFF else 1  # UTF-16 code units: a surrogate pair is two
    return 2 if char in GSM_EXTENSION else 1


def _check(text: str, encoding: str) -> None:
    if encoding not in LIMITS:
        raise ValueError(f"unknown SMS encoding {encoding!r}; use one of {ENCODINGS}")
    if encoding == "gsm7" and not is_gsm7(text):
        bad = sorted({c for c in text if c not in GSM_BASIC and c not in GSM_EXTENSION})
        raise ValueError(f"text has characters GSM-7 cannot carry: {''.join(bad[:10])!r}")


def count_segments(text: str, encoding: str | None = None) -> int:
    """Parts the text costs; raises ValueError for an unknown encoding or a non-GSM text as gsm7."""
    encoding = encoding or encoding_for(text)
    _check(text, encoding)
    single, part = LIMITS[encoding]
    units = [_units(c, encoding) for c in text]
    if sum(units) <= single:
        return 1 if text else 0
    segments, used = 1, 0
    for size in units:  # an escape pair or a surrogate pair is never split across parts
        if used + size > part:
            segments, used = segments + 1, 0
        used += size
    return segments


def strip_diacritics(text: str) -> str:
    """Vietnamese "không dấu": drop accents and turn đ/Đ into d/D, so the text can go as GSM-7."""
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return unicodedata.normalize("NFC", kept.replace("đ", "d").replace("Đ", "D"))


TYPOGRAPHY = str.maketrans(
    {
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\ufe63\uff0d", "-"),
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u2035\u00b4\u0060\uff07", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u2036\u00ab\u00bb\uff02", '"'),
        **dict.fromkeys("\u2039\u203a", "'"),
        **dict.fromkeys("\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007", " "),
        **dict.fromkeys("\u2008\u2009\u200a\u202f\u205f\u3000\t\v", " "),
        **dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff\u00ad", ""),
        **dict.fromkeys("\u2022\u2023\u2027\u2219\u00b7\u25cf\u25e6\u25aa\u2043", "-"),
        "\u2026": "...",
        "\u00d7": "x",
        "\u00f7": "/",
        "\u2044": "/",
        "\u2215": "/",
        "\u00b0": "o",
        "\u00ba": "o",
        "\u00aa": "a",
        "\u2116": "No.",
        "\u2122": "TM",
        "\u00a9": "(c)",
        "\u00ae": "(R)",
        "\u2030": "%o",
        "\u20ab": "d",
        "\u00b1": "+/-",
        "\u2264": "<=",
        "\u2265": ">=",
        "\u2260": "!=",
        "\u2248": "~",
        "\u2192": "->",
        "\u2190": "<-",
        "\u00a2": "c",
        "\u2028": "\n",
        "\u2029": "\n",
    }
)
"""Typographic punctuation and symbols a Vietnamese title holds, as their GSM-7 look-alikes."""


def to_gsm7(text: str) -> str:
    """Text that goes as GSM-7 whatever it held: không dấu, typographic punctuation made plain
    (– — → -, curly quotes → straight, … → ..., NBSP → space), compatibility forms decomposed
    (½ → 1/2, ﬁ → fi); a character with no GSM-7 look-alike becomes '?'."""
    plain = strip_diacritics(text).translate(TYPOGRAPHY)
    if is_gsm7(plain):
        return plain
    out = []
    for char in plain:
        if char in GSM_BASIC or char in GSM_EXTENSION:
            out.append(char)
            continue
        folded = strip_diacritics(unicodedata.normalize("NFKD", char)).translate(TYPOGRAPHY)
        out.append(folded if folded and is_gsm7(folded) else "?")
    return "".join(out)


def fit(text: str, max_segments: int, encoding: str) -> str:
    """Cut on a word boundary and add "..." so the text costs at most `max_segments` parts."""
    if max_segments < 1:
        raise ValueError(f"max_segments must be at least 1, not {max_segments}")
    if count_segments(text, encoding) <= max_segments:
        return text

    def fits(prefix: str) -> bool:
        return count_segments(prefix + ELLIPSIS, encoding) <= max_segments

    low, high = 0, len(text)  # the longest raw prefix that fits, found by bisection
    while low < high:
        middle = (low + high + 1) // 2
        if fits(text[:middle]):
            low = middle
        else:
            high = middle - 1
    cut = text[:low]
    space = cut.rfind(" ")
    if space > 0 and (low == len(text) or text[low] != " "):
        cut = cut[:space]
    return cut.rstrip(" ,.;:-") + ELLIPSIS


def check_text(text: str, encoding: str | None, max_segments: int) -> tuple[Encoding, int]:
    """(encoding, parts) for a text about to be sent; ValueError when a gateway would mangle it."""
    if not text.strip():
        raise ValueError("the SMS text is empty")
    chosen = encoding or encoding_for(text)
    if chosen not in ENCODINGS:
        raise ValueError(f"unknown SMS encoding {chosen!r}; use one of {ENCODINGS}")
    if chosen == "gsm7" and not is_gsm7(text):
        raise ValueError("the text is marked gsm7 but has letters GSM-7 lacks: they would be '?'")
    segments = count_segments(text, chosen)
    if segments > max_segments:
        raise ValueError(f"the text needs {segments} parts, over the limit of {max_segments}")
    return ("gsm7" if chosen == "gsm7" else "ucs2"), segments
