"""Operators' actions, approval end to end, previews, and delivery reports from gateways."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from campaigns.model import TZ
from channels.dlr import sign
from tests.factories import campaign, create_delivery, create_item, write_config
from worker import actions as operator
from worker.actions import who
from worker.engine.embedded import run_once
from worker.engine.preview import describe, previews
from worker.engine.runtime import Runtime, build_runtime, fixed_clock
from worker.store import queries
from worker.store.filters import Filters
from worker.store.models import (
    AWAITING_APPROVAL,
    CANCELLED,
    FAILED,
    PUBLISHED,
    QUEUED,
    RETRYING,
    UNCERTAIN,
    Action,
    Attempt,
    Delivery,
    SmsReport,
)
from worker.store.secrets import dlr_key
from worker.web.callbacks import create_callbacks

NOW = dt.datetime(2024, 12, 31, 16, 0, tzinfo=TZ)


@pytest.fixture
def rt(tmp_path: Path, database_url: str) -> Runtime:
    return build_runtime(
        write_config(tmp_path / "config"),
        database_url,
        clock=fixed_clock(NOW),
        outbox=tmp_path / "outbox",
    )


def test_retry_cancel_and_resolve_change_only_rows_in_the_right_state_and_say_who(
    rt: Runtime,
) -> None:
    with rt.sessions.begin() as s:
        item = create_item(s)
        failed = create_delivery(s, item, state=FAILED, attempts=5, unit="so-noi-vu")
        unsure = create_delivery(
            s, item, state=UNCERTAIN, unit="bien-hoa", target="bien-hoa/website"
        )
        done = create_delivery(s, item, state=PUBLISHED, campaign="other")
    with rt.sessions.begin() as s:
        retried = operator.retry(s, [failed.id, done.id], Filters(), NOW)
    assert retried.changed == [failed.id]
    assert retried.skipped == [(done.id, PUBLISHED)]
    with rt.sessions.begin() as s:
        resolved = operator.resolve(s, unsure.id, True, NOW, note="seen on the site")
        cancelled = operator.cancel(s, [], Filters(campaign="dvc"), NOW)
    assert resolved.changed == [unsure.id]
    assert cancelled.changed == [failed.id]  # retrying rows can still be cancelled
    with rt.sessions() as s:
        rows = {d.id: d for d in s.scalars(select(Delivery))}
        actions = list(s.scalars(select(Action).order_by(Action.id)))
    assert rows[failed.id].state == CANCELLED
    assert rows[unsure.id].state == PUBLISHED and rows[unsure.id].published_at == NOW
    assert rows[done.id].state == PUBLISHED
    assert [(a.action, a.delivery_id, a.user) for a in actions] == [
        ("retry", failed.id, who()),
        ("resolve-published", unsure.id, who()),
        ("cancel", failed.id, who()),
    ]
    assert actions[1].detail == "seen on the site"


def test_retry_gives_a_fresh_budget_and_makes_the_row_due_now(rt: Runtime) -> None:
    with rt.sessions.begin() as s:
        d = create_delivery(s, create_item(s), state=FAILED, attempts=6)
    with rt.sessions.begin() as s:
        operator.retry(s, [d.id], Filters(), NOW)
    with rt.sessions() as s:
        row = s.get(Delivery, d.id)
    assert row is not None
    assert (row.state, row.attempts, row.next_attempt_at) == (RETRYING, 0, NOW)
    assert row.due_at == dt.datetime(2024, 2, 1, tzinfo=dt.UTC)  # its report period stays


def test_approval_flow_from_planned_to_awaiting_to_approved_to_published(
    tmp_path: Path, sqlite_url: str
) -> None:
    root = write_config(tmp_path / "config", campaigns=[campaign(approval="required")])
    rt = build_runtime(root, sqlite_url, clock=fixed_clock(NOW), outbox=tmp_path / "outbox")
    run_once(rt, threads=2)
    with rt.sessions() as s:
        assert set(s.scalars(select(Delivery.state))) == {AWAITING_APPROVAL}
    shown = list(previews(rt, Filters(), (AWAITING_APPROVAL,), [], tmp_path / "preview"))
    assert len(shown) == 8
    assert not (tmp_path / "outbox").exists()  # a preview publishes nothing
    with rt.sessions.begin() as s:
        approved = operator.approve(s, [], Filters(campaign="dvc"), NOW)
    assert len(approved.changed) == 8
    run_once(rt, threads=2)
    with rt.sessions() as s:
        assert set(s.scalars(select(Delivery.state))) == {PUBLISHED}
    assert len(list((tmp_path / "outbox").rglob("*.*"))) == 8


def test_preview_shows_sms_segments_and_cost_with_and_without_diacritics(
    tmp_path: Path, sqlite_url: str
) -> None:
    targets = [
        {
            "unit": "bien-hoa",
            "kind": "sms",
            "transport": "outbox",
            "options": {"recipients": "recipients/subs.csv", "diacritics": True},
        }
    ]
    root = write_config(
        tmp_path / "config",
        targets=targets,
        campaigns=[campaign(approval="required", channels=["sms"])],
        settings={"sms_price": 1000},
    )
    rt = build_runtime(root, sqlite_url, clock=fixed_clock(NOW), outbox=tmp_path / "outbox")
    run_once(rt, threads=1)
    shown = list(previews(rt, Filters(), (AWAITING_APPROVAL,), [], tmp_path / "preview"))
    first = shown[0]
    assert first.sms is not None
    assert first.message.encoding == "ucs2"
    assert first.sms.segments_with_marks > first.sms.segments_without_marks >= 1
    lines = "\n".join(describe(first))
    with_marks = first.sms.segments_with_marks * 2 * 1000
    assert f"cost: {with_marks:,.0f} VND with diacritics" in lines
    assert first.file is not None and "Ầm ầm" in first.file.read_text("utf-8")


def test_delivery_reports_are_merged_so_a_late_accepted_never_overwrites_delivered(
    tmp_path: Path, database_url: str
) -> None:
    kannel = {
        "unit": "bien-hoa",
        "kind": "sms",
        "transport": "kannel",
        "endpoint": "http://127.0.0.1:13013/cgi-bin/sendsms",
        "credentials": {"username": "LOA_KANNEL_USER", "password": "LOA_KANNEL_PASSWORD"},
        "options": {"allow_http": True},
    }
    root = write_config(tmp_path / "config", targets=[kannel])
    rt = build_runtime(root, database_url, clock=fixed_clock(NOW), outbox=tmp_path / "outbox")
    with rt.sessions.begin() as s:
        d = create_delivery(
            s,
            create_item(s),
            channel="sms",
            target="bien-hoa/sms",
            unit="bien-hoa",
            progress={"sent": ["84912000001"]},
        )
        key = dlr_key(s)
    client = create_callbacks(rt).test_client()
    base = f"/dlr/kannel?delivery={d.id}&to=84912000001&sig={sign(key, d.id)}"
    assert client.get(base + "&status=1&at=1718000000&smsc=FAKE").status_code == 200
    late = client.get(base + "&status=8&at=1717999999&smsc=FAKE")
    assert late.status_code == 200 and b"delivered" in late.data
    assert client.get(base + "&status=1&at=1718000000&smsc=FAKE").status_code == 200
    unknown = f"/dlr/kannel?delivery=999999&to=84912000001&status=1&sig={sign(key, 999999)}"
    assert client.get(unknown).status_code == 404
    assert client.get("/dlr/kannel?delivery=abc&status=1").status_code == 400
    with rt.sessions() as s:
        reports = list(s.scalars(select(SmsReport)))
    assert [(r.recipient, r.state, r.final) for r in reports] == [
        ("84912000001", "delivered", True)
    ]


def test_attempt_numbers_go_on_after_an_operators_retry_restarts_the_budget(rt: Runtime) -> None:
    with rt.sessions.begin() as s:
        d = create_delivery(s, create_item(s), state=QUEUED, attempts=0, claims=0)

    def one_attempt(minutes: int, outcome: str) -> None:
        """What the worker does: claim, then record an attempt numbered from the row's count."""
        at = NOW + dt.timedelta(minutes=minutes)
        with rt.sessions.begin() as s:
            claim = queries.claim_delivery(s, d.id, at, dt.timedelta(minutes=5), "w1")
            assert claim is not None
            attempt = Attempt(
                delivery_id=d.id,
                number=claim.delivery.attempts + 1,
                started_at=at,
                finished_at=at,
                outcome=outcome,
            )
            values = {"state": outcome, "updated_at": at}
            assert queries.record_outcome(s, d.id, claim.claim, attempt, values)

    one_attempt(0, FAILED)
    with rt.sessions.begin() as s:
        assert operator.retry(s, [d.id], Filters(), NOW).changed == [d.id]
        assert queries.set_state(s, d.id, (RETRYING,), state=QUEUED)
    one_attempt(10, RETRYING)
    with rt.sessions.begin() as s:
        assert queries.set_state(s, d.id, (RETRYING,), state=QUEUED)
    one_attempt(20, PUBLISHED)
    with rt.sessions() as s:
        tries = s.execute(
            select(Attempt.number, Attempt.outcome).order_by(Attempt.started_at)
        ).all()
        row = s.get(Delivery, d.id)
    assert [tuple(t) for t in tries] == [(1, FAILED), (2, RETRYING), (3, PUBLISHED)]
    assert row is not None and row.attempts == 2  # the budget still counts from the retry
