"""Plain functions that make test data: a config folder, items, deliveries."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from campaigns.model import TZ
from worker.store.models import ContentItem, Delivery

ARTICLE = """---
title: "{title}"
summary: "Người dân nộp hồ sơ trực tuyến, thanh toán phí và nhận kết quả tại nhà."
published: {published}
link: "https://sonoivu.dongnai.gov.vn/tin/{slug}"
topics: [dich-vu-cong]
---
Cổng Dịch vụ công tỉnh Đồng Nai hướng dẫn **nộp hồ sơ trực tuyến** từng bước.

Mọi thắc mắc xin gọi tổng đài 1022.
"""


def write_config(
    root: Path,
    *,
    units: list[dict[str, Any]] | None = None,
    targets: list[dict[str, Any]] | None = None,
    campaigns: list[dict[str, Any]] | None = None,
    articles: int = 2,
    settings: dict[str, Any] | None = None,
    published: list[dt.datetime] | None = None,
    topics: dict[str, Any] | None = None,
) -> Path:
    """A small, valid config folder; pass lists to replace any part (`topics`: topics.yaml)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "content" / "news").mkdir(parents=True, exist_ok=True)
    (root / "recipients").mkdir(exist_ok=True)
    (root / "recipients" / "subs.csv").write_text(
        "phone\n0912000001\n0987000002\n", encoding="utf-8"
    )
    dates = published or [
        dt.datetime(2024, 1 + (i * 3) % 12, 10, 8, 0, tzinfo=TZ) for i in range(articles)
    ]
    for i, when in enumerate(dates):
        (root / "content" / "news" / f"a{i:03d}.md").write_text(
            ARTICLE.format(
                title=f"Ầm ầm cải cách hành chính số {i}: Đồng Nai đẩy mạnh dịch vụ công",
                published=when.isoformat(),
                slug=f"bai-{i}",
            ),
            encoding="utf-8",
        )
    units = (
        units
        if units is not None
        else [
            {"code": "so-noi-vu", "name": "Sở Nội vụ", "kind": "department"},
            {"code": "bien-hoa", "name": "UBND Thành phố Biên Hòa", "kind": "district"},
        ]
    )
    targets = (
        targets
        if targets is not None
        else [
            {"units": "all", "kind": "website", "transport": "outbox"},
            {
                "unit": "bien-hoa",
                "kind": "sms",
                "transport": "outbox",
                "options": {"recipients": "recipients/subs.csv", "diacritics": False},
            },
            {"unit": "so-noi-vu", "kind": "facebook", "transport": "outbox"},
        ]
    )
    campaigns = campaigns if campaigns is not None else [campaign()]
    (root / "units.yaml").write_text(yaml.safe_dump({"units": units}, allow_unicode=True), "utf-8")
    (root / "targets.yaml").write_text(
        yaml.safe_dump({"targets": targets}, allow_unicode=True), "utf-8"
    )
    if topics is not None:
        (root / "topics.yaml").write_text(
            yaml.safe_dump({"topics": topics}, allow_unicode=True), "utf-8"
        )
    (root / "campaigns").mkdir(exist_ok=True)
    for c in campaigns:
        (root / "campaigns" / f"{c['id']}.yaml").write_text(
            yaml.safe_dump(c, allow_unicode=True, sort_keys=False), "utf-8"
        )
    if settings is not None:
        (root / "loa.yaml").write_text(yaml.safe_dump(settings), "utf-8")
    return root


def campaign(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "dvc",
        "title": "Dịch vụ công trực tuyến",
        "period": {"start": "2024-01-01", "end": "2024-12-31"},
        "topics": ["dich-vu-cong"],
        "sources": [{"id": "news", "kind": "files", "path": "content/news"}],
        "units": "all",
        "channels": ["website", "sms", "facebook"],
        "schedule": {"on_new_item": True},
    }
    base.update(overrides)
    return base


def create_item(session: Session, **overrides: Any) -> ContentItem:
    now = dt.datetime(2024, 2, 1, tzinfo=dt.UTC)
    values: dict[str, Any] = {
        "key": f"test:{overrides.get('title', 'x')}:{id(overrides)}",
        "source": "dvc.news",
        "kind": "article",
        "title": "Hướng dẫn nộp hồ sơ trực tuyến",
        "summary": "Tóm tắt",
        "body_html": "<p>Nội dung</p>",
        "link": "https://example.gov.vn/a",
        "published": now,
        "topics": ["dich-vu-cong"],
        "content_hash": "0" * 64,
        "first_seen": now,
        "updated": now,
    }
    values.update(overrides)
    item = ContentItem(**values)
    session.add(item)
    session.flush()
    return item


def create_delivery(session: Session, item: ContentItem, **overrides: Any) -> Delivery:
    now = dt.datetime(2024, 2, 1, tzinfo=dt.UTC)
    values: dict[str, Any] = {
        "campaign": "dvc",
        "item_id": item.id,
        "unit": "so-noi-vu",
        "target": "so-noi-vu/website",
        "channel": "website",
        "state": "published",
        "due_at": now,
        "attempts": 1,
        "claims": 1,
        "segments": 0,
        "recipients": 0,
        "created_at": now,
        "updated_at": now,
    }
    values.update(overrides)
    values.setdefault("next_attempt_at", values["due_at"])
    d = Delivery(**values)
    session.add(d)
    session.flush()
    return d
