"""A broadcast script (bản tin) written for the ear, from an item's title and summary.

No links or QR codes (a listener cannot click), abbreviations spelled out from a table staff
can extend, numbers, dates, times and phone numbers in words, and an estimated reading time.
Pure: the same text and table give the same script.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections.abc import Callable, Mapping
from pathlib import Path

import yaml

from channels import vinumbers as vn
from channels.errors import ConfigurationError

DEFAULT_ABBREVIATIONS: Mapping[str, str] = {
    "CCHC": "cải cách hành chính",
    "UBND": "Ủy ban nhân dân",
    "HĐND": "Hội đồng nhân dân",
    "TTHC": "thủ tục hành chính",
}
"""Spelled out even without a table in config; `options.abbreviations` adds to it."""

_URL = re.compile(r"(?:https?://|www\.)[^\s)\]]+|\b[\w.-]+@[\w-]+(?:\.[\w-]+)+\b", re.IGNORECASE)
_DOMAIN = re.compile(r"\b(?:[a-z0-9-]+\.)+(?:vn|com|net|org|gov|edu|info)\b(?:/\S*)?", re.I)
_LINK_LEAD = re.compile(
    r"\s(?:tại|qua|ở)(?:\s+(?:địa chỉ|trang|website))?:?\s*(?=https?://|www\.)", re.I
)
_QR = re.compile(r"\bQR\b|quét mã", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_SENTENCE = re.compile(r"(?<=[.!?…])\s+")
_PHONE_WORDS = (
    r"(?:tổng đài|đường dây nóng|hotline|số điện thoại|điện thoại|số máy|gọi(?: đến| tới)?"
    r"|fax|zalo)"
)
_PHONE_AFTER_WORD = re.compile(
    rf"(\b{_PHONE_WORDS}(?:\s+[^\d\s]+){{0,3}}?\s*:?\s*)(\+?\d[\d .-]{{1,18}}\d)", re.IGNORECASE
)
_PHONE_BARE = re.compile(r"(?<![\d.,])(?:\+84|0)\d{2,3}(?:[ .-]?\d){6,8}(?![\d])")
_DATE = re.compile(r"(?:\bngày\s+)?\b(\d{1,2})/(\d{1,2})(?:/(\d{4}))?\b")
_MONTH_YEAR = re.compile(r"\btháng\s+(\d{1,2})(?:/(\d{4}))?\b", re.IGNORECASE)
_TIME = re.compile(r"\b(\d{1,2})(?::(\d{2})|h(\d{2})?)(?!\w)")
_PERCENT = re.compile(r"(\d+(?:,\d+)?)\s?%")
_RANGE = re.compile(r"(?<![\d,.])(\d+)\s?[-–]\s?(\d+)(?![\d,.])")
_THOUSANDS = re.compile(r"\b\d{1,3}(?:\.\d{3})+\b")
_DECIMAL = re.compile(r"\b(\d+),(\d+)\b")
_NUMBER = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")
_DANGLING = re.compile(
    r"\s*(?:tại|qua|theo|ở|vào)?(?:\s+(?:địa chỉ|đường link|đường dẫn|link|trang|website))?"
    r"\s*[:]?\s*([.!?…]?)\s*$",
    re.IGNORECASE,
)
LINK_SENTENCE_WORDS = 4
"""A sentence left shorter than this once its link is gone ("Xem tại") is dropped."""


def plain(text: str) -> str:
    """Text without HTML tags or entities, NFC, on one line: nothing an announcer cannot read.

    Entities are decoded first and tags removed after, so text that was already decoded once
    at ingest ("&lt;b&gt;" became "<b>") is not read out as markup either.
    """
    return _SPACES.sub(
        " ", _TAG.sub(" ", html.unescape(unicodedata.normalize("NFC", text)))
    ).strip()


def without_links(text: str) -> str:
    """Drop links, e-mail addresses and QR codes; a sentence that was mostly a link goes too."""
    kept = []
    for part in _SENTENCE.split(text):
        if _QR.search(part):
            continue
        bare = _DOMAIN.sub("", _URL.sub("", _LINK_LEAD.sub(" ", part)))
        if bare != part:
            bare = _DANGLING.sub(r"\1", re.sub(r"\(\s*\)|\[\s*\]", "", bare))
            if len(bare.split()) < LINK_SENTENCE_WORDS:
                continue
        kept.append(re.sub(r"\s+([,.;:!?])", r"\1", bare).strip())
    return " ".join(k for k in kept if k)


def expand(text: str, table: Mapping[str, str]) -> str:
    """Whole-word abbreviations replaced by their meaning, longest first (HĐND before HĐ)."""
    for short in sorted(table, key=len, reverse=True):
        long = table[short].replace("\\", "\\\\")
        text = re.sub(rf"(?<!\w){re.escape(short)}(?!\w)", long, text)
    return text


def _sub(pattern: re.Pattern[str], fn: Callable[[re.Match[str]], str], text: str) -> str:
    return pattern.sub(fn, text)


def _phone(m: re.Match[str]) -> str:
    return _phone_of(m.group(0))


def _date(m: re.Match[str]) -> str:
    day, month, year = int(m.group(1)), int(m.group(2)), m.group(3)
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return m.group(0)
    return vn.date(day, month, int(year) if year else None)


def _month_year(m: re.Match[str]) -> str:
    month, year = int(m.group(1)), m.group(2)
    if not 1 <= month <= 12:
        return m.group(0)
    return vn.date(None, month, int(year) if year else None)


def _time(m: re.Match[str]) -> str:
    hour, minute = int(m.group(1)), int(m.group(2) or m.group(3) or 0)
    if hour > 24 or minute > 59:
        return m.group(0)
    return vn.time_of_day(hour, minute)


def _amount(raw: str) -> str:
    if "," in raw:
        whole, fraction = raw.split(",", 1)
        return vn.decimal(whole, fraction)
    return vn.number(int(raw))


def read_numbers(text: str) -> str:
    """Every number in words: phones digit by digit, then dates, times, percentages, counts."""
    text = _PHONE_AFTER_WORD.sub(lambda m: m.group(1) + _phone_of(m.group(2)), text)
    text = _sub(_PHONE_BARE, _phone, text)
    text = _sub(_DATE, _date, text)
    text = _sub(_MONTH_YEAR, _month_year, text)
    text = _sub(_TIME, _time, text)
    text = _sub(_PERCENT, lambda m: f"{_amount(m.group(1))} phần trăm", text)
    text = _sub(_RANGE, lambda m: f"{m.group(1)} đến {m.group(2)}", text)
    text = _sub(_THOUSANDS, lambda m: m.group(0).replace(".", ""), text)
    text = _sub(_DECIMAL, lambda m: vn.decimal(m.group(1), m.group(2)), text)
    return _sub(_NUMBER, lambda m: vn.number(int(m.group(0))), text)


def _phone_of(raw: str) -> str:
    groups = [g for g in re.split(r"[ .-]+", raw.replace("+84", "0")) if g]
    return ", ".join(vn.digits(g) for g in groups)


def for_the_ear(text: str, table: Mapping[str, str]) -> str:
    """One passage ready to be read: plain, no links, abbreviations and numbers in words."""
    spoken = read_numbers(expand(without_links(plain(text)), table))
    spoken = spoken.replace("&", " và ").replace("/", " ").replace("#", "")
    return _SPACES.sub(" ", spoken).strip(" ,;:-–")


def sentence(text: str) -> str:
    """A full sentence: capitalised, ending in a full stop unless it already ends a sentence."""
    text = text.strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?…" else text + "."


def build_script(
    *, station: str, programme: str, title: str, summary: str, table: Mapping[str, str]
) -> str:
    """The whole bản tin: opening line (station, programme), title, summary, as sentences."""
    opening = sentence(f"Đây là {for_the_ear(station, table)}")
    programme_line = sentence(f"Mời bà con nghe {for_the_ear(programme, table)}")
    lines = [opening + " " + programme_line, sentence(for_the_ear(title, table))]
    body = sentence(for_the_ear(summary, table))
    if body:
        lines.append(body)
    return "\n\n".join(lines) + "\n"


def words(script: str) -> int:
    """Spoken words: Vietnamese syllables, each written apart."""
    return sum(1 for w in script.split() if any(c.isalnum() for c in w))


def reading_seconds(script: str, wpm: float) -> float:
    """How long the script takes read at `wpm` words (syllables) a minute."""
    return round(words(script) * 60.0 / wpm, 1)


def abbreviations(path: str | None) -> Mapping[str, str]:
    """The default table plus the one in `path` (a YAML mapping, or under `abbreviations:`)."""
    if not path:
        return DEFAULT_ABBREVIATIONS
    file = Path(path)
    try:
        stamp = file.stat().st_mtime_ns
    except OSError as e:
        raise ConfigurationError(f"abbreviations table {path}: {e.strerror}") from e
    return _load(str(file), stamp)


@functools.lru_cache(maxsize=16)
def _load(path: str, stamp: int) -> Mapping[str, str]:
    """Read once per file version (`stamp` is its mtime), so an edit is picked up."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    if isinstance(data, dict) and isinstance(data.get("abbreviations"), dict):
        data = data["abbreviations"]
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise ConfigurationError(f"abbreviations table {path}: must map each short form to words")
    table = dict(DEFAULT_ABBREVIATIONS)
    table.update(
        {unicodedata.normalize("NFC", k): unicodedata.normalize("NFC", v) for k, v in data.items()}
    )
    return table
