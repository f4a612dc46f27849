"""A seeded database for report and status-page tests: every state, channel and period edge."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.model import TZ
from tests.conftest import _pg_database
from tests.factories import campaign, create_delivery, create_item, write_config
from worker.engine.runtime import Runtime, build_runtime, fixed_clock
from worker.store.models import STATES, ContentItem, Delivery, Heartbeat, SourceState

NOW = dt.datetime(2024, 12, 31, 16, 0, tzinfo=TZ)
UNITS = [
    {"code": "so-noi-vu", "name": "Sở Nội vụ", "kind": "department"},
    {"code": "bien-hoa", "name": "UBND Thành phố Biên Hòa", "kind": "district"},
    {"code": "dinh-quan", "name": "UBND Huyện Định Quán", "kind": "district"},
    {"code": "xuan-loc", "name": "UBND Huyện Xuân Lộc", "kind": "district"},
]
SMS = {"recipients": "recipients/subs.csv", "diacritics": False}
TARGETS: list[dict[str, Any]] = [
    {"units": ["so-noi-vu", "bien-hoa", "dinh-quan"], "kind": "website", "transport": "outbox"},
    {"units": ["bien-hoa", "dinh-quan"], "kind": "sms", "transport": "outbox", "options": SMS},
    {"unit": "so-noi-vu", "kind": "facebook", "transport": "outbox"},
    {"unit": "dinh-quan", "kind": "screen", "transport": "outbox"},
    {"unit": "so-noi-vu", "kind": "zalo", "transport": "outbox"},
]
# unit: the channels its targets reach (xuan-loc has none: its rows stay zero)
CHANNELS = {
    "so-noi-vu": ["website", "facebook", "zalo"],
    "bien-hoa": ["website", "sms"],
    "dinh-quan": ["website", "sms", "screen"],
}
QUARTERLY = {"Q1": 3, "Q2": 3, "Q3": 3, "Q4": 3}
CHI_SO = campaign(
    id="chi-so",
    title="Các chỉ số PAR Index, SIPAS, PAPI, PCI",
    topics=["chi-so-par-index", "khao-sat-hai-long"],
    units=["so-noi-vu", "dinh-quan"],
    channels=["website", "facebook"],
    targets={"website": QUARTERLY, "facebook": {"Q1": 1, "Q2": 1}, "video": {"Q1": 1, "Q3": 1}},
)
DVC = campaign(channels=["website", "sms", "facebook", "screen", "zalo"])
REASON_403 = "Trang TTĐT trả lời 403: mật khẩu ứng dụng không đúng"
REASON_UNCERTAIN = "không tìm thấy bài sau khi tiến trình dừng; cần người vận hành quyết định"
TOPICS = [[], ["dich-vu-cong"], ["dich-vu-cong", "thanh-toan"], ["chi-so-par-index"]]
LABELS = {  # topics.yaml: the labels reports print ("thanh-toan" has none)
    "dich-vu-cong": {"name": "Dịch vụ công trực tuyến", "en": "Online public services"},
    "chi-so-par-index": "Chỉ số PAR Index",
}


def seed_runtime(tmp_path: Path, database_url: str, beats_at: dt.datetime = NOW) -> Runtime:
    """The seed config in tmp_path/config, on a fresh database, with seed rows committed."""
    root = write_config(
        tmp_path / "config", units=UNITS, targets=TARGETS, campaigns=[DVC, CHI_SO], topics=LABELS
    )
    rt = build_runtime(root, database_url, clock=fixed_clock(NOW), outbox=tmp_path / "outbox")
    with rt.sessions.begin() as s:
        seed_deliveries(s)
        seed_status(s, beats_at)
    return rt


def first_delivery(rt: Runtime, state: str, channel: str | None = None) -> Delivery:
    """The seeded row with the lowest id in `state` (and on `channel`)."""
    with rt.sessions() as s:
        q = select(Delivery).where(Delivery.state == state)
        if channel:
            q = q.where(Delivery.channel == channel)
        found = s.scalars(q.order_by(Delivery.id)).first()
    assert found is not None
    return found


def seed_deliveries(session: Session, n_items: int = 18) -> None:
    """Random but repeatable deliveries over 2024, plus the edges the report must get right."""
    rng = random.Random(2024)
    for i in range(n_items):
        camp = CHI_SO if i % 3 == 0 else DVC
        item = create_item(
            session,
            key=f"seed:{i}",
            title=f"Bài số {i}: cải cách hành chính ở Đồng Nai",
            kind="video" if i % 4 == 1 else "article",
            topics=TOPICS[i % len(TOPICS)],
        )
        for unit in camp["units"] if isinstance(camp["units"], list) else CHANNELS:
            for channel in CHANNELS[unit]:
                if channel in camp["channels"]:
                    _one(session, rng, item.id, camp["id"], unit, channel)
    _edges(session)


def _one(session: Session, rng: random.Random, item_id: int, camp: str, unit: str, ch: str) -> None:
    state = rng.choice([*STATES, "published", "published", "failed"])
    due = dt.datetime(2024, 1, 1, tzinfo=TZ) + dt.timedelta(hours=rng.randrange(0, 366 * 24))
    extra: dict[str, Any] = {}
    if state == "published" and ch == "sms":
        extra = {"recipients": rng.randrange(1, 500), "segments": rng.randrange(1, 4)}
    if state == "failed":
        extra = {"reason": "gave up after 5 attempts", "last_error": "HTTP 502 Bad Gateway"}
    if state == "uncertain":
        extra = {"reason": "found sending after a worker died: an operator must decide"}
    _add(session, item_id, camp, unit, ch, state, due, **extra)


def _add(
    session: Session,
    item_id: int,
    camp: str,
    unit: str,
    channel: str,
    state: str,
    due: dt.datetime,
    updated: dt.datetime | None = None,
    **extra: Any,
) -> None:
    item = session.get(ContentItem, item_id)
    assert item is not None
    updated = updated or due + dt.timedelta(minutes=5)
    create_delivery(
        session,
        item,
        campaign=camp,
        unit=unit,
        target=f"{unit}/{channel}",
        channel=channel,
        state=state,
        due_at=due,
        updated_at=updated,
        published_at=updated if state == "published" else None,
        **extra,
    )


def _edges(session: Session) -> None:
    """Due just before and just after local midnight at the end of Q1, and named failures."""
    late = create_item(
        session, key="seed:edge-q1", title="Đăng lúc nửa đêm", topics=["khao-sat-hai-long"]
    )
    q1_last = dt.datetime(2024, 3, 31, 23, 30, tzinfo=TZ)  # 16:30 UTC: Q1 locally
    q2_first = dt.datetime(2024, 4, 1, 0, 0, tzinfo=TZ)  # still 31 March in UTC: Q2 locally
    _add(session, late.id, "chi-so", "dinh-quan", "website", "published", q1_last)
    _add(session, late.id, "chi-so", "so-noi-vu", "website", "published", q2_first)
    bad = create_item(session, key="seed:bad", title="Hướng dẫn thanh toán trực tuyến")
    due = dt.datetime(2024, 12, 30, 8, 0, tzinfo=TZ)  # the newest failures on the overview
    why = "lỗi vĩnh viễn: không thử lại"
    _add(
        session,
        bad.id,
        "dvc",
        "dinh-quan",
        "website",
        "failed",
        due,
        last_error=REASON_403,
        reason=why,
    )
    _add(session, bad.id, "dvc", "dinh-quan", "screen", "uncertain", due, reason=REASON_UNCERTAIN)
    february = dt.datetime(2024, 2, 20, 8, 0, tzinfo=TZ)
    _add(
        session,
        bad.id,
        "dvc",
        "bien-hoa",
        "sms",
        "published",
        february,
        recipients=1200,
        segments=2,
    )


def seed_status(session: Session, now: dt.datetime) -> None:
    """Two live processes, one silent, one source in error and one healthy."""
    for name, role, age in (
        ("scheduler@may-1:11", "scheduler", 5),
        ("worker@may-1:12", "worker", 8),
        ("worker@may-2:40", "worker", 3600),
    ):
        session.add(
            Heartbeat(
                name=name,
                role=role,
                pid=int(name.rsplit(":", 1)[1]),
                host=name.split("@")[1],
                started_at=now - dt.timedelta(days=1),
                seen_at=now - dt.timedelta(seconds=age),
            )
        )
    session.add(SourceState(id="dvc.news", kind="files", failures=0, items=2, last_ok=now))
    session.add(
        SourceState(
            id="dvc.bao-dong-nai",
            kind="feed",
            url="https://baodongnai.com.vn/rss",
            failures=4,
            items=0,
            last_polled=now,
            last_error="không kết nối được baodongnai.com.vn: hết thời gian chờ",
        )
    )


def seeded_database(kind: str, folder: Path) -> Iterator[Runtime]:
    """A seeded runtime on SQLite or a fresh PostgreSQL database, shared by read-only tests."""
    if kind == "sqlite":
        yield seed_runtime(folder, f"sqlite:///{folder / 'loa.db'}")
        return
    for url in _pg_database():
        yield seed_runtime(folder, url)
