"""Drops slides into a folder a screen player watches, with a playlist.json it reads alongside."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import re
from pathlib import Path
from typing import Any, ClassVar

import requests

from campaigns.model import Target
from channels import atomic
from channels.base import Message, Receipt, Transport
from channels.bulletin import BulletinFolder
from channels.errors import PermanentError
from channels.names import stem

log = logging.getLogger(__name__)

PLAYLIST = "playlist.json"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,150}$")
_EXT = {"image/png": ".png", "image/jpeg": ".jpg"}


class FolderTransport(Transport):
    """Writes each file atomically, so a player never shows half a slide or half a playlist."""

    name: ClassVar[str] = "folder"
    kinds: ClassVar[tuple[str, ...]] = ("screen", "loudspeaker")
    can_lookup: ClassVar[bool] = True

    @classmethod
    def build(
        cls, target: Target, *, session: requests.Session | None, outbox: Path | None
    ) -> Transport:
        """Slides for a screen; for a loudspeaker, one bulletin folder per broadcast slot."""
        if target.kind == "loudspeaker":
            return BulletinFolder(target, session=session)
        return cls(target, session=session)

    def __init__(self, target: Target, *, session: requests.Session | None = None) -> None:
        super().__init__(target, session=session)
        self.path = atomic.folder_of(target)

    def publish(self, message: Message) -> Receipt:
        """Write the slide, then put its entry in the playlist (replacing one of the same name).

        A slide whose window has already ended is refused, not written and pruned at once."""
        entry = _entry(message)
        if _ended(entry, dt.datetime.now(dt.UTC)):
            raise PermanentError(
                f"{self.target.id}: slide {entry['name']} was to be shown until {entry['end']},"
                " which has passed: nothing written (raise the target's options.days to show"
                " late slides longer)"
            )
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            with self._locked():
                atomic.write(self.path / entry["file"], message.attachments[0].data)
                entries = self._update(entry)
        except OSError as e:
            raise atomic.error(e, f"{self.target.id}: write {entry['file']}") from e
        log.info(
            "%s: slide %s in the playlist (%s entries)", self.target.id, entry["name"], entries
        )
        return Receipt(entry["name"], detail={"file": entry["file"], "entries": entries})

    def lookup(self, message: Message) -> Receipt | None:
        """The playlist entry of exactly this name whose file is still there, or None."""
        name = _entry(message)["name"]
        try:
            entries = _read(self.path / PLAYLIST)
        except OSError as e:
            raise atomic.error(e, f"{self.target.id}: read {PLAYLIST}") from e
        for entry in entries:
            if entry.get("name") == name and (self.path / str(entry.get("file"))).is_file():
                return Receipt(name, detail={"file": entry["file"], "found": True})
        return None

    def _update(self, entry: dict[str, Any]) -> int:
        """Replace the same name, drop what has ended (and its file), write the playlist back."""
        now = dt.datetime.now(dt.UTC)
        old = _read(self.path / PLAYLIST)
        kept = [e for e in old if e.get("name") != entry["name"] and not _ended(e, now)]
        kept.append(entry)
        kept.sort(key=lambda e: (str(e.get("start")), str(e.get("name"))))
        playlist = json.dumps(kept, ensure_ascii=False, indent=2) + "\n"
        atomic.write(self.path / PLAYLIST, playlist.encode())
        in_use = {str(e.get("file")) for e in kept}
        for gone in old:
            name = str(gone.get("file"))
            if name not in in_use and _NAME.match(name) and name != PLAYLIST:
                with contextlib.suppress(FileNotFoundError):
                    (self.path / name).unlink()
                    log.info("%s: removed slide %s", self.target.id, name)
        return len(kept)

    def _locked(self) -> contextlib.AbstractContextManager[None]:
        """Hold the folder's lock file, so two workers never lose each other's playlist entries."""
        return atomic.locked(self.path / ".playlist.lock")


def _entry(message: Message) -> dict[str, Any]:
    """The playlist entry of a screen Message; PermanentError when it cannot make one."""
    body = message.body
    name = str(body.get("name") or message.reference)
    if not _NAME.match(name) or not message.attachments:
        raise PermanentError(f"screen message {name!r} needs a plain file name and a slide")
    slide = message.attachments[0]
    try:
        start, end = _when(body["start_date"]), _when(body["end_date"])
        duration = int(body["duration"])
    except (KeyError, TypeError, ValueError) as e:
        raise PermanentError(f"screen message {name}: bad start/end/duration ({e})") from e
    ext = _EXT.get(slide.media_type, Path(slide.filename).suffix.lower() or ".png")
    file = stem(message) + ext  # `<due-date>-<item-slug>-<id>.png`, always plain ASCII
    return {"file": file, "name": name, "start": start, "end": end, "duration": duration}


def _when(value: object) -> str:
    """An ISO timestamp in UTC; naive values are taken as UTC, as Anthias does."""
    moment = dt.datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _ended(entry: dict[str, Any], now: dt.datetime) -> bool:
    try:
        return dt.datetime.fromisoformat(str(entry.get("end")).replace("Z", "+00:00")) < now
    except (TypeError, ValueError):
        return False


def _read(path: Path) -> list[dict[str, Any]]:
    """The playlist's entries; an unreadable one is PermanentError, never silently overwritten."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except ValueError as e:
        raise PermanentError(f"{path} is not valid JSON: fix or remove it") from e
    if not isinstance(data, list):
        raise PermanentError(f"{path} is not a list of entries: fix or remove it")
    return [e for e in data if isinstance(e, dict)]
