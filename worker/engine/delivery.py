"""Deliver one row: claim it, format, publish with no DB connection held, record the outcome."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import weakref
from typing import Any

from campaigns.model import TZ, Item, Target
from channels.base import Message, Receipt, Resume
from channels.dlr import sign
from channels.errors import (
    ChannelError,
    ConfigurationError,
    HeldError,
    PermanentError,
    TransientError,
)
from channels.recipients import RecipientsError, recipients_for
from channels.registry import formatter
from worker.engine import journal, unsure
from worker.engine.context import context_for, with_local_image
from worker.engine.lease import LeaseKeeper
from worker.engine.progress import BatchLog, ClaimLost, mark, merge
from worker.engine.ratelimit import slots
from worker.engine.retry import backoff, exhausted, in_quiet_hours
from worker.engine.runtime import Runtime
from worker.store import queries, secrets
from worker.store.models import FAILED, PUBLISHED, RETRYING, Attempt, ContentItem, Delivery

log = logging.getLogger(__name__)

CONFIG_ERRORS = (RecipientsError, ConfigurationError)
"""Problems of the config (a recipients file missing or unreadable, a target's settings that
cannot work): retrying cannot fix them, so the delivery fails with the reason."""


def as_item(row: ContentItem) -> Item:
    return Item(
        key=row.key,
        kind=row.kind,
        title=row.title,
        summary=row.summary,
        body_html=row.body_html,
        link=row.link,
        video_url=row.video_url,
        image_url=row.image_url,
        published=row.published,
        topics=tuple(row.topics or ()),
        source=row.source,
    )


def build_message(rt: Runtime, d: Delivery, item_row: ContentItem) -> Message:
    """The exact message this delivery publishes: the config, the item and the recipient lists."""
    target = rt.config.targets[d.target]
    unit = rt.config.units[d.unit]
    recipients = recipients_for(target)  # read here, so formatting stays pure
    context = context_for(rt, d, item_row, target)
    message = formatter(target.kind).format(
        as_item(item_row),
        unit,
        target,
        recipients=recipients,
        context=context,
        due=d.due_at,
    )
    message = with_local_image(rt, message, item_row)
    sig = dlr_sig(rt, d.id) if message.kind == "sms" else None
    return dataclasses.replace(message, delivery_id=d.id, due=d.due_at, dlr_sig=sig)


_KEYS: weakref.WeakKeyDictionary[Any, bytes] = weakref.WeakKeyDictionary()
"""The report-signing key per database engine, read once."""


def dlr_sig(rt: Runtime, delivery_id: int) -> str:
    """The signature this delivery's report URLs carry (the key read once per runtime)."""
    key = _KEYS.get(rt.engine)
    if key is None:
        with rt.sessions.begin() as s:
            key = _KEYS.setdefault(rt.engine, secrets.dlr_key(s))
    return sign(key, delivery_id)


def resume_of(progress: dict[str, Any]) -> Resume | None:
    """The typed reading of a delivery's stored progress ({"sent", "unsure", "resume"})."""
    state = Resume(
        sent=tuple(progress.get("sent", ())),
        unsure=tuple(progress.get("unsure", ())),
        verify_token=progress.get("resume") or None,
    )
    return state if state != Resume() else None


def resume(message: Message, progress: dict[str, Any]) -> Message:
    """Skip what an earlier attempt already did: numbers already sent, a Zalo article created."""
    state = resume_of(progress)
    if state is None:
        return message
    done = set(state.sent) | set(state.unsure)
    pending = tuple(r for r in message.recipients if r not in done)
    return dataclasses.replace(message, recipients=pending, resume=state)


def advance(progress: dict[str, Any], error: ChannelError | None) -> dict[str, Any]:
    """Fold what a failed attempt managed to do into the delivery's progress."""
    if error is None:
        return dict(progress)
    merged = merge(progress, error.sent, error.unsure)
    if error.resume:
        merged["resume"] = error.resume
    return merged


