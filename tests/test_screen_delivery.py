"""Screens as the worker publishes them: the unit's own header, a window from the due time,
and outbox files named `<due-date>-<item-slug>-<id>` in one folder per target."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from campaigns.config import load_config
from campaigns.model import TZ, Item, Target, Unit
from channels.base import Message
from channels.names import slug, stem
from channels.outbox import OutboxTransport
from channels.screen import ScreenFormat
from channels.slide import SlideContent, render_slide
from tests.factories import campaign, write_config
from worker.engine.embedded import run_once
from worker.engine.runtime import build_runtime, fixed_clock
from worker.store.models import PUBLISHED, ContentItem, Delivery

NOW = dt.datetime(2024, 12, 31, 16, 0, tzinfo=TZ)
UNITS = [
    {"code": "so-noi-vu", "name": "Sở Nội vụ", "kind": "department"},
    {"code": "bien-hoa", "name": "UBND Thành phố Biên Hòa", "kind": "district"},
    {"code": "tan-phong", "name": "UBND phường Tân Phong", "kind": "commune", "parent": "bien-hoa"},
]
ITEM = Item(
    "news:1",
    "article",
    "Đồng Nai đẩy mạnh dịch vụ công trực tuyến",
    "Người dân nộp hồ sơ tại nhà.",
    link="https://sonoivu.dongnai.gov.vn/tin/1",
    published=dt.datetime(2024, 3, 1, 9, 0, tzinfo=TZ),
)
UNIT = Unit("bien-hoa", "UBND Thành phố Biên Hòa", "district", parent_agency="UBND tỉnh Đồng Nai")
SCREEN = Target("bien-hoa/screen", "bien-hoa", "screen", "outbox", options={"days": 14})


def test_a_cron_scheduled_slide_is_named_and_dated_by_its_due_time(
    tmp_path: Path, sqlite_url: str
) -> None:
    """Items of 10/01 and 10/04 are due the next Monday 08:00: the file names, the slide's
    date line and its header come from the delivery and the unit, never the item's date."""
    targets: list[dict[str, object]] = [
        {"units": "all", "kind": "screen", "transport": "outbox"},
        {"unit": "bien-hoa", "name": "kiosk", "kind": "screen", "transport": "outbox",
         "options": {"orientation": "portrait"}},
    ]  # fmt: skip
    root = write_config(
        tmp_path / "config",
        units=UNITS,
        targets=targets,
        campaigns=[campaign(channels=["screen"], schedule={"cron": "0 8 * * 1"})],
    )
    outbox = tmp_path / "outbox"
    rt = build_runtime(root, sqlite_url, clock=fixed_clock(NOW), outbox=outbox)
    run_once(rt, threads=2)
    with rt.sessions() as s:
        rows = [(d, s.get(ContentItem, d.item_id)) for d in s.scalars(select(Delivery))]
    assert len(rows) == 2 * 4 and {d.state for d, _ in rows} == {PUBLISHED}
    for d, item in rows:
        assert item is not None and item.published is not None
        due = d.due_at.astimezone(TZ)
        assert (due.weekday(), due.hour) == (0, 8) and due.date() > item.published.date()
        folder = outbox / d.target  # `<unit>/<target name>`: landscape and kiosk apart
        files = list(folder.glob(f"*-{d.id}.png"))
        assert [f.name[:11] for f in files] == [f"{due.date().isoformat()}-"]
        assert files[0].name.startswith(f"{due.date().isoformat()}-am-am-cai-cach-hanh-chinh-so-")
        with Image.open(files[0]) as image:
            size = image.size
        assert size == ((1080, 1920) if d.target == "bien-hoa/kiosk" else (1920, 1080))
    d, item = next((d, i) for d, i in rows if d.target == "tan-phong/screen")
    assert item is not None
    expected = SlideContent(
        title=item.title,
        summary=item.summary,
        unit_name="UBND phường Tân Phong",
        date_text=d.due_at.astimezone(TZ).strftime("%d/%m/%Y"),
        qr_url=item.link,
        agency="UBND phường Tân Phong",
        parent_agency="UBND Thành phố Biên Hòa",
    )
    written = next((outbox / "tan-phong" / "screen").glob(f"*-{d.id}.png")).read_bytes()
    assert written == render_slide(expected)


