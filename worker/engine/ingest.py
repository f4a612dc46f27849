"""Keep every campaign's sources fresh: read files, poll feeds, store items once by stable key."""

from __future__ import annotations

import datetime as dt
import logging
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.feeds import FeedState, content_hash, poll
from campaigns.files import ContentError, load_videos, read_articles
from campaigns.model import Item, Source, with_topics
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
    rt: Runtime,
    source: Source,
    now: dt.datetime,
    *,
    force: bool = False,
    deadline: float | None = None,
) -> IngestResult:
    """Read one source if it is due; record its state and any error; never raise for bad input.

    A feed poll ends within `deadline` seconds (default: `feed_deadline` in loa.yaml), or at
    once when the runtime is stopping.
    """
    with rt.sessions.begin() as s:
        state = s.get(SourceState, source.id) or SourceState(
            id=source.id, kind=source.kind, url=source.url, failures=0, items=0
        )
        if not force and state.next_poll is not None and state.next_poll > now:
            return IngestResult(source.id, polled=False)
        s.expunge_all()
    if deadline is None:
        deadline = float(rt.setting("feed_deadline", default=60))
    items, error, update = _read(rt, source, state, now, deadline)
    items = tuple(with_topics(i, rt.config.topics) for i in items)  # onto topics.yaml's
    error = rt.redact(error) if error else None
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
    rt: Runtime, source: Source, state: SourceState, now: dt.datetime, deadline: float
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
        deadline=deadline,
        stop=rt.stopping,
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
    """Read every source once, side by side, each result stored as soon as it is in.

    The tick ends within `feed_deadline` seconds (plus the time to store): every poll gets what
    is left of it, so a source that drips or hangs costs its own poll and never delays
    another. A source not started by then (more hanging sources than `ingest_threads`) is
    left due for the next tick. A stop (SIGTERM) cuts the polls in flight short.
    """
    sources = {s.id: s for c in rt.config.campaigns.values() for s in c.sources}
    budget = float(rt.setting("feed_deadline", default=60))
    threads = min(int(rt.setting("ingest_threads", default=32)), max(len(sources), 1))
    end = time.monotonic() + budget

    def one(source: Source) -> IngestResult | None:
        left = end - time.monotonic()
        if left <= 0 or rt.stopping.is_set():
            return None  # still due: the next tick polls it
        return ingest_source(rt, source, now, force=force, deadline=left)

    with ThreadPoolExecutor(threads, thread_name_prefix="loa-ingest") as pool:
        futures = [pool.submit(one, s) for s in sources.values()]
        _wait_all(futures)
    results = [f.result() for f in futures]
    return [r for r in results if r is not None]


def _wait_all(futures: list[Future[IngestResult | None]]) -> None:
    """Wait in short steps, so the main thread still runs its signal handlers."""
    pending = set(futures)
    while pending:
        _, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
