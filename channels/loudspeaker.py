"""A commune loudspeaker bulletin item: a script for the ear and, with espeak-ng, its audio.

The script names the station and the programme, then reads the title and summary as sentences,
with no links, abbreviations spelled out and numbers in words. The audio is that script in
espeak-ng's Vietnamese voice, between two chimes, loudness-normalised, as MP3 (or WAV).
Which bulletin (broadcast slot) carries it is the transport's business: see channels.bulletin.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Any, ClassVar

from campaigns.broadcast import DEFAULT_WPM
from campaigns.model import Item, Target, Unit
from campaigns.text import shorten
from channels import audio, script
from channels.base import NO_CONTEXT, Attachment, Context, Message
from channels.errors import ConfigurationError
from channels.website import reference

DEFAULT_PROGRAMME = "chuyên mục cải cách hành chính"
_COMMITTEE = re.compile(r"^(?:UBND|Ủy ban nhân dân)\s+", re.IGNORECASE)


def station_of(unit: Unit) -> str:
    """'UBND phường Tân Phong' → 'Đài truyền thanh phường Tân Phong'."""
    return "Đài truyền thanh " + _COMMITTEE.sub("", unit.name)


def settings(target: Target) -> dict[str, Any]:
    """The loudspeaker options of a target, with defaults; ConfigurationError naming a bad one."""
    opts = target.options
    wpm = opts.get("wpm", DEFAULT_WPM)
    if isinstance(wpm, bool) or not isinstance(wpm, int | float) or not 60 <= wpm <= 300:
        raise ConfigurationError(f"target {target.id}: options.wpm must be 60..300, not {wpm!r}")
    fmt = str(opts.get("audio_format", "mp3"))
    if fmt not in audio.FORMATS:
        raise ConfigurationError(
            f"target {target.id}: options.audio_format must be one of {sorted(audio.FORMATS)}"
        )
    chime = opts.get("chime", True)
    if not isinstance(chime, bool):
        raise ConfigurationError(f"target {target.id}: options.chime must be true or false")
    return {
        "wpm": float(wpm),
        "format": fmt,
        "chime": chime,
        "voice": str(opts.get("voice", "vi")),
        "audio": opts.get("audio", True) is not False,
    }


class LoudspeakerFormat:
    kind: ClassVar[str] = "loudspeaker"
    max_title: ClassVar[int] = 300
    """Characters of the title read out; a bulletin item is a minute or two, not an article."""
    max_summary: ClassVar[int] = 1200

    def format(
        self,
        item: Item,
        unit: Unit,
        target: Target,
        *,
        recipients: tuple[str, ...] = (),
        due: dt.datetime | None = None,
        context: Context = NO_CONTEXT,
    ) -> Message:
        opts = target.options
        cfg = settings(target)
        title = shorten(item.title, self.max_title)
        table = script.abbreviations(opts.get("abbreviations"))
        text = script.build_script(
            station=str(opts.get("station") or station_of(unit)),
            programme=str(opts.get("programme") or DEFAULT_PROGRAMME),
            title=title,
            summary=shorten(item.summary or _first_sentences(item.body_html), self.max_summary),
            table=table,
        )
        seconds = script.reading_seconds(text, cfg["wpm"]) + audio.chime_seconds(cfg["chime"])
        name = reference(item, target)
        sound = (
            _speak(text, cfg["wpm"], cfg["voice"], cfg["chime"], cfg["format"])
            if cfg["audio"]
            else audio.Audio(None, None, None)  # options.audio: false: the script only
        )
        attachments = [Attachment(f"{name}.txt", "text/plain; charset=utf-8", text.encode())]
        if sound.data is not None:
            attachments.append(
                Attachment(f"{name}.{sound.extension}", str(sound.media_type), sound.data)
            )
        body: dict[str, Any] = {
            "name": name,
            "title": title,
            "script": text,
            "words": script.words(text),
            "wpm": cfg["wpm"],
            "seconds": round(seconds, 1),
            "audio": attachments[1].filename if sound.data is not None else None,
            "order": item.published.isoformat() if item.published else "",
        }
        if sound.warning:
            body["warning"] = sound.warning
        return Message(
            kind=self.kind,
            title=title,
            text=text,
            body=body,
            attachments=tuple(attachments),
            reference=name,
        )


@functools.lru_cache(maxsize=8)
def _speak(text: str, wpm: float, voice: str, chime: bool, fmt: str) -> audio.Audio:
    """Retries and previews of the same script reuse the audio made once. A few: each script
    names its station, so units do not share one, and a bulletin's audio is ~0.25 MB (64 of
    them held 5 MB of a `loa run --once` that has a memory budget, docs/performance.md)."""
    return audio.speak(text, wpm=wpm, voice=voice, chime_on=chime, fmt=fmt)


def _first_sentences(body_html: str, limit: int = 2) -> str:
    sentences = re.split(r"(?<=[.!?])\s+", script.plain(body_html))
    return " ".join(sentences[:limit])
