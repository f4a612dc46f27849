"""Per-target rate limits (per second, per minute, concurrency) that hold across processes.

Built on dramatiq's rate limiters: Redis-backed when REDIS_URL is set, so every worker on every
machine shares them; in-process otherwise.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from typing import Any

from dramatiq.rate_limits import ConcurrentRateLimiter, RateLimiter, WindowRateLimiter
from dramatiq.rate_limits.backends import StubBackend

from campaigns.model import Target
from campaigns.schema import DEFAULT_CONCURRENCY


def make_backend() -> Any:
    url = os.environ.get("REDIS_URL")
    if url:  # redis-py (~7 MB a process) only when there is a Redis to count on
        import redis  # noqa: PLC0415
        from dramatiq.rate_limits.backends.redis import RedisBackend  # noqa: PLC0415

        return RedisBackend(client=redis.Redis.from_url(url))
    return StubBackend()


# The counter dramatiq's ConcurrentRateLimiter keeps (same key, value and TTL), moved in one
# Lua call: its RedisBackend does SET NX, then WATCH / GET / MULTI / SET / EXEC to acquire and
# WATCH / GET / MULTI / SET / EXEC to release, 5 to 9 Redis round trips a publish; this is two.
_ACQUIRE = """
local value = tonumber(redis.call('GET', KEYS[1]) or '0') + 1
if value > tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], value, 'PX', ARGV[2])
return 1
"""
_RELEASE = """
local value = tonumber(redis.call('GET', KEYS[1]) or '0') - 1
if value < 0 then return 0 end
redis.call('SET', KEYS[1], value, 'PX', ARGV[1])
return 1
"""


class RedisConcurrency(ConcurrentRateLimiter):
    """dramatiq's concurrent limiter on a RedisBackend, one round trip to acquire or release."""

    def __init__(self, backend: Any, key: str, *, limit: int, ttl: int) -> None:
        super().__init__(backend, key, limit=limit, ttl=ttl)
        self._take = backend.client.register_script(_ACQUIRE)
        self._give = backend.client.register_script(_RELEASE)

    def _acquire(self) -> bool:
        return bool(self._take(keys=[self.key], args=[self.limit, self.ttl]))

    def _release(self) -> bool:
        return bool(self._give(keys=[self.key], args=[self.ttl]))


def concurrency(backend: Any, key: str, limit: int, ttl: int) -> ConcurrentRateLimiter:
    if isinstance(backend, StubBackend):  # make_backend's other kind is a RedisBackend
        return ConcurrentRateLimiter(backend, key, limit=limit, ttl=ttl)
    return RedisConcurrency(backend, key, limit=limit, ttl=ttl)


def limits_for(target: Target, channel: dict[str, Any]) -> dict[str, float]:
    """The target's own options win over its channel kind's settings in loa.yaml.

    Every target has a concurrency cap (loa.yaml `concurrency`, default 4), so one portal that
    never answers holds at most that many worker threads and cannot starve the other targets.
    """
    found = {"concurrency": float(DEFAULT_CONCURRENCY)}
    for key in ("rate_per_second", "rate_per_minute", "concurrency"):
        value = target.options.get(key, channel.get(key))
        if value:
            found[key] = float(value)
    return found


class Limits:
    """The limiters of every target, built once per process."""

    def __init__(
        self, backend: Any = None, namespace: str | None = None, lease_ms: int = 300_000
    ) -> None:
        self.backend = backend if backend is not None else make_backend()
        self.namespace = namespace or os.environ.get("LOA_REDIS_NAMESPACE", "loa")
        self.lease_ms = lease_ms
        self._cache: dict[str, list[RateLimiter]] = {}
        self._lock = threading.Lock()

    def limiters(self, target: Target, channel: dict[str, Any]) -> list[RateLimiter]:
        with self._lock:
            if target.id not in self._cache:
                self._cache[target.id] = self._build(target, limits_for(target, channel))
            return self._cache[target.id]

    def _build(self, target: Target, found: dict[str, float]) -> list[RateLimiter]:
        key = f"{self.namespace}:rate:{target.id}"
        out: list[RateLimiter] = []
        if "concurrency" in found:
            limit = int(found["concurrency"])
            out.append(concurrency(self.backend, f"{key}:conc", limit, self.lease_ms))
        if "rate_per_second" in found:
            out.append(
                WindowRateLimiter(
                    self.backend, f"{key}:s", limit=max(1, int(found["rate_per_second"])), window=1
                )
            )
        if "rate_per_minute" in found:
            out.append(
                WindowRateLimiter(
                    self.backend, f"{key}:m", limit=max(1, int(found["rate_per_minute"])), window=60
                )
            )
        return out


@contextlib.contextmanager
def slots(limiters: list[RateLimiter], patience: float = 2.0) -> Iterator[bool]:
    """Hold a slot of every limiter, waiting up to `patience` seconds; yields False if not.

    A target whose concurrency slots are all taken is not waited for at all: its publishes are
    slow (or hang), and a worker thread waiting on it is a thread the other targets lose.
    """
    with contextlib.ExitStack() as stack:
        deadline = time.monotonic() + patience
        for limiter in limiters:
            while not stack.enter_context(limiter.acquire(raise_on_failure=False)):
                if isinstance(limiter, ConcurrentRateLimiter) or time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(0.05)
        yield True