def deliver(rt: Runtime, delivery_id: int) -> str:
    """Run one delivery to its end state for this attempt; returns the state it was left in."""
    lease = dt.timedelta(seconds=int(rt.setting("lease_seconds", default=300)))
    claim = _claim(rt, delivery_id, lease)
    if claim is None:
        log.info("delivery %s not claimable (done or taken)", delivery_id)
        return "not-claimed"
    try:
        d = claim.delivery
        quiet = rt.channel_settings(d.channel).get("quiet_hours")
        opens = in_quiet_hours(quiet, rt.now().astimezone(TZ))
        if opens is not None:  # queued before the window, or sent again by a sweep: wait
            waits = f"quiet hours: waits until {opens:%H:%M}"
            return _give_back(rt, d, claim.claim, opens, waits)
        with LeaseKeeper(rt, delivery_id, claim.claim, lease):
            try:
                return _attempt(rt, claim)
            except ClaimLost:  # another worker holds the row now: it records, this does not
                return "lost-claim"
    finally:
        rt.doubts.done(delivery_id)


def _claim(rt: Runtime, delivery_id: int, lease: dt.timedelta) -> queries.Claim | None:
    """Claim the row, or take back one this process claimed without hearing the answer
    (worker.engine.doubt); a database error propagates (the message comes back later)."""
    doubts = rt.doubts
    with doubts.claiming(delivery_id):
        try:
            with rt.atomic() as c:
                claim = queries.claim_delivery(c, delivery_id, rt.now(), lease, rt.name)
                if claim is None and doubts.may_retake(delivery_id):
                    now = rt.now()
                    claim = queries.claim_delivery(c, delivery_id, now, lease, rt.name, own=True)
                    if claim is not None:
                        log.warning("delivery %s: took back its claim left in doubt", delivery_id)
        except journal.DB_DOWN:
            doubts.failed(delivery_id)
            raise
        if claim is not None:
            doubts.claimed(delivery_id)
        return claim


def _attempt(rt: Runtime, claim: queries.Claim) -> str:
    """Format and publish a claimed row, then record the outcome (the lease kept alive)."""
    d = claim.delivery
    started = rt.now()
    batches = BatchLog(rt, d.id, claim.claim, d.progress or {})
    try:
        if d.target not in rt.config.targets:
            raise PermanentError(f"target '{d.target}' is no longer in the config")
        target = rt.config.targets[d.target]
        if target.kind == "sms":  # reported numbers count as sent; a waited-out window resends
            settled = unsure.settle(rt, d.id, batches.progress)
            if settled != batches.progress:
                batches.store(settled)
        message = resume(build_message(rt, d, claim.item), batches.progress)
        message = dataclasses.replace(message, on_batch=batches)
        batches.segments = message.segments
        receipt = _publish(rt, target, d, message)
        if receipt is None:  # give the row back for a moment without spending an attempt
            again = rt.now() + dt.timedelta(seconds=1)
            return _give_back(rt, d, claim.claim, again, "waiting for a rate-limit slot")
    except TransientError as e:
        return _retry_or_fail(rt, d, claim.claim, started, e, batches.progress)
    except PermanentError as e:
        return _finish(rt, d, claim.claim, started, FAILED, error=e, base=batches.progress)
    except CONFIG_ERRORS as e:  # retrying cannot fix the config: fail, saying what is wrong
        problem = f"configuration problem: {e}"
        error = PermanentError(problem)
        return _finish(rt, d, claim.claim, started, FAILED, error=error, reason=problem)
    except Exception as e:  # a bug or an unforeseen library error: retry, bounded by the policy
        log.exception("delivery %s: unexpected error", d.id)
        unforeseen = TransientError(f"{type(e).__name__}: {e}")
        return _retry_or_fail(rt, d, claim.claim, started, unforeseen, batches.progress)
    done = batches.progress
    return _finish(
        rt, d, claim.claim, started, PUBLISHED, receipt=receipt, message=message, base=done
    )


def _publish(rt: Runtime, target: Target, d: Delivery, message: Message) -> Receipt | None:
    """Publish within the target's rate limits; None when no slot was free. An SMS with no
    number left to send (the rest sent or awaiting reports) makes no request."""
    if message.kind == "sms" and not message.recipients and message.resume is not None:
        return Receipt(remote_id=d.remote_id or f"{target.transport}:{d.id}", detail={})
    limiters = rt.limits().limiters(target, rt.channel_settings(d.channel))
    with slots(limiters) as granted:
        if not granted:
            return None
        return rt.transport(target).publish(message)


def _give_back(rt: Runtime, d: Delivery, claim: int, due: dt.datetime, reason: str) -> str:
    """Give the row back to be tried at `due` without spending an attempt (a rate-limit slot,
    quiet hours)."""

    def release() -> bool:
        with rt.sessions.begin() as s:
            return queries.release(s, d.id, claim, due, rt.now(), reason=reason)

    journal.patiently(release)
    return RETRYING


