"""The Zalo OA transport against a local fake: one table, then tokens, -216, verify, races."""

from __future__ import annotations

import dataclasses
import json
import os
import stat
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from campaigns.model import Item, Target, Unit
from channels.base import Message, Receipt, Resume
from channels.errors import ConfigurationError, PermanentError, TransientError, VerifyPending
from channels.zalo import ZaloFormat
from channels.zalo_oa import CREATE, VERIFY, ZaloTransport
from channels.zalo_tokens import FileTokenStore, Tokens
from tests.adapter_cases import Case, run_case
from tests.fakes import zalo
from tests.fakes.base import FakeServer, Response
from tests.fakes.zalo import APP_ID, APP_SECRET, OAUTH_PATH, SEED_REFRESH, ZaloFake, envelope
from worker.engine.delivery import advance, resume

ENV = dict(
    LOA_TEST_ZALO_APP=APP_ID, LOA_TEST_ZALO_SECRET=APP_SECRET, LOA_TEST_ZALO_REFRESH=SEED_REFRESH
)
CREDENTIALS = dict(zip(("app_id", "app_secret", "refresh_token"), ENV, strict=True))
UNIT = Unit("snv", "Sở Nội vụ tỉnh Đồng Nai", "department")
SUMMARY = "Tỉnh triển khai dịch vụ công trực tuyến toàn trình cho người dân."
ITEM = Item("cchc-1", "article", "Đồng Nai đẩy mạnh cải cách hành chính", summary=SUMMARY)


def target(url: str, tokens: Path, **options: object) -> Target:
    """A Zalo target on the fake: OAuth on the same server, tiny timeouts and poll intervals."""
    opts = dict(oauth_url=url + OAUTH_PATH, token_file=str(tokens), allow_http=True)
    opts.update(dict(timeout=(0.5, 0.5), verify_polls=4, verify_interval=0.001), **options)
    return Target("snv-zalo", "snv", "zalo", "zalo_oa", url, CREDENTIALS, opts)


ARTICLE: Message = ZaloFormat().format(ITEM, UNIT, target("http://x", Path("unused")))


def requested(creates: int, verifies: int, oauths: int = 0) -> Callable[[FakeServer, object], None]:
    def check(fake: FakeServer, outcome: object) -> None:
        assert isinstance(fake, ZaloFake)
        counts = (fake.count(CREATE), fake.count(VERIFY), fake.count(OAUTH_PATH))
        assert counts == (creates, verifies, oauths)

    return check


def published(fake: FakeServer, outcome: object) -> None:
    assert isinstance(fake, ZaloFake) and isinstance(outcome, Receipt)
    requested(1, 3)(fake, outcome)
    (entry,) = fake.articles.values()
    assert outcome.remote_id == entry["id"] and outcome.detail["verify_polls"] == 3
    assert entry["article"] == dict(ARTICLE.body)
    assert all(r.headers["access_token"] == fake.access_token for r in fake.requests)


def resumable(token: str) -> Callable[[FakeServer, object], None]:
    def check(fake: FakeServer, outcome: object) -> None:
        assert isinstance(outcome, VerifyPending) and outcome.resume == token
        assert token not in str(outcome)

    return check


STILL = tuple(envelope(-214) for _ in range(4))
T, P = TransientError, PermanentError
TABLE = [
    Case("an article is created then verified until it has an id", check=published),
    Case("a rate limit -32 waits a minute", (envelope(-32),), T, 60, check=requested(1, 0)),
    Case("an invalid parameter -201 is permanent", (envelope(-201),), P),
    Case("an unknown negative code is permanent", (envelope(-124, message="OA blocked"),), P),
    Case("an expired token -216 is refreshed once", (envelope(-216),), check=requested(2, 3, 1)),
    Case(
        "verify still processing past the bound carries the verify token",
        (envelope(0, {"token": "art-x"}), *STILL),
        VerifyPending,
        30,
        check=resumable("art-x"),
    ),
    Case(
        "a rate limit while verifying carries the verify token",
        (envelope(0, {"token": "art-y"}), envelope(-32)),
        VerifyPending,
        60,
        check=resumable("art-y"),
    ),
    Case("a slow answer times out", (envelope(0, delay=1.5),), T, check=requested(1, 0)),
    Case("a refused connection is transient", expect=T, refused=True),
    Case("an html page with 200 is transient", (Response(200, "<html>Zalo</html>"),), T),
    Case("a gateway error page is transient", (Response(502, "<html>bad gateway</html>"),), T),
    Case("an answer without an error code is transient", (Response(200, {"data": {}}),), T),
]


@pytest.fixture(scope="module")
def server() -> Iterator[ZaloFake]:
    with ZaloFake().running() as running:
        assert isinstance(running, ZaloFake)
        yield running


