"""The one Retry-After parser: delta-seconds and HTTP-dates, nothing else."""

from __future__ import annotations

import datetime as dt
import email.utils

import pytest

from campaigns.retry_after import parse_retry_after
from channels import esms, kannel
from channels.errors import TransientError

NOW = dt.datetime(2024, 6, 1, 9, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        (" 120 ", 120.0),
        ("0", 0.0),
        ("Sat, 01 Jun 2024 09:01:30 GMT", 90.0),  # IMF-fixdate
        ("Saturday, 01-Jun-24 09:00:05 GMT", 5.0),  # RFC 850
        ("Sat Jun  1 09:00:10 2024", 10.0),  # asctime, no zone: UTC
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),  # in the past: now
        (None, None),
        ("", None),
        ("   ", None),
        ("-5", None),
        ("+5", None),
        ("1.5", None),
        ("1.5e3", None),
        ("soon", None),
        ("٣", None),  # a digit, but not an ASCII one
        ("Wed, 32 Oct 2015 07:28:00 GMT", None),
    ],
)
def test_retry_after_reads_seconds_and_http_dates_and_refuses_the_rest(
    value: str | None, expected: float | None
) -> None:
    assert parse_retry_after(value, now=NOW) == expected


def test_every_sms_gateway_reads_an_http_date_retry_after() -> None:
    later = email.utils.format_datetime(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=90), True)
    for classify in (kannel.classify, esms.classify):
        with pytest.raises(TransientError) as caught:
            classify(503, "Temporal failure, try again later.", {"Retry-After": later})
        assert caught.value.retry_after == pytest.approx(90, abs=2)
