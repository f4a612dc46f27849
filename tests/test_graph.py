"""The Facebook Page transport against a local fake Graph API: one table, plus config and token."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from campaigns.model import Target
from channels.base import Attachment, Message, Receipt
from channels.errors import ConfigurationError, HeldError, PermanentError, TransientError
from channels.graph import GraphTransport, pressure, usage
from tests.adapter_cases import Case, run_case
from tests.fakes.base import FakeServer, Response
from tests.fakes.graph import PAGE_ID, PAGE_TOKEN, GraphFake, app_usage, buc_usage, graph_error

TEXT = "Cải cách hành chính Đồng Nai: nộp hồ sơ trực tuyến tại dichvucong.dongnai.gov.vn"
LINK = "https://dongnai.gov.vn/cchc/bai-viet-1"
FEED = Message(
    kind="facebook",
    title="CCHC",
    text=TEXT,
    body={"message": TEXT, "link": LINK},
    reference="loa-0123456789ab",
    delivery_id=7,
)
PHOTO = Message(
    kind="facebook",
    title="CCHC",
    text=TEXT,
    body={"message": TEXT, "link": LINK},
    attachments=(Attachment("banner.jpg", "image/jpeg", b"\xff\xd8\xff\xe0fake-jpeg"),),
    reference="loa-photo",
    delivery_id=8,
)
FULL = {"X-Business-Use-Case-Usage": buc_usage(call_count=100, regain_minutes=5)}


def target(url: str, **options: object) -> Target:
    opts: dict[str, object] = {"page_id": PAGE_ID, "allow_http": True, "timeout": (0.5, 0.5)}
    opts.update(options)
    return Target(
        "snv-facebook", "snv", "facebook", "graph", url, {"page_token": "LOA_TEST_FB_TOKEN"}, opts
    )


def posted(edge: str, *, version: str = "v24.0") -> Callable[[FakeServer, object], None]:
    def check(fake: FakeServer, outcome: object) -> None:
        assert isinstance(fake, GraphFake) and isinstance(outcome, Receipt)
        request = fake.requests[-1]
        assert request.path == f"/{version}/{PAGE_ID}/{edge}"
        assert request.headers["authorization"] == f"Bearer {PAGE_TOKEN}"
        assert "access_token" not in request.query
        post = fake.posts[-1]
        assert post["message"].startswith(TEXT)
        assert outcome.remote_id.startswith(f"{PAGE_ID}_")
        assert outcome.url and outcome.url.startswith(f"https://www.facebook.com/{PAGE_ID}/posts/")
        assert "throttle_seconds" not in outcome.detail
        if edge == "feed":
            assert post["link"] == LINK
        else:
            assert post["source"].startswith(b"\xff\xd8") and LINK in post["message"]
            assert outcome.detail["photo_id"] != outcome.remote_id

    return check


def detail(key: str, value: object) -> Callable[[FakeServer, object], None]:
    def check(fake: FakeServer, outcome: object) -> None:
        assert isinstance(outcome, Receipt) and outcome.detail[key] == value

    return check


def one_request(fake: FakeServer, outcome: object) -> None:
    assert len(fake.requests) == 1


ECHO = graph_error(190, message=f"Malformed access token {PAGE_TOKEN}")
TABLE: list[tuple[Case, Message]] = [
    (Case("a text and link post goes to the feed", check=posted("feed")), FEED),
    (Case("an image goes to photos with the caption and link", check=posted("photos")), PHOTO),
    (
        Case(
            "a busy page asks us to slow down",
            (
                Response(
                    200,
                    {"id": f"{PAGE_ID}_1"},
                    {"X-Business-Use-Case-Usage": buc_usage(call_count=95)},
                ),
            ),
            check=detail("throttle_seconds", 360.0),
        ),
        FEED,
    ),
    (Case("unknown error 1 is transient", (graph_error(1),), TransientError), FEED),
    (Case("service error 2 is transient", (graph_error(2),), TransientError), FEED),
    (
        Case(
            "app limit 4 backs off by x-app-usage",
            (graph_error(4, headers={"X-App-Usage": app_usage(100)}),),
            TransientError,
            900,
        ),
        FEED,
    ),
    (
        Case(
            "user limit 17 backs off at least a minute",
            (graph_error(17, headers={}),),
            TransientError,
            60,
        ),
        FEED,
    ),
    (
        Case(
            "page limit 32 backs off by usage",
            (graph_error(32, headers=FULL),),
            TransientError,
            300,
        ),
        FEED,
    ),
    (
        Case(
            "page buc limit 80001 waits the regain minutes",
            (graph_error(80001, headers=FULL),),
            TransientError,
            300,
        ),
        FEED,
    ),
    (Case("custom limit 613 backs off", (graph_error(613),), TransientError, 60), FEED),
    (
        Case(
            "an error marked is_transient is retried",
            (graph_error(1609005, is_transient=True),),
            TransientError,
        ),
        FEED,
    ),
    (Case("a policy block 368 is held for an operator", (graph_error(368),), HeldError), FEED),
    (
        Case(
            "a duplicate 506 counts as published",
            (graph_error(506),),
            Receipt,
            check=detail("duplicate", True),
        ),
        FEED,
    ),
    (Case("an expired token 190 is permanent", (graph_error(190),), PermanentError), FEED),
    (Case("a missing permission 10 is permanent", (graph_error(10),), PermanentError), FEED),
    (Case("a permissions error 200 is permanent", (graph_error(200),), PermanentError), FEED),
    (Case("an invalid parameter 100 is permanent", (graph_error(100),), PermanentError), FEED),
    (Case("an unknown 4xx code is permanent", (graph_error(1609005),), PermanentError), FEED),
    (
        Case("an unknown 5xx code is transient", (graph_error(99999, status=503),), TransientError),
        FEED,
    ),
    (
        Case(
            "a slow answer times out",
            (Response(200, {"id": "1_2"}, delay=1.5),),
            TransientError,
            check=one_request,
        ),
        FEED,
    ),
    (Case("a refused connection is transient", expect=TransientError, refused=True), FEED),
    (
        Case(
            "an html page with 200 is transient",
            (Response(200, "<html>ok</html>"),),
            TransientError,
        ),
        FEED,
    ),
    (
        Case(
            "a bad gateway page is transient",
            (Response(502, "<html>bad gateway</html>"),),
            TransientError,
        ),
        FEED,
    ),
    (Case("a token echoed by the server is scrubbed", (ECHO,), PermanentError), FEED),
]


@pytest.fixture(scope="module")
def server() -> Iterator[GraphFake]:
    with GraphFake().running() as running:
        assert isinstance(running, GraphFake)
        yield running


@pytest.fixture
def fake(server: GraphFake, monkeypatch: pytest.MonkeyPatch) -> GraphFake:
    monkeypatch.setenv("LOA_TEST_FB_TOKEN", PAGE_TOKEN)
    server.reset()
    return server


@pytest.mark.parametrize(("case", "message"), TABLE, ids=[c.name for c, _ in TABLE])
def test_graph_case(
    case: Case, message: Message, fake: GraphFake, caplog: pytest.LogCaptureFixture
) -> None:
    run_case(case, fake, lambda url: GraphTransport(target(url)), message, caplog, (PAGE_TOKEN,))


def test_a_pinned_api_version_is_used_in_the_path(
    fake: GraphFake, caplog: pytest.LogCaptureFixture
) -> None:
    case = Case("pinned version", check=posted("feed", version="v26.0"))
    make = lambda url: GraphTransport(target(url, api_version="v26.0"))  # noqa: E731
    run_case(case, fake, make, FEED, caplog, (PAGE_TOKEN,))


def test_a_wrong_token_is_rejected_by_the_fake_and_is_permanent(
    fake: GraphFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOA_TEST_FB_TOKEN", "EAAGwrong")
    with pytest.raises(PermanentError, match="190"):
        GraphTransport(target(fake.url)).publish(FEED)
    assert fake.posts == []


def test_the_fake_switch_answers_a_forced_error_after_the_token_check(fake: GraphFake) -> None:
    fake.fail_with(80001)
    with pytest.raises(TransientError) as caught:
        GraphTransport(target(fake.url)).publish(FEED)
    assert caught.value.status == 400 and caught.value.retry_after == 60
    fake.fail_with(None)
    assert GraphTransport(target(fake.url)).publish(FEED).remote_id.startswith(PAGE_ID)


@pytest.mark.parametrize(
    ("options", "credentials", "field"),
    [
        ({"page_id": None}, None, "page_id"),
        ({"page_id": "my-page"}, None, "page_id"),
        ({"api_version": "v24"}, None, "api_version"),
        ({"api_version": "24.0"}, None, "api_version"),
        ({}, {}, "page_token"),
        ({}, {"page_token": "LOA_UNSET_FB_TOKEN"}, "page_token"),
        ({"allow_http": False}, None, "endpoint"),
    ],
)
def test_bad_settings_are_refused_naming_the_target_and_field(
    options: dict[str, object],
    credentials: dict[str, str] | None,
    field: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LOA_TEST_FB_TOKEN", PAGE_TOKEN)
    monkeypatch.delenv("LOA_UNSET_FB_TOKEN", raising=False)
    base = target("http://127.0.0.1:9", **options)
    if credentials is not None:
        base = Target(
            base.id, base.unit, base.kind, base.transport, base.endpoint, credentials, base.options
        )
    with pytest.raises(ConfigurationError, match=rf"snv-facebook.*{field}"):
        GraphTransport(base)


def test_the_default_endpoint_is_graph_facebook_com(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOA_TEST_FB_TOKEN", PAGE_TOKEN)
    t = Target(
        "fb",
        "snv",
        "facebook",
        "graph",
        None,
        {"page_token": "LOA_TEST_FB_TOKEN"},
        {"page_id": PAGE_ID},
    )
    transport = GraphTransport(t)
    assert (transport.base, transport.version) == ("https://graph.facebook.com", "v24.0")
    assert PAGE_TOKEN not in repr(vars(transport).get("base"))


def test_usage_reads_both_headers_and_converts_minutes_to_seconds() -> None:
    headers = {
        "X-Business-Use-Case-Usage": buc_usage(call_count=40, regain_minutes=3),
        "X-App-Usage": app_usage(92),
    }
    assert usage(headers) == (92.0, 180.0)
    assert usage({"X-App-Usage": "not json"}) == (0.0, 0.0)
    assert (pressure(80), pressure(90), pressure(99), pressure(120)) == (0, 60, 600, 900)