@pytest.fixture
def fake(server: ZaloFake, monkeypatch: pytest.MonkeyPatch) -> ZaloFake:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    server.reset()
    return server


@pytest.fixture
def token_file(tmp_path: Path) -> Path:
    return tmp_path / "state" / "zalo-snv.json"


def seed_store(fake: ZaloFake, token_file: Path, expires_in: float = 90000) -> None:
    """A store holding the pair the fake currently accepts, as after an earlier refresh."""
    tokens = Tokens(fake.access_token, fake.refresh_token, time.time() + expires_in)
    FileTokenStore(token_file).save(tokens)


def secrets_of(fake: ZaloFake) -> tuple[str, ...]:
    return (APP_SECRET, SEED_REFRESH, fake.access_token, fake.refresh_token)


@pytest.mark.parametrize("case", TABLE, ids=[c.name for c in TABLE])
def test_zalo_case(
    case: Case, fake: ZaloFake, token_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    seed_store(fake, token_file)
    make = lambda url: ZaloTransport(target(url, token_file))  # noqa: E731
    run_case(case, fake, make, ARTICLE, caplog, secrets_of(fake))


def test_the_first_refresh_spends_the_seed_and_stores_the_new_pair_atomically(
    fake: ZaloFake, token_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    receipt = ZaloTransport(target(fake.url, token_file)).publish(ARTICLE)
    assert receipt.remote_id and fake.count(OAUTH_PATH) == 1
    stored = json.loads(token_file.read_text())
    assert stored["refresh_token"] == fake.refresh_token != SEED_REFRESH
    assert stored["access_token"] == fake.access_token
    assert 89000 < stored["expires_at"] - time.time() <= 90000
    assert stat.S_IMODE(os.stat(token_file).st_mode) == 0o600
    names = sorted(p.name for p in token_file.parent.iterdir())
    assert names == [token_file.name, f"{token_file.name}.lock"]  # no temporary file left
    form = {"app_id": APP_ID, "grant_type": "refresh_token", "refresh_token": SEED_REFRESH}
    key = {"secret_key": APP_SECRET}
    again = requests.post(fake.url + OAUTH_PATH, data=form, headers=key, timeout=5).json()
    assert again["error"] == -14014 and "access_token" not in again
    for secret in secrets_of(fake):
        assert secret not in caplog.text and secret not in repr(receipt)


def test_an_expired_token_is_refreshed_with_the_stored_refresh_token_not_the_seed(
    fake: ZaloFake, token_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.refresh_token = "zalo-refresh-rotated-earlier"
    seed_store(fake, token_file, expires_in=-10)
    monkeypatch.delenv("LOA_TEST_ZALO_REFRESH")
    ZaloTransport(target(fake.url, token_file)).publish(ARTICLE)
    assert fake.spent == {"zalo-refresh-rotated-earlier"}
    stored = FileTokenStore(token_file).load()
    assert stored is not None and stored.fresh()
    assert (stored.access_token, stored.refresh_token) == (fake.access_token, fake.refresh_token)
    assert fake.access_token not in repr(stored) and fake.refresh_token not in repr(stored)


def test_a_rejected_access_token_triggers_exactly_one_refresh_then_success(
    fake: ZaloFake, token_file: Path
) -> None:
    seed_store(fake, token_file)
    fake.expire_access_token()
    receipt = ZaloTransport(target(fake.url, token_file)).publish(ARTICLE)
    assert receipt.remote_id
    assert (fake.count(OAUTH_PATH), fake.count(CREATE)) == (1, 2)


def test_a_token_still_rejected_after_one_refresh_is_permanent(
    fake: ZaloFake, token_file: Path
) -> None:
    seed_store(fake, token_file)
    fake.fail_next(-216, times=2)
    with pytest.raises(PermanentError, match="-216"):
        ZaloTransport(target(fake.url, token_file)).publish(ARTICLE)
    assert (fake.count(OAUTH_PATH), fake.count(CREATE), fake.count(VERIFY)) == (1, 2, 0)


def test_verify_polls_with_backoff_while_zalo_is_still_processing(
    fake: ZaloFake, token_file: Path
) -> None:
    seed_store(fake, token_file)
    fake.processing_polls = 4
    slept: list[float] = []
    options = dict(verify_polls=6, verify_interval=0.01, verify_interval_cap=0.04)
    receipt = ZaloTransport(target(fake.url, token_file, **options), sleep=slept.append).publish(
        ARTICLE
    )
    assert receipt.detail["verify_polls"] == 5 and fake.count(VERIFY) == 5
    assert slept == [0.01, 0.02, 0.04, 0.04]


def test_a_retry_resumes_verification_instead_of_creating_again(
    fake: ZaloFake, token_file: Path
) -> None:
    seed_store(fake, token_file)
    fake.processing_polls = 7
    first = ZaloTransport(target(fake.url, token_file, verify_polls=2))
    with pytest.raises(VerifyPending) as caught:
        first.publish(ARTICLE)
    with pytest.raises(VerifyPending):
        first.publish(ARTICLE)  # the same process remembers the token
    other = ZaloTransport(target(fake.url, token_file, verify_polls=2))
    resumed = dataclasses.replace(ARTICLE, resume=Resume(verify_token=caught.value.resume))
    with pytest.raises(VerifyPending):
        other.publish(resumed)
    receipt = ZaloTransport(target(fake.url, token_file, verify_polls=2)).publish(resumed)
    assert receipt.remote_id == next(iter(fake.articles.values()))["id"]
    assert (fake.count(CREATE), fake.count(VERIFY)) == (1, 8)


def test_a_verify_token_stored_in_progress_reaches_zalo_through_message_resume(
    fake: ZaloFake, token_file: Path
) -> None:
    seed_store(fake, token_file)
    fake.processing_polls = 3
    with pytest.raises(VerifyPending) as caught:
        ZaloTransport(target(fake.url, token_file, verify_polls=2)).publish(ARTICLE)
    progress = advance({}, caught.value)  # what the worker stores in deliveries.progress
    assert progress == {"resume": caught.value.resume}
    resumed = resume(ARTICLE, progress)
    assert resumed.body == ARTICLE.body  # the token travels typed, not in the article
    assert resumed.resume == Resume(verify_token=caught.value.resume)
    receipt = ZaloTransport(target(fake.url, token_file, verify_polls=2)).publish(resumed)
    assert receipt.remote_id == next(iter(fake.articles.values()))["id"]
    assert fake.count(CREATE) == 1


def test_two_workers_refreshing_at_once_spend_the_refresh_token_once(
    fake: ZaloFake, token_file: Path
) -> None:
    fake.refresh_delay = 0.2
    workers = [ZaloTransport(target(fake.url, token_file)) for _ in range(2)]
    start = threading.Barrier(len(workers))

    def run(transport: ZaloTransport) -> str:
        start.wait()
        return transport.access_token()

    with ThreadPoolExecutor(len(workers)) as pool:
        got = list(pool.map(run, workers, timeout=10))
    assert got == [fake.access_token] * 2
    assert fake.count(OAUTH_PATH) == 1 and fake.spent == {SEED_REFRESH}


def test_a_refused_refresh_token_is_permanent_and_says_what_to_do(
    fake: ZaloFake, token_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOA_TEST_ZALO_REFRESH", "zalo-refresh-already-spent")
    with pytest.raises(PermanentError, match="authorise the OA again") as caught:
        ZaloTransport(target(fake.url, token_file)).publish(ARTICLE)
    assert "zalo-refresh-already-spent" not in str(caught.value)
    assert not token_file.exists() and fake.count(CREATE) == 0


def test_an_unreadable_token_file_is_permanent(fake: ZaloFake, token_file: Path) -> None:
    token_file.parent.mkdir(parents=True)
    token_file.write_text("{not json")
    with pytest.raises(PermanentError, match="unreadable"):
        ZaloTransport(target(fake.url, token_file)).publish(ARTICLE)
    assert fake.count(OAUTH_PATH) == 0


def test_the_fake_broadcast_returns_a_message_id(fake: ZaloFake) -> None:
    url, body = fake.url + "/v2.0/oa/message", zalo.broadcast_body("a1")
    answer = requests.post(url, json=body, headers={"access_token": fake.access_token}, timeout=5)
    assert answer.status_code == 200 and answer.json()["data"]["message_id"]
    stale = requests.post(url, json=body, headers={"access_token": "old"}, timeout=5)
    assert stale.status_code == 200 and stale.json()["error"] == -216


@pytest.mark.parametrize(
    ("options", "credentials", "field"),
    [
        ({"token_file": None}, None, "token_file"),
        ({"verify_polls": 0}, None, "verify_polls"),
        ({"verify_interval": "fast"}, None, "verify_interval"),
        ({"allow_http": False}, None, "endpoint"),
        ({}, {**CREDENTIALS, "app_secret": ""}, "app_secret"),
        ({}, {**CREDENTIALS, "app_id": "LOA_UNSET_ZALO_APP"}, "app_id"),
        ({}, {k: v for k, v in CREDENTIALS.items() if k != "refresh_token"}, "refresh_token"),
    ],
)
def test_bad_settings_are_refused_naming_the_target_and_field(
    options: dict[str, object],
    credentials: dict[str, str] | None,
    field: str,
    fake: ZaloFake,
    token_file: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LOA_UNSET_ZALO_APP", raising=False)
    base = target("http://127.0.0.1:9", token_file, **options)
    if credentials is not None:
        base = dataclasses.replace(base, credentials=credentials)
    with pytest.raises(ConfigurationError, match=rf"snv-zalo.*{field}"):
        ZaloTransport(base)
