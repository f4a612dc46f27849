"""The spoken bulletin item: espeak-ng's Vietnamese voice, chimes, loudness-normalised MP3."""

from __future__ import annotations

import array
import dataclasses
import io
import logging
import math
import shutil
import subprocess
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest

from campaigns.model import Item, Target
from channels import audio, loudspeaker
from channels.loudspeaker import LoudspeakerFormat
from channels.outbox import OutboxTransport
from tests.services import need
from tests.test_loudspeaker_script import ITEMS, UNIT, target

RMS_FLOOR = 500.0
"""16-bit RMS a spoken, normalised item stays above (silence is 0; -16 LUFS speech is ~3000)."""


def _tools() -> None:
    need(shutil.which("espeak-ng") is not None, "espeak-ng")
    need(shutil.which("ffmpeg") is not None and shutil.which("ffprobe") is not None, "ffmpeg")


def _decoded(data: bytes, suffix: str, tmp: Path) -> tuple[float, float]:
    """(duration by ffprobe, RMS of the 16-bit samples ffmpeg's real decoder gives back)."""
    file = tmp / f"item.{suffix}"
    file.write_bytes(data)
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(file)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    pcm = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(file), "-f", "s16le", "-ac", "1", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    samples = array.array("h", pcm)
    rms = math.sqrt(sum(s * s for s in samples) / max(1, len(samples)))
    return float(probe.stdout.strip()), rms


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    loudspeaker._speak.cache_clear()
    audio._warned.clear()
    yield
    loudspeaker._speak.cache_clear()


@pytest.mark.parametrize("item", ITEMS, ids=lambda i: i.key)
@pytest.mark.parametrize("chime", [True, False])
def test_the_mp3_decodes_is_not_silent_and_lasts_about_the_estimate(
    item: Item, chime: bool, tmp_path: Path
) -> None:
    _tools()
    message = LoudspeakerFormat().format(item, UNIT, target(audio=True, chime=chime))
    sound = message.attachments[1]
    assert sound.media_type == "audio/mpeg" and sound.data[:3] in (b"ID3", b"\xff\xfb"[:3])
    duration, rms = _decoded(sound.data, "mp3", tmp_path)
    estimate = float(message.body["seconds"])
    print(f"{item.key} chime={chime}: {duration:.1f} s spoken, {estimate:.1f} s estimated")
    assert rms > RMS_FLOOR
    assert 0.7 * estimate <= duration <= 1.3 * estimate


def test_a_station_may_ask_for_wav(tmp_path: Path) -> None:
    _tools()
    message = LoudspeakerFormat().format(ITEMS[1], UNIT, target(audio=True, audio_format="wav"))
    sound = message.attachments[1]
    assert sound.filename.endswith(".wav") and message.body["audio"] == sound.filename
    with wave.open(io.BytesIO(sound.data)) as w:
        seconds = w.getnframes() / w.getframerate()
        samples = array.array("h", w.readframes(w.getnframes()))
    rms = math.sqrt(sum(s * s for s in samples) / len(samples))
    assert rms > RMS_FLOOR
    assert 0.7 * message.body["seconds"] <= seconds <= 1.3 * message.body["seconds"]


def test_the_chime_is_made_here_and_is_a_tone() -> None:
    tone = array.array("h", audio.chime())
    assert len(tone) == int(audio.RATE * audio.CHIME_SECONDS)
    assert max(abs(s) for s in tone) > 8000


def test_without_espeak_ng_the_script_is_written_and_it_is_said_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(audio, "tools", lambda: (None, None))
    caplog.set_level(logging.WARNING, logger="channels.audio")
    fmt = LoudspeakerFormat()
    messages = [fmt.format(i, UNIT, target(audio=True)) for i in ITEMS]
    assert all(len(m.attachments) == 1 and m.body["audio"] is None for m in messages)
    said = [r.getMessage() for r in caplog.records if "espeak-ng" in r.getMessage()]
    assert len(said) == 1 and "audio not made because espeak-ng is not installed" in said[0]
    outbox_target = Target("tan-phong/loudspeaker", "tan-phong", "loudspeaker", "outbox")
    box = OutboxTransport(outbox_target, root=tmp_path)
    receipt = box.publish(dataclasses.replace(messages[0], delivery_id=7))
    assert "espeak-ng" in str(receipt.detail["warning"])
    folder = tmp_path / "tan-phong" / "loudspeaker"
    written = next(folder.glob("undated-*-7.txt")).read_text(encoding="utf-8")
    assert messages[0].text in written and "espeak-ng" in written
    assert not list(folder.glob("*.mp3"))


def test_the_outbox_keeps_the_audio_beside_the_script(tmp_path: Path) -> None:
    _tools()
    message = LoudspeakerFormat().format(ITEMS[1], UNIT, target(audio=True))
    outbox_target = Target("tan-phong/loudspeaker", "tan-phong", "loudspeaker", "outbox")
    OutboxTransport(outbox_target, root=tmp_path).publish(
        dataclasses.replace(message, delivery_id=3)
    )
    folder = tmp_path / "tan-phong" / "loudspeaker"
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == 2 and names[0].endswith("-3.mp3") and names[1].endswith("-3.txt")
    assert names[0].removesuffix(".mp3") == names[1].removesuffix(".txt")
    assert (folder / names[0]).read_bytes() == message.attachments[1].data
