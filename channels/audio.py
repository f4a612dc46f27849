"""A script spoken in Vietnamese: espeak-ng's `vi` voice, a chime either side, loudness-normalised.

espeak-ng makes the speech (`espeak-ng -v vi -s SPEED -w speech.wav`); the chime is a tone made
here (no file is downloaded); ffmpeg normalises loudness (EBU R128 `loudnorm`) and encodes MP3.
Without espeak-ng there is no audio, and the caller says so; without ffmpeg the audio stays a
plain WAV. Nothing is fetched at run time.
"""

from __future__ import annotations

import io
import logging
import math
import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

RATE = 22050
"""espeak-ng writes 22.05 kHz mono 16-bit; the chime and the silences match it."""
SPEED_PER_WPM = 0.72
"""espeak-ng's `-s` for a wanted pace: its Vietnamese voice at -s 108 reads about 145 syllables a
minute with the pauses between sentences, so -s = pace x 0.72 gives the configured pace."""
CHIME_SECONDS = 0.9
GAP_SECONDS = 0.4
TIMEOUT = 120
FORMATS = {"mp3": "audio/mpeg", "wav": "audio/wav"}
LOUDNESS = "loudnorm=I=-16:TP=-1.5:LRA=11"
"""EBU R128 for speech over horn speakers: -16 LUFS integrated, true peak under -1.5 dBTP."""

_warned: set[str] = set()


@dataclass(frozen=True)
class Audio:
    """Encoded audio, or none and the reason why (said once per process on stderr)."""

    data: bytes | None
    media_type: str | None
    extension: str | None
    warning: str | None = None


def tools() -> tuple[str | None, str | None]:
    """The espeak-ng and ffmpeg programs on PATH, or None for each one missing."""
    return shutil.which("espeak-ng"), shutil.which("ffmpeg")


def warn_once(text: str) -> None:
    if text not in _warned:
        _warned.add(text)
        log.warning("%s", text)


def chime_seconds(chime: bool) -> float:
    """What the chimes and their gaps add to the speech."""
    return 2 * (CHIME_SECONDS + GAP_SECONDS) if chime else 0.0


def chime(seconds: float = CHIME_SECONDS) -> bytes:
    """A two-note bell (E6 then C6 over their octave), fading out: 16-bit mono PCM frames."""
    frames = bytearray()
    total = int(RATE * seconds)
    half = total // 2
    for i in range(total):
        t = i / RATE
        base = 1318.5 if i < half else 1046.5
        local = (i if i < half else i - half) / RATE
        envelope = math.exp(-5.0 * local) * min(1.0, local * 200)
        sample = math.sin(2 * math.pi * base * t) + 0.3 * math.sin(4 * math.pi * base * t)
        value = int(max(-1.0, min(1.0, 0.45 * envelope * sample)) * 32767)
        frames += value.to_bytes(2, "little", signed=True)
    return bytes(frames)


def silence(seconds: float) -> bytes:
    return b"\x00\x00" * int(RATE * seconds)


def speak(script: str, *, wpm: float, voice: str = "vi", chime_on: bool, fmt: str) -> Audio:
    """The script read aloud and encoded as `fmt`; Audio without data when espeak-ng is missing."""
    espeak, ffmpeg = tools()
    if espeak is None:
        text = (
            "loudspeaker: audio not made because espeak-ng is not installed "
            "(apt-get install espeak-ng); the script was written"
        )
        warn_once(text)
        return Audio(None, None, None, warning=text)
    with tempfile.TemporaryDirectory(prefix="loa-audio-") as tmp:
        folder = Path(tmp)
        (folder / "script.txt").write_text(script, encoding="utf-8")
        speed = max(80, min(450, round(wpm * SPEED_PER_WPM)))
        _run(
            [
                espeak,
                "-v",
                voice,
                "-s",
                str(speed),
                "-w",
                str(folder / "speech.wav"),
                "-f",
                str(folder / "script.txt"),
            ]
        )
        pcm = _frames(folder / "speech.wav")
        if chime_on:
            pcm = chime() + silence(GAP_SECONDS) + pcm + silence(GAP_SECONDS) + chime()
        wav = _wav(pcm)
        if ffmpeg is None:
            text = (
                "loudspeaker: ffmpeg is not installed: audio left as WAV, not loudness-normalised"
            )
            warn_once(text)
            return Audio(wav, FORMATS["wav"], "wav", warning=text)
        return Audio(_encode(ffmpeg, folder, wav, fmt), FORMATS[fmt], fmt)


def _encode(ffmpeg: str, folder: Path, wav: bytes, fmt: str) -> bytes:
    """Loudness-normalised (EBU R128), 44.1 kHz mono, MP3 at 64 kbit/s or 16-bit WAV."""
    (folder / "joined.wav").write_bytes(wav)
    out = folder / f"out.{fmt}"
    codec = ["-c:a", "libmp3lame", "-b:a", "64k"] if fmt == "mp3" else ["-c:a", "pcm_s16le"]
    _run(
        [ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
         "-i", str(folder / "joined.wav"), "-af", LOUDNESS, "-ar", "44100", "-ac", "1",
         *codec, "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:a", "+bitexact",
         str(out)]
    )  # fmt: skip
    return out.read_bytes()


def _run(command: list[str]) -> None:
    """Run one tool; its own error text is kept when it fails."""
    done = subprocess.run(command, capture_output=True, timeout=TIMEOUT, check=False)
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace").strip()[-300:]
        raise RuntimeError(f"{Path(command[0]).name} failed ({done.returncode}): {tail}")


def _frames(path: Path) -> bytes:
    with wave.open(str(path), "rb") as w:
        if (w.getnchannels(), w.getsampwidth(), w.getframerate()) != (1, 2, RATE):
            raise RuntimeError(f"espeak-ng wrote {w.getparams()}, not 22.05 kHz mono 16-bit")
        return w.readframes(w.getnframes())


def _wav(pcm: bytes) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm)
    return buffer.getvalue()
