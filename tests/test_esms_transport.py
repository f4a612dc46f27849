"""EsmsTransport against a fake eSMS.vn that checks keys and brandname and dedupes: one table."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

from campaigns.model import Target
from channels.base import Message, Receipt
from channels.errors import (
    ConfigurationError,
    PartialTransientError,
    PermanentError,
    TransientError,
)
from channels.esms import EsmsTransport
from channels.smstext import strip_diacritics
from tests.adapter_cases import Case, run_case
from tests.fakes.base import FakeServer, Response
from tests.fakes.esms import PATH, FakeEsms, code

API_KEY, SECRET_KEY = "A1B2C3-esms-api-key", "Z9Y8X7-esms-secret-key"
VI = "Cải cách hành chính Đồng Nai: nộp hồ sơ trực tuyến"
NUMBERS = ("84912000001", "84987000002", "84356000003")
LOCAL = ("0912000001", "0987000002", "0356000003")
CALLBACK = "https://loa.dongnai.gov.vn/sms/esms"


@dataclass(frozen=True)
class Setup:
    """What differs from the usual message and target in one row of the table."""

    text: str = VI
    encoding: str | None = "ucs2"
    options: dict[str, Any] = field(default_factory=dict)
    unset: tuple[str, ...] = ()


def target(url: str, **options: Any) -> Target:
    return Target(
        id="dnai-esms",
        unit="so-noi-vu",
        kind="sms",
        transport="esms",
        endpoint=url + PATH,
        credentials={"api_key": "ESMS_API_KEY", "secret_key": "ESMS_SECRET_KEY"},
        options={
            "timeout": (0.5, 0.5),
            "brandname": "UBND-DNAI",
            "callback_url": CALLBACK,
            **options,
        },
    )


def message(setup: Setup) -> Message:
    return Message(
        kind="sms",
        title="t",
        text=setup.text,
        encoding=setup.encoding,
        recipients=NUMBERS,
        delivery_id=7,
    )


Check = Callable[[FakeServer, object], None]


def sent_one_a_request(unicode: str, text: str) -> Check:
    def check(fake: FakeServer, outcome: object) -> None:
        assert isinstance(fake, FakeEsms) and isinstance(outcome, Receipt)
        assert [b["Phone"] for b in fake.sent] == list(LOCAL)
        assert [b["RequestId"] for b in fake.sent] == [f"loa-7-{n}" for n in LOCAL]
        first = fake.sent[0]
        assert (first["Content"], first["IsUnicode"], first["SmsType"]) == (text, unicode, "2")
        assert (first["Sandbox"], first["CallbackUrl"]) == ("0", CALLBACK)
        assert outcome.remote_id == "esms:7" and len(outcome.detail["sms_ids"]) == 3
        assert outcome.detail["recipients"] == 3 and outcome.detail["refused"] == {}

    return check


def batched(fake: FakeServer, outcome: object) -> None:
    assert isinstance(fake, FakeEsms) and isinstance(outcome, Receipt)
    assert [b["Phone"] for b in fake.sent] == [",".join(LOCAL[:2]), LOCAL[2]]
    assert re.fullmatch(r"loa-7-[0-9a-f]{16}", fake.sent[0]["RequestId"])
    assert fake.sent[1]["RequestId"] == f"loa-7-{LOCAL[2]}"


def duplicates(fake: FakeServer, outcome: object) -> None:
    assert isinstance(outcome, Receipt)
    assert outcome.detail["duplicates"] == 3 and outcome.detail["recipients"] == 3


def skipped_blocked(fake: FakeServer, outcome: object) -> None:
    assert isinstance(outcome, Receipt)
    assert outcome.detail["refused"] == {NUMBERS[1]: "99"}
    assert outcome.detail["recipients"] == 2


def sandboxed(fake: FakeServer, outcome: object) -> None:
    assert isinstance(fake, FakeEsms) and isinstance(outcome, Receipt)
    assert not fake.sent and {b["Sandbox"] for b in fake.sandboxed} == {"1"}
    assert outcome.detail["sandbox"] is True


def nothing_sent(*words: str) -> Check:
    def check(fake: FakeServer, outcome: object) -> None:
        assert isinstance(fake, FakeEsms) and not fake.sent
        assert not isinstance(outcome, PartialTransientError)
        for word in words:
            assert word in str(outcome)

    return check


def partly(sent: tuple[str, ...]) -> Check:
    def check(fake: FakeServer, outcome: object) -> None:
        assert isinstance(outcome, PartialTransientError) and outcome.sent == sent

    return check


OK = code("100", SMSID="d533459ee42b2b9525ba9eabf6a8156")
CASES = [
    (
        Case(
            "sends Vietnamese with IsUnicode 1, one number and RequestId a request",
            check=sent_one_a_request("1", VI),
        ),
        Setup(),
    ),
    (
        Case(
            "sends a khong dau text with IsUnicode 0",
            check=sent_one_a_request("0", strip_diacritics(VI)),
        ),
        Setup(text=strip_diacritics(VI), encoding="gsm7"),
    ),
    (
        Case("batches numbers under a RequestId made from them", check=batched),
        Setup(options={"max_batch": 2}),
    ),
    (
        Case(
            "counts a repeated RequestId as already sent",
            (code("124", "Request exist 1", SendStatus="5"),) * 3,
            check=duplicates,
        ),
        Setup(),
    ),
    (
        Case(
            "skips a blocked number and sends to the rest",
            (OK, code("99", "Phone is blocked"), OK),
            check=skipped_blocked,
        ),
        Setup(),
    ),
    (Case("sends nothing real in the sandbox", check=sandboxed), Setup(options={"sandbox": True})),
    (
        Case(
            "stops when eSMS refuses every number",
            (code("108", "Phone invalid"),) * 3,
            PermanentError,
        ),
        Setup(),
    ),
    (
        Case(
            "stops on wrong keys",
            (code("101", "Authorize Failed"),),
            PermanentError,
            check=nothing_sent("ApiKey or SecretKey"),
        ),
        Setup(),
    ),
    (
        Case(
            "stops on an unregistered brandname",
            (code("104", "Brand name code is not exist"),),
            PermanentError,
            check=nothing_sent("brandname"),
        ),
        Setup(),
    ),
    (
        Case(
            "stops on a text outside the registered template",
            (code("146", "Sai template Brandname CSKH"),),
            PermanentError,
            check=nothing_sent("template"),
        ),
        Setup(),
    ),
    (
        Case(
            "stops on eSMS's invalid request answer",
            (Response(200, {"error": "Invalid request"}),),
            PermanentError,
            check=nothing_sent("Invalid request"),
        ),
        Setup(),
    ),
    (
        Case(
            "stops when the endpoint is a 404 page",
            (Response(404, "<h1>Not Found</h1>"),),
            PermanentError,
        ),
        Setup(),
    ),
    (
        Case(
            "retries in half an hour when the balance is too low",
            (code("103", "Balance not enough"),),
            TransientError,
            retry_after=1800,
        ),
        Setup(),
    ),
    (
        Case(
            "names the numbers already sent when the balance runs out midway",
            (OK, code("103", "Balance not enough")),
            PartialTransientError,
            check=partly(NUMBERS[:1]),
        ),
        Setup(),
    ),
    (
        Case("retries after a 502", (Response(502, "<h1>Bad Gateway</h1>"),), TransientError),
        Setup(),
    ),
    (
        Case(
            "retries after the seconds a 429 asks for",
            (Response(429, "", {"Retry-After": "30"}),),
            TransientError,
            retry_after=30,
        ),
        Setup(),
    ),
    (
        Case(
            "retries when eSMS does not answer in time",
            (Response(200, {}, delay=0.8),),
            TransientError,
        ),
        Setup(),
    ),
    (Case("retries when the connection is refused", refused=True, expect=TransientError), Setup()),
    (
        Case(
            "retries when the connection drops mid-answer", (Response(drop=True),), TransientError
        ),
        Setup(),
    ),
    (
        Case(
            "retries on an answer that is not JSON",
            (Response(200, "<html>Bảo trì</html>"),),
            TransientError,
        ),
        Setup(),
    ),
    (
        Case(
            "retries on a CodeResult it does not know",
            (code("777", "Something new"),),
            TransientError,
        ),
        Setup(),
    ),
    (
        Case(
            "stops before sending when the secret key variable is unset",
            expect=PermanentError,
            check=nothing_sent("$ESMS_SECRET_KEY is not set"),
        ),
        Setup(unset=("ESMS_SECRET_KEY",)),
    ),
    (
        Case(
            "stops before sending Vietnamese marked gsm7",
            expect=PermanentError,
            check=nothing_sent("'?'"),
        ),
        Setup(encoding="gsm7"),
    ),
]


@pytest.fixture(scope="module")
def running_esms() -> Iterator[FakeEsms]:
    fake = FakeEsms(API_KEY, SECRET_KEY)
    with fake.running():
        yield fake


@pytest.fixture
def esms(running_esms: FakeEsms) -> FakeEsms:
    running_esms.reset()
    return running_esms


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as s:
        yield s


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESMS_API_KEY", API_KEY)
    monkeypatch.setenv("ESMS_SECRET_KEY", SECRET_KEY)


@pytest.mark.parametrize(("case", "setup"), CASES, ids=[c.name for c, _ in CASES])
@pytest.mark.usefixtures("keys")
def test_publish(
    case: Case,
    setup: Setup,
    esms: FakeEsms,
    session: requests.Session,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in setup.unset:
        monkeypatch.delenv(name)

    def make(url: str) -> EsmsTransport:
        return EsmsTransport(target(url, **setup.options), session=session)

    run_case(case, esms, make, message(setup), caplog, (API_KEY, SECRET_KEY))


@pytest.mark.usefixtures("keys")
def test_a_retry_after_a_partial_send_reaches_only_the_numbers_left(
    esms: FakeEsms, session: requests.Session
) -> None:
    transport = EsmsTransport(target(esms.url), session=session)
    esms.balance = 1
    with pytest.raises(PartialTransientError) as caught:
        transport.publish(message(Setup()))
    assert caught.value.sent == NUMBERS[:1]
    esms.balance = 100
    receipt = transport.publish(message(Setup()))
    assert [b["Phone"] for b in esms.sent] == list(LOCAL)
    assert receipt.detail["duplicates"] == 1 and receipt.detail["recipients"] == 3


BAD_TARGETS = [
    ({"options": {}}, "brandname"),
    ({"credentials": {"api_key": "ESMS_API_KEY"}}, "credentials.secret_key"),
    ({"options": {"brandname": "UBND-DNAI", "sandbox": "yes"}}, "sandbox"),
    ({"options": {"brandname": "UBND-DNAI", "callback_url": "loa/sms"}}, "callback_url"),
    ({"options": {"brandname": "UBND-DNAI", "max_batch": 0}}, "max_batch"),
]


@pytest.mark.parametrize(("change", "named"), BAD_TARGETS, ids=[n for _, n in BAD_TARGETS])
def test_refuses_a_target_it_cannot_work_with_naming_the_target_and_field(
    change: dict[str, Any], named: str
) -> None:
    settings: dict[str, Any] = {
        "id": "dnai-esms",
        "unit": "so-noi-vu",
        "kind": "sms",
        "transport": "esms",
        "credentials": {"api_key": "ESMS_API_KEY", "secret_key": "ESMS_SECRET_KEY"},
        "options": {"brandname": "UBND-DNAI"},
        **change,
    }
    with pytest.raises(ConfigurationError) as caught:
        EsmsTransport(Target(**settings))
    assert "dnai-esms" in str(caught.value) and named in str(caught.value)


def test_uses_the_documented_esms_endpoint_when_the_target_names_none() -> None:
    transport = EsmsTransport(
        Target(
            id="dnai-esms",
            unit="so-noi-vu",
            kind="sms",
            transport="esms",
            credentials={"api_key": "ESMS_API_KEY", "secret_key": "ESMS_SECRET_KEY"},
            options={"brandname": "UBND-DNAI"},
        )
    )
    assert transport.url == "https://rest.esms.vn" + PATH
