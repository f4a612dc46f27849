"""The scheduler's tick: ingest, plan, promote what is due, sweep what was lost, enqueue by id."""

from __future__ import annotations

import datetime as dt
import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from campaigns.model import TZ
from channels.errors import TransientError
from worker.engine.actors import enqueue, held_deliveries
from worker.engine.delivery import CONFIG_ERRORS, build_message
from worker.engine.ingest import IngestResult, ingest_all
from worker.engine.liveness import LockKeeper, acquire_lock, beat, record_tick
from worker.engine.planner import plan
from worker.engine.retry import in_quiet_hours
from worker.engine.runtime import Runtime
from worker.engine.straight import Straight
from worker.store import queries
from worker.store.models import (
    FAILED,
    PUBLISHED,
    QUEUED,
    UNCERTAIN,
    ContentItem,
    Delivery,
)

log = logging.getLogger(__name__)

PROMOTE_BATCH = 5000
DISPATCH_SECONDS = 30.0
"""A tick keeps promoting and enqueueing due rows for at most this long, then moves on."""


@dataclass
class TickResult:
    ingested: list[IngestResult] = field(default_factory=list)
    planned: int = 0
    enqueued: int = 0
    requeued: int = 0
    deferred: int = 0
    expired: int = 0
    reconciled: int = 0
    standby: bool = False  # another scheduler holds the lock; this one did nothing


def tick(rt: Runtime, *, ingest: bool = True) -> TickResult:
    """One pass of the scheduler; safe to run again at any time (every step is idempotent).

    A failing pass marks the scheduler's heartbeat unhealthy with the error (then raises);
    the next pass that succeeds clears it.
    """
    beat(rt, "scheduler")
    try:
        result = _tick(rt, ingest)
    except Exception as e:
        try:
            record_tick(rt, e)
        except Exception:  # the database itself may be what failed; the caller logs `e`
            log.debug("could not record the failed tick", exc_info=True)
        raise
    record_tick(rt, None)
    return result


def _tick(rt: Runtime, ingest: bool) -> TickResult:
    ttl = float(rt.setting("lock_seconds", default=60))
    if not acquire_lock(rt, ttl=ttl):
        return TickResult(standby=True)
    with LockKeeper(rt, ttl) as lock:  # renewed while feeds and lookups take their time
        return _steps(rt, ingest, lock)


def _steps(rt: Runtime, ingest: bool, lock: LockKeeper) -> TickResult:
    now = rt.now()
    result = TickResult()
    if ingest:
        result.ingested = ingest_all(rt, now)
    lock.check()
    held = list(quiet_channels(rt, now))
    result.planned, result.enqueued = plan_and_send(rt, now, held)
    with rt.sessions.begin() as s:
        result.expired = skip_long_late(rt, s, now)
        result.deferred, held = defer_quiet_channels(rt, s, now)
    result.enqueued += dispatch_due(rt, now, held)
    lock.check()
    resend = reconcile_expired_leases(rt, now)
    result.reconciled = len(resend)
    result.enqueued += enqueue(resend)
    result.requeued = resend_lost(rt, now)
    return result


