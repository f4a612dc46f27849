"""The broadcast script: read aloud, not clicked: no links, abbreviations and numbers in words."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from campaigns.broadcast import parse_slots
from campaigns.model import TZ, Item, Target, Unit
from channels import script
from channels.loudspeaker import LoudspeakerFormat
from channels.vinumbers import number

UNIT = Unit("tan-phong", "UBND phường Tân Phong", "commune", "bien-hoa")
CONFIG_TABLE = Path(__file__).resolve().parent.parent / "config" / "abbreviations.yaml"


def target(**options: object) -> Target:
    opts: dict[str, object] = {"audio": False, "abbreviations": str(CONFIG_TABLE), **options}
    return Target("tan-phong/loudspeaker", "tan-phong", "loudspeaker", "outbox", options=opts)


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "không"),
        (5, "năm"),
        (10, "mười"),
        (11, "mười một"),
        (14, "mười bốn"),
        (15, "mười lăm"),
        (21, "hai mươi mốt"),
        (24, "hai mươi tư"),
        (25, "hai mươi lăm"),
        (105, "một trăm linh năm"),
        (110, "một trăm mười"),
        (1005, "một nghìn không trăm linh năm"),
        (1022, "một nghìn không trăm hai mươi hai"),
        (2024, "hai nghìn không trăm hai mươi tư"),
        (15000, "mười lăm nghìn"),
        (1_500_000, "một triệu năm trăm nghìn"),
        (3_000_000_000, "ba tỷ"),
    ],
)
def test_counts_are_read_with_the_vietnamese_rules(n: int, words: str) -> None:
    assert number(n) == words


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("Gọi tổng đài 1022", "Gọi tổng đài một không hai hai"),
        ("Đường dây nóng 1022.", "Đường dây nóng một không hai hai."),
        ("hotline: 0251 3822 286", "hotline: không hai năm một, ba tám hai hai, hai tám sáu"),
        ("số 0912.345.678", "số không chín một hai, ba bốn năm, sáu bảy tám"),
        ("ngày 26/02", "ngày hai mươi sáu tháng hai"),
        ("từ 26/02/2024", "từ ngày hai mươi sáu tháng hai năm hai nghìn không trăm hai mươi tư"),
        ("ngày 05/4", "ngày mùng năm tháng tư"),
        ("năm 2024", "năm hai nghìn không trăm hai mươi tư"),
        ("tháng 4/2024", "tháng tư năm hai nghìn không trăm hai mươi tư"),
        ("lúc 07:30", "lúc bảy giờ ba mươi phút"),
        ("từ 7h30 đến 17h", "từ bảy giờ ba mươi phút đến mười bảy giờ"),
        ("21 xã", "hai mươi mốt xã"),
        ("95,5%", "chín mươi lăm phẩy năm phần trăm"),
        ("1.500 hồ sơ", "một nghìn năm trăm hồ sơ"),
        (
            "giai đoạn 2021-2030",
            "giai đoạn hai nghìn không trăm hai mươi mốt đến hai nghìn không trăm ba mươi",
        ),
        ("UBND tỉnh và TTHC", "Ủy ban nhân dân tỉnh và thủ tục hành chính"),
        ("Xem tại https://dichvucong.gov.vn/a. Người dân nộp hồ sơ.", "Người dân nộp hồ sơ."),
        ("Quét mã QR để xem. Nộp hồ sơ qua mạng.", "Nộp hồ sơ qua mạng."),
    ],
)  # fmt: skip
def test_passages_are_written_for_the_ear(text: str, spoken: str) -> None:
    assert script.for_the_ear(text, script.abbreviations(str(CONFIG_TABLE))) == spoken


ITEMS = [
    Item(
        key="tong-dai",
        kind="article",
        title="Tổng đài Dịch vụ công 1022: hỏi đáp TTHC, tiếp nhận phản ánh",
        summary=(
            "Từ ngày 26/02/2024, gọi 1022 (7h30 - 17h) hoặc xem https://1022.dongnai.gov.vn. "
            "Quét mã QR trên tờ rơi để lưu số. UBND tỉnh đã tiếp nhận 1.250 phản ánh, 95% đúng hạn."
        ),
        link="https://sonoivu.dongnai.gov.vn/tin/1022",
        published=dt.datetime(2024, 2, 26, 8, tzinfo=TZ),
    ),
    Item(
        key="cchc",
        kind="article",
        title="Triển khai Kế hoạch CCHC năm 2024",
        summary=(
            "HĐND và UBND cấp xã rà soát 105 TTHC; DVC trực tuyến toàn trình"
            " (www.dichvucong.gov.vn)."
        ),
        published=dt.datetime(2024, 1, 22, 8, tzinfo=TZ),
    ),
]  # fmt: skip


@pytest.mark.parametrize("item", ITEMS, ids=lambda i: i.key)
def test_the_script_has_no_link_no_table_abbreviation_and_no_digit(item: Item) -> None:
    message = LoudspeakerFormat().format(item, UNIT, target())
    text = message.text
    assert not re.search(r"https?://|www\.|\.gov\.vn|\bQR\b", text)
    table = script.abbreviations(str(CONFIG_TABLE))
    left = [a for a in table if re.search(rf"(?<!\w){re.escape(a)}(?!\w)", text)]
    assert left == []
    assert not re.search(r"\d", text)
    assert text.startswith("Đây là Đài truyền thanh phường Tân Phong. Mời bà con nghe ")
    assert message.link is None and message.body["audio"] is None


def test_the_opening_names_the_station_and_programme_and_the_title_is_a_sentence() -> None:
    t = target(station="Đài truyền thanh xã Long Phước", programme="Bản tin CCHC")
    text = LoudspeakerFormat().format(ITEMS[1], UNIT, t).text
    first, title, *_ = text.split("\n\n")
    assert first == (
        "Đây là Đài truyền thanh xã Long Phước. Mời bà con nghe Bản tin cải cách hành chính."
    )
    assert title == "Triển khai Kế hoạch cải cách hành chính năm hai nghìn không trăm hai mươi tư."


def test_staff_extend_the_table_in_config(tmp_path: Path) -> None:
    table = tmp_path / "viet-tat.yaml"
    table.write_text("abbreviations:\n  PAR Index: chỉ số cải cách hành chính\n", encoding="utf-8")
    item = Item(key="par", kind="article", title="PAR Index của UBND tỉnh tăng", summary="")
    text = LoudspeakerFormat().format(item, UNIT, target(abbreviations=str(table))).text
    assert "\n\nChỉ số cải cách hành chính của Ủy ban nhân dân tỉnh tăng.\n" in text


def test_the_reading_time_follows_the_configured_pace() -> None:
    slow = LoudspeakerFormat().format(ITEMS[0], UNIT, target(wpm=100, chime=False))
    fast = LoudspeakerFormat().format(ITEMS[0], UNIT, target(wpm=200, chime=False))
    words = slow.body["words"]
    assert slow.body["seconds"] == pytest.approx(words * 60 / 100, abs=0.1)
    assert fast.body["seconds"] == pytest.approx(words * 60 / 200, abs=0.1)


def test_items_are_due_before_the_next_slot_on_the_stations_days() -> None:
    slots = parse_slots({"slots": ["17:00", "06:00"], "days": ["mon", "wed", "fri"]})
    saturday_noon = dt.datetime(2024, 3, 2, 12, tzinfo=TZ)
    assert slots.next(saturday_noon) == dt.datetime(2024, 3, 4, 6, tzinfo=TZ)
    monday_6 = dt.datetime(2024, 3, 4, 6, tzinfo=TZ)
    assert slots.after(monday_6) == dt.datetime(2024, 3, 4, 17, tzinfo=TZ)
    assert slots.due(dt.datetime(2024, 3, 4, 5, 50, tzinfo=TZ)) == dt.datetime(
        2024, 3, 4, 16, 45, tzinfo=TZ
    )
    with pytest.raises(ValueError, match="days"):
        parse_slots({"days": ["someday"]})
