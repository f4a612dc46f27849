"""The dry-run transport: writes what would be published to
outbox/<unit>/<target name or channel>/<due-date>-<item-slug>-<id>.<ext>."""

from __future__ import annotations

import html
import json
import os
from pathlib import Path
from typing import ClassVar

import requests

from campaigns.broadcast import parse_slots, slot_id
from campaigns.model import CHANNEL_KINDS, Target
from campaigns.text import plain_text
from channels.base import Message, Receipt, Transport
from channels.names import stem, target_folder

EXTENSIONS = {
    "website": "html",
    "screen": "png",
    "sms": "txt",
    "facebook": "json",
    "zalo": "json",
    "loudspeaker": "txt",
}


class OutboxTransport(Transport):
    name: ClassVar[str] = "outbox"
    kinds: ClassVar[tuple[str, ...]] = CHANNEL_KINDS
    can_lookup: ClassVar[bool] = True

    def __init__(self, target: Target, *, root: Path) -> None:
        super().__init__(target)
        self.root = root

    @classmethod
    def build(
        cls, target: Target, *, session: requests.Session | None, outbox: Path | None
    ) -> Transport:
        """Writes under the worker's outbox folder; it makes no requests, so takes no session."""
        return cls(target, root=outbox or Path("outbox"))

    def path_for(self, message: Message) -> Path:
        """One folder per target (a unit's landscape and portrait screens apart), and a name
        that says when the item is due and what it is (`names.stem`)."""
        folder = self.root / target_folder(self.target)
        return folder / f"{stem(message)}.{EXTENSIONS[message.kind]}"

    def publish(self, message: Message) -> Receipt:
        path = self.path_for(message)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_bytes(render(message))
        os.replace(tmp, path)
        for extra in message.attachments[1:] if message.kind == "loudspeaker" else ():
            sound = path.with_suffix(Path(extra.filename).suffix)  # the audio beside the script
            tmp = sound.with_suffix(sound.suffix + ".tmp")
            tmp.write_bytes(extra.data)
            os.replace(tmp, sound)
        return Receipt(
            remote_id=f"outbox:{path.relative_to(self.root)}",
            url=path.resolve().as_uri(),
            detail=self._aired(message),
        )

    def _aired(self, message: Message) -> dict[str, object]:
        """For a loudspeaker item: the slot it would air in, its reading time, any warning."""
        if message.kind != "loudspeaker":
            return {}
        detail: dict[str, object] = {"seconds": message.body.get("seconds")}
        if message.due is not None:
            detail["bulletin"] = slot_id(parse_slots(self.target.options).next(message.due))
        if message.body.get("warning"):
            detail["warning"] = message.body["warning"]
        return detail

    def lookup(self, message: Message) -> Receipt | None:
        path = self.path_for(message)
        if not path.exists():
            return None
        return Receipt(
            remote_id=f"outbox:{path.relative_to(self.root)}", url=path.resolve().as_uri()
        )


def render(message: Message) -> bytes:
    """The bytes a person opens to see exactly what the channel would get."""
    if message.kind == "screen":
        return message.attachments[0].data
    if message.kind == "website":
        return website_page(message).encode()
    if message.kind == "loudspeaker":
        head = f"Thời lượng ước tính: {message.body.get('seconds')} giây\n"
        audio = message.body.get("audio")
        head += (
            f"Âm thanh: {audio}\n"
            if audio
            else f"Âm thanh: không có ({message.body.get('warning')})\n"
        )
        return (head + "\n" + message.text).encode()
    if message.kind == "sms":
        head = (
            f"Encoding: {message.encoding}\nSegments: {message.segments}\n"
            f"Recipients: {len(message.recipients)}\n"
        )
        to = "".join(f"To: {n}\n" for n in message.recipients)
        return (head + to + "\n" + message.text + "\n").encode()
    return (json.dumps(dict(message.body), ensure_ascii=False, indent=2) + "\n").encode()


def website_page(message: Message) -> str:
    """The post as a page: its featured image, its excerpt as the lead when the content does
    not already hold those words (a video's description), then the content."""
    title = html.escape(message.title)
    content = str(message.body.get("content", ""))
    lead = str(message.body.get("excerpt", ""))
    shown = f"<p><em>{html.escape(lead)}</em></p>\n" if lead else ""
    if lead and lead.rstrip("…") in plain_text(content):
        shown = ""
    image = message.body.get("featured_image")
    if isinstance(image, dict) and image.get("url"):
        src, alt = html.escape(str(image["url"])), html.escape(str(image.get("alt", "")))
        shown = f'<figure><img src="{src}" alt="{alt}"></figure>\n' + shown
    return (
        '<!doctype html>\n<html lang="vi"><head><meta charset="utf-8">'
        f"<title>{title}</title></head>\n<body><article><h1>{title}</h1>\n"
        f"{shown}{content}\n</article></body></html>\n"
    )
