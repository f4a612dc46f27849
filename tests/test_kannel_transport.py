"""KannelTransport against a fake smsbox that answers with Kannel's own strings: one table."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

from campaigns.model import Target
from channels.base import Message, Receipt
from channels.errors import (
    ConfigurationError,
    PartialPermanentError,
    PartialTransientError,
    PermanentError,
    TransientError,
)
from channels.kannel import KannelTransport
from channels.smstext import strip_diacritics
from tests.adapter_cases import Case, run_case
from tests.fakes.base import FakeServer, Response
from tests.fakes.smsbox import (
    ACCEPTED,
    AUTH_FAILED,
    DENIED,
    NO_RECEIVER,
    NOT_ROUTABLE,
    QUEUED,
    TEMPORAL,
    FakeSmsbox,
    answer,
)

USER, PASSWORD = "loa", "Kx9-s3cr3t-pass"
VI = "Cải cách hành chính Đồng Nai: nộp hồ sơ trực tuyến"
NUMBERS = ("84912000001", "84987000002", "84356000003")
DLR_BASE = "http://127.0.0.1:8080/sms/dlr"
SENDSMS = "/cgi-bin/sendsms"


@dataclass(frozen=True)
class Setup:
    """What differs from the usual message and target in one row of the table."""

    text: str = VI
    encoding: str | None = "ucs2"
    recipients: tuple[str, ...] = NUMBERS
    options: dict[str, Any] = field(default_factory=dict)
    unset: tuple[str, ...] = ()


def target(url: str, **options: Any) -> Target:
    return Target(
        id="dnai-sms",
        unit="so-noi-vu",
        kind="sms",
        transport="kannel",
        endpoint=url + SENDSMS,
        credentials={"username": "KANNEL_USER", "password": "KANNEL_PASSWORD"},
        options={"timeout": (0.5, 0.5), "max_batch": 2, "dlr_url": DLR_BASE, **options},
    )


def message(setup: Setup) -> Message:
    return Message(
        kind="sms",
        title="t",
        text=setup.text,
        encoding=setup.encoding,
        recipients=setup.recipients,
        delivery_id=7,
    )


Check = Callable[[FakeServer, object], None]


def sent_as(coding: int, text: str) -> Check:
    def check(fake: FakeServer, outcome: object) -> None:
        assert isinstance(fake, FakeSmsbox) and isinstance(outcome, Receipt)
        assert [s.to for s in fake.sent] == list(NUMBERS)
        assert {(s.coding, s.text) for s in fake.sent} == {(coding, text)}
        assert len(fake.requests) == 2  # max_batch 2: two requests for three numbers
        assert fake.requests[0].headers["content-type"] == "text/plain; charset=UTF-8"
        assert outcome.remote_id == "kannel:7"
        assert outcome.detail["recipients"] == 3 and outcome.detail["batches"] == 2
        assert outcome.detail["segments"] == 1

    return check


def asked_for_reports(fake: FakeServer, outcome: object) -> None:
    assert isinstance(fake, FakeSmsbox)
    assert {s.dlr_mask for s in fake.sent} == {31}
    url = fake.sent[0].dlr_url or ""
    assert url.startswith(DLR_BASE + "?delivery=7&to=%p&status=%d")


def no_reports(fake: FakeServer, outcome: object) -> None:
    assert isinstance(fake, FakeSmsbox) and isinstance(outcome, Receipt)
    assert fake.sent and {(s.dlr_mask, s.dlr_url) for s in fake.sent} == {(None, None)}
    assert outcome.detail["dlr"] is False


def queued(fake: FakeServer, outcome: object) -> None:
    assert isinstance(outcome, Receipt) and outcome.detail["queued"] == 3


def nothing_sent(*words: str) -> Check:
    def check(fake: FakeServer, outcome: object) -> None:
        assert not fake.requests
        assert not isinstance(outcome, PartialTransientError | PartialPermanentError)
        for word in words:
            assert word in str(outcome)

    return check


def partly(sent: tuple[str, ...], unsure: tuple[str, ...] = ()) -> Check:
    def check(fake: FakeServer, outcome: object) -> None:
        assert isinstance(outcome, PartialTransientError | PartialPermanentError)
        assert (outcome.sent, outcome.unsure) == (sent, unsure)

    return check


def says(*words: str) -> Check:
    def check(fake: FakeServer, outcome: object) -> None:
        for word in words:
            assert word in str(outcome)

    return check


FIRST = NUMBERS[:2]
CASES = [
    (
        Case("sends Vietnamese as UCS-2 in UTF-8, two numbers a request", check=sent_as(2, VI)),
        Setup(),
    ),
    (
        Case("sends a khong dau text as GSM-7", check=sent_as(0, strip_diacritics(VI))),
        Setup(text=strip_diacritics(VI), encoding="gsm7"),
    ),
    (Case("asks for every delivery report with our delivery id", check=asked_for_reports), Setup()),
    (
        Case("asks for no reports when the target has no dlr_url", check=no_reports),
        Setup(options={"dlr_url": None}),
    ),
    (
        Case(
            "counts the numbers smsbox queued for later", (answer(202, QUEUED),) * 2, check=queued
        ),
        Setup(),
    ),
    (
        Case(
            "stops when smsbox misses the receivers",
            (answer(400, NO_RECEIVER),),
            PermanentError,
            check=says("Missing receiver"),
        ),
        Setup(),
    ),
    (
        Case(
            "stops when smsbox refuses the credentials",
            (answer(403, AUTH_FAILED),),
            PermanentError,
            check=says("Authorization failed"),
        ),
        Setup(),
    ),
    (
        Case(
            "stops when Kannel has no route",
            (answer(403, NOT_ROUTABLE),),
            PermanentError,
            check=says("Not routable"),
        ),
        Setup(),
    ),
    (Case("stops when a number is blacklisted", (answer(400, DENIED),), PermanentError), Setup()),
    (
        Case(
            "retries on smsbox's temporal failure",
            (answer(503, TEMPORAL),),
            TransientError,
            check=says("Temporal failure"),
        ),
        Setup(),
    ),
    (
        Case(
            "retries after the seconds a proxy's 429 asks for",
            (Response(429, "slow down", {"Retry-After": "30"}),),
            TransientError,
            retry_after=30,
        ),
        Setup(),
    ),
    (
        Case(
            "retries after a proxy's 502 page",
            (Response(502, "<h1>Bad Gateway</h1>"),),
            TransientError,
        ),
        Setup(),
    ),
    (
        Case(
            "retries when smsbox does not answer in time, the batch marked unsure",
            (Response(202, ACCEPTED, delay=0.8),),
            PartialTransientError,
            check=partly((), FIRST),
        ),
        Setup(),
    ),
    (
        Case(
            "retries when the connection is refused, nothing sent",
            refused=True,
            expect=TransientError,
            check=nothing_sent("did not answer"),
        ),
        Setup(),
    ),
    (
        Case(
            "retries when the connection drops mid-answer, the batch marked unsure",
            (Response(drop=True),),
            PartialTransientError,
            check=partly((), FIRST),
        ),
        Setup(),
    ),
    (
        Case(
            "retries on a 202 smsbox never gives, the batch marked unsure",
            (answer(202, "OK"),),
            PartialTransientError,
            check=partly((), FIRST),
        ),
        Setup(),
    ),
    (
        Case(
            "names the numbers already sent when a later batch fails",
            (answer(202, ACCEPTED), answer(503, TEMPORAL)),
            PartialTransientError,
            check=partly(FIRST),
        ),
        Setup(),
    ),
    (
        Case(
            "names the numbers already sent when a later batch is refused for good",
            (answer(202, ACCEPTED), answer(403, NOT_ROUTABLE)),
            PartialPermanentError,
            check=partly(FIRST),
        ),
        Setup(),
    ),
    (
        Case(
            "stops before sending when the password variable is unset",
            expect=PermanentError,
            check=nothing_sent("$KANNEL_PASSWORD is not set"),
        ),
        Setup(unset=("KANNEL_PASSWORD",)),
    ),
    (
        Case(
            "stops before sending Vietnamese marked gsm7",
            expect=PermanentError,
            check=nothing_sent("'?'"),
        ),
        Setup(encoding="gsm7"),
    ),
    (
        Case(
            "stops before sending a text Kannel would cut at max-messages",
            expect=PermanentError,
            check=nothing_sent("11 parts"),
        ),
        Setup(text="a" * 1600, encoding="gsm7"),
    ),
    (
        Case(
            "stops before sending when there are no recipients",
            expect=PermanentError,
            check=nothing_sent("no recipients"),
        ),
        Setup(recipients=()),
    ),
    (
        Case(
            "stops before sending to a number with a space in it",
            expect=PermanentError,
            check=nothing_sent("recipient #2"),
        ),
        Setup(recipients=("84912000001", "0912 000")),
    ),
]


@pytest.fixture(scope="module")
def running_smsbox() -> Iterator[FakeSmsbox]:
    fake = FakeSmsbox(USER, PASSWORD)
    with fake.running():
        yield fake


@pytest.fixture
def smsbox(running_smsbox: FakeSmsbox) -> FakeSmsbox:
    running_smsbox.reset()
    return running_smsbox


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as s:
        yield s


@pytest.mark.parametrize(("case", "setup"), CASES, ids=[c.name for c, _ in CASES])
def test_publish(
    case: Case,
    setup: Setup,
    smsbox: FakeSmsbox,
    session: requests.Session,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KANNEL_USER", USER)
    monkeypatch.setenv("KANNEL_PASSWORD", PASSWORD)
    for name in setup.unset:
        monkeypatch.delenv(name)

    def make(url: str) -> KannelTransport:
        return KannelTransport(target(url, **setup.options), session=session)

    run_case(case, smsbox, make, message(setup), caplog, (PASSWORD,))


BAD_TARGETS = [
    ({"endpoint": None}, "endpoint"),
    ({"endpoint": "ftp://kannel/cgi-bin/sendsms"}, "endpoint"),
    ({"endpoint": "http://tester:foobar@kannel:13013/cgi-bin/sendsms"}, "endpoint"),
    ({"endpoint": "http://kannel:13013/cgi-bin/sendsms?username=tester"}, "endpoint"),
    ({"credentials": {"username": "KANNEL_USER"}}, "credentials.password"),
    ({"options": {"max_batch": 0}}, "max_batch"),
    ({"options": {"max_batch": "50"}}, "max_batch"),
    ({"options": {"dlr_url": "http://loa/dlr?x=%d"}}, "dlr_url"),
    ({"options": {"dlr_url": "loa/dlr"}}, "dlr_url"),
    ({"options": {"sender": "Sở Nội vụ"}}, "sender"),
]


@pytest.mark.parametrize(("change", "named"), BAD_TARGETS, ids=[n for _, n in BAD_TARGETS])
def test_refuses_a_target_it_cannot_work_with_naming_the_target_and_field(
    change: dict[str, Any], named: str
) -> None:
    settings: dict[str, Any] = {
        "id": "dnai-sms",
        "unit": "so-noi-vu",
        "kind": "sms",
        "transport": "kannel",
        "endpoint": "http://127.0.0.1:13013/cgi-bin/sendsms",
        "credentials": {"username": "KANNEL_USER", "password": "KANNEL_PASSWORD"},
        **change,
    }
    with pytest.raises(ConfigurationError) as caught:
        KannelTransport(Target(**settings))
    assert "dnai-sms" in str(caught.value) and named in str(caught.value)
    assert "foobar" not in str(caught.value)
