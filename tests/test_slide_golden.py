"""Golden slides, compared pixel for pixel: a district's, a video's, portrait, and no link.

Rendering is deterministic with the bundled Noto Sans (raqm layout), so a slide must match
its golden PNG exactly: a wrong date, a dropped mark or another unit's name each change
pixels, and the tests below prove the comparison sees them. `LOA_UPDATE_GOLDEN=1` writes
the PNGs and fails, so an update is always looked at (tests/golden/*.png) before it counts.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Iterator
from pathlib import Path

import PIL
import pytest
from PIL import Image, ImageChops, ImageFont, features

from campaigns.config import load_config
from campaigns.model import TZ, Item, Target, Unit, fold
from channels import typeface
from channels.screen import ScreenFormat
from channels.slide import SlideContent, clear_cache, render_slide, slide_layout

GOLDEN = Path(__file__).with_name("golden")
VERSIONS = GOLDEN / "versions.txt"
"""The Pillow, FreeType and raqm the golden PNGs were drawn with: a mismatch names a drift."""
CONFIG = Path(__file__).parents[1] / "config"
DUE = dt.datetime(2024, 3, 15, 8, 0, tzinfo=TZ)
ARTICLE = Item(
    "tin:luat-dat-dai",
    "article",
    "Ẫn Ầm Ổn: Đồng Nai tuyên truyền Luật Đất đai 2024 đến từng khu phố",
    "Người dân ấp Ẫn Ổn được hướng dẫn tra cứu thủ tục, bảng giá đất và hồ sơ mẫu trực "
    "tuyến; những ổ gà trên đường vào ấp sẽ được sửa trước Tết.",
    link="https://dongnai.gov.vn/tin-tuc/luat-dat-dai-2024",
    published=dt.datetime(2024, 2, 1, 9, 0, tzinfo=TZ),
)
VIDEO = Item(
    "video:dvc",
    "video",
    "Hướng dẫn nộp hồ sơ trực tuyến trên Cổng Dịch vụ công",
    "Video hướng dẫn từng bước, từ đăng nhập VNeID đến nhận kết quả tại nhà.",
    video_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
)
NO_LINK = Item(
    "tin:cong-khai",
    "article",
    "Công khai kết quả giải quyết thủ tục hành chính tháng 3",
    "Người dân tra cứu hồ sơ tại bộ phận một cửa.",
)
CASES = {
    "district_landscape": (ARTICLE, "bien-hoa", "landscape"),
    "video_landscape": (VIDEO, "so-noi-vu", "landscape"),
    "video_portrait": (VIDEO, "tan-phong", "portrait"),
    "district_portrait": (ARTICLE, "bien-hoa", "portrait"),
    "nolink_landscape": (NO_LINK, "long-thanh", "landscape"),
    "nolink_portrait": (NO_LINK, "long-phuoc", "portrait"),
}


@pytest.fixture(autouse=True)
def bundled_fonts(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The bundled Noto Sans under raqm, as the golden PNGs were drawn."""
    monkeypatch.delenv(typeface.FONT_DIR_ENV, raising=False)
    assert typeface.layout_engine() is ImageFont.Layout.RAQM, "golden slides need libraqm"
    clear_cache()
    yield
    clear_cache()


@pytest.fixture(scope="module")
def units() -> dict[str, Unit]:
    """The shipped units.yaml, so the headers are what the example's units really show."""
    return dict(load_config(CONFIG).units)


def slide(item: Item, unit: Unit, orientation: str, due: dt.datetime = DUE) -> Image.Image:
    options = {"orientation": orientation}
    target = Target(f"{unit.code}/screen", unit.code, "screen", "outbox", options=options)
    png = ScreenFormat().format(item, unit, target, due=due).attachments[0].data
    image = Image.open(io.BytesIO(png))
    image.load()
    return image.convert("RGB")


def mismatch(image: Image.Image, expected: Image.Image) -> str | None:
    """None when every pixel is equal; else how many differ and where."""
    if image.size != expected.size:
        return f"size {image.size} is not {expected.size}"
    diff = ImageChops.difference(image, expected.convert("RGB"))
    box = diff.getbbox()
    if box is None:
        return None
    changed = sum(diff.convert("L").point(lambda v: 255 if v else 0).histogram()[255:])
    return f"{changed} pixels differ inside {box}"


def versions() -> str:
    return (
        f"Pillow {PIL.__version__}, FreeType {features.version('freetype2')},"
        f" raqm {features.version('raqm')}\n"
    )


