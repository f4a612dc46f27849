"""The delivery-report (DLR) endpoint: gateways call it; each recipient's state is merged once.

Run with `loa callbacks` (127.0.0.1:8089 by default) and point a Kannel target's `dlr_url`
option at http://HOST:8089/dlr/kannel (an eSMS target's `callback_url` at /dlr/esms).

A report is taken only with the signature the worker put in that delivery's report URL
(`sig`, an HMAC of the delivery id), for an SMS delivery whose target uses the gateway the
path names, for a number an attempt posted, with a status code the gateway sends, every field
short. Anything else is answered 4xx and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping

from flask import Flask, request
from sqlalchemy import select

from channels.dlr import (
    DlrError,
    DlrEvent,
    check_sizes,
    merge_state,
    parse_esms_callback,
    parse_kannel_dlr,
    signed,
)
from worker.engine.runtime import Runtime
from worker.store.models import Delivery, SmsReport
from worker.store.queries import insert_ignoring_existing
from worker.store.secrets import dlr_key
from worker.store.smsreports import sent_to
from worker.web.security import secure

log = logging.getLogger(__name__)
FINAL = {"delivered", "failed", "rejected"}
MAX_QUERY = 2048
"""Bytes of query string a report may have; a longer one is answered 414."""


def _ours(rt: Runtime, d: Delivery | None, event: DlrEvent, gateway: str) -> bool:
    """Whether the report is for an SMS delivery sent through `gateway`, to that number."""
    if d is None or d.channel != "sms":
        return False
    target = rt.config.targets.get(d.target)
    if target is None or target.transport != gateway:
        return False
    return event.recipient in sent_to(d.progress)


def record(rt: Runtime, event: DlrEvent, gateway: str | None = None) -> str | None:
    """Merge one callback into its recipient's row; a late non-final report never wins.
    None (nothing written) when the delivery, its gateway or the number is not one we sent."""
    now = dt.datetime.now(dt.UTC)
    with rt.sessions.begin() as s:
        d = s.get(Delivery, event.delivery_id)
        if d is None or (gateway is not None and not _ours(rt, d, event, gateway)):
            return None
        insert_ignoring_existing(
            s,
            SmsReport.__table__,
            [
                {
                    "delivery_id": event.delivery_id,
                    "recipient": event.recipient,
                    "state": event.state,
                    "final": event.final,
                    "status_code": event.status_code,
                    "smsc_id": event.smsc_id,
                    "remote_id": event.remote_id,
                    "updated_at": now,
                }
            ],
            ["delivery_id", "recipient"],
        )
        row = s.scalar(
            select(SmsReport)
            .where(
                SmsReport.delivery_id == event.delivery_id, SmsReport.recipient == event.recipient
            )
            .with_for_update()
        )
        assert row is not None
        merged = merge_state(row.state, event.state)
        if merged != row.state:
            row.state, row.final = merged, merged in FINAL
            row.status_code, row.updated_at = event.status_code, now
            row.smsc_id = event.smsc_id or row.smsc_id
            row.remote_id = event.remote_id or row.remote_id
        return row.state


def create_callbacks(rt: Runtime) -> Flask:
    app = Flask("loa.callbacks")
    app.config["MAX_CONTENT_LENGTH"] = MAX_QUERY
    with rt.sessions.begin() as s:
        key = dlr_key(s)

    def handle(gateway: str, parse: Callable[[Mapping[str, str]], DlrEvent]) -> tuple[str, int]:
        if len(request.query_string) > MAX_QUERY:
            return "report too long\n", 414
        query = request.args.to_dict()
        try:
            check_sizes(query)
            event = parse(query)
        except DlrError as e:
            log.warning("bad delivery report: %s", e)
            return f"bad report: {e}\n", 400
        if not signed(key, event.delivery_id, query.get("sig")):
            log.warning("delivery report for %s without a valid signature", event.delivery_id)
            return "bad signature\n", 403
        state = record(rt, event, gateway)
        if state is None:
            return "not a number this delivery was sent to\n", 404
        return f"ok {state}\n", 200

    app.add_url_rule("/dlr/kannel", "kannel", lambda: handle("kannel", parse_kannel_dlr))
    app.add_url_rule("/dlr/esms", "esms", lambda: handle("esms", parse_esms_callback))
    return secure(app)
