"""Formats are pure: what they need is passed in, so formatting reads no file."""

from __future__ import annotations

import builtins
import datetime as dt
import os
from pathlib import Path

import pytest

from campaigns.model import TZ, Item, Target, Unit
from channels.base import Formatter
from channels.registry import FORMATS
from channels.sms import SmsFormat

UNIT = Unit("bien-hoa", "UBND Thành phố Biên Hòa", "district")
ITEM = Item(
    "cchc-1",
    "article",
    "Đồng Nai đẩy mạnh cải cách hành chính",
    summary="Dịch vụ công trực tuyến toàn trình.",
    link="https://dongnai.gov.vn/a/1",
    published=dt.datetime(2024, 3, 1, 9, 0, tzinfo=TZ),
)


def test_formatting_an_sms_reads_no_file(monkeypatch: pytest.MonkeyPatch) -> None:
    missing = "/nowhere/recipients/subs.csv"
    target = Target("bien-hoa/sms", "bien-hoa", "sms", "outbox", options={"recipients": missing})
    numbers = ("84912000001", "84987000002")

    def no_files(*args: object, **kwargs: object) -> object:
        raise AssertionError(f"a format touched the file system: {args}")

    with monkeypatch.context() as m:
        for owner, name in ((builtins, "open"), (os, "stat"), (Path, "stat"), (Path, "open")):
            m.setattr(owner, name, no_files)
        message = SmsFormat().format(ITEM, UNIT, target, recipients=numbers)
    assert message.recipients == numbers
    assert message.text.startswith("[UBND Thành phố Biên Hòa] 01/03 Đồng Nai")
    assert not Path(missing).exists()


def test_an_sms_without_recipients_passed_goes_to_nobody() -> None:
    target = Target("bien-hoa/sms", "bien-hoa", "sms", "outbox", options={"recipients": "x.csv"})
    assert SmsFormat().format(ITEM, UNIT, target).recipients == ()


@pytest.mark.parametrize("format_class", FORMATS, ids=lambda cls: cls.kind)
def test_every_format_takes_the_same_arguments(format_class: type[Formatter]) -> None:
    kind = format_class.kind
    target = Target(f"bien-hoa/{kind}", "bien-hoa", kind, "outbox")
    message = format_class().format(ITEM, UNIT, target, recipients=())
    assert message.kind == kind and message.title
