"""A slot's bulletin: the items one broadcast slot carries, in order, within its duration limit.

An item goes to the first slot at or after its due time whose bulletin still has room; what
does not fit waits for the next slot, and the receipt says which bulletin was full. The folder
transport keeps one folder per slot (`<path>/<2024-02-26_0600>/`) with each item's script and
audio, an atomically updated `playlist.json`, the whole `bulletin.txt` for the announcer and a
`bulletin.m3u` for the player.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import requests

from campaigns.broadcast import Slots, parse_slots, slot_id
from campaigns.model import TZ, Target
from channels import atomic
from channels.base import Message, Receipt, Transport
from channels.errors import ConfigurationError, PermanentError, TransientError

log = logging.getLogger(__name__)

PLAYLIST = "playlist.json"
MAX_SLOTS = 28
"""How many slots ahead an item may wait for room before the publish is retried later."""
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,150}$")


def slots_of(target: Target) -> Slots:
    try:
        return parse_slots(target.options)
    except ValueError as e:
        raise ConfigurationError(f"target {target.id}: options: {e}") from e


def piece(message: Message) -> dict[str, Any]:
    """What a bulletin lists for one loudspeaker Message; PermanentError when it lacks a part."""
    body = message.body
    name = str(body.get("name") or message.reference)
    if not _NAME.match(name) or not message.attachments:
        raise PermanentError(f"loudspeaker message {name!r} needs a plain name and a script")
    try:
        seconds = float(body["seconds"])
    except (KeyError, TypeError, ValueError) as e:
        raise PermanentError(f"loudspeaker message {name}: no reading time ({e})") from e
    return {
        "name": name,
        "title": str(body.get("title") or message.title),
        "seconds": seconds,
        "order": str(body.get("order") or ""),
        "script": message.attachments[0].filename,
        "audio": message.attachments[1].filename if len(message.attachments) > 1 else None,
    }


def when(slot: dt.datetime) -> str:
    """'06:00 26/02/2024', as staff read a slot."""
    return slot.astimezone(TZ).strftime("%H:%M %d/%m/%Y")


def place(
    slots: Slots, due: dt.datetime, seconds: float, used: Callable[[dt.datetime], float]
) -> tuple[dt.datetime, list[str]]:
    """The first slot from `due` with room for `seconds`, and a note for each full one passed."""
    if seconds > slots.max_seconds:
        raise PermanentError(
            f"the item reads for {seconds:.0f} s, longer than a whole bulletin "
            f"({slots.max_seconds:.0f} s): shorten it or raise options.max_minutes"
        )
    slot = slots.next(due)
    passed: list[str] = []
    for _ in range(MAX_SLOTS):
        taken = used(slot)
        if taken + seconds <= slots.max_seconds:
            return slot, passed
        passed.append(
            f"the {when(slot)} bulletin was full ({taken:.0f} of {slots.max_seconds:.0f} s)"
        )
        slot = slots.after(slot)
    raise TransientError(f"no room in the next {MAX_SLOTS} bulletins", retry_after=3600)


def overflow(passed: list[str], slot: dt.datetime) -> str | None:
    if not passed:
        return None
    return f"waits for the {when(slot)} bulletin: " + "; ".join(passed)


def warning(message: Message, passed: list[str], slot: dt.datetime) -> str | None:
    """What the receipt says beyond success: a full bulletin passed, audio not made."""
    notes = [n for n in (overflow(passed, slot), message.body.get("warning")) if n]
    return "; ".join(str(n) for n in notes) or None


def bulletin_text(slot: dt.datetime, entries: list[dict[str, Any]], scripts: list[str]) -> str:
    total = sum(float(e["seconds"]) for e in entries)
    minutes, seconds = divmod(round(total), 60)
    head = (
        f"Bản tin {when(slot)}: {len(entries)} tin, khoảng {minutes} phút {seconds} giây\n"
        + "=" * 60
        + "\n\n"
    )
    return head + "\n\n".join(s.strip() for s in scripts) + "\n"


def m3u(entries: list[dict[str, Any]]) -> str:
    lines = ["#EXTM3U"]
    for e in entries:
        if e.get("audio"):
            lines += [f"#EXTINF:{round(float(e['seconds']))},{e['title']}", str(e["audio"])]
    return "\n".join(lines) + "\n"


class BulletinFolder(Transport):
    """The `folder` transport for loudspeaker targets: one folder per slot, written atomically."""

    name: ClassVar[str] = "folder"
    kinds: ClassVar[tuple[str, ...]] = ("loudspeaker",)
    can_lookup: ClassVar[bool] = True

    def __init__(self, target: Target, *, session: requests.Session | None = None) -> None:
        super().__init__(target, session=session)
        self.path = atomic.folder_of(target)
        self.slots = slots_of(target)

    def publish(self, message: Message) -> Receipt:
        """Put the item in the first bulletin from its due slot that has room for it."""
        entry = piece(message)
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            with atomic.locked(self.path / ".bulletin.lock"):
                found = self._find(entry["name"])
                if found is not None:
                    return found
                due = message.due or dt.datetime.now(dt.UTC)
                slot, passed = place(self.slots, due, entry["seconds"], self._used)
                count = self._add(slot, entry, message)
        except OSError as e:
            raise atomic.error(e, f"{self.target.id}: write {entry['name']}") from e
        note = warning(message, passed, slot)
        if passed:  # the missing espeak-ng was said once already, by channels.audio
            log.warning("%s: %s: %s", self.target.id, entry["name"], overflow(passed, slot))
        detail = {
            "bulletin": slot_id(slot),
            "slot": slot.isoformat(),
            "seconds": entry["seconds"],
            "entries": count,
        }
        if note:
            detail["warning"] = note
        return Receipt(f"{slot_id(slot)}/{entry['name']}", detail=detail)

    def lookup(self, message: Message) -> Receipt | None:
        try:
            return self._find(piece(message)["name"])
        except OSError as e:
            raise atomic.error(e, f"{self.target.id}: read the bulletins") from e

    def _find(self, name: str) -> Receipt | None:
        """The bulletin that already lists `name` with its script still there, or None."""
        for playlist in sorted(self.path.glob(f"*/{PLAYLIST}")):
            for e in _read(playlist)["items"]:
                if e.get("name") == name and (playlist.parent / str(e.get("script"))).is_file():
                    bulletin = playlist.parent.name
                    detail = {"bulletin": bulletin, "seconds": e.get("seconds"), "found": True}
                    return Receipt(f"{bulletin}/{name}", detail=detail)
        return None

    def _used(self, slot: dt.datetime) -> float:
        return sum(float(e["seconds"]) for e in _read(self._folder(slot) / PLAYLIST)["items"])

    def _folder(self, slot: dt.datetime) -> Path:
        return self.path / slot_id(slot)

    def _add(self, slot: dt.datetime, entry: dict[str, Any], message: Message) -> int:
        """Write the item's files, then the slot's playlist, bulletin text and M3U, in order."""
        folder = self._folder(slot)
        folder.mkdir(exist_ok=True)
        for attachment in message.attachments:
            atomic.write(folder / attachment.filename, attachment.data)
        entries = [e for e in _read(folder / PLAYLIST)["items"] if e.get("name") != entry["name"]]
        entries.append(entry)
        entries.sort(key=lambda e: (str(e.get("order")), str(e.get("name"))))
        document = {
            "slot": slot.isoformat(),
            "max_seconds": self.slots.max_seconds,
            "seconds": round(sum(float(e["seconds"]) for e in entries), 1),
            "items": entries,
        }
        scripts = [(folder / str(e["script"])).read_text(encoding="utf-8") for e in entries]
        atomic.write(folder / "bulletin.txt", bulletin_text(slot, entries, scripts).encode())
        atomic.write(folder / "bulletin.m3u", m3u(entries).encode())
        text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
        atomic.write(folder / PLAYLIST, text.encode())
        return len(entries)


def _read(path: Path) -> dict[str, Any]:
    """A slot's playlist; an unreadable one is PermanentError, never silently overwritten."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"items": []}
    except ValueError as e:
        raise PermanentError(f"{path} is not valid JSON: fix or remove it") from e
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise PermanentError(f"{path} is not a bulletin playlist: fix or remove it")
    data["items"] = [e for e in data["items"] if isinstance(e, dict)]
    return data
