"""The delivery-report (DLR) endpoint: gateways call it; each recipient's state is merged once.

Run with `loa callbacks` (127.0.0.1:8089 by default) and point a Kannel target's `dlr_url`
option at http://HOST:8089/dlr/kannel (an eSMS target's `callback_url` at /dlr/esms).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping

from flask import Flask, request
from sqlalchemy import select

from channels.dlr import DlrError, DlrEvent, merge_state, parse_esms_callback, parse_kannel_dlr
from worker.engine.runtime import Runtime
from worker.store.models import Delivery, SmsReport
from worker.store.queries import insert_ignoring_existing
from worker.web.security import secure

log = logging.getLogger(__name__)
FINAL = {"delivered", "failed", "rejected"}


def record(rt: Runtime, event: DlrEvent) -> str | None:
    """Merge one callback into its recipient's row; a late non-final report never wins."""
    now = dt.datetime.now(dt.UTC)
    with rt.sessions.begin() as s:
        if s.get(Delivery, event.delivery_id) is None:
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

    def handle(parse: Callable[[Mapping[str, str]], DlrEvent]) -> tuple[str, int]:
        try:
            event = parse(request.args.to_dict())
        except DlrError as e:
            log.warning("bad delivery report: %s", e)
            return f"bad report: {e}\n", 400
        state = record(rt, event)
        if state is None:
            return "unknown delivery\n", 404
        return f"ok {state}\n", 200

    app.add_url_rule("/dlr/kannel", "kannel", lambda: handle(parse_kannel_dlr))
    app.add_url_rule("/dlr/esms", "esms", lambda: handle(parse_esms_callback))
    return secure(app)
