"""The delivery-report endpoint takes only signed reports for numbers a delivery was sent to,
and under waitress a burst of them loses none."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from benchmarks.dlr import KANNEL_TARGET, fire, seed, serving
from channels.dlr import sign
from tests.factories import create_delivery, create_item, write_config
from worker.engine.delivery import dlr_sig
from worker.engine.runtime import Runtime, build_runtime
from worker.store.models import SmsReport
from worker.store.secrets import DLR_ENV, dlr_key
from worker.web.callbacks import create_callbacks

ESMS_TARGET = {
    "unit": "bien-hoa",
    "name": "esms",
    "kind": "sms",
    "transport": "esms",
    "credentials": {"api_key": "LOA_ESMS_KEY", "secret_key": "LOA_ESMS_SECRET"},
    "options": {"brandname": "DONGNAI"},
}
SENT = "84912000001"


@pytest.fixture
def rt(tmp_path: Path, sqlite_url: str) -> Iterator[Runtime]:
    root = write_config(tmp_path / "config", targets=[KANNEL_TARGET, ESMS_TARGET])
    yield build_runtime(root, sqlite_url, outbox=tmp_path / "outbox")


def deliveries(rt: Runtime) -> dict[str, int]:
    with rt.sessions.begin() as s:
        item = create_item(s)
        sms = dict(channel="sms", unit="bien-hoa", progress={"sent": [SENT]})
        return {
            "kannel": create_delivery(s, item, target="bien-hoa/sms", **sms).id,
            "esms": create_delivery(s, item, target="bien-hoa/esms", **sms).id,
            "website": create_delivery(s, item).id,
        }


def key_of(rt: Runtime) -> bytes:
    with rt.sessions.begin() as s:
        return dlr_key(s)


def kannel(client: FlaskClient, delivery: int, sig: str, to: str = SENT, status: str = "1") -> int:
    url = f"/dlr/kannel?delivery={delivery}&to={to}&status={status}&sig={sig}"
    return client.get(url).status_code


def reports(rt: Runtime) -> list[tuple[int, str, str]]:
    with rt.sessions() as s:
        rows = s.scalars(select(SmsReport).order_by(SmsReport.id))
        return [(r.delivery_id, r.recipient, r.state) for r in rows]


def test_a_signed_report_for_a_number_sent_to_is_taken(rt: Runtime) -> None:
    ids = deliveries(rt)
    client = create_callbacks(rt).test_client()
    assert kannel(client, ids["kannel"], sign(key_of(rt), ids["kannel"])) == 200
    assert reports(rt) == [(ids["kannel"], SENT, "delivered")]


def test_forged_and_misdirected_reports_are_refused_and_change_nothing(rt: Runtime) -> None:
    ids = deliveries(rt)
    key = key_of(rt)
    client = create_callbacks(rt).test_client()
    good = sign(key, ids["kannel"])
    assert kannel(client, ids["kannel"], "") == 403  # no signature
    assert kannel(client, ids["kannel"], "0" * 32) == 403  # a made-up one
    assert kannel(client, ids["kannel"], sign(key, ids["esms"])) == 403  # another delivery's
    assert kannel(client, ids["kannel"], sign(b"another key", ids["kannel"])) == 403
    assert kannel(client, ids["website"], sign(key, ids["website"])) == 404  # not an SMS
    assert kannel(client, ids["esms"], sign(key, ids["esms"])) == 404  # sent through eSMS
    assert kannel(client, ids["kannel"], good, to="84912999999") == 404  # never sent to
    assert kannel(client, 999_999, sign(key, 999_999)) == 404
    for status in ("-1", "-31", "0", "32", "257", "abc"):  # -1 no longer reads as delivered
        assert kannel(client, ids["kannel"], good, status=status) == 400
    assert kannel(client, ids["kannel"], good, to="8" * 500) == 400  # oversized field
    long = f"/dlr/kannel?delivery={ids['kannel']}&to={SENT}&status=1&sig={good}&x={'a' * 3000}"
    assert client.get(long).status_code == 414
    assert reports(rt) == []


def test_a_final_state_is_never_overwritten_by_an_earlier_one(rt: Runtime) -> None:
    ids = deliveries(rt)
    client = create_callbacks(rt).test_client()
    sig = sign(key_of(rt), ids["kannel"])
    for status in ("2", "8", "4", "8"):  # failed, then late SMSC-accepted and buffered
        assert kannel(client, ids["kannel"], sig, status=status) == 200
    assert reports(rt) == [(ids["kannel"], SENT, "failed")]


def test_esms_callbacks_get_the_same_checks(rt: Runtime) -> None:
    ids = deliveries(rt)
    key = key_of(rt)
    client = create_callbacks(rt).test_client()

    def esms(delivery: int, sig: str, status: str = "5", phone: str = "0912000001") -> int:
        url = (
            f"/dlr/esms?RequestId=loa-{delivery}-912000001&phonenumber={phone}"
            f"&SendStatus={status}&SendSuccess=1&SendFailed=0&delivery={delivery}&sig={sig}"
        )
        return client.get(url).status_code

    assert esms(ids["esms"], "") == 403
    assert esms(ids["esms"], sign(key, ids["kannel"])) == 403
    assert esms(ids["kannel"], sign(key, ids["kannel"])) == 404  # a Kannel delivery
    assert esms(ids["esms"], sign(key, ids["esms"]), phone="0987000009") == 404
    assert esms(ids["esms"], sign(key, ids["esms"]), status="-1") == 400
    assert reports(rt) == []
    assert esms(ids["esms"], sign(key, ids["esms"])) == 200
    assert reports(rt) == [(ids["esms"], SENT, "delivered")]


def test_the_key_is_made_once_or_taken_from_the_environment_and_never_logged(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    ids = deliveries(rt)
    key = key_of(rt)
    assert key == key_of(rt) and len(key) == 64
    assert dlr_sig(rt, ids["kannel"]) == sign(key, ids["kannel"])
    client = create_callbacks(rt).test_client()
    assert kannel(client, ids["kannel"], "f" * 32) == 403
    assert key.decode() not in caplog.text
    monkeypatch.setenv(DLR_ENV, "from-the-environment")
    assert key_of(rt) == b"from-the-environment"


def test_a_burst_of_valid_reports_under_waitress_loses_none(rt: Runtime) -> None:
    count = 1_500
    delivery = seed(rt, "bien-hoa/sms", count)
    with serving(rt, threads=8) as base:
        codes = fire(rt, base, delivery, count, clients=64)
    assert codes == {200: count}
    with rt.sessions() as s:
        stored = s.scalar(
            select(func.count()).select_from(SmsReport).where(SmsReport.delivery_id == delivery)
        )
    assert stored == count
