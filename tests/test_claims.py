"""A delivery's hot path in the store: claim_delivery and record_outcome, on both databases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from tests.factories import create_delivery, create_item
from worker.store import queries
from worker.store.db import make_engine, session_factory
from worker.store.migrate import ensure_schema
from worker.store.models import PLANNED, PUBLISHED, QUEUED, SENDING, Attempt, Delivery

NOW = dt.datetime(2024, 3, 1, 9, 0, tzinfo=dt.UTC)
LEASE = dt.timedelta(seconds=300)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    ensure_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return session_factory(engine)


@pytest.fixture
def queued(sessions: sessionmaker[Session]) -> int:
    with sessions.begin() as s:
        item = create_item(s, key="claims:1", title="Hướng dẫn nộp hồ sơ")
        d = create_delivery(
            s,
            item,
            state=QUEUED,
            attempts=0,
            claims=0,
            queued_at=NOW,
            progress={"sent": ["0912000001"]},
        )
        return d.id


def row(sessions: sessionmaker[Session], delivery_id: int) -> dict[str, Any]:
    with sessions() as s:
        d = s.get_one(Delivery, delivery_id)
        return {c.key: getattr(d, c.key) for c in Delivery.__table__.c}


def claim(sessions: sessionmaker[Session], delivery_id: int, worker: str) -> queries.Claim | None:
    with sessions.begin() as s:
        return queries.claim_delivery(s, delivery_id, NOW, LEASE, worker)


def record(
    sessions: sessionmaker[Session], delivery_id: int, number: int, attempt: Attempt
) -> bool:
    values = {"state": PUBLISHED, "updated_at": NOW, "remote_id": "p-1", "published_at": NOW}
    with sessions.begin() as s:
        return queries.record_outcome(s, delivery_id, number, attempt, values)


def an_attempt(delivery_id: int, worker: str) -> Attempt:
    return Attempt(
        delivery_id=delivery_id,
        number=1,
        started_at=NOW,
        finished_at=NOW + dt.timedelta(seconds=2),
        outcome=PUBLISHED,
        http_status=201,
        error="an earlier 503, then fine",
        remote_id="p-1",
        worker=worker,
    )


def attempts(sessions: sessionmaker[Session]) -> list[dict[str, Any]]:
    with sessions() as s:
        return [
            {c.key: getattr(a, c.key) for c in Attempt.__table__.c if c.key != "id"}
            for a in s.scalars(select(Attempt))
        ]


def test_a_claim_takes_the_queued_row_once_and_returns_it_with_its_item(
    sessions: sessionmaker[Session], queued: int
) -> None:
    got = claim(sessions, queued, "host:1")
    assert got is not None
    assert got.claim == got.delivery.claims == 1
    assert (got.delivery.id, got.delivery.state, got.delivery.worker) == (queued, SENDING, "host:1")
    assert got.delivery.lease_until == NOW + LEASE
    assert got.delivery.progress == {"sent": ["0912000001"]}
    assert (got.item.id, got.item.title) == (got.delivery.item_id, "Hướng dẫn nộp hồ sơ")
    stored = row(sessions, queued)
    assert {k: stored[k] for k in ("state", "claims", "worker", "lease_until", "updated_at")} == {
        "state": SENDING,
        "claims": 1,
        "worker": "host:1",
        "lease_until": NOW + LEASE,
        "updated_at": NOW,
    }

    assert claim(sessions, queued, "host:2") is None  # a second message for the same row
    assert row(sessions, queued) == stored


def test_a_row_that_is_not_queued_cannot_be_claimed(
    sessions: sessionmaker[Session], queued: int
) -> None:
    with sessions.begin() as s:
        queries.set_state(s, queued, [QUEUED], state=PLANNED)
    before = row(sessions, queued)
    assert claim(sessions, queued, "host:1") is None
    assert row(sessions, queued) == before


def test_recording_with_a_stale_claim_changes_nothing_and_the_current_claim_writes_all(
    sessions: sessionmaker[Session], queued: int
) -> None:
    first = claim(sessions, queued, "dead:1")
    assert first is not None
    with sessions.begin() as s:  # its lease ran out and the row was sent again
        queries.set_state(s, queued, [SENDING], state=QUEUED, lease_until=None)
    second = claim(sessions, queued, "host:2")
    assert second is not None and second.claim == 2
    before = row(sessions, queued)

    assert record(sessions, queued, first.claim, an_attempt(queued, "dead:1")) is False
    assert row(sessions, queued) == before
    assert attempts(sessions) == []

    attempt = an_attempt(queued, "host:2")
    assert record(sessions, queued, second.claim, attempt) is True
    after = row(sessions, queued)
    changed = {k: after[k] for k in after if after[k] != before[k]}
    assert changed == {
        "state": PUBLISHED,
        "attempts": 1,
        "lease_until": None,
        "remote_id": "p-1",
        "published_at": NOW,
    }
    assert attempts(sessions) == [
        {
            "delivery_id": queued,
            "number": 1,
            "started_at": NOW,
            "finished_at": NOW + dt.timedelta(seconds=2),
            "outcome": PUBLISHED,
            "http_status": 201,
            "error": "an earlier 503, then fine",
            "remote_id": "p-1",
            "worker": "host:2",
        }
    ]
    assert record(sessions, queued, second.claim, attempt) is False  # no longer sending
    assert len(attempts(sessions)) == 1
