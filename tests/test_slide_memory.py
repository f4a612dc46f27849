"""What the slide cache keeps and how a PNG is deflated: the same bytes as before, less memory.

- the PNG written from a cached base's unit bands decodes to the slide drawn whole;
- `Segment`s deflated apart join into one valid zlib stream, whose checksum zlib accepts;
- threads asking at once for one base paint it once;
- the embedded runner's malloc settings are best effort (False off glibc, never an error).
"""

from __future__ import annotations

import io
import itertools
import struct
import threading
import zlib
from collections.abc import Iterator

import pytest
from PIL import Image, ImageChops, ImageDraw

from channels import pngstream, typeface
from channels.slide import (
    SlideBase,
    SlideContent,
    cache_info,
    clear_cache,
    render_base,
    render_slide,
    slide_layout,
)
from worker.engine import malloc

CONTENT = SlideContent(
    "Đồng Nai đẩy mạnh dịch vụ công trực tuyến toàn trình",
    "Người dân nộp hồ sơ, thanh toán phí và nhận kết quả tại nhà.",
    "UBND xã Phú Hữu",
    "04/12/2026",
    "https://sonoivu.dongnai.gov.vn/tin/bai-1",
)


@pytest.fixture(autouse=True)
def fresh_cache(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv(typeface.FONT_DIR_ENV, raising=False)  # the bundled fonts, as test_slide
    clear_cache()
    yield
    clear_cache()


def test_a_slide_is_its_base_with_the_unit_bands_drawn_in() -> None:
    png = Image.open(io.BytesIO(render_slide(CONTENT))).convert("RGB")
    base = render_base(SlideBase.of(CONTENT))
    assert png.size == base.size == (1920, 1080)
    top, bottom = slide_layout(CONTENT).frame.middle
    differs = ImageChops.difference(png, base)
    assert differs.crop((0, top, 1920, bottom)).getbbox() is None  # the shared middle
    assert differs.crop((0, 0, 1920, top)).getbbox() is not None  # the unit's agency
    assert differs.crop((0, bottom, 1920, 1080)).getbbox() is not None  # its name and date


def test_segments_deflated_apart_make_one_valid_zlib_stream() -> None:
    image = Image.new("RGB", (1920, 300), (250, 248, 240))
    ImageDraw.Draw(image).ellipse((100, 20, 1800, 280), fill=(183, 28, 28))
    cuts = [0, 70, 130, 300]
    parts = [pngstream.Segment.of(image, a, b) for a, b in itertools.pairwise(cuts)]
    png = pngstream.assemble(image.size, parts)
    stride = 1920 * 3
    raw = image.tobytes()
    rows = b"".join(b"\0" + raw[i : i + stride] for i in range(0, len(raw), stride))
    (length,) = struct.unpack(">I", png[33:37])
    assert png[37:41] == b"IDAT"
    assert zlib.decompress(png[41 : 41 + length]) == rows  # zlib checks the Adler-32 too
    assert Image.open(io.BytesIO(png)).convert("RGB").tobytes() == raw
    assert pngstream.assemble(image.size, parts) == png
    with pytest.raises(ValueError, match="do not make"):
        pngstream.assemble(image.size, parts[:2])


def test_adler32_of_joined_data_comes_from_its_parts() -> None:
    first, second = "Đồng Nai ".encode() * 5000, bytes(range(256)) * 300
    combined = pngstream.adler32_combine(zlib.adler32(first), zlib.adler32(second), len(second))
    assert combined == zlib.adler32(first + second)


def test_threads_asking_for_one_base_at_once_paint_it_once() -> None:
    start = threading.Barrier(8)
    out: list[bytes] = []

    def one(i: int) -> None:
        content = SlideContent(
            CONTENT.title, CONTENT.summary, f"UBND xã số {i}", CONTENT.date_text, CONTENT.qr_url
        )
        start.wait()
        out.append(render_slide(content))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(out)) == 8
    assert cache_info().misses == 1 and cache_info().hits == 7


def test_malloc_settings_are_best_effort() -> None:
    assert malloc.tame() in (True, False)
