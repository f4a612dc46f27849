"""The delivery hot path's kept connection: one per thread on PostgreSQL, dropped when it fails."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event, select
from sqlalchemy.pool import QueuePool

from campaigns.model import TZ
from tests.factories import campaign, write_config
from tests.stepping import Clock
from worker.engine import journal, runtime, scheduler
from worker.engine.broker import broker
from worker.engine.delivery import deliver
from worker.engine.runtime import Runtime, build_runtime
from worker.store.models import PUBLISHED, Delivery

LATE = dt.datetime(2024, 12, 30, 9, 0, tzinfo=TZ)


def _runtime(tmp_path: Path, url: str, articles: int = 1) -> Runtime:
    config = [campaign(channels=["website"])]
    root = write_config(tmp_path / "config", articles=articles, campaigns=config)
    return build_runtime(root, url, clock=Clock(LATE), outbox=tmp_path / "out")


def _backend_pid(rt: Runtime) -> int:
    with rt.atomic() as c:
        return int(c.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())


def _checked_out(rt: Runtime) -> int:
    pool = rt.engine.pool
    assert isinstance(pool, QueuePool)
    return pool.checkedout()


def _terminate(url: str, pid: int) -> None:
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()


def test_a_thread_keeps_one_connection_for_its_writes(tmp_path: Path, pg_url: str) -> None:
    rt = _runtime(tmp_path, pg_url)
    first = _backend_pid(rt)
    assert _backend_pid(rt) == first  # the same server session, not a pool round trip
    assert _checked_out(rt) == 1  # kept out of the pool between uses
    seen: list[int] = []
    worker = threading.Thread(target=lambda: seen.append(_backend_pid(rt)))
    worker.start()
    worker.join()
    assert seen and seen[0] != first  # each thread its own
    rt.close()
    assert _checked_out(rt) == 0  # closing the runtime gives them all back


def test_deliveries_check_nothing_out_of_the_pool_once_the_thread_holds_its_connection(
    tmp_path: Path, pg_url: str
) -> None:
    rt = _runtime(tmp_path, pg_url, articles=3)
    scheduler.tick(rt)
    broker.flush_all()
    with rt.sessions() as s:
        ids = list(s.scalars(select(Delivery.id).order_by(Delivery.id)))
    assert len(ids) >= 2
    assert deliver(rt, ids[0]) == PUBLISHED
    checkouts: list[Any] = []
    event.listen(rt.engine.pool, "checkout", lambda *args: checkouts.append(args))
    for delivery_id in ids[1:]:
        assert deliver(rt, delivery_id) == PUBLISHED
    assert checkouts == []  # claim and record went over the kept connection
    rt.close()


def test_a_cut_connection_is_dropped_and_the_retry_connects_afresh(
    tmp_path: Path, pg_url: str
) -> None:
    rt = _runtime(tmp_path, pg_url)
    _terminate(pg_url, _backend_pid(rt))  # the server ends the session under a busy thread

    def ask() -> int:
        with rt.atomic() as c:
            return int(c.exec_driver_sql("SELECT 1").scalar_one())

    with pytest.raises(journal.DB_DOWN):
        ask()  # no ping on a connection just used: the statement finds the cut
    assert journal.patiently(ask) == 1  # and its retry is not handed the dead one again
    rt.close()


def test_a_connection_idle_for_a_while_is_pinged_before_use(
    tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    rt = _runtime(tmp_path, pg_url)
    first = _backend_pid(rt)
    _terminate(pg_url, first)  # e.g. a database restart during a quiet spell
    monkeypatch.setattr(runtime, "IDLE_PING", 0.0)
    assert _backend_pid(rt) != first  # found dead by the ping, replaced without an error
    rt.close()
