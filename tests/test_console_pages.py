"""The console's pages: a delivery and its preview, search, the calendar, causes in plain words,
and the overview's fixes (sources' notes, clean stops' heartbeats, approval waits, targets)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.seed import NOW, REASON_403, first_delivery, seed_runtime, seed_status, seeded_database
from worker.engine import liveness
from worker.engine.runtime import Runtime
from worker.store.models import Delivery, Heartbeat, SourceState
from worker.web.page import create_app
from worker.web.words import cause

PASSWORD = "mật khẩu đủ dài 2024"


@pytest.fixture
def rt(tmp_path: Path) -> Runtime:
    return seed_runtime(tmp_path, f"sqlite:///{tmp_path / 'loa.db'}")


def test_the_delivery_page_shows_the_sms_text_encoding_segments_and_cost(rt: Runtime) -> None:
    sms = first_delivery(rt, "failed", "sms")
    page = create_app(rt, wall_clock=lambda: NOW).test_client().get(f"/deliveries/{sms.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for word in ("Mã hóa", "Số tin", "Người nhận", "VND", "Lỗi gốc", sms.target):
        assert word in html, word
    assert "gave up after" not in html.split("Lỗi gốc")[0]  # the cause first, in Vietnamese


def test_the_post_preview_is_sandboxed_and_the_slide_is_a_png(rt: Runtime) -> None:
    client = create_app(rt, wall_clock=lambda: NOW).test_client()
    web = first_delivery(rt, "published", "website")
    page = client.get(f"/deliveries/{web.id}").get_data(as_text=True)
    assert '<iframe class="post" sandbox' in page
    post = client.get(f"/deliveries/{web.id}/post.html")
    assert post.status_code == 200 and "sandbox" in post.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in post.headers["Content-Security-Policy"]
    screen = first_delivery(rt, "published", "screen")
    slide = client.get(f"/deliveries/{screen.id}/slide.png")
    assert slide.status_code == 200 and slide.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.get(f"/deliveries/{web.id}/slide.png").status_code == 404
    assert client.get("/deliveries/999999").status_code == 404


def test_search_filters_and_pages(rt: Runtime) -> None:
    client = create_app(rt, wall_clock=lambda: NOW).test_client()
    html = client.get("/deliveries?state=failed&unit=dinh-quan&from=2024-12-30&to=2024-12-30")
    text = html.get_data(as_text=True)
    assert "Hướng dẫn thanh toán trực tuyến" in text and "Biên Hòa" not in text.split("<tbody>")[1]
    found = client.get("/deliveries?q=THANH TOÁN").get_data(as_text=True)
    assert "Hướng dẫn thanh toán trực tuyến" in found
    upper = client.get("/deliveries?q=đăng lúc NỬA ĐÊM").get_data(as_text=True)
    assert "Đăng lúc nửa đêm" in upper  # Vietnamese capitals fold on SQLite too
    assert "no_rows" not in upper and "Không có lượt đăng nào khớp" in client.get(
        "/deliveries?q=100%25"
    ).get_data(as_text=True)  # % is a character searched for, not a wildcard
    first = client.get("/deliveries").get_data(as_text=True)
    assert "Trang 1/" in first and "page=2" in first
    assert client.get("/deliveries?from=hôm-qua").status_code == 400


def test_the_calendar_shows_a_month_and_a_week_with_holds_and_approval_waits(rt: Runtime) -> None:
    client = create_app(rt, wall_clock=lambda: NOW).test_client()
    month = client.get("/calendar?date=2024-12-01").get_data(as_text=True)
    assert "Lịch đăng · 12/2024" in month and 'class="entry ' in month
    week = client.get("/calendar?view=week&date=2024-12-30&unit=dinh-quan").get_data(as_text=True)
    assert "Hướng dẫn thanh toán trực tuyến" in week and "30/12/2024" in week
    with rt.sessions.begin() as s:
        d = s.scalars(select(Delivery).where(Delivery.channel == "sms")).first()
        assert d is not None
        d.state, d.due_at = "awaiting_approval", dt.datetime(2024, 12, 20, 23, 0, tzinfo=NOW.tzinfo)
    night = client.get("/calendar?view=week&date=2024-12-20&channel=sms").get_data(as_text=True)
    assert "chờ duyệt" in night and "giữ vì giờ yên lặng → 07:00" in night


def test_causes_are_plain_words_with_the_attempts_after_them() -> None:
    c = cause("HTTP 403 Forbidden", "gave up after 6 attempts")
    assert c.key == "auth" and "đã thử 6 lần" in c.vi and "tried 6 times" in c.en
    assert cause("HTTP 502 Bad Gateway", None).key == "server"
    assert cause(None, None).key == "none"


def test_a_source_read_offline_shows_its_note_not_none(rt: Runtime) -> None:
    note = "đọc bản sao cục bộ: mạng không truy cập được"
    with rt.sessions.begin() as s:
        s.add(SourceState(id="dvc.offline", kind="feed", failures=1, items=0, note=note))
    client = create_app(rt, wall_clock=lambda: NOW).test_client()
    sources = client.get("/api/status").get_json()["sources_in_error"]
    assert {x["id"]: x["last_error"] for x in sources}["dvc.offline"] == note
    html = client.get("/").get_data(as_text=True)
    assert note in html and ">None<" not in html


def test_a_process_that_stops_cleanly_takes_its_heartbeat_rows_away(rt: Runtime) -> None:
    liveness.beat(rt, "scheduler")
    liveness.beat(rt, "worker")
    with rt.sessions() as s:
        before = set(s.scalars(select(Heartbeat.name)))
    liveness.retire(rt, "scheduler", "worker")
    with rt.sessions() as s:
        after = set(s.scalars(select(Heartbeat.name)))
    assert before - after == {f"scheduler@{rt.name}", f"worker@{rt.name}"}
    assert "worker@may-2:40" in after  # another process's (silent) row stays: that is the alarm


@pytest.mark.postgres
def test_search_folds_vietnamese_capitals_on_postgresql(tmp_path: Path) -> None:
    for pg in seeded_database("postgresql", tmp_path):
        client = create_app(pg, wall_clock=lambda: NOW).test_client()
        found = client.get("/deliveries?q=đăng lúc NỬA ĐÊM").get_data(as_text=True)
        assert "Đăng lúc nửa đêm" in found
        assert "Không có lượt đăng nào khớp" in client.get("/deliveries?q=100%25").get_data(
            as_text=True
        )


def test_a_finished_run_once_leaves_no_heartbeat_behind(tmp_path: Path, sqlite_url: str) -> None:
    from tests.factories import write_config  # noqa: PLC0415
    from worker.engine.embedded import run_once  # noqa: PLC0415
    from worker.engine.runtime import build_runtime, fixed_clock  # noqa: PLC0415

    rt = build_runtime(
        write_config(tmp_path / "config"), sqlite_url, clock=fixed_clock(NOW), outbox=tmp_path
    )
    with rt.sessions.begin() as s:
        seed_status(s, NOW)  # other processes: two beating, one silent
    run_once(rt, threads=2)
    with rt.sessions() as s:
        names = set(s.scalars(select(Heartbeat.name)))
        published = s.scalars(select(Delivery.state)).all()
    assert published and set(published) == {"published"}  # it did run and beat
    assert names == {"scheduler@may-1:11", "worker@may-1:12", "worker@may-2:40"}


def test_the_overview_says_what_campaigns_wait_for_and_names_targets_and_causes(
    rt: Runtime,
) -> None:
    client = create_app(rt, wall_clock=lambda: NOW).test_client()
    html = client.get("/").get_data(as_text=True)
    with rt.sessions() as s:
        waiting = s.scalars(
            select(Delivery.id).where(
                Delivery.campaign == "dvc", Delivery.state == "awaiting_approval"
            )
        ).all()
    assert waiting
    assert f'href="/approvals?campaign=dvc">{len(waiting)} đang chờ duyệt' in html
    recent = html.split("Lỗi gần đây")[1]
    row = next(tr for tr in recent.split("<tr>") if REASON_403 in tr)
    assert "dinh-quan/website" in row  # the target, not only the channel
    assert row.index("Kênh từ chối quyền đăng") < row.index("Lỗi gốc") < row.index(REASON_403)
    english = client.get("/?lang=en").get_data(as_text=True).split("Recent failures")[1]
    assert "The channel refused access" in english and "Raw error" in english


def test_the_approval_queue_pages_by_item_with_one_preview_per_channel(rt: Runtime) -> None:
    from tests.factories import create_delivery, create_item  # noqa: PLC0415
    from worker.store.models import ContentItem  # noqa: PLC0415

    with rt.sessions.begin() as s:
        for n in range(25):
            item = create_item(s, key=f"cho-duyet:{n}", title=f"Tin chờ duyệt số {n}")
            for unit in ("bien-hoa", "dinh-quan"):
                create_delivery(
                    s,
                    item,
                    campaign="dvc",
                    unit=unit,
                    target=f"{unit}/website",
                    channel="website",
                    state="awaiting_approval",
                    due_at=NOW + dt.timedelta(days=1, minutes=n),
                )
        items = s.scalars(select(ContentItem.id)).all()
    assert items
    client = create_app(rt, wall_clock=lambda: NOW).test_client()
    first = client.get("/approvals").get_data(as_text=True)
    found = int(re.search(r"(\d+) tin, bài chờ duyệt", first).group(1))  # type: ignore[union-attr]
    assert found >= 25 and "Trang 1/2" in first and "page=2" in first
    assert first.count('class="card approval"') == 20
    second = client.get("/approvals?page=2").get_data(as_text=True)
    assert second.count('class="card approval"') == found - 20
    card = next(c for c in first.split('class="card approval"')[1:] if "Tin chờ duyệt số" in c)
    assert card.count("<iframe") == 1  # two units, one channel: one preview
    assert card.count('href="/deliveries/') == 2  # and both units it goes to
