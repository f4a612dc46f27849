"""The one place the dramatiq broker is chosen; import this before any actor module."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, cast

import dramatiq
from dramatiq.brokers.stub import StubBroker

if TYPE_CHECKING:
    from dramatiq.brokers.redis import RedisBroker

from campaigns.model import CHANNEL_KINDS

QUEUES = {kind: f"loa_{kind}" for kind in CHANNEL_KINDS}
RETRY_QUEUES = {kind: f"loa_{kind}_retry" for kind in CHANNEL_KINDS}
"""Retries (a back-off, a rate-limit wait) come back as delayed messages on their own short
queue, so they run on time instead of waiting behind the whole backlog of a channel."""


def queue_for(channel: str) -> str:
    return QUEUES[channel]


def retry_queue_for(channel: str) -> str:
    return RETRY_QUEUES[channel]


def on_redis(chosen: dramatiq.Broker) -> RedisBroker | None:
    """`chosen` as a RedisBroker, or None; without importing redis-py where nothing did (the
    embedded mode on the in-process broker)."""
    module = sys.modules.get("dramatiq.brokers.redis")
    if module is not None and isinstance(chosen, module.RedisBroker):
        return cast("RedisBroker", chosen)
    return None


def _make_broker() -> dramatiq.Broker:
    url = os.environ.get("REDIS_URL")
    broker: dramatiq.Broker
    if url:  # redis-py (~7 MB a process) only when there is a Redis to talk to
        from dramatiq.brokers.redis import RedisBroker  # noqa: PLC0415

        broker = RedisBroker(url=url, namespace=os.environ.get("LOA_REDIS_NAMESPACE", "loa"))
    else:
        broker = StubBroker()
    for queue in (*QUEUES.values(), *RETRY_QUEUES.values()):
        broker.declare_queue(queue)
    return broker


broker = _make_broker()
dramatiq.set_broker(broker)
