"""Recipient lists: Vietnamese mobiles in one spelling, rejects with their line, opt-outs out."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from campaigns.model import Target
from channels.errors import (
    PartialPermanentError,
    PartialTransientError,
    PermanentError,
    TransientError,
    partial,
)
from channels.recipients import (
    RecipientsError,
    batches,
    check_numbers,
    load_recipients,
    local_vn,
    normalise_vn_mobile,
    problem_with,
    recipients_for,
    recipients_of,
)


@pytest.mark.parametrize(
    "raw",
    [
        "0912345678",
        "+84912345678",
        "84912345678",
        "0912 345 678",
        "091.234.5678",
        "091-234-5678",
        " +84 91 234 5678 ",
        "0084912345678",
        "(091) 234 5678",
    ],
)
def test_every_usual_spelling_of_a_mobile_becomes_84_and_nine_digits(raw: str) -> None:
    assert normalise_vn_mobile(raw) == "84912345678"


@pytest.mark.parametrize("lead", ["3", "5", "7", "8", "9"])
def test_all_five_mobile_ranges_are_accepted(lead: str) -> None:
    assert normalise_vn_mobile(f"0{lead}12345678") == f"84{lead}12345678"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty"),
        ("02513822222", "wrong length"),  # an 11-digit Đồng Nai landline
        ("0251382222", "not a mobile prefix"),  # 10 digits but landline-like 02x
        ("091234567", "wrong length"),
        ("09123456789", "wrong length"),
        ("+14155550123", "not a Vietnamese number"),
        ("0912-ABC-678", "not a phone number"),
        ("０９１２３４５６７８", "not a phone number"),  # full-width digits
        ("0612345678", "not a mobile prefix"),
    ],
)
def test_what_is_not_a_vietnamese_mobile_is_refused_with_a_reason(raw: str, reason: str) -> None:
    assert normalise_vn_mobile(raw) is None
    assert problem_with(raw) == reason


def test_local_form_is_given_for_apis_that_document_it() -> None:
    assert local_vn("84912345678") == "0912345678"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_a_list_is_deduped_in_file_order_with_rejects_and_their_lines(tmp_path: Path) -> None:
    csv = write(
        tmp_path / "subs.csv",
        "name,phone\nAn,0912345678\nBình,+84 98 700 0002\n"
        "Chi,12345\nAn again,84912345678\n,\nDũng,0356000003\n",
    )
    listed = load_recipients(csv)
    assert listed.numbers == ("84912345678", "84987000002", "84356000003")
    assert listed.rejected == ((4, "12345", "wrong length"),)
    assert listed.duplicates == 1 and listed.opted_out == 0
    assert listed.names["84987000002"] == "Bình"


def test_excel_semicolon_csv_with_a_bom_and_capitalised_header_is_read(tmp_path: Path) -> None:
    csv = tmp_path / "excel.csv"
    csv.write_bytes("\ufeffHọ tên;Phone\nAn;0912345678\n".encode())
    assert load_recipients(csv).numbers == ("84912345678",)


def test_opted_out_numbers_are_left_out_and_counted_once(tmp_path: Path) -> None:
    csv = write(tmp_path / "subs.csv", "phone\n0912345678\n0987000002\n0987 000 002\n")
    optout = write(tmp_path / "optout.txt", "+84987000002\nnot a number\n")
    listed = load_recipients(csv, optout)
    assert listed.numbers == ("84912345678",)
    assert listed.opted_out == 1 and listed.duplicates == 1


def test_an_opt_out_csv_with_a_phone_column_works_too(tmp_path: Path) -> None:
    csv = write(tmp_path / "subs.csv", "phone\n0912345678\n0987000002\n")
    optout = write(tmp_path / "optout.csv", "phone,date\n0912.345.678,2024-05-01\n")
    assert load_recipients(csv, optout).numbers == ("84987000002",)


def test_a_missing_list_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(RecipientsError, match=r"subs\.csv does not exist"):
        load_recipients(tmp_path / "subs.csv")


def test_a_missing_opt_out_file_names_the_file(tmp_path: Path) -> None:
    csv = write(tmp_path / "subs.csv", "phone\n0912345678\n")
    with pytest.raises(RecipientsError, match=r"optout\.csv does not exist"):
        load_recipients(csv, tmp_path / "optout.csv")


def test_a_list_without_a_phone_column_names_the_file_and_column(tmp_path: Path) -> None:
    csv = write(tmp_path / "subs.csv", "name,mobile\nAn,0912345678\n")
    with pytest.raises(RecipientsError, match=r"subs\.csv has no 'phone' column"):
        load_recipients(csv)


def test_an_empty_file_is_a_missing_column(tmp_path: Path) -> None:
    with pytest.raises(RecipientsError, match="no 'phone' column"):
        load_recipients(write(tmp_path / "subs.csv", ""))


def test_numbers_go_out_in_ordered_batches() -> None:
    assert batches(["1", "2", "3", "4", "5"], 2) == [("1", "2"), ("3", "4"), ("5",)]
    assert batches([], 50) == []


def test_numbers_with_spaces_or_none_at_all_cannot_be_sent() -> None:
    assert check_numbers(["84912345678"]) == ("84912345678",)
    with pytest.raises(ValueError, match="no recipients"):
        check_numbers([])
    with pytest.raises(ValueError, match="recipient #2"):
        check_numbers(["84912345678", "0912 345"])


def test_a_failure_keeps_its_kind_and_carries_who_already_got_the_message() -> None:
    transient = partial(TransientError("busy", retry_after=5, status=503), ("8491",), ("8498",))
    assert isinstance(transient, PartialTransientError) and transient.retry_after == 5
    assert (transient.sent, transient.unsure, transient.status) == (("8491",), ("8498",), 503)
    assert "1 numbers already sent, 1 unsure" in str(transient)
    permanent = partial(PermanentError("no route", status=403), ("8491",))
    assert isinstance(permanent, PartialPermanentError) and permanent.sent == ("8491",)
    alone = PermanentError("no route")
    assert partial(alone, ()) is alone


def test_a_recipient_list_is_read_once_per_version_of_its_file(tmp_path: Path) -> None:
    path = tmp_path / "subs.csv"
    path.write_text("phone\n0912000001\n", encoding="utf-8")
    first = recipients_of(path)
    assert recipients_of(path) is first  # the same file: not read again
    path.write_text("phone\n0912000001\n0987000002\n", encoding="utf-8")
    os.utime(path, ns=(1, 1))  # a changed file is seen even if its clock went backwards
    assert recipients_of(path).numbers == ("84912000001", "84987000002")
    optout = tmp_path / "optout.csv"
    optout.write_text("phone\n0987000002\n", encoding="utf-8")
    assert recipients_of(path, optout).numbers == ("84912000001",)
    with pytest.raises(RecipientsError, match=r"missing\.csv"):
        recipients_of(tmp_path / "missing.csv")


def test_a_targets_recipients_are_its_list_minus_its_optouts(tmp_path: Path) -> None:
    subs, optout = tmp_path / "subs.csv", tmp_path / "optout.txt"
    subs.write_text("phone\n0912000001\n0987000002\n", encoding="utf-8")
    optout.write_text("0987000002\n", encoding="utf-8")
    options = {"recipients": str(subs), "optout": str(optout)}
    assert recipients_for(Target("u/sms", "u", "sms", "outbox", options=options)) == (
        "84912000001",
    )
    assert recipients_for(Target("u/sms", "u", "sms", "outbox")) == ()
    gone = Target("u/sms", "u", "sms", "outbox", options={"recipients": str(tmp_path / "no.csv")})
    with pytest.raises(RecipientsError, match="does not exist"):
        recipients_for(gone)
