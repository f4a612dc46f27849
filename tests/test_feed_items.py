"""One bad entry, byte or file is reported on its own; long guids fit; a bare 304 is an error."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa
from sqlalchemy import select

from campaigns.entries import parse_feed
from campaigns.feeds import FeedError, FeedState, parse, poll
from campaigns.model import KEY_LIMIT, TZ, Source
from tests.factories import campaign, write_config
from tests.stepping import Clock, step
from worker.engine.ingest import store_item
from worker.engine.runtime import Runtime, build_runtime
from worker.store import migrate
from worker.store.db import make_engine, session_factory
from worker.store.models import ContentItem, SourceState

SOURCE = Source("tin", "feed", url="https://a.gov.vn/rss")
NOW = dt.datetime(2024, 6, 1, 9, 0, tzinfo=TZ)


def rss(items: str, encoding: str = "utf-8") -> bytes:
    head = f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel><title>t'
    return (head + f"</title>{items}</channel></rss>").encode()


def entry(guid: str, title: str, date: str = "Fri, 01 Mar 2024 08:00:00 +0700") -> str:
    guid_xml = f"<guid isPermaLink='false'>{guid}</guid>"
    return f"<item>{guid_xml}<title>{title}</title><pubDate>{date}</pubDate></item>"


def test_one_invalid_byte_refuses_the_feed_instead_of_publishing_mojibake() -> None:
    body = rss(entry("g1", "Cải cách hành chính") + entry("g2", "Tin PLACEHOLDER"))
    body = body.replace(b"PLACEHOLDER", b"\xff")
    with pytest.raises(FeedError, match="encoding"):
        parse(body, source=SOURCE, base_url="https://a.gov.vn/rss")


def test_a_feed_in_its_declared_single_byte_encoding_is_still_read() -> None:
    body = rss(entry("g1", "Caf\xe9"), "iso-8859-1").replace(b"Caf\xc3\xa9", b"Caf\xe9")
    (item,) = parse(body, source=SOURCE, base_url="https://a.gov.vn/rss")
    assert item.title == "Café"


def test_a_long_guid_gets_a_fixed_length_key_and_keeps_the_guid() -> None:
    guid = "https://a.gov.vn/tin?" + "x" * 600
    (item,) = parse(rss(entry(guid, "Tin dài")), source=SOURCE, base_url="https://a.gov.vn/rss")
    assert len(item.key) <= KEY_LIMIT and item.key.startswith("tin:sha256:")
    assert item.guid == guid
    (short,) = parse(rss(entry("cchc-1", "Tin")), source=SOURCE, base_url="https://a.gov.vn/rss")
    assert short.key == "tin:cchc-1" and short.guid == "cchc-1"  # as keyed before


def test_a_long_guid_is_stored_on_every_database(tmp_path: Path, database_url: str) -> None:
    guid = "urn:tin:" + "x" * 600
    (item,) = parse(rss(entry(guid, "Tin dài")), source=SOURCE, base_url="https://a.gov.vn/rss")
    rt = build_runtime(write_config(tmp_path / "config"), database_url)
    with rt.sessions.begin() as s:
        _, what = store_item(s, item, NOW)
    with rt.sessions.begin() as s:
        again = store_item(s, item, NOW)[1]
        row = s.scalar(select(ContentItem).where(ContentItem.key == item.key))
        assert row is not None and row.guid == guid
    assert (what, again) == ("new", "same")


def test_one_entry_with_an_impossible_date_is_skipped_and_the_rest_are_read() -> None:
    body = rss(
        entry("g1", "Tin một") + "<item><guid>g0</guid><title>Tin năm 0</title>"
        "<pubDate>Sat, 01 Jan 0000 00:00:00 +0000</pubDate></item>"
        + "<item><guid>g2</guid><title>Tin hai</title>"
        "<dc:date xmlns:dc='http://purl.org/dc/elements/1.1/'>0000-01-01</dc:date></item>"
        + entry("g3", "Tin ba")
    )
    result = parse_feed(body, source=SOURCE, base_url="https://a.gov.vn/rss")
    titles = [i.title for i in result.items]
    assert titles[0] == "Tin một" and "Tin ba" in titles
    assert all(i.published is None or i.published.year > 1 for i in result.items)
    assert result.skipped and all("skipped" in s for s in result.skipped)


class _Answer(requests.Session):
    """A session that answers every GET with one status and records the request headers."""

    def __init__(self, status: int) -> None:
        super().__init__()
        self.status, self.sent = status, [dict[str, Any]()]

    def get(self, url: str | bytes, **kwargs: Any) -> requests.Response:
        self.sent.append(dict(kwargs.get("headers") or {}))
        resp = requests.Response()
        resp.status_code, resp.url, resp.raw = self.status, str(url), io.BytesIO(b"")
        return resp


def test_a_304_to_a_request_without_validators_is_an_error() -> None:
    result = poll(_Answer(304), SOURCE, FeedState(), now=NOW)
    assert result.error and "304" in result.error and result.state.failures == 1
    fresh = poll(_Answer(304), SOURCE, FeedState(etag='"abc"'), now=NOW)
    assert fresh.error is None and fresh.not_modified


def _runtime(tmp_path: Path, url: str) -> tuple[Runtime, Path]:
    sources = [{"id": "news", "kind": "files", "path": "content/news"}]
    root = write_config(
        tmp_path / "config",
        articles=2,
        targets=[{"units": "all", "kind": "website", "transport": "outbox"}],
        campaigns=[campaign(sources=sources, channels=["website"])],
    )
    clock = Clock(dt.datetime(2024, 6, 1, 9, 0, tzinfo=TZ))
    return build_runtime(root, url, clock=clock, outbox=tmp_path / "outbox"), root


def test_one_bad_markdown_file_is_reported_and_the_rest_of_its_folder_is_ingested(
    tmp_path: Path, sqlite_url: str
) -> None:
    rt, root = _runtime(tmp_path, sqlite_url)
    (root / "content" / "news" / "hong.md").write_text("# không có front matter\n", "utf-8")
    step(rt)
    with rt.sessions() as s:
        titles = list(s.scalars(select(ContentItem.title)))
        state = s.scalars(select(SourceState)).one()
    assert len(titles) == 2
    assert state.last_error and "hong.md" in state.last_error


def test_upgrading_rekeys_a_long_key_sqlite_stored_and_leaves_short_keys_alone(
    sqlite_url: str,
) -> None:
    guid = "urn:tin:" + "x" * 600
    engine = make_engine(sqlite_url)
    migrate.upgrade(engine, migrate.BASELINE)
    with engine.begin() as conn:
        for n, key in enumerate((f"tin:{guid}", "tin:cchc-1"), start=1):
            conn.execute(
                sa.text(
                    "INSERT INTO content_items (id, key, source, kind, title, summary, body_html, "
                    "topics, content_hash, first_seen, updated) VALUES (:id, :key, 'tin', "
                    "'article', 'Tin', '', '', '[]', 'h', :now, :now)"
                ),
                {"id": n, "key": key, "now": NOW},
            )
    migrate.upgrade(engine)
    items = parse(
        rss(entry(guid, "Tin dài") + entry("cchc-1", "Tin")),
        source=SOURCE,
        base_url="https://a.gov.vn/rss",
    )
    with session_factory(engine).begin() as s:
        found = [store_item(s, item, NOW) for item in items]
    with session_factory(engine)() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(ContentItem)) == 2
    engine.dispose()
    assert [(row_id, what) for row_id, what in found] == [(1, "updated"), (2, "updated")]
