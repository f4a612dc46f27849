"""Numbers read aloud in Vietnamese: counts, years, dates, times of day and phone numbers.

Counts follow the spoken rules: 21 "hai mươi mốt", 24 "hai mươi tư", 15 "mười lăm", 105
"một trăm linh năm", 2024 "hai nghìn không trăm hai mươi tư". Phone numbers and hotlines are
read digit by digit ("1022" → "một không hai hai").
"""

from __future__ import annotations

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
SCALES = ("", "nghìn", "triệu")
BILLION = 1_000_000_000
MONTHS = (
    "",
    "một",
    "hai",
    "ba",
    "tư",
    "năm",
    "sáu",
    "bảy",
    "tám",
    "chín",
    "mười",
    "mười một",
    "mười hai",
)


def _tens_and_units(n: int, *, after_hundred: bool) -> list[str]:
    """0..99 inside a group: 'linh' for a lone unit after hundreds; mốt, tư, lăm after tens."""
    tens, units = divmod(n, 10)
    if tens == 0:
        if units == 0:
            return []
        return ["linh", DIGITS[units]] if after_hundred else [DIGITS[units]]
    words = ["mười"] if tens == 1 else [DIGITS[tens], "mươi"]
    if units == 1:
        words.append("một" if tens == 1 else "mốt")
    elif units == 4:
        words.append("bốn" if tens == 1 else "tư")
    elif units == 5:
        words.append("lăm")
    elif units:
        words.append(DIGITS[units])
    return words


def _group(n: int, *, full: bool) -> list[str]:
    """0..999; `full` reads the hundreds even when zero ("không trăm"), as after a higher group."""
    hundreds, rest = divmod(n, 100)
    words: list[str] = []
    if hundreds or (full and rest):
        words += [DIGITS[hundreds], "trăm"]
    words += _tens_and_units(rest, after_hundred=bool(words))
    return words


def number(n: int) -> str:
    """A whole number in words; negative numbers get 'âm'."""
    if n < 0:
        return "âm " + number(-n)
    if n == 0:
        return DIGITS[0]
    high, low = divmod(n, BILLION)
    words = [number(high), "tỷ"] if high else []
    if low:
        words += _below_billion(low, full=bool(words))
    return " ".join(words)


def _below_billion(n: int, *, full: bool) -> list[str]:
    """1..999 999 999 by groups of three; a zero group is left unsaid."""
    words: list[str] = []
    for power in (2, 1, 0):
        g = n // 1000**power % 1000
        if g:
            words += _group(g, full=full or bool(words))
            if SCALES[power]:
                words.append(SCALES[power])
    return words


def digits(text: str) -> str:
    """Each digit on its own: '1022' → 'một không hai hai'; other characters are dropped."""
    return " ".join(DIGITS[int(c)] for c in text if c.isdigit())


def decimal(whole: str, fraction: str) -> str:
    """'2,5' → 'hai phẩy năm'; the fraction digit by digit after leading zeros, as read aloud."""
    head = number(int(whole))
    if fraction.strip("0") == fraction and len(fraction) <= 2:
        tail = number(int(fraction))
    else:
        tail = digits(fraction)
    return f"{head} phẩy {tail}"


def day_of_month(day: int) -> str:
    """'mùng' before days 1-10, as people say them: 'mùng năm', 'mười lăm', 'hai mươi sáu'."""
    return ("mùng " if 1 <= day <= 10 else "") + number(day)


def date(day: int | None, month: int, year: int | None) -> str:
    """'ngày hai mươi sáu tháng hai năm hai nghìn không trăm hai mươi tư' (parts may be absent)."""
    parts = []
    if day is not None:
        parts.append(f"ngày {day_of_month(day)}")
    parts.append(f"tháng {MONTHS[month]}")
    if year is not None:
        parts.append(f"năm {number(year)}")
    return " ".join(parts)


def time_of_day(hour: int, minute: int) -> str:
    """'07:30' → 'bảy giờ ba mươi phút'; on the hour just 'bảy giờ'."""
    spoken = f"{number(hour)} giờ"
    return f"{spoken} {number(minute)} phút" if minute else spoken
