"""The files `loa new` writes: a commented campaign YAML and a Markdown article.

Values go in as JSON, which is YAML's flow style: any title, quotes and colons included, reads
back as written.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from campaigns import schema
from campaigns.files import read_articles
from campaigns.model import Source
from campaigns.schemafiles import FOLDER
from campaigns.yamlsafe import safe_yaml
from worker.cli.exits import BadInput
from worker.cli.prompts import say


def _j(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _quarters(start: dt.date, end: dt.date) -> list[str]:
    """The quarters the period touches (all four when it spans a new year)."""
    if start.year != end.year:
        return ["Q1", "Q2", "Q3", "Q4"]
    return [f"Q{q}" for q in range((start.month - 1) // 3 + 1, (end.month - 1) // 3 + 2)]


def campaign_text(v: dict[str, Any]) -> str:
    """A campaign file with a comment before each key, in Vietnamese and English."""
    lines = [
        f"# yaml-language-server: $schema=../{FOLDER}/campaign.schema.json",
        "# Viết bởi `loa new campaign`; sửa tệp này rồi chạy `loa check`.",
        "# Written by `loa new campaign`; edit it, then run `loa check`.",
        f"id: {v['id']}",
        f"title: {_j(v['title'])}",
        "# Thời gian thực hiện (YYYY-MM-DD hoặc DD/MM/YYYY). / The period.",
        f"period: {{start: {v['start'].isoformat()}, end: {v['end'].isoformat()}}}",
        "# Chủ đề: mã trong topics.yaml hoặc tên tiếng Việt. / Topics (topics.yaml).",
        f"topics: {_j(v['topics'])}",
        "# Nguồn: các bài Markdown trong thư mục này (`loa new article` viết bài mới).",
        "# Sources: the Markdown articles in this folder (`loa new article` writes one).",
        "sources:",
        "  - id: bai-viet",
        "    kind: files",
        f"    path: content/{v['id']}/",
        "# Đơn vị: all, danh sách mã, hoặc {kind: district}. / Units.",
        f"units: {_j(v['units'])}",
        "# Kênh đăng / Channels: " + ", ".join(schema.CHANNEL_KINDS),
        f"channels: {_j(v['channels'])}",
        "# Lịch đăng: ngay khi có bài mới (hoặc cron, at). / Schedule: as items appear.",
        "schedule: {on_new_item: true}",
        "# Duyệt trước khi đăng: none hoặc required. / Approval before publishing.",
        "approval: none",
    ]
    if v["quota"]:
        quarters = ", ".join(f"{q}: {v['quota']}" for q in _quarters(v["start"], v["end"]))
        lines += [
            "# Chỉ tiêu mỗi đơn vị mỗi quý (website, facebook, ..., article, video).",
            "# What each unit owes a quarter.",
            "quotas:",
            f"  website: {{{quarters}}}",
        ]
    text = "\n".join(lines) + "\n"
    schema.CampaignSpec.model_validate(safe_yaml(text))  # what is written reads back valid
    return text


def article_text(title: str, summary: str, published: dt.date, topics: list[str], lang: str) -> str:
    meta = [
        "---",
        f"title: {_j(title)}",
        *([f"summary: {_j(summary)}"] if summary else []),
        f"published: {published.isoformat()}",
        f"topics: {_j(topics)}",
        "# link: https://... (bài gốc / the original)  image: https://... (ảnh / an image)",
        "---",
    ]
    return "\n".join(meta) + "\n" + say("body", lang) + "\n"


def check_article(path: Path, folder: Path) -> None:
    """The article as the worker will read it; BadInput naming each problem if it cannot."""
    _, error = read_articles(folder, Source("new", "files", str(folder)))
    mine = [p for p in (error.problems if error else ()) if Path(p.path) == path]
    if mine:
        raise BadInput("\n".join(str(p) for p in mine))
