"""Keep every campaign's sources fresh: read files, poll feeds, store items once by stable key."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.feeds import FeedState, content_hash, poll
from campaigns.files import ContentError, load_videos, read_articles
from campaigns.model import Item, Source
from worker.engine.runtime import Runtime
from worker.store.models import ContentItem, SourceState

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IngestResult:
    source: str
    new: int = 0
    updated: int = 0
    error: str | None = None
    polled: bool = True


def store_item(session: Session, item: Item, now: dt.datetime) -> tuple[int, str]:
    """Insert or update an item by key; returns (id, 'new' | 'updated' | 'same')."""
    digest = content_hash(item)
    row = session.scalar(select(ContentItem).where(ContentItem.key == item.key))
    if row is None:
        row = ContentItem(
            key=item.key, content_hash=digest, first_seen=now, updated=now, **_fields(item)
        )
        session.add(row)
        session.flush()
        _warn(item)
        return row.id, "new"
    if row.content_hash == digest:
        return row.id, "same"
    _warn(item)
    for name, value in _fields(item).items():
        setattr(row, name, value)
    row.content_hash, row.updated = digest, now
    return row.id, "updated"


def _warn(item: Item) -> None:
    for warning in item.warnings:
        log.warning("item %s: %s", item.key, warning, extra={"source": item.source})


def _fields(item: Item) -> dict[str, object]:
    return {
        "guid": item.guid,
        "warnings": list(item.warnings),
        "source": item.source,
        "kind": item.kind,
        "title": item.title,
        "summary": item.summary,
        "body_html": item.body_html,
        "link": item.link,
        "video_url": item.video_url,
        "image_url": item.image_url,
        "published": item.published,
        "topics": list(item.topics),
    }


def ingest_source(
    rt: Runtime, source: Source, now: dt.datetime, *, force: bool = False
) -> IngestResult:
    """Read one source if it is due; record its state and any error; never raise for bad input."""
    with rt.sessions.begin() as s:
        state = s.get(SourceState, source.id) or SourceState(
            id=source.id, kind=source.kind, url=source.url, failures=0, items=0
        )
        if not force and state.next_poll is not None and state.next_poll > now:
            return IngestResult(source.id, polled=False)
        s.expunge_all()
    items, error, update = _read(rt, source, state, now)
    new = updated = 0
    with rt.sessions.begin() as s:
        for item in items:
            _, what = store_item(s, item, now)
            new += what == "new"
            updated += what == "updated"
        state.last_polled, state.last_error = now, error
        if error is None:
            state.last_ok = now
        for key, value in update.items():
            setattr(state, key, value)
        state.items = (state.items or 0) + new
        s.merge(state)
    if error:
        log.warning("source %s: %s", source.id, error, extra={"source": source.id})
    return IngestResult(source.id, new, updated, error)


def _read(
    rt: Runtime, source: Source, state: SourceState, now: dt.datetime
) -> tuple[tuple[Item, ...], str | None, dict[str, object]]:
    root = Path(rt.config.root)
    if source.kind in {"files", "videos"}:
        assert source.path is not None
        path = root / source.path
        try:
            items, bad = (
                read_articles(path, source)
                if source.kind == "files"
                else (load_videos(path, source), None)
            )
        except ContentError as e:
            items, bad = (), e
        if bad is not None:  # the good files are stored all the same; the bad ones are named
            return items, str(bad), {"failures": (state.failures or 0) + 1}
        return (
            items,
            None,
            {"failures": 0, "note": None, "next_poll": now + dt.timedelta(seconds=source.interval)},
        )
    if source.fallback:
        source = Source(
            source.id,
            source.kind,
            source.path,
            source.url,
            source.interval,
            source.topics,
            str(root / source.fallback),
        )
    result = poll(
        rt.http,
        source,
        FeedState(
            state.etag, state.last_modified, state.failures or 0, state.next_poll, state.last_error
        ),
        now=now,
    )
    st = result.state
    return (
        result.items,
        result.error,
        {
            "etag": st.etag,
            "last_modified": st.last_modified,
            "failures": st.failures,
            "next_poll": st.next_poll,
            "note": result.note,
        },
    )


def ingest_all(rt: Runtime, now: dt.datetime, *, force: bool = False) -> list[IngestResult]:
    seen: set[str] = set()
    results = []
    for campaign in rt.config.campaigns.values():
        for source in campaign.sources:
            if source.id not in seen:
                seen.add(source.id)
                results.append(ingest_source(rt, source, now, force=force))
    return results
