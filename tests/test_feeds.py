"""Polling feeds against a local host: conditional GETs, edits, bad days, back-off, offline copy."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest
import requests

from campaigns.feeds import USER_AGENT, FeedState, PollResult, backoff, content_hash, poll
from campaigns.model import Source
from tests.adapter_cases import closed_port_url
from tests.fakes.base import Response
from tests.fakes.feeds import DATA, RSS, FeedServer, Mode

NOW = dt.datetime(2024, 3, 18, 3, 0, tzinfo=dt.UTC)
AGENCY = (DATA / "agency-rss.xml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def host() -> Iterator[FeedServer]:
    fake = FeedServer()
    with fake.running():
        yield fake


@pytest.fixture
def server(host: FeedServer) -> FeedServer:
    host.reset()
    return host


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as s:
        s.trust_env = False  # no proxy between us and 127.0.0.1
        yield s


def make_source(url: str, **overrides: object) -> Source:
    fields: dict[str, object] = {"id": "cchc.news", "kind": "feed", "url": url, "interval": 900}
    fields["topics"] = ("cải cách hành chính",)
    return Source(**{**fields, **overrides})  # type: ignore[arg-type]


def split_items(xml: str) -> tuple[str, list[str], str]:
    items = re.findall(r"<item>.*?</item>", xml, re.S)
    head, tail = xml[: xml.index(items[0])], xml[xml.rindex(items[-1]) + len(items[-1]) :]
    return head, items, tail


def fetch(session: requests.Session, source: Source, state: FeedState | None = None) -> PollResult:
    return poll(session, source, state or FeedState(), now=NOW, timeout=(1, 0.3))


def test_first_poll_ingests_every_entry_and_remembers_the_validators(
    session: requests.Session, server: FeedServer
) -> None:
    source = make_source(server.publish_file("/rss/cchc.rss", "agency-rss.xml"))
    result = fetch(session, source)
    assert (result.error, result.not_modified, len(result.items)) == (None, False, 5)
    assert result.state.etag == server.feeds["/rss/cchc.rss"].etag
    assert result.state.last_modified == server.feeds["/rss/cchc.rss"].last_modified
    assert result.state.failures == 0
    assert result.state.next_poll == NOW + dt.timedelta(seconds=900)
    sent = server.requests[-1].headers
    assert sent["user-agent"] == USER_AGENT
    assert USER_AGENT.startswith("loa/") and "feed poller" in USER_AGENT
    assert "if-none-match" not in sent and "if-modified-since" not in sent


def test_second_poll_is_conditional_and_a_304_brings_no_items(
    session: requests.Session, server: FeedServer
) -> None:
    source = make_source(server.publish_file("/rss/cchc.rss", "agency-rss.xml"))
    first = fetch(session, source)
    second = fetch(session, source, first.state)
    sent = server.requests[-1].headers
    assert sent["if-none-match"] == first.state.etag
    assert sent["if-modified-since"] == first.state.last_modified
    assert (second.items, second.not_modified, second.error) == ((), True, None)
    assert second.state.etag == first.state.etag


def test_a_host_without_etags_answers_304_to_if_modified_since(
    session: requests.Session, server: FeedServer
) -> None:
    server.etags = False
    source = make_source(server.publish_file("/rss/cchc.rss", "agency-rss.xml"))
    first = fetch(session, source)
    second = fetch(session, source, first.state)
    assert first.state.etag is None
    assert second.not_modified and second.items == ()


def test_an_added_entry_appears_and_the_others_keep_their_keys(
    session: requests.Session, server: FeedServer
) -> None:
    source = make_source(server.publish_file("/rss/cchc.rss", "agency-rss.xml"))
    first = fetch(session, source)
    head, items, tail = split_items(AGENCY)
    new = (
        items[0]
        .replace("snv-dn-2024-0312", "snv-dn-2024-0320")
        .replace("Đồng Nai đẩy mạnh", "Đồng Nai công bố kết quả")
    )
    server.publish("/rss/cchc.rss", head + new + "".join(items) + tail)
    second = fetch(session, source, first.state)
    keys = [i.key for i in second.items]
    assert len(keys) == 6 and keys[0] == "cchc.news:snv-dn-2024-0320"
    assert set(keys[1:]) == {i.key for i in first.items}


def test_an_edited_entry_keeps_its_key_and_changes_its_content_hash(
    session: requests.Session, server: FeedServer
) -> None:
    source = make_source(server.publish_file("/rss/cchc.rss", "agency-rss.xml"))
    before = {i.key: content_hash(i) for i in fetch(session, source).items}
    server.publish(
        "/rss/cchc.rss", AGENCY.replace("(SIPAS) năm 2024<", "(SIPAS) năm 2024 (cập nhật)<")
    )
    after = {i.key: content_hash(i) for i in fetch(session, source).items}
    assert before.keys() == after.keys()
    changed = [k for k in before if before[k] != after[k]]
    assert changed == ["cchc.news:snv-dn-2024-0301"]


def test_reordered_and_repeated_entries_keep_their_keys_and_never_duplicate(
    session: requests.Session, server: FeedServer
) -> None:
    source = make_source(server.publish_file("/rss/cchc.rss", "agency-rss.xml"))
    first = fetch(session, source)
    head, items, tail = split_items(AGENCY)
    shuffled = [items[2], items[0], items[4], items[2], items[1], items[3], items[0]]
    server.publish("/rss/cchc.rss", head + "".join(shuffled) + tail)
    second = fetch(session, source)
    keys = [i.key for i in second.items]
    assert len(keys) == len(set(keys)) == 5
    assert {i.key: content_hash(i) for i in second.items} == {
        i.key: content_hash(i) for i in first.items
    }


def test_youtube_entries_become_videos_with_watch_url_thumbnail_and_escaped_text(
    session: requests.Session, server: FeedServer
) -> None:
    url = server.publish_file("/feeds/videos.xml", "youtube-channel.xml", "text/xml; charset=UTF-8")
    result = fetch(session, make_source(url, id="cchc.yt", kind="youtube"))
    first = result.items[0]
    assert [i.kind for i in result.items] == ["video"] * 3
    assert first.key == "cchc.yt:yt:dQ4vN2xTgHk"
    assert first.video_url == first.link == "https://www.youtube.com/watch?v=dQ4vN2xTgHk"
    assert first.video_id == "dQ4vN2xTgHk"
    assert first.image_url == "https://i3.ytimg.com/vi/dQ4vN2xTgHk/hqdefault.jpg"
    assert first.title == "Hướng dẫn nộp hồ sơ trực tuyến trên Cổng Dịch vụ công | Bản tin CCHC"
    # plain text carries no markup, even markup a description spells as text
    assert "Lưu ý: không phải là mã độc" in first.summary and "<script" not in first.summary
    assert "<script" not in first.body_html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in first.body_html
    assert "chọn thủ tục &amp; điền tờ khai; 3) thanh toán phí &lt; 100.000" in first.body_html
    assert first.body_html.startswith("<p>") and "<br>" in first.body_html
    assert first.published == dt.datetime(2024, 3, 18, 11, 0, 6, tzinfo=dt.UTC)
    assert result.items[2].summary == "" and result.items[2].body_html == ""


@dataclass(frozen=True)
class Bad:
    name: str
    error: str  # {url} is replaced by the feed's address
    mode: Mode = "ok"
    file: str = "agency-rss.xml"
    content_type: str = RSS
    refused: bool = False


BAD = [
    Bad("malformed XML", "malformed XML at line 3: not well-formed (invalid token)",
        file="malformed.xml"),
    Bad("HTML page", "not a feed: the server sent HTML (text/html)", mode="html"),
    Bad("HTML labelled as RSS", "not a feed: the server sent HTML (application/rss+xml)",
        file="not-a-feed.html"),
    Bad("404", "HTTP 404 from {url}", mode="404"),
    Bad("500", "HTTP 500 from {url}", mode="500"),
    Bad("timeout", "timed out after 0.3 s", mode="timeout"),
    Bad("huge body", "body larger than 5 MB cap", mode="huge"),
    Bad("gzip bomb", "body larger than 5 MB cap", mode="gzip-bomb"),
    Bad("connection refused", "cannot connect to {url}: Connection refused", refused=True),
]  # fmt: skip


@pytest.mark.parametrize("case", BAD, ids=[b.name for b in BAD])
def test_every_bad_answer_gives_a_clear_error_no_items_and_a_back_off(
    session: requests.Session, server: FeedServer, case: Bad
) -> None:
    server.mode = case.mode
    url = server.publish_file("/rss/cchc.rss", case.file, case.content_type)
    source = make_source(closed_port_url() + "/rss" if case.refused else url)
    state = FeedState(etag='"kept"', last_modified="Mon, 18 Mar 2024 02:00:00 GMT")
    result = fetch(session, source, state)
    assert result.error == case.error.format(url=source.url)
    assert result.items == () and not result.not_modified
    assert result.state.failures == 1 and result.state.last_error == result.error
    assert (result.state.etag, result.state.last_modified) == (state.etag, state.last_modified)
    assert result.state.next_poll == NOW + dt.timedelta(seconds=backoff(source, 1))


def test_failures_back_off_exponentially_from_the_interval_up_to_six_hours() -> None:
    source = make_source("https://example.gov.vn/rss")
    for failures in range(1, 16):
        ceiling = min(900 * 2 ** (failures - 1), 6 * 3600)
        assert 0.8 * ceiling <= backoff(source, failures) <= ceiling
    assert backoff(source, 3) == backoff(source, 3)
    assert backoff(source, 3) != backoff(replace(source, id="other.feed"), 3)


def test_repeated_failures_push_the_next_poll_further_and_success_resets(
    session: requests.Session, server: FeedServer
) -> None:
    source = make_source(server.publish_file("/rss/cchc.rss", "agency-rss.xml"))
    server.mode = "500"
    state = FeedState()
    polls: list[dt.datetime] = []
    for _ in range(3):
        state = fetch(session, source, state).state
        assert state.next_poll is not None
        polls.append(state.next_poll)
    assert state.failures == 3 and polls == sorted(polls)
    server.mode = "ok"
    fresh = fetch(session, source, state).state
    assert (fresh.failures, fresh.last_error) == (0, None)
    assert fresh.next_poll == NOW + dt.timedelta(seconds=900)


def test_retry_after_from_a_busy_server_is_honoured(
    session: requests.Session, server: FeedServer
) -> None:
    server.mode = "503"
    result = fetch(session, make_source(server.publish_file("/rss", "agency-rss.xml")))
    assert result.error is not None and result.error.startswith("HTTP 503 from")
    assert result.state.next_poll == NOW + dt.timedelta(seconds=7200)


def test_retry_after_as_an_http_date_is_read_against_the_poll_clock(
    session: requests.Session, server: FeedServer
) -> None:
    url = server.publish_file("/rss", "agency-rss.xml")
    server.then(Response(429, b"", {"Retry-After": "Mon, 18 Mar 2024 05:00:00 GMT"}))
    result = fetch(session, make_source(url))
    assert result.error is not None and result.error.startswith("HTTP 429 from")
    assert result.state.next_poll == NOW + dt.timedelta(seconds=7200)


def test_a_permanent_redirect_is_followed_and_noted(
    session: requests.Session, server: FeedServer
) -> None:
    target = server.publish_file("/rss/new.rss", "agency-rss.xml")
    server.then(Response(301, b"", {"Location": target}))
    result = fetch(session, make_source(server.url + "/rss/old.rss"))
    assert len(result.items) == 5 and result.error is None
    assert result.note == f"the feed moved permanently to {target}; update the source url"


def test_a_windows_1258_feed_served_with_a_wrong_charset_header_reads_right(
    session: requests.Session, server: FeedServer
) -> None:
    wrong = "application/rss+xml; charset=iso-8859-1"
    url = server.publish_file("/rss", "district-windows-1258.xml", wrong)
    titles = [i.title for i in fetch(session, make_source(url)).items]
    assert titles[0] == "Tuyên truyền cải cách hành chính đến từng ấp, khu phố"


def test_an_unreachable_feed_serves_its_offline_copy_and_says_so(session: requests.Session) -> None:
    live_host = FeedServer()
    with live_host.running():
        url = live_host.publish_file("/rss/cchc.rss", "agency-rss.xml")
        source = make_source(url, fallback="agency-rss.xml")
        live = fetch(session, source)
    with requests.Session() as fresh:  # a pooled keep-alive connection would outlive the host
        fresh.trust_env = False
        offline = poll(fresh, source, live.state, now=NOW, config_root=DATA)
    assert offline.error is None and len(offline.items) == 5
    assert [i.key for i in offline.items] == [i.key for i in live.items]
    assert offline.note is not None and offline.note.startswith(f"cannot connect to {url}")
    assert offline.note.endswith("served 5 items from fallback agency-rss.xml")
    assert offline.state.failures == 1 and offline.state.etag == live.state.etag


def test_an_unusable_offline_copy_is_reported_with_the_network_error(
    session: requests.Session,
) -> None:
    source = make_source(closed_port_url() + "/rss", fallback="missing.xml")
    result = poll(session, source, FeedState(), now=NOW, config_root=DATA)
    assert result.items == () and result.error is not None
    assert "Connection refused; fallback missing.xml unusable: " in result.error
    assert result.state.failures == 1


@pytest.mark.parametrize("url", ["htp://sonoivu.dongnai.gov.vn/rss", ""])
def test_a_source_url_that_cannot_be_requested_is_an_error_not_an_exception(
    session: requests.Session, url: str
) -> None:
    result = fetch(session, make_source(url))
    assert result.items == () and result.state.failures == 1
    assert result.error in {
        "request failed: No connection adapters were found for 'htp://sonoivu.dongnai.gov.vn/rss'",
        "source cchc.news has no url",
    }
