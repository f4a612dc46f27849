"""PNG bytes for many images that share their top rows: compress the shared part once."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

from PIL import Image

SIGNATURE = b"\x89PNG\r\n\x1a\n"
LEVEL = 3
"""zlib level: 3 deflates a 1080p slide in ~15 ms; 6 saves ~15 % of bytes for 3× the time."""


def _rows(image: Image.Image, stop: int | None = None) -> bytes:
    """Raw RGB scanlines down to `stop`, each behind filter byte 0 (flat slides need no filter)."""
    raw, stride = memoryview(image.tobytes()), image.width * 3
    end = len(raw) if stop is None else stop * stride
    return b"\0".join([b"", *(raw[i : i + stride] for i in range(0, end, stride))]) if end else b""


def _chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


@dataclass(frozen=True)
class PngPrefix:
    """An RGB image's rows above `split`, already deflated; `finish` adds the rows below."""

    size: tuple[int, int]
    split: int
    data: bytes
    stream: zlib._Compress

    @classmethod
    def of(cls, image: Image.Image, split: int) -> PngPrefix:
        """Deflate rows [0, split) of an RGB image; the deflate state is kept for the rest."""
        if image.mode != "RGB" or not 0 <= split <= image.height:
            raise ValueError(f"need an RGB image and 0 <= split <= height, got {image.mode}")
        stream = zlib.compressobj(LEVEL, zlib.DEFLATED, 15, 9)
        data = stream.compress(_rows(image, split))
        return cls(image.size, split, data, stream)

    def finish(self, tail: Image.Image) -> bytes:
        """The whole PNG, given the rows from `split` down (the same tail gives the same bytes)."""
        w, h = self.size
        if tail.mode != "RGB" or tail.size != (w, h - self.split):
            raise ValueError(f"tail must be RGB {w}×{h - self.split}, got {tail.mode} {tail.size}")
        stream = self.stream.copy()
        data = self.data + stream.compress(_rows(tail)) + stream.flush()
        header = _chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
        return SIGNATURE + header + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")
