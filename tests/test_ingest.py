"""Feeds inside the worker: polled on schedule, deduplicated, edits kept, bad input recorded."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from campaigns.model import TZ
from tests.factories import campaign, write_config
from tests.fakes.feeds import FeedServer
from tests.stepping import Clock, step
from worker.engine.runtime import Runtime, build_runtime
from worker.store.models import ContentItem, Delivery, SourceState

ENTRY = """<item><title>{title}</title><link>https://sonoivu.dongnai.gov.vn/tin/{n}</link>
<guid isPermaLink="false">cchc-{n}</guid><pubDate>{date}</pubDate>
<description>&lt;p&gt;{body}&lt;/p&gt;</description></item>"""


def rss(entries: list[tuple[int, str, str]]) -> str:
    items = "".join(
        ENTRY.format(
            n=n,
            title=title,
            body=body,
            date=(dt.datetime(2024, 3, 1, 8, tzinfo=TZ) + dt.timedelta(days=n)).strftime(
                "%a, %d %b %Y %H:%M:%S %z"
            ),
        )
        for n, title, body in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Tin CCHC</title><link>https://sonoivu.dongnai.gov.vn</link>{items}"
        "</channel></rss>"
    )


@pytest.fixture(scope="module")
def host() -> Iterator[FeedServer]:
    server = FeedServer()
    with server.running():
        yield server


@pytest.fixture
def feeds(host: FeedServer) -> FeedServer:
    host.reset()
    return host


def make(tmp_path: Path, url: str, feed_url: str, clock: Clock) -> Runtime:
    sources = [
        {"id": "news", "kind": "files", "path": "content/news"},
        {"id": "rss", "kind": "feed", "url": feed_url, "interval": 60},
    ]
    root = write_config(
        tmp_path / "config",
        articles=1,
        targets=[{"units": "all", "kind": "website", "transport": "outbox"}],
        campaigns=[campaign(sources=sources, channels=["website"])],
    )
    return build_runtime(root, url, clock=clock, outbox=tmp_path / "outbox")


def count(rt: Runtime, what: object) -> int:
    with rt.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(what)) or 0)  # type: ignore[arg-type]


def test_a_feed_is_ingested_once_then_only_its_changes_count(
    tmp_path: Path, database_url: str, feeds: FeedServer
) -> None:
    clock = Clock(dt.datetime(2024, 6, 1, 9, 0, tzinfo=TZ))
    url = feeds.publish("/rss", rss([(1, "Tin một", "Nội dung"), (2, "Tin hai", "Nội dung")]))
    rt = make(tmp_path, database_url, url, clock)
    step(rt)
    assert count(rt, ContentItem) == 3  # 1 article file + 2 feed entries
    assert count(rt, Delivery) == 6  # x 2 units
    clock.at += dt.timedelta(seconds=61)
    step(rt)
    assert feeds.requests[-1].headers.get("if-none-match")  # a conditional GET...
    assert count(rt, ContentItem) == 3  # ...answered 304: nothing new
    feeds.publish(
        "/rss",
        rss(
            [
                (3, "Tin ba", "Mới"),
                (2, "Tin hai", "Nội dung"),
                (1, "Tin một (đã sửa)", "Nội dung sửa"),
            ]
        ),
    )  # added, reordered, edited
    clock.at += dt.timedelta(seconds=61)
    step(rt)
    with rt.sessions() as s:
        titles = sorted(s.scalars(select(ContentItem.title)))
        published = s.scalar(
            select(func.count()).select_from(Delivery).where(Delivery.state == "published")
        )
    assert "Tin một (đã sửa)" in titles and "Tin một" not in titles
    assert count(rt, ContentItem) == 4
    assert count(rt, Delivery) == 8  # only the added entry planned new deliveries
    assert published == 8  # the edited entry was not published again


@pytest.mark.parametrize("mode", ["404", "500", "html", "huge"])
def test_bad_feed_input_is_recorded_and_the_other_sources_keep_flowing(
    tmp_path: Path, sqlite_url: str, feeds: FeedServer, mode: str
) -> None:
    clock = Clock(dt.datetime(2024, 6, 1, 9, 0, tzinfo=TZ))
    url = feeds.publish("/rss", rss([(1, "Tin một", "x")]))
    rt = make(tmp_path, sqlite_url, url, clock)
    feeds.mode = mode  # type: ignore[assignment]
    step(rt)
    with rt.sessions() as s:
        state = s.get(SourceState, "dvc.rss")
        files = s.get(SourceState, "dvc.news")
    assert state is not None and state.last_error and state.failures == 1
    assert files is not None and files.last_error is None
    assert count(rt, Delivery) == 2  # the article file still went out to both units
    feeds.mode = "ok"
    clock.at += dt.timedelta(hours=7)  # past the back-off
    step(rt)
    with rt.sessions() as s:
        state = s.get(SourceState, "dvc.rss")
    assert state is not None and state.last_error is None and state.failures == 0
    assert count(rt, Delivery) == 4
