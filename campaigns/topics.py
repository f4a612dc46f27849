"""Topic names: `topics.yaml` (slug -> Vietnamese name) when the config has one.

Read leniently here, as the channels only need the names (a website category's name): the
file's own checks belong to whoever validates it. Without the file a topic is named by
itself (a feed's free-text category) or by its slug's words.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from campaigns.text import nfc
from campaigns.yamlsafe import MAX_FILE_BYTES, YamlTooBig, safe_yaml

FILE = "topics.yaml"


def read_topic_names(root: Path) -> dict[str, str]:
    """{slug: name} from `<root>/topics.yaml`: `slug: name`, `slug: {name: ...}` (or `vi:`),
    or a list of `{slug, name}`, at the top or under `topics:`; {} without a readable file."""
    path = root / FILE
    try:
        if not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
            return {}
        data = safe_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, YamlTooBig, ValueError):
        return {}
    if isinstance(data, dict) and "topics" in data:
        data = data["topics"]
    pairs: list[tuple[Any, Any]] = []
    if isinstance(data, dict):
        pairs = list(data.items())
    elif isinstance(data, list):
        pairs = [(e.get("slug"), e) for e in data if isinstance(e, dict)]
    names = {}
    for slug, value in pairs:
        name = value.get("name") or value.get("vi") if isinstance(value, dict) else value
        if isinstance(slug, str) and isinstance(name, str) and name.strip():
            names[nfc(slug).strip()] = nfc(name).strip()
    return names


def topic_label(topic: str, names: dict[str, str] | Any) -> str:
    """The name a topic is shown by: its `topics.yaml` name, else the free text it is, else
    its slug's words ('dich-vu-cong' -> 'Dich vu cong')."""
    if topic in names:
        return str(names[topic])
    if "-" in topic and " " not in topic and topic.isascii():
        return topic.replace("-", " ").capitalize()
    return topic[:1].upper() + topic[1:]