def plan_and_send(rt: Runtime, now: dt.datetime, held: list[str]) -> tuple[int, int]:
    """Plan, rows due now straight to queued, each chunk enqueued once it commits.

    Returns (rows planned, messages sent). The enqueue of one chunk (Redis, in a thread)
    overlaps the planning of the next (the database). A failed enqueue raises here after
    planning stopped; its rows stay `queued` and resend_lost sends them after the grace period.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="loa-enqueue") as pool:
        sender = _Sender(pool)
        with rt.sessions() as s:
            planned = plan(s, rt.config, now, straight=Straight(sender, frozenset(held)))
            s.commit()
        return planned, sender.wait()


class _Sender:
    """Enqueues committed chunks (plan_and_send) or promoted batches (dispatch_due) one at a
    time in `pool`, waiting for the previous one first."""

    def __init__(self, pool: ThreadPoolExecutor) -> None:
        self.pool = pool
        self.pending: Future[int] | None = None
        self.sent = 0

    def __call__(self, rows: list[tuple[int, str]]) -> None:
        self.wait()
        self.pending = self.pool.submit(enqueue, rows)

    def wait(self) -> int:
        if self.pending is not None:
            pending, self.pending = self.pending, None
            self.sent += pending.result()
        return self.sent


def resend_lost(rt: Runtime, now: dt.datetime) -> int:
    """Rows `queued` past the grace period whose message the broker no longer holds: send again.

    A row waiting behind a long queue still has its message in Redis (queued, delayed, or
    fetched by a worker and not acknowledged): it is left alone however long the queue takes to
    drain. Only a message Redis lost (a flush, a restart without its file, a failed enqueue) is
    sent again. The in-process broker cannot be asked: there the grace period alone decides.
    """
    grace = dt.timedelta(seconds=int(rt.setting("grace_seconds", default=120)))
    with rt.sessions.begin() as s:
        stale = queries.stale_queued(s, now, grace)
    if not stale:
        return 0
    held = held_deliveries()
    lost = stale if held is None else [r for r in stale if r[0] not in held]
    if len(lost) < len(stale):
        log.debug("%d queued rows still have their message", len(stale) - len(lost))
    return enqueue(lost)


def dispatch_due(
    rt: Runtime, now: dt.datetime, held: list[str], budget: float = DISPATCH_SECONDS
) -> int:
    """Promote due rows a batch at a time and enqueue each batch once its promotion commits.

    The enqueue of one batch (Redis) overlaps the promotion of the next (the database), and a
    tick drains everything due (within `budget` seconds), where one batch a tick caps the
    scheduler at PROMOTE_BATCH rows per interval (500 a second at the default 10 s).

    Each batch asks the clock again, so a row that falls due while a long drain runs is taken
    by the next batch, not the next tick; and it goes ahead of the old backlog (rows due before
    RECENT ahead of the tick's start, queries.promote_due), which still fills at least half of
    every batch. Channels whose quiet hours began since the tick started are held from then on.
    """
    deadline = time.monotonic() + budget
    since = now - RECENT
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="loa-enqueue") as pool:
        sender = _Sender(pool)
        while True:
            at = max(now, rt.now())
            holding = held if at == now else sorted({*held, *quiet_channels(rt, at)})
            with rt.sessions.begin() as s:
                due = queries.promote_due(
                    s, at, limit=PROMOTE_BATCH, held=holding, recent_since=since
                )
            if not due:
                break
            sender(due)  # waits for the previous batch's enqueue, then starts this one's
            if len(due) < PROMOTE_BATCH or time.monotonic() > deadline:
                break
        return sender.wait()


RECENT = dt.timedelta(seconds=60)
"""Rows that fell due this long before a tick started, or during it, count as newly due: the
gap between two ticks of a drain (the sweeps after one dispatch, the lock and planning before
the next) is far shorter, so no row falls due between two dispatches without counting."""


def quiet_channels(rt: Runtime, now: dt.datetime) -> dict[str, dt.datetime]:
    """Channels inside their quiet hours, each with when its window opens."""
    quiet = {}
    for kind in {t.kind for t in rt.config.targets.values()}:
        opens = in_quiet_hours(rt.channel_settings(kind).get("quiet_hours"), now.astimezone(TZ))
        if opens is not None:
            quiet[kind] = opens
    return quiet


def defer_quiet_channels(rt: Runtime, s: Session, now: dt.datetime) -> tuple[int, list[str]]:
    """Channels inside their quiet hours: push their due rows to the window's end."""
    quiet = quiet_channels(rt, now)
    deferred = sum(queries.defer(s, kind, opens, now) for kind, opens in quiet.items())
    return deferred, list(quiet)


def skip_long_late(rt: Runtime, s: Session, now: dt.datetime) -> int:
    """Unsent rows due more than `late_after_days` ago, untouched as long, are skipped (reason).

    A campaign's end limits what is planned, not whether planned work is sent: rows held by
    quiet hours, awaiting approval or retrying past the end go on, shown late until then.
    """
    days = int(rt.setting("late_after_days", default=30))
    reason = f"not sent within late_after_days ({days}) of its due time"
    return queries.skip_late(s, now - dt.timedelta(days=days), reason, now)


def reconcile_expired_leases(
    rt: Runtime, now: dt.datetime, *, leases_before: dt.datetime | None = None, limit: int = 500
) -> list[tuple[int, str]]:
    """Rows left `sending` by a dead worker: look each up where the channel can, else ask a human.

    Leases that ended before `leases_before` (default `now`) count as expired.
    Returns the rows to send again (looked up and not found).
    """
    max_claims = int(rt.setting("max_claims", default=3))
    before = leases_before or now
    with rt.sessions.begin() as s:
        expired = queries.expired_leases(s, before, limit=limit)
        rows = [(d, s.get(ContentItem, d.item_id)) for d in expired]
    resend = []
    for d, item in rows:
        values = _judged(rt, d, item, max_claims, now)
        with rt.sessions.begin() as s:
            changed = queries.settle_expired(s, d.id, d.claims, before, updated_at=now, **values)
        if changed and values.get("state") == QUEUED:
            resend.append((d.id, d.channel))
    return resend


def recover_orphans(rt: Runtime) -> int:
    """Embedded mode, at start: finish at once what a killed predecessor left in flight.

    The process holding the scheduler lock with the in-process broker knows that no other
    worker exists, so no lease or grace period needs to run out (under `--now` they never
    would): rows `sending` get the lease sweep's verdict (looked up: published or sent again;
    no lookup: uncertain) and rows `queued`, whose messages died with the process, are sent.
    Returns the number of rows sent to the workers.
    """
    if not acquire_lock(rt, ttl=float(rt.setting("lock_seconds", default=60))):
        return 0  # another scheduler is alive: its own sweeps handle its rows
    now = rt.now()
    resend = reconcile_expired_leases(rt, now, leases_before=ORPHANED, limit=ALL_ROWS)
    with rt.sessions() as s:
        orphans = queries.queued_rows(s)
    ids = {i for i, _ in resend}
    found = resend + [r for r in orphans if r[0] not in ids]
    if found:
        log.info("recovered %d deliveries left in flight by a stopped run", len(found))
    return enqueue(found)


ORPHANED = dt.datetime.max.replace(tzinfo=dt.UTC)
"""Every lease counts as expired when no other worker can hold one."""
ALL_ROWS = 1_000_000


def _judged(
    rt: Runtime, d: Delivery, item: ContentItem | None, max_claims: int, now: dt.datetime
) -> dict[str, object]:
    """The verdict, or what a failed lookup means: a config problem fails the row with the
    reason, a passing failure is noted and looked up again next sweep, anything else goes to
    an operator with the error."""
    try:
        return _verdict(rt, d, item, max_claims, now)
    except CONFIG_ERRORS as e:
        text = f"{type(e).__name__}: {e}"
        return {"state": FAILED, "reason": f"configuration problem: {e}", "last_error": text}
    except TransientError as e:
        log.warning("delivery %s: lookup failed, trying again next sweep: %s", d.id, e)
        return {"lease_until": now, "last_error": f"{type(e).__name__}: {e}"}
    except Exception as e:
        text = f"{type(e).__name__}: {e}"
        log.warning("delivery %s: lookup failed unexpectedly: %s", d.id, text)
        reason = f"worker died while sending, and looking the post up failed: {text}"
        return {"state": UNCERTAIN, "reason": reason, "last_error": text}


def _verdict(
    rt: Runtime, d: Delivery, item: ContentItem | None, max_claims: int, now: dt.datetime
) -> dict[str, object]:
    """The new state of a row whose worker died: published, sent again, or for an operator."""
    if d.claims >= max_claims:
        return {"state": UNCERTAIN, "reason": f"killed its worker {d.claims} times (poison)"}
    target = rt.config.targets.get(d.target)
    if target is None:
        return {"state": FAILED, "reason": f"target '{d.target}' is no longer in the config"}
    transport = rt.transport(target)
    if item is None or not transport.supports_lookup():
        return {
            "state": UNCERTAIN,
            "reason": "worker died while sending; the channel cannot look the post up",
        }
    found = transport.lookup(build_message(rt, d, item))
    if found is not None:
        return {
            "state": PUBLISHED,
            "remote_id": found.remote_id,
            "published_at": now,
            "reason": "found published after a worker died",
        }
    return {
        "state": QUEUED,
        "queued_at": now,
        "reason": "not found after a worker died; sent again",
    }
