"""WebhookTransport against a local fake portal: one table of outcomes, then lookups."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Iterator

import pytest
import requests

from campaigns.model import Target
from channels.base import Attachment, Message, Receipt
from channels.errors import ConfigurationError, PermanentError, TransientError
from channels.webhook import WebhookTransport, payload
from tests.adapter_cases import Case, run_case
from tests.fakes.base import FakeServer, Response
from tests.fakes.routed import on
from tests.fakes.webhook import PATH, FakeWebhook

TOKEN, SIGNING = "tok-8f2c91d0e4b7a3", "whsec-5e1d7c9b2a4f"
SECRETS = (TOKEN, SIGNING)
REF = "loa-0a1b2c3d4e5f"
SLIDE = b"\x89PNG\r\n\x1a\n" + bytes(32)


def target(url: str, **options: object) -> Target:
    return Target(
        id="cong-dvc-hook",
        unit="van-phong-ubnd",
        kind="website",
        transport="webhook",
        endpoint=url,
        credentials={"token": "HOOK_TOKEN", "secret": "HOOK_SECRET"},
        options={"allow_http": True, "timeout": (0.5, 0.5), **options},
    )


def message() -> Message:
    return Message(
        kind="website",
        title="Lịch tiếp công dân tháng 5",
        text="Lãnh đạo tiếp công dân.",
        body={"title": "Lịch tiếp công dân tháng 5", "content": "<p>Thứ Năm hằng tuần.</p>"},
        attachments=(Attachment("lich.png", "image/png", SLIDE),),
        reference=REF,
        link="https://dongnai.gov.vn/lich",
        delivery_id=3,
    )


def accepted(fake: FakeServer, outcome: object) -> None:
    assert isinstance(fake, FakeWebhook) and isinstance(outcome, Receipt)
    assert (outcome.remote_id, outcome.url) == ("post-1", f"{fake.url}/tin/{REF}")
    sent = fake.sent("POST", PATH)[0]
    assert sent.headers["idempotency-key"] == REF
    assert (
        sent.headers["x-loa-signature"]
        == "sha256=" + hmac.new(SIGNING.encode(), sent.body, hashlib.sha256).hexdigest()
    )
    document = sent.json()
    assert document["title"] == "Lịch tiếp công dân tháng 5" and document["kind"] == "website"
    assert base64.b64decode(document["attachments"][0]["data"]) == SLIDE


def remote_id(expected: str, **detail: bool) -> Callable[[FakeServer, object], None]:
    def check(fake: FakeServer, outcome: object) -> None:
        assert isinstance(outcome, Receipt)
        assert outcome.remote_id == expected and dict(outcome.detail) == detail

    return check


def says(*words: str) -> Callable[[FakeServer, object], None]:
    def check(fake: FakeServer, outcome: object) -> None:
        assert all(w in str(outcome) for w in words), str(outcome)

    return check


CASES = [
    Case("posts the message signed, with its key and token", check=accepted),
    Case(
        "takes a 409 as already published",
        (Response(409, {"error": "duplicate", "id": "post-77"}),),
        check=remote_id("post-77", duplicate=True),
    ),
    Case(
        "takes a 409 without a body as already published",
        (Response(409),),
        check=remote_id(REF, duplicate=True),
    ),
    Case(
        "uses the reference when the portal returns no id",
        (Response(202, {"queued": True}),),
        check=remote_id(REF),
    ),
    Case("uses the reference on an empty 204", (Response(204),), check=remote_id(REF)),
    Case(
        "retries after the seconds a 429 asks for",
        (Response(429, {"error": "slow down"}, {"Retry-After": "60"}),),
        TransientError,
        retry_after=60,
    ),
    Case("retries after a 500", (Response(500, "Internal Server Error"),), TransientError),
    Case(
        "retries after a 503 with its Retry-After",
        (Response(503, "maintenance", {"Retry-After": "300"}),),
        TransientError,
        retry_after=300,
    ),
    Case(
        "stops when the token is refused",
        (Response(401, {"error": "bad token"}),),
        PermanentError,
        check=says("HTTP 401", "bad token"),
    ),
    Case(
        "stops when the portal rejects the document",
        (Response(422, {"error": "title is required"}),),
        PermanentError,
        check=says("422", "title is required"),
    ),
    Case("stops when the hook does not exist", (Response(404, "no such hook"),), PermanentError),
    Case(
        "stops when the endpoint redirects",
        (Response(308, b"", {"Location": "https://x.vn/h"}),),
        PermanentError,
        check=says("redirected to https://x.vn/h"),
    ),
    Case(
        "retries when the portal times out",
        (Response(201, {"id": "late"}, delay=0.8),),
        TransientError,
        check=says("timed out"),
    ),
    Case("retries when the portal refuses the connection", refused=True, expect=TransientError),
    Case("retries when the connection drops", (Response(drop=True),), TransientError),
    Case(
        "retries on a garbled 200 answer",
        (Response(200, b'{"id": '),),
        TransientError,
        check=says("malformed JSON"),
    ),
]


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOOK_TOKEN", TOKEN)
    monkeypatch.setenv("HOOK_SECRET", SIGNING)


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as s:
        yield s


@pytest.fixture(scope="module")
def server() -> Iterator[FakeWebhook]:
    fake = FakeWebhook(token=TOKEN, secret=SIGNING)
    with fake.running():
        yield fake


@pytest.fixture
def portal(server: FakeWebhook) -> FakeWebhook:
    server.reset()
    return server


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_publish(
    case: Case, portal: FakeWebhook, session: requests.Session, caplog: pytest.LogCaptureFixture
) -> None:
    def make(url: str) -> WebhookTransport:
        return WebhookTransport(target(url + PATH), session=session)

    run_case(case, portal, make, message(), caplog, SECRETS)


def test_publishing_again_is_recognised_by_the_idempotency_key(
    portal: FakeWebhook, session: requests.Session
) -> None:
    transport = WebhookTransport(target(portal.hook), session=session)
    first, again = transport.publish(message()), transport.publish(message())
    assert first.remote_id == again.remote_id and again.detail == {"duplicate": True}
    assert len(portal.posts) == 1


def test_lookup_finds_a_published_message(portal: FakeWebhook, session: requests.Session) -> None:
    transport = WebhookTransport(target(portal.hook), session=session)
    receipt = transport.publish(message())
    found = transport.lookup(message())
    assert found is not None and (found.remote_id, found.url) == (receipt.remote_id, receipt.url)
    assert portal.requests[-1].path == f"{PATH}/{REF}"


def test_lookup_returns_none_on_404(portal: FakeWebhook, session: requests.Session) -> None:
    assert WebhookTransport(target(portal.hook), session=session).lookup(message()) is None


def test_lookup_raises_transient_on_a_server_fault(
    portal: FakeWebhook, session: requests.Session
) -> None:
    portal.then(on("GET", PATH, Response(502, "bad gateway")))
    with pytest.raises(TransientError):
        WebhookTransport(target(portal.hook), session=session).lookup(message())


def test_lookup_can_be_switched_off(portal: FakeWebhook, session: requests.Session) -> None:
    transport = WebhookTransport(target(portal.hook, lookup=False), session=session)
    assert transport.lookup(message()) is None and not portal.requests


def test_no_signature_header_without_a_secret(
    portal: FakeWebhook, session: requests.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = target(portal.hook)
    unsigned = Target(
        settings.id,
        settings.unit,
        settings.kind,
        settings.transport,
        settings.endpoint,
        {"token": "HOOK_TOKEN"},
        settings.options,
    )
    portal.then(Response(201, {"id": "x"}))
    WebhookTransport(unsigned, session=session).publish(message())
    assert "x-loa-signature" not in portal.requests[-1].headers


def test_the_signed_bytes_are_the_posted_bytes() -> None:
    first, second = payload(message()), payload(message())
    assert first == second and "Lịch".encode() in first


def test_a_message_without_reference_is_refused(session: requests.Session) -> None:
    transport = WebhookTransport(target("http://127.0.0.1:9"), session=session)
    with pytest.raises(PermanentError, match="reference"):
        transport.publish(Message(kind="sms", title="", text="x"))


@pytest.mark.parametrize(
    ("endpoint", "options", "words"),
    [
        ("http://portal.example/hook", {}, "https"),
        ("portal.example/hook", {}, "endpoint"),
        ("https://portal.example/hook", {"lookup": "no"}, "options.lookup"),
    ],
)
def test_bad_settings_are_refused_naming_the_target_and_field(
    endpoint: str, options: dict[str, object], words: str
) -> None:
    settings = target(endpoint)
    bad = Target(
        settings.id,
        settings.unit,
        settings.kind,
        settings.transport,
        endpoint,
        settings.credentials,
        options,
    )
    with pytest.raises(ConfigurationError, match="cong-dvc-hook") as refused:
        WebhookTransport(bad)
    assert words in str(refused.value)