def check_golden(image: Image.Image, golden: Path, *, update: bool) -> None:
    """Compare with the golden PNG; when updating, write it and fail so someone looks."""
    if update:
        golden.parent.mkdir(exist_ok=True)
        image.save(golden, optimize=True)
        (golden.parent / VERSIONS.name).write_text(versions(), encoding="utf-8")
        pytest.fail(f"wrote {golden}: look at it, commit it, then run without LOA_UPDATE_GOLDEN")
    if not golden.exists():
        pytest.fail(f"{golden} is missing: run with LOA_UPDATE_GOLDEN=1, then look at it")
    problem = mismatch(image, Image.open(golden))
    drawn_with = golden.parent / VERSIONS.name
    was = drawn_with.read_text(encoding="utf-8") if drawn_with.exists() else "unknown"
    drift = "" if was == versions() else f" (drawn with {was.strip()}, now {versions().strip()})"
    assert problem is None, (
        f"{golden.name}: {problem}{drift}; if the change is meant, LOA_UPDATE_GOLDEN=1, look,"
        " commit"
    )


@pytest.mark.parametrize("name", CASES)
def test_slide_matches_its_golden_image(name: str, units: dict[str, Unit]) -> None:
    item, code, orientation = CASES[name]
    image = slide(item, units[code], orientation)
    check_golden(image, GOLDEN / f"{name}.png", update=os.environ.get("LOA_UPDATE_GOLDEN") == "1")


def golden(name: str) -> Image.Image:
    return Image.open(GOLDEN / f"{name}.png")


def test_a_wrong_date_fails_the_comparison(units: dict[str, Unit]) -> None:
    wrong = slide(ARTICLE, units["bien-hoa"], "landscape", due=DUE + dt.timedelta(days=1))
    assert mismatch(wrong, golden("district_landscape")) is not None


def test_a_title_without_diacritics_fails_the_comparison(units: dict[str, Unit]) -> None:
    bare = Item(ARTICLE.key, "article", fold(ARTICLE.title), ARTICLE.summary, link=ARTICLE.link)
    assert fold(ARTICLE.title) != ARTICLE.title.casefold()
    assert mismatch(slide(bare, units["bien-hoa"], "landscape"), golden("district_landscape"))


def test_another_units_name_fails_the_comparison(units: dict[str, Unit]) -> None:
    other = slide(ARTICLE, units["long-khanh"], "landscape")
    assert mismatch(other, golden("district_landscape")) is not None
    portrait = slide(ARTICLE, units["long-khanh"], "portrait")
    assert mismatch(portrait, golden("district_portrait")) is not None


def test_updating_a_golden_image_writes_it_and_fails(tmp_path: Path) -> None:
    image = Image.new("RGB", (8, 8), "white")
    with pytest.raises(pytest.fail.Exception, match="wrote"):
        check_golden(image, tmp_path / "new.png", update=True)
    check_golden(image, tmp_path / "new.png", update=False)  # what was written now matches
    with pytest.raises(AssertionError, match="1 pixels differ"):
        image.putpixel((3, 3), (250, 255, 255))
        check_golden(image, tmp_path / "new.png", update=False)


def test_the_district_slide_is_the_one_drawn_from_the_expected_words(
    units: dict[str, Unit],
) -> None:
    """Independent of the PNG files: the formatter's slide is, byte for byte, the slide drawn
    from the words a citizen must read on Biên Hòa's screen, due 15/03/2024."""
    expected = SlideContent(
        title=ARTICLE.title,
        summary=ARTICLE.summary,
        unit_name="UBND Thành phố Biên Hòa",
        date_text="15/03/2024",
        qr_url=ARTICLE.link,
        agency="UBND Thành phố Biên Hòa",
        parent_agency="UBND tỉnh Đồng Nai",
    )
    drawn = Image.open(io.BytesIO(render_slide(expected))).convert("RGB")
    assert mismatch(slide(ARTICLE, units["bien-hoa"], "landscape"), drawn) is None
    layout = slide_layout(expected)
    assert layout.parent is not None and layout.parent.lines == ("UBND TỈNH ĐỒNG NAI",)
    assert layout.agency is not None and layout.agency.lines == ("UBND THÀNH PHỐ BIÊN HÒA",)


def test_a_video_slide_carries_the_play_cue_and_an_article_does_not() -> None:
    video = SlideContent(
        "Hướng dẫn", "Tóm tắt", "Sở Nội vụ", "15/03/2024", VIDEO.video_url, video=True
    )
    article = SlideContent("Hướng dẫn", "Tóm tắt", "Sở Nội vụ", "15/03/2024", VIDEO.video_url)
    for size in ((1920, 1080), (1080, 1920)):
        cued = slide_layout(video, size)
        assert cued.cue is not None and cued.cue.lines == ("Xem video",)
        assert cued.play is not None and cued.caption is not None
        assert "video" in " ".join(cued.caption.lines)
        plain = slide_layout(article, size)
        assert plain.cue is None and plain.play is None
