"""`diacritics: false` SMS go as GSM-7 whatever the title holds: every Vietnamese letter with
every tone, and the typographic punctuation and symbols Vietnamese news titles use."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest

from campaigns.model import TZ, Item, Target, Unit
from channels.sms import SmsFormat
from channels.smstext import count_segments, is_gsm7, to_gsm7

VOWELS = "aăâeêioôơuưy"
TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")  # huyền sắc hỏi ngã nặng
LETTERS = "".join(
    unicodedata.normalize("NFC", v + tone) for v in VOWELS + VOWELS.upper() for tone in TONES
)
VIETNAMESE = LETTERS + "đĐbcdghklmnpqrstvx" + "BCDGHKLMNPQRSTVX" + "0123456789"
PUNCTUATION = (
    " .,;:!?-()[]{}/\\'\"&%+=<>*#@_|~^€$"  # plain ASCII and GSM extension: kept
    "\u2013\u2014\u2012\u2015\u2010\u2011\u2212"  # dashes and minus
    "\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u00ab\u00bb\u2039\u203a\u2032\u2033"
    "\u2026\u00a0\u202f\u2009\u2007\u3000\u200b\u200d\ufeff\u00ad\t"
    "\u2022\u00b7\u00b0\u00ba\u00d7\u00f7\u2116\u00a9\u00ae\u2122\u20ab\u00b1\u2264\u2265"
    "\u00bd\u00bc\u2153\ufb01\u2192\u00b4\u2030\uff01\uff0c"
)


def test_every_vietnamese_letter_and_common_punctuation_becomes_gsm7() -> None:
    for char in VIETNAMESE + PUNCTUATION:
        got = to_gsm7(char)
        assert is_gsm7(got), (char, f"U+{ord(char):04X}", got)
        assert "?" not in got or char == "?", (char, f"U+{ord(char):04X}")
    assert is_gsm7(to_gsm7(VIETNAMESE + PUNCTUATION))


@pytest.mark.parametrize(
    ("raw", "plain"),
    [
        ("Đồng Nai – năm 2024 — kết quả", "Dong Nai - nam 2024 - ket qua"),
        ("“Một cửa” ‘điện tử’", "\"Mot cua\" 'dien tu'"),
        ("Chờ đợi…", "Cho doi..."),
        ("Phường\u00a0Tân\u202fPhong", "Phuong Tan Phong"),
        ("«Dịch vụ công» • 24/7", '"Dich vu cong" - 24/7'),
        ("Nhiệt độ 35°C, ½ ngày, 5×2", "Nhiet do 35oC, 1/2 ngay, 5x2"),
        ("Giá 10.000₫ № 3", "Gia 10.000d No. 3"),
        ("Ký hiệu lạ: ☺", "Ky hieu la: ?"),
    ],
)
def test_typographic_marks_have_plain_look_alikes(raw: str, plain: str) -> None:
    assert to_gsm7(raw) == plain


def test_a_khong_dau_sms_with_typographic_title_goes_as_gsm7() -> None:
    item = Item(
        key="k",
        kind="article",
        title="Đồng Nai – “Một cửa” điện tử… 2024 — hướng dẫn\u00a0mới",
        summary="",
        body_html="",
        link="https://dichvucong.dongnai.gov.vn/a",
        video_url=None,
        image_url=None,
        published=dt.datetime(2024, 7, 1, 8, 0, tzinfo=TZ),
        topics=(),
        source="s",
    )
    unit = Unit(code="bien-hoa", name="UBND Thành phố Biên Hòa", kind="district")
    target = Target(
        id="bien-hoa/sms",
        unit="bien-hoa",
        kind="sms",
        transport="outbox",
        options={"diacritics": False},
    )
    message = SmsFormat().format(item, unit, target, recipients=("84912000001",))
    assert message.encoding == "gsm7" and is_gsm7(message.text)
    assert '"Mot cua" dien tu... 2024 - huong dan moi' in message.text
    assert message.segments == count_segments(message.text, "gsm7")