def _retry_or_fail(
    rt: Runtime,
    d: Delivery,
    claim: int,
    started: dt.datetime,
    error: TransientError,
    base: dict[str, Any] | None = None,
) -> str:
    policy = rt.channel_settings(d.channel)["retry"]
    attempt = d.attempts + 1
    if exhausted(policy, attempt):
        reason = f"gave up after {attempt} attempts"
        return _finish(rt, d, claim, started, FAILED, error=error, reason=reason, base=base)
    delay = backoff(policy, attempt, error.retry_after)
    due = rt.now() + dt.timedelta(seconds=delay)
    return _finish(rt, d, claim, started, RETRYING, error=error, due=due, base=base)


def _finish(
    rt: Runtime,
    d: Delivery,
    claim: int,
    started: dt.datetime,
    state: str,
    *,
    receipt: Receipt | None = None,
    message: Message | None = None,
    error: ChannelError | None = None,
    due: dt.datetime | None = None,
    reason: str | None = None,
    base: dict[str, Any] | None = None,
) -> str:
    """Record the attempt; `base` is the progress the attempt's batches stored meanwhile."""
    now = rt.now()
    text = rt.redact(f"{type(error).__name__}: {error}") if error else None
    values: dict[str, Any] = {"state": state, "updated_at": now, "last_error": text}
    if isinstance(error, HeldError):
        reason = "held by the service: an operator must decide"
    if reason:
        values["reason"] = reason
    if due is not None:
        values["next_attempt_at"] = due
    if receipt is not None:
        values.update(
            remote_id=receipt.remote_id, remote_url=receipt.url, published_at=now, last_error=None
        )
    progress = advance((d.progress or {}) if base is None else base, error)
    progress = mark(_aired(values, progress, receipt, message), now)
    if progress != (d.progress or {}):
        values["progress"] = progress
    if progress.get("sent"):
        values["recipients"] = len(progress["sent"])
    if message is not None and message.kind == "sms":
        reached = set(progress.get("sent", ())) | set(message.recipients)
        values.update(segments=message.segments, recipients=len(reached))
    unsure.verdict(rt, progress, values)
    attempt = Attempt(
        delivery_id=d.id,
        number=d.attempts + 1,
        started_at=started,
        finished_at=now,
        outcome=state,
        error=text,
        worker=rt.name,
        http_status=(error.status if error else None) or (receipt.status if receipt else None),
        remote_id=receipt.remote_id if receipt else None,
    )
    return _record(rt, d.id, claim, attempt, values)


def _record(rt: Runtime, delivery_id: int, claim: int, attempt: Attempt, values: Any) -> str:
    """Write the outcome, retrying through a short outage; journal it if the outage lasts."""
    state = str(values["state"])

    def record() -> bool:
        with rt.atomic() as c:
            return queries.record_outcome(c, delivery_id, claim, attempt, values)

    try:
        kept = journal.patiently(record)
    except journal.DB_DOWN:  # keep what we know; replayed when the database answers again
        journal.write(rt, claim, attempt, values)
        log.warning("delivery %s: database unavailable, %s kept in the journal", delivery_id, state)
        return state
    if not kept:
        log.warning("delivery %s: lost its claim before recording %s", delivery_id, state)
        return "lost-claim"
    log.info(
        "delivery %s -> %s", delivery_id, state, extra={"delivery": delivery_id, "state": state}
    )
    return state


def _aired(
    values: dict[str, Any],
    progress: dict[str, Any],
    receipt: Receipt | None,
    message: Message | None,
) -> dict[str, Any]:
    """Keep a receipt's warnings as the reason (a full bulletin passed, no audio, a category
    the site lacks), and for a loudspeaker item the bulletin and reading time the report counts."""
    if receipt is None:
        return progress
    notes = [receipt.detail.get("warning"), *(receipt.detail.get("warnings") or ())]
    if any(notes):  # published, with what the operator should know (a category left out)
        values["reason"] = "; ".join(str(n) for n in notes if n)
    if message is None or message.kind != "loudspeaker":
        return progress
    seconds = receipt.detail.get("seconds", message.body.get("seconds"))
    return {**progress, "aired": {"bulletin": receipt.detail.get("bulletin"), "seconds": seconds}}
