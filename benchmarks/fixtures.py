"""Benchmark data: configs (built in code, or written as YAML for worker processes) and items."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Engine, insert

from campaigns.model import CHANNEL_KINDS, TZ, Campaign, Config, Schedule, Source, Target, Unit

CAMPAIGN = "bench"
SOURCE = "news"
SOURCE_ID = f"{CAMPAIGN}.{SOURCE}"
TITLE = "Đồng Nai đẩy mạnh dịch vụ công trực tuyến toàn trình, số {n}"
SUMMARY = (
    "Người dân và doanh nghiệp nộp hồ sơ, thanh toán phí và nhận kết quả thủ tục hành chính "
    "tại nhà qua Cổng Dịch vụ công quốc gia và Hệ thống thông tin giải quyết TTHC tỉnh."
)
BODY = "<p>Cổng Dịch vụ công tỉnh Đồng Nai hướng dẫn <strong>nộp hồ sơ trực tuyến</strong>.</p>"


def unit_code(i: int) -> str:
    return f"u{i:04d}"


def fanout_config(units: int, kinds: Sequence[str] = CHANNEL_KINDS) -> Config:
    """`units` communes, one outbox target per channel kind each, one campaign to all of them."""
    unit_map = {
        unit_code(i): Unit(unit_code(i), f"UBND xã số {i}", "commune", None, order=i)
        for i in range(units)
    }
    targets = {
        f"{code}/{kind}": Target(f"{code}/{kind}", code, kind, "outbox")
        for code in unit_map
        for kind in kinds
    }
    campaign = Campaign(
        id=CAMPAIGN,
        title="Cải cách hành chính 2024",
        start=dt.date(2024, 1, 1),
        end=dt.date(2024, 12, 31),
        topics=("cai-cach-hanh-chinh",),
        sources=(Source(SOURCE_ID, "files", path="content/news"),),
        units=tuple(unit_map),
        channels=tuple(kinds),
        schedule=Schedule("on_new_item"),
    )
    return Config("benchmarks", unit_map, targets, {CAMPAIGN: campaign}, {})


def item_rows(count: int, published: dt.datetime) -> list[dict[str, Any]]:
    """Insert-ready content_items rows, one minute apart from `published`."""
    rows = []
    for n in range(count):
        when = published + dt.timedelta(minutes=n)
        rows.append(
            {
                "key": f"bench:{n}",
                "source": SOURCE_ID,
                "kind": "article",
                "title": TITLE.format(n=n),
                "summary": SUMMARY,
                "body_html": BODY,
                "link": f"https://sonoivu.dongnai.gov.vn/tin/bai-{n}",
                "published": when,
                "topics": ["cai-cach-hanh-chinh"],
                "content_hash": hashlib.sha256(str(n).encode()).hexdigest(),
                "first_seen": when,
                "updated": when,
            }
        )
    return rows


def insert_items(engine: Engine, count: int, published: dt.datetime) -> None:
    """Items straight into content_items, as if a source had been ingested."""
    from worker.store.models import ContentItem

    with engine.begin() as c:
        c.execute(insert(ContentItem), item_rows(count, published))


def period_around(now: dt.datetime, days: int = 30) -> dict[str, str]:
    today = now.astimezone(TZ).date()
    return {
        "start": (today - dt.timedelta(days=days)).isoformat(),
        "end": (today + dt.timedelta(days=days)).isoformat(),
    }


def write_config(
    root: Path,
    *,
    units: int,
    targets: list[dict[str, Any]],
    channels: list[str],
    period: dict[str, str],
    settings: dict[str, Any] | None = None,
) -> Path:
    """A config folder for worker processes (they load it from LOA_CONFIG)."""
    (root / "content" / SOURCE).mkdir(parents=True, exist_ok=True)
    (root / "campaigns").mkdir(exist_ok=True)
    unit_list = [
        {"code": unit_code(i), "name": f"UBND xã số {i}", "kind": "commune"} for i in range(units)
    ]
    campaign = {
        "id": CAMPAIGN,
        "title": "Cải cách hành chính",
        "period": period,
        "topics": ["cai-cach-hanh-chinh"],
        "sources": [{"id": SOURCE, "kind": "files", "path": f"content/{SOURCE}"}],
        "units": "all",
        "channels": channels,
        "schedule": {"on_new_item": True},
    }
    _dump(root / "units.yaml", {"units": unit_list})
    _dump(root / "targets.yaml", {"targets": targets})
    _dump(root / "campaigns" / f"{CAMPAIGN}.yaml", campaign)
    _dump(root / "loa.yaml", settings or {})
    return root


def _dump(path: Path, data: Any) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")


def write_recipients(path: Path, count: int, offset: int = 0) -> Path:
    """A subscriber CSV of `count` distinct, valid Vietnamese mobile numbers."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["phone"] + [f"09{offset + i:08d}" for i in range(count)]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path
