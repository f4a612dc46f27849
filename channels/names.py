"""File names a person can read for what loa writes: `<due-date>-<item-slug>-<id>.<ext>`.

Every part is plain ASCII (letters, digits, `-`, `_`), so a name can never climb out of its
folder (`..`, `/`), hide (a leading dot) or grow past what a file system takes.
"""

from __future__ import annotations

import re
from pathlib import Path

from campaigns.model import TZ, Target, fold
from campaigns.text import nfc
from channels.base import Message

SLUG_MAX = 60
"""Characters of the title's slug: enough to tell items apart in a folder listing."""
PART_MAX = 80
"""Characters of any other part (a unit code, a target name, a reference)."""
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_NOT_PART = re.compile(r"[^A-Za-z0-9_-]+")


def slug(title: str, limit: int = SLUG_MAX) -> str:
    """ASCII slug of a Vietnamese title, marks dropped and đ made d ('Đất đai' -> 'dat-dai')."""
    words = _NOT_SLUG.sub("-", fold(nfc(title))).strip("-")
    if len(words) > limit:
        cut = words[: limit + 1]
        words = cut.rsplit("-", 1)[0] if "-" in cut else words[:limit]
    return words.strip("-") or "item"


def part(text: str, limit: int = PART_MAX) -> str:
    """One safe path component: never empty, never `.` or `..`, no separator, bounded."""
    cleaned = _NOT_PART.sub("-", text).strip("-_")[:limit]
    return cleaned or "x"


def stem(message: Message) -> str:
    """`<due-date>-<item-slug>-<delivery id>`: the due day in Asia/Ho_Chi_Minh ('undated'
    for a message formatted outside the worker), and the reference when there is no id."""
    day = message.due.astimezone(TZ).date().isoformat() if message.due else "undated"
    ident = str(message.delivery_id) if message.delivery_id is not None else message.reference
    return f"{day}-{slug(message.title)}-{part(ident or 'x', 40)}"


def target_folder(target: Target) -> Path:
    """`<unit>/<target name or channel kind>`: a unit's landscape and portrait screens, or
    its two websites, each get a folder of their own."""
    name = target.id.rsplit("/", 1)[-1] if "/" in target.id else target.kind
    return Path(part(target.unit), part(name or target.kind))
