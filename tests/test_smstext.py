"""SMS text arithmetic: which encoding, how many parts, and cutting a text to a budget."""

from __future__ import annotations

import unicodedata

import pytest

from channels.smstext import (
    check_text,
    count_segments,
    encoding_for,
    fit,
    is_gsm7,
    strip_diacritics,
)

VI = "Cải cách hành chính Đồng Nai: nộp hồ sơ trực tuyến"
PLAIN = "Cai cach hanh chinh Dong Nai: nop ho so truc tuyen"


def test_the_nineteen_vietnamese_letters_gsm_has_need_no_ucs2() -> None:
    assert is_gsm7("aàeèéiìoòuùyAEÉIOUY")
    assert encoding_for("Hà Nội") == "ucs2"  # ộ is not in GSM 03.38
    assert encoding_for("Hello {world} €5") == "gsm7"


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        ("", 0),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 200, 2),  # 153 + 47
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("€" * 80, 1),  # 160 septets
        ("€" * 81, 2),
        ("a" * 152 + "€", 1),  # 154 septets still fit one SMS
        ("a" * 159 + "€", 2),  # 161 septets: the escape pair is not split across parts
    ],
    ids=lambda v: str(v)[:12],
)
def test_gsm7_counts_160_then_153_with_extension_characters_costing_two(
    text: str, segments: int
) -> None:
    assert count_segments(text, "gsm7") == segments


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        ("ộ" * 70, 1),
        ("ộ" * 71, 2),
        ("ộ" * 134, 2),
        ("ộ" * 135, 3),
        ("😀" * 35, 1),  # a surrogate pair is two UTF-16 code units
        ("😀" * 36, 2),
    ],
    ids=lambda v: str(v)[:12],
)
def test_ucs2_counts_70_then_67_utf16_code_units(text: str, segments: int) -> None:
    assert count_segments(text, "ucs2") == segments


def test_the_encoding_is_chosen_from_the_text_when_not_given() -> None:
    assert count_segments(VI) == 1
    assert count_segments(VI * 2) == 2  # 102 characters as UCS-2


def test_counting_a_vietnamese_text_as_gsm7_is_refused() -> None:
    with pytest.raises(ValueError, match="GSM-7 cannot carry"):
        count_segments(VI, "gsm7")


def test_stripping_diacritics_gives_khong_dau_that_fits_gsm7() -> None:
    assert strip_diacritics(VI) == PLAIN
    assert is_gsm7(strip_diacritics("Đường Đồng Khởi, phường Bến Nghé, quận 1"))


def test_stripping_diacritics_works_on_decomposed_input_and_returns_nfc() -> None:
    result = strip_diacritics(unicodedata.normalize("NFD", VI))
    assert result == PLAIN and unicodedata.is_normalized("NFC", result)


def test_fit_leaves_a_text_that_already_fits_alone() -> None:
    assert fit(VI, 1, "ucs2") == VI


def test_fit_cuts_on_a_word_boundary_and_adds_an_ellipsis() -> None:
    text = " ".join(["thong bao"] * 40)  # 399 characters
    cut = fit(text, 1, "gsm7")
    assert cut.endswith("...") and count_segments(cut, "gsm7") == 1
    assert text.startswith(cut[:-3]) and text[len(cut) - 3] == " "
    assert len(cut) > 150


def test_fit_respects_ucs2_parts() -> None:
    cut = fit(VI * 5, 2, "ucs2")
    assert count_segments(cut, "ucs2") == 2 and cut.endswith("...")


def test_fit_hard_cuts_a_single_long_word() -> None:
    cut = fit("x" * 500, 1, "gsm7")
    assert cut == "x" * 157 + "..."


def test_fit_refuses_a_budget_below_one_part() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        fit(VI, 0, "ucs2")


def test_check_text_returns_the_encoding_and_parts_of_a_sendable_text() -> None:
    assert check_text(VI, None, 10) == ("ucs2", 1)
    assert check_text(PLAIN, "gsm7", 10) == ("gsm7", 1)


@pytest.mark.parametrize(
    ("text", "encoding", "words"),
    [
        ("  ", None, "empty"),
        (VI, "gsm7", "'?'"),
        (VI, "utf8", "unknown SMS encoding"),
        ("a" * 1531, "gsm7", "11 parts"),
    ],
)
def test_check_text_refuses_what_a_gateway_would_mangle(
    text: str, encoding: str | None, words: str
) -> None:
    with pytest.raises(ValueError, match=words.replace("?", r"\?")):
        check_text(text, encoding, 10)
