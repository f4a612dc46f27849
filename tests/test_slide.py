"""Public-screen slides: Vietnamese marks drawn, text kept in its boxes, bytes reproducible."""

from __future__ import annotations

import io
import logging
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont, features

from channels import slide, typeface
from channels.slide import (
    LANDSCAPE,
    PORTRAIT,
    FontNotFoundError,
    SlideBase,
    SlideContent,
    cache_info,
    clear_cache,
    font_path,
    layout_engine,
    render_base,
    render_slide,
    slide_layout,
)
from channels.textbox import ELLIPSIS, Box, Fitted, ink_boxes
from channels.typeface import Face, Fonts

SIZES = {"landscape": LANDSCAPE, "portrait": PORTRAIT}

CONTENT = SlideContent(
    title="Ẫn Ầm Ổn: Đồng Nai tuyên truyền Luật Đất đai 2024 đến từng khu phố",
    summary=(
        "Người dân ấp Ẫn Ổn được hướng dẫn tra cứu thủ tục, bảng giá đất và hồ sơ mẫu trực "
        "tuyến; những ổ gà trên đường vào ấp sẽ được sửa trước Tết."
    ),
    unit_name="UBND phường Trấn Biên",
    date_text="27/11/2025",
    qr_url="https://dongnai.gov.vn/tin-tuc/luat-dat-dai-2024",
    agency="UBND phường Trấn Biên",
    parent_agency="UBND tỉnh Đồng Nai",
)
LONG = SlideContent(
    title="Thông báo lấy ý kiến nhân dân về dự thảo Nghị quyết Ầ Ẫ Ổ " * 8,
    summary="Người dân ở ấp Ẫn Ổn cần lưu ý thời hạn nộp hồ sơ để được hỗ trợ. " * 40,
    unit_name="Trung tâm Phục vụ hành chính công tỉnh Đồng Nai và các đơn vị trực thuộc " * 3,
    date_text="Thứ Hai, ngày 01 tháng 12 năm 2025, lúc 08 giờ 00 " * 2,
    qr_url="https://dongnai.gov.vn/" + "tin-tuc/" * 20,
    agency="Trung tâm Phục vụ hành chính công và Ban Quản lý các khu công nghiệp " * 2,
    parent_agency="Ủy ban nhân dân tỉnh Đồng Nai, Sở Nội vụ, Văn phòng " * 3,
)


