"""The per-target concurrency cap on real Redis: one Lua call to take or give back a slot,
the same counter (key, value, TTL) dramatiq's own ConcurrentRateLimiter keeps."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import redis
from dramatiq.rate_limits import ConcurrentRateLimiter
from dramatiq.rate_limits.backends import RedisBackend

from tests.services import need, port_open
from worker.engine.ratelimit import RedisConcurrency, concurrency, slots

REDIS_URL = "redis://127.0.0.1:6379/13"


@pytest.fixture
def backend() -> Iterator[RedisBackend]:
    need(port_open("127.0.0.1", 6379), "Redis on 127.0.0.1:6379")
    client = redis.Redis.from_url(REDIS_URL)
    yield RedisBackend(client=client)
    client.close()


def test_a_slot_is_taken_up_to_the_limit_and_given_back(backend: RedisBackend) -> None:
    key = f"loa-test:{uuid.uuid4().hex}:conc"
    limiter = concurrency(backend, key, 2, 60_000)
    assert isinstance(limiter, RedisConcurrency)
    client = backend.client
    try:
        with slots([limiter]) as first, slots([limiter]) as second:
            assert (first, second) == (True, True)
            assert int(client.get(key)) == 2
            assert 0 < client.pttl(key) <= 60_000  # the TTL outlives a dead worker's slot
            with slots([limiter]) as third:  # full: not waited for, refused at once
                assert third is False
            assert int(client.get(key)) == 2  # the refusal took nothing
        assert int(client.get(key)) == 0
        with slots([limiter]) as again:
            assert again is True
    finally:
        client.delete(key)


def test_it_shares_the_counter_with_dramatiqs_own_limiter(backend: RedisBackend) -> None:
    """Workers of an older loa (dramatiq's WATCH/MULTI limiter) and of this one count the same
    slots during a rolling upgrade."""
    key = f"loa-test:{uuid.uuid4().hex}:conc"
    ours = RedisConcurrency(backend, key, limit=2, ttl=60_000)
    theirs = ConcurrentRateLimiter(backend, key, limit=2, ttl=60_000)  # type: ignore[no-untyped-call]
    try:
        with theirs.acquire(raise_on_failure=False) as a, ours.acquire(raise_on_failure=False) as b:
            assert (a, b) == (True, True)
            with theirs.acquire(raise_on_failure=False) as c:
                assert c is False
            with ours.acquire(raise_on_failure=False) as d:
                assert d is False
        assert int(backend.client.get(key)) == 0
        # giving back a slot nobody holds never takes the counter below zero
        assert ours._release() is False
        assert int(backend.client.get(key)) == 0
    finally:
        backend.client.delete(key)