def test_the_playlist_window_starts_when_the_delivery_is_due() -> None:
    due = dt.datetime(2024, 3, 18, 8, 0, tzinfo=TZ)  # held by a cron, weeks after 01/03
    message = ScreenFormat().format(ITEM, UNIT, SCREEN, due=due)
    assert message.body["start_date"] == "2024-03-18T01:00:00+00:00"
    assert message.body["end_date"] == "2024-04-01T01:00:00+00:00"
    assert message.due == due


def test_an_undated_item_is_shown_from_its_due_time_not_from_2000() -> None:
    undated = Item("news:2", "article", "Thông báo", "Tóm tắt", link=ITEM.link)
    due = dt.datetime(2024, 6, 3, 8, 0, tzinfo=TZ)
    body = ScreenFormat().format(undated, UNIT, SCREEN, due=due).body
    assert str(body["start_date"]).startswith("2024-06-03")
    assert str(body["end_date"]).startswith("2024-06-17")
    with pytest.raises(ValueError, match="due time"):
        ScreenFormat().format(undated, UNIT, SCREEN)


def test_units_get_their_agency_line_under_their_parent_or_the_province(tmp_path: Path) -> None:
    units = [
        *UNITS,
        {"code": "so-tttt", "name": "Sở TT&TT", "kind": "department",
         "agency": "Sở Thông tin và Truyền thông"},
        {"code": "bao", "name": "Báo Đồng Nai", "kind": "press", "parent_agency": ""},
        {"code": "tinh", "name": "UBND tỉnh Bình Phước", "kind": "department"},
    ]  # fmt: skip
    root = write_config(tmp_path / "c", units=units, settings={"province": "UBND tỉnh Bình Phước"})
    got = {u.code: (u.parent_agency, u.agency_line) for u in load_config(root).units.values()}
    assert got == {
        "so-noi-vu": ("UBND tỉnh Bình Phước", "Sở Nội vụ"),
        "bien-hoa": ("UBND tỉnh Bình Phước", "UBND Thành phố Biên Hòa"),
        "tan-phong": ("UBND Thành phố Biên Hòa", "UBND phường Tân Phong"),
        "so-tttt": ("UBND tỉnh Bình Phước", "Sở Thông tin và Truyền thông"),
        "bao": ("", "Báo Đồng Nai"),
        "tinh": ("", "UBND tỉnh Bình Phước"),  # the province itself: no line above
    }


def test_outbox_names_are_plain_ascii_bounded_and_stay_in_the_outbox(tmp_path: Path) -> None:
    hostile = Target("../../etc/..", "../..", "screen", "outbox")
    message = Message(
        kind="sms",
        title="Thông báo: " + "Ầm ĩ đường Đồng Khởi / ../ " * 20,
        text="x",
        delivery_id=9,
        due=dt.datetime(2024, 1, 1, 6, 0, tzinfo=TZ),
    )
    path = OutboxTransport(hostile, root=tmp_path).path_for(message)
    assert path.resolve().is_relative_to(tmp_path.resolve())
    assert path.name.startswith("2024-01-01-thong-bao-am-i-duong-dong-khoi-am-i-")
    assert path.name.endswith("-9.txt") and len(path.name) <= 80 and path.name.isascii()
    assert slug("Chữ Hán 漢字") == "chu-han" and slug("漢字") == "item"
    assert stem(Message(kind="sms", title="Tin", text="", reference="loa-ab12")) == (
        "undated-tin-loa-ab12"
    )


def test_the_slide_png_is_a_complete_image() -> None:
    png = ScreenFormat().format(ITEM, UNIT, SCREEN, due=NOW).attachments[0].data
    image = Image.open(io.BytesIO(png))
    image.verify()  # CRCs and the zlib stream, as a strict player would read them