@pytest.fixture(autouse=True)
def bundled_fonts(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test sets slides in the bundled Noto Sans, whatever the developer's LOA_FONT_DIR."""
    monkeypatch.delenv(typeface.FONT_DIR_ENV, raising=False)
    clear_cache()
    yield
    clear_cache()


def decode(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image.convert("RGB")


def differing_fraction(a: Image.Image, b: Image.Image) -> float:
    """Share of pixels whose colour differs by more than a faint antialiasing shade."""
    mask = ImageChops.difference(a, b).convert("L").point(lambda v: 255 if v > 24 else 0)
    return sum(mask.histogram()[255:]) / (a.width * a.height)


def fitted_blocks(content: SlideContent, size: tuple[int, int]) -> dict[str, Fitted]:
    layout = slide_layout(content, size)
    blocks = {"title": layout.title, "summary": layout.summary}
    named = {"agency": layout.agency, "parent": layout.parent, "caption": layout.caption}
    named |= {"unit": layout.unit, "date": layout.date, "cue": layout.cue}
    blocks |= {name: block for name, block in named.items() if block is not None}
    return blocks


def face_of(name: str) -> Face:
    fonts = Fonts.find()
    return fonts.bold if name in {"agency", "title", "unit", "cue"} else fonts.regular


def render_line(text: str, face: Face, size: int) -> tuple[Image.Image, int]:
    """Text drawn in white on black at baseline y=200, the way slides draw it."""
    image = Image.new("L", (1400, 320))
    font = face.at(size)
    ImageDraw.Draw(image).text(
        (20, 200), text, font=font, fill=255, anchor="ls", language=face.language
    )
    return image, 200


def test_marks_put_ink_above_each_letter_where_plain_letters_have_none() -> None:
    """A mark that fails to render (tofu, dropped, or collided) would leave these areas blank."""
    face, size = Fonts.find().regular, 120
    font = face.at(size)
    marked, plain = "ẫ ổ ệ Ầ", "a o e A"
    marked_image, baseline = render_line(marked, face, size)
    plain_image, _ = render_line(plain, face, size)
    x_height = baseline + int(font.getbbox("x", anchor="ls")[1]) - 2
    cap_height = baseline + int(font.getbbox("H", anchor="ls")[1]) - 2
    for index in range(0, len(marked), 2):
        left = 20 + int(font.getlength(plain[:index]))
        right = 20 + int(font.getlength(plain[: index + 1]))
        top = cap_height if plain[index].isupper() else x_height
        above = (left, 0, right, top)
        assert plain_image.crop(above).getbbox() is None, plain[index]
        assert marked_image.crop(above).getbbox() is not None, marked[index]
    dot_area = (
        20 + int(font.getlength("a o ")),
        baseline + 6,
        20 + int(font.getlength("a o e")),
        320,
    )
    assert plain_image.crop(dot_area).getbbox() is None
    assert marked_image.crop(dot_area).getbbox() is not None, "dot below ệ"


def test_stacked_capitals_in_a_title_change_only_pixels_inside_the_title_box() -> None:
    """Marks render on the slide itself, and rendering them moves nothing else."""
    marked = SlideContent("ẦẪỔ Ầm ẫm ổn", "", "Xã Ẫn", "01/12/2025", None)
    plain = SlideContent("AAO Am am on", "", "Xã Ẫn", "01/12/2025", None)
    a, b = decode(render_slide(marked)), decode(render_slide(plain))
    changed = ImageChops.difference(a, b).getbbox()
    assert changed is not None
    left, top, right, bottom = changed
    assert slide_layout(marked).title.box.contains(Box(left, top, right - left, bottom - top))


def decomposed(content: SlideContent) -> SlideContent:
    """The same content as Word or Zalo often hands it over: NFD, marks as separate characters."""
    fields = ("title", "summary", "unit_name", "agency", "parent_agency")
    nfd = {name: unicodedata.normalize("NFD", getattr(content, name)) for name in fields}
    return SlideContent(**{**content.__dict__, **nfd})


def test_decomposed_input_renders_identically_to_precomposed() -> None:
    """Text pasted from Word or Zalo is often NFD; the screen must not show it differently."""
    nfd = decomposed(CONTENT)
    assert nfd.title != CONTENT.title
    assert render_slide(nfd) == render_slide(CONTENT)
    assert render_slide(nfd, PORTRAIT) == render_slide(CONTENT, PORTRAIT)


@pytest.mark.parametrize("orientation", SIZES)
def test_every_line_of_long_text_stays_inside_its_box(orientation: str) -> None:
    """Overlong text shrinks, wraps and is cut; no glyph may leave its box or the safe area."""
    size = SIZES[orientation]
    w, h = size
    safe = Box(round(w * 0.05), round(h * 0.05), w - 2 * round(w * 0.05), h - 2 * round(h * 0.05))
    for name, block in fitted_blocks(LONG, size).items():
        assert block.lines, name
        assert block.size >= 48, name
        for ink in ink_boxes(block, face_of(name)):
            assert block.box.contains(ink), (name, ink, block.box)
            assert safe.contains(ink), (name, ink)


@pytest.mark.parametrize("orientation", SIZES)
def test_cut_text_ends_with_an_ellipsis(orientation: str) -> None:
    blocks = fitted_blocks(LONG, SIZES[orientation])
    for name in ("title", "summary", "unit", "date", "agency", "parent"):
        assert blocks[name].truncated, name
        assert blocks[name].lines[-1].endswith(ELLIPSIS), name
    assert blocks["title"].size == 60, "titles shrink to their minimum before being cut"


def test_text_that_fits_is_not_cut() -> None:
    blocks = fitted_blocks(CONTENT, LANDSCAPE)
    assert not any(block.truncated for block in blocks.values())
    assert " ".join(blocks["title"].lines) == CONTENT.title
    assert " ".join(blocks["summary"].lines) == CONTENT.summary


def test_an_unbreakable_word_is_broken_to_fit_the_box() -> None:
    content = SlideContent(
        "https://dichvucong.dongnai.gov.vn/" + "thu-tuc" * 12, "A" * 200, "Xã Ẫn", "", None
    )
    for name, block in fitted_blocks(content, PORTRAIT).items():
        for ink in ink_boxes(block, face_of(name)):
            assert block.box.contains(ink), (name, ink, block.box)


@pytest.mark.parametrize("orientation", SIZES)
def test_overscan_margin_holds_no_text(orientation: str) -> None:
    """The outer 5 % may be cut off by the screen: only flat background bands reach it."""
    image = decode(render_slide(LONG, SIZES[orientation]))
    w, h = image.size
    mx, my = round(w * 0.05), round(h * 0.05)
    for strip in (image.crop((0, 0, w, my)), image.crop((0, h - my, w, h))):
        assert len(strip.getcolors(w * my) or []) == 1
    for strip in (image.crop((0, 0, mx, h)), image.crop((w - mx, 0, w, h))):
        for y in range(h):
            assert len(strip.crop((0, y, mx, y + 1)).getcolors(mx) or []) == 1, y


def test_a_link_too_long_to_scan_gets_no_qr_code_and_one_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A QR code for a 2 kB link has modules too small to scan, or cannot be encoded at all."""
    content = SlideContent(**{**CONTENT.__dict__, "qr_url": "https://a.vn/?q=" + "x" * 3000})
    with caplog.at_level(logging.WARNING, logger="channels.slide"):
        render_slide(content)
        render_slide(SlideContent(**{**content.__dict__, "unit_name": "Xã khác"}))
    assert slide_layout(content).frame.qr is None
    assert len([r for r in caplog.records if "QR" in r.getMessage()]) == 1


def test_the_same_input_always_gives_the_same_bytes() -> None:
    first = render_slide(CONTENT)
    assert render_slide(CONTENT) == first
    clear_cache()
    assert render_slide(CONTENT) == first


@pytest.mark.parametrize("orientation", SIZES)
def test_the_png_is_the_base_with_header_and_footer_drawn_in(orientation: str) -> None:
    """The hand-assembled PNG decodes to the right size; between its unit bands, it is the base."""
    size = SIZES[orientation]
    image = decode(render_slide(CONTENT, size))
    assert image.size == size
    base = render_base(SlideBase.of(CONTENT), size)
    top, bottom = slide_layout(CONTENT, size).frame.middle
    box = (0, top, size[0], bottom)
    assert ImageChops.difference(image.crop(box), base.crop(box)).getbbox() is None
    for band in ((0, 0, size[0], top), (0, bottom, *size)):  # the unit's header and footer
        assert ImageChops.difference(image.crop(band), base.crop(band)).getbbox() is not None


def test_the_base_renders_once_for_170_units() -> None:
    """Title, summary and QR are the same for every unit; only the footer is drawn per unit."""
    clear_cache()
    slides = {
        render_slide(
            SlideContent(
                **{**CONTENT.__dict__, "unit_name": f"UBND xã số {n}", "agency": f"UBND xã số {n}"}
            )
        )
        for n in range(170)
    }
    assert len(slides) == 170
    info = cache_info()
    assert (info.misses, info.hits) == (1, 169)


def test_raqm_layout_is_active_on_this_machine() -> None:
    """Without libraqm (libfribidi0), decomposed marks collide; the image must ship it."""
    assert features.check("raqm")
    assert layout_engine() is ImageFont.Layout.RAQM
    assert Fonts.find().regular.language == "vi"


def test_without_raqm_slides_fall_back_to_basic_layout_with_one_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    layout_engine.cache_clear()
    monkeypatch.setattr(features, "check", lambda feature: False)
    try:
        with caplog.at_level(logging.WARNING, logger="channels.typeface"):
            assert layout_engine() is ImageFont.Layout.BASIC
            basic = decode(render_slide(CONTENT))
            render_slide(CONTENT, PORTRAIT)
            assert render_slide(decomposed(CONTENT)) == render_slide(CONTENT), "NFC first"
        warnings = [r for r in caplog.records if "libraqm" in r.getMessage()]
        assert len(warnings) == 1
    finally:
        monkeypatch.undo()  # raqm back before the engine is looked up again, or it stays BASIC
        layout_engine.cache_clear()
    assert layout_engine() is ImageFont.Layout.RAQM
    assert differing_fraction(basic, decode(render_slide(CONTENT))) < 0.05


def test_font_dir_from_the_environment_comes_first(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "DejaVuSans.ttf").write_bytes(b"not read here")
    monkeypatch.setenv(typeface.FONT_DIR_ENV, str(tmp_path))
    assert font_path(bold=False) == tmp_path / "DejaVuSans.ttf"
    assert font_path(bold=True) == typeface.BUNDLED_FONTS / "NotoSans-Bold.ttf"


def test_a_missing_font_names_every_place_searched(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(typeface, "BUNDLED_FONTS", tmp_path / "bundled")
    monkeypatch.setattr(typeface, "SYSTEM_FONTS", (tmp_path / "system",))
    with pytest.raises(FontNotFoundError) as caught:
        font_path(bold=True)
    message = str(caught.value)
    assert str(tmp_path / "bundled" / "NotoSans-Bold.ttf") in message
    assert str(tmp_path / "system" / "DejaVuSans-Bold.ttf") in message
    assert typeface.FONT_DIR_ENV in message


def test_bundled_fonts_ship_with_their_licence() -> None:
    """`make run` needs no system fonts, and the OFL requires its text to travel with the font."""
    for name in ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "OFL.txt"):
        assert (typeface.BUNDLED_FONTS / name).is_file(), name
    assert "SIL Open Font License" in (typeface.BUNDLED_FONTS / "OFL.txt").read_text()
    assert font_path(bold=False).parent == typeface.BUNDLED_FONTS


def test_bad_colours_and_sizes_are_refused_with_a_clear_error() -> None:
    with pytest.raises(ValueError, match="accent"):
        SlideContent("t", "s", "u", "d", None, accent="đỏ")
    with pytest.raises(ValueError, match="outside"):
        render_slide(CONTENT, (640, 480))


def test_slide_module_reexports_its_public_names() -> None:
    for name in slide.__all__:
        assert hasattr(slide, name), name
