"""JSON Schemas of the config files, generated from the pydantic models that validate them.

Editors with the YAML extension (yaml-language-server) read the schema a file names on its
first line, `# yaml-language-server: $schema=schemas/units.schema.json`, then complete keys,
show each key's description (Vietnamese, then English) and underline mistakes as staff type.

The schemas ship inside the package (campaigns/schemas/, kept equal to the models by a test),
and `loa schema --out DIR` writes them out (by default into the config folder's schemas/).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from campaigns import schema
from campaigns.config import MEASURES, QUARTERS
from campaigns.frontmatter import ArticleMeta, VideoEntry
from campaigns.topicfile import TopicsFile

DIALECT = "https://json-schema.org/draft/2020-12/schema"
PACKAGED = Path(__file__).resolve().parent / "schemas"
"""Where the package keeps its copy of the generated schemas."""
FOLDER = "schemas"
"""The folder under the config folder the example files point their editors at."""

# Descriptions of the models whose docstrings are written for programmers.
_MODEL_DESCRIPTIONS = {
    "CampaignSpec": "Một chiến dịch: nội dung gì, đơn vị nào, kênh nào, khi nào, chỉ tiêu."
    " / One campaign: what to publish, by which units, on which channels, when, its quotas.",
    "TargetSpec": "Một kênh đăng của một đơn vị (hoặc nhiều đơn vị). / One channel target.",
    "ReportSpec": "Cơ quan ban hành và người ký báo cáo (Nghị định 30/2020)."
    " / Who issues and signs the báo cáo.",
    "MatchSpec": "Chỉ nhận bài có chủ đề hoặc từ khóa này. / Take only items with these.",
    "ChannelSettings": "Thiết lập của một loại kênh. / Settings of one channel kind.",
    "SettingsFile": "loa.yaml: thiết lập của chương trình; mọi khóa đều không bắt buộc."
    " / Worker settings; every key is optional.",
}


def _campaign(doc: dict[str, Any]) -> dict[str, Any]:
    """What the validators check beyond the fields' types, as far as JSON Schema says it.

    `targets:` is the old name of `quotas:` (not both in one file); quotas name a measure and
    a quarter and count from 0 (campaigns.config checks them); a schedule is one of three
    kinds; a source names a path or a URL as its kind needs.
    """
    props, defs = doc["properties"], doc["$defs"]
    props["quotas"].update(
        propertyNames={"enum": list(MEASURES)},
        additionalProperties={
            "type": "object",
            "propertyNames": {"enum": list(QUARTERS)},
            "additionalProperties": {"type": "integer", "minimum": 0},
        },
    )
    props["targets"] = {
        **props["quotas"],
        "deprecated": True,
        "description": "Tên cũ của 'quotas'. / The old name of 'quotas'.",
    }
    doc["not"] = {"required": ["quotas", "targets"]}
    defs["ScheduleSpec"]["oneOf"] = [
        {"required": ["on_new_item"], "properties": {"on_new_item": {"const": True}}},
        {"required": ["at"]},
        {"required": ["cron"]},
    ]
    defs["SourceSpec"]["allOf"] = [
        {
            "if": {"properties": {"kind": {"enum": kinds}}, "required": ["kind"]},
            "then": {"required": [field]},
        }
        for kinds, field in ((["files", "videos"], "path"), (["feed", "youtube"], "url"))
    ]
    return doc


def _targets(doc: dict[str, Any]) -> dict[str, Any]:
    """A target names `unit` or `units`, not both."""
    doc["$defs"]["TargetSpec"]["oneOf"] = [{"required": ["unit"]}, {"required": ["units"]}]
    return doc


def _document(
    model: Any, title: str, tweak: Callable[[dict[str, Any]], dict[str, Any]] | None
) -> dict[str, Any]:
    adapter: TypeAdapter[Any] = TypeAdapter(model)
    doc = adapter.json_schema(mode="validation")
    for name, sub in [(getattr(model, "__name__", ""), doc), *doc.get("$defs", {}).items()]:
        if name in _MODEL_DESCRIPTIONS:
            sub["description"] = _MODEL_DESCRIPTIONS[name]
    doc = tweak(doc) if tweak else doc
    return {"$schema": DIALECT, **doc, "title": title}


FILES: dict[str, tuple[Any, str, Callable[[dict[str, Any]], dict[str, Any]] | None]] = {
    "units.schema.json": (schema.UnitsFile, "units.yaml", None),
    "targets.schema.json": (schema.TargetsFile, "targets.yaml", _targets),
    "campaign.schema.json": (schema.CampaignSpec, "campaigns/*.yaml", _campaign),
    "loa.schema.json": (schema.SettingsFile, "loa.yaml", None),
    "topics.schema.json": (TopicsFile, "topics.yaml", None),
    "article.schema.json": (ArticleMeta, "content/**/*.md (front matter)", None),
    "videos.schema.json": (list[VideoEntry], "content/*-videos.yaml", None),
}
"""Each schema file: the model, the config file(s) it describes, any adjustment."""


def generate() -> dict[str, str]:
    """Every schema file's text, from the models."""
    texts = {}
    for name, (model, title, tweak) in FILES.items():
        doc = _document(model, title, tweak)
        if name == "videos.schema.json":
            doc["description"] = (
                "Danh sách video YouTube, mỗi mục bắt đầu bằng '- url: ...'."
                " / A list of YouTube videos, each starting with '- url: ...'."
            )
        texts[name] = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    return texts


def write(folder: Path) -> list[Path]:
    """Write every schema into `folder` (created if need be); returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in generate().items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def packaged() -> dict[str, str]:
    """The schema files the package ships, by name."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(PACKAGED.glob("*.json"))}
