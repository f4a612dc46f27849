"""Headless Chromium loads the status page from a real server over a seeded database."""

from __future__ import annotations

import datetime as dt
import shutil
import struct
import subprocess
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from sqlalchemy import select

from tests.browsing import chromium, chromium_paths, served, sign_in, wait_for
from tests.seed import NOW, REASON_403, REASON_UNCERTAIN, seed_runtime
from tests.services import need
from worker.engine.runtime import Runtime
from worker.store import accounts
from worker.store.models import Action, Delivery
from worker.web.page import make_app_server

pytestmark = pytest.mark.browser
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class _Text(HTMLParser):
    """The visible text of a page, and its elements' classes, from Chromium's DOM dump."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.classes: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._skip += tag in ("style", "script")
        self.classes += (dict(attrs).get("class") or "").split()

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("style", "script")

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.text.append(" ".join(data.split()))


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def page_url(tmp_path: Path) -> Iterator[str]:
    """A served status page on a free port of 127.0.0.1, heartbeats fresh as of now."""
    rt = seed_runtime(
        tmp_path, f"sqlite:///{tmp_path / 'loa.db'}", beats_at=dt.datetime.now(dt.UTC)
    )
    server = make_app_server(rt, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _run(chromium: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "chromium-profile"
    return subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


def test_chromium_renders_the_overview_with_units_campaigns_and_failure_reasons(
    tmp_path: Path, page_url: str
) -> None:
    chromium = _chromium()
    need(chromium is not None, "Chromium")
    assert chromium is not None
    dump = _run(chromium, tmp_path, "--dump-dom", f"{page_url}/")
    assert dump.returncode == 0, dump.stderr[-2000:]
    page = _Text()
    page.feed(dump.stdout)
    text = "\n".join(page.text)
    for expected in (
        "Loa · Trạng thái xuất bản",
        "Các chỉ số PAR Index, SIPAS, PAPI, PCI",
        "UBND Huyện Định Quán",
        REASON_403,
        REASON_UNCERTAIN,
        "Nguồn nội dung đang lỗi",
        "Hoạt động",  # the fresh scheduler
        "Mất tín hiệu",  # the worker silent for an hour
    ):
        assert expected in text, expected
    assert {"tile", "published", "failed", "pill"} <= set(page.classes)

    shot = tmp_path / "status.png"
    taken = _run(
        chromium, tmp_path, f"--screenshot={shot}", "--window-size=1280,900", f"{page_url}/"
    )
    assert taken.returncode == 0, taken.stderr[-2000:]
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    assert struct.unpack(">II", png[16:24]) == (1280, 900)


# --- the console, driven by Selenium (Debian's chromium and chromium-driver) ---

PASSWORD = "mật khẩu đủ dài 2024"


@pytest.fixture
def console(tmp_path: Path) -> Iterator[tuple[Runtime, str]]:
    need(chromium_paths() is not None, "Chromium and chromedriver")
    rt = seed_runtime(tmp_path, f"sqlite:///{tmp_path / 'loa.db'}")
    with rt.sessions.begin() as s:
        accounts.add(s, "an", "admin", PASSWORD, NOW)
        accounts.add(s, "lan", "viewer", PASSWORD, NOW)
    with served(rt) as base:
        yield rt, base


def test_an_operator_signs_in_reads_the_calendar_a_preview_approves_and_retries(
    tmp_path: Path, console: tuple[Runtime, str]
) -> None:
    rt, base = console
    with chromium(tmp_path / "profile") as driver:
        sign_in(driver, base, "an", PASSWORD)
        assert "an · admin" in driver.find_element(By.TAG_NAME, "header").text

        driver.get(f"{base}/calendar?date=2024-12-01")
        entries = driver.find_elements(By.CSS_SELECTOR, "a.entry")
        assert entries and "Lịch đăng · 12/2024" in driver.title + driver.page_source
        entries[0].click()
        assert "/deliveries/" in driver.current_url

        with rt.sessions() as s:
            sms = s.scalars(
                select(Delivery.id).where(Delivery.channel == "sms", Delivery.state == "failed")
            ).first()
        driver.get(f"{base}/deliveries/{sms}")
        preview = driver.find_element(By.CSS_SELECTOR, "pre.sms").text
        assert preview and "Mã hóa" in driver.page_source and "VND" in driver.page_source

        driver.get(f"{base}/approvals")
        card = driver.find_element(By.CSS_SELECTOR, ".card.approval")
        item = int(card.get_attribute("id").removeprefix("item-"))  # type: ignore[union-attr]
        with rt.sessions() as s:
            ids = set(
                s.scalars(
                    select(Delivery.id).where(
                        Delivery.item_id == item, Delivery.state == "awaiting_approval"
                    )
                )
            )
        form = card.find_element(By.CSS_SELECTOR, 'button[data-action="approve"]')
        form.find_element(By.XPATH, "..").find_element(By.NAME, "note").send_keys("đã duyệt")
        form.click()
        if len(ids) > 1:
            count = wait_for(driver, "#confirm-count").text
            assert f"{len(ids)} lượt đăng" in count
            driver.find_element(By.ID, "confirm").click()
        assert wait_for(driver, ".flash").text
        with rt.sessions() as s:
            assert set(s.scalars(select(Delivery.state).where(Delivery.id.in_(ids)))) == {"planned"}
            notes = set(s.scalars(select(Action.detail).where(Action.delivery_id.in_(ids))))
        assert notes == {"đã duyệt"}

        driver.get(f"{base}/failures")
        group = driver.find_elements(By.CSS_SELECTOR, ".card.group")[0]
        size = int(group.get_attribute("data-count") or 0)
        group.find_element(By.CSS_SELECTOR, 'button[data-action="retry"]').click()
        if size > 1:
            assert f"{size} lượt đăng" in wait_for(driver, "#confirm-count").text
            driver.find_element(By.ID, "confirm").click()
        assert "Thử lại" in wait_for(driver, ".flash").text
        with rt.sessions() as s:
            retried = list(s.scalars(select(Action.delivery_id).where(Action.action == "retry")))
        assert len(retried) == size


def test_a_viewer_sees_no_action_buttons_and_a_forged_post_is_refused(
    tmp_path: Path, console: tuple[Runtime, str]
) -> None:
    rt, base = console
    with chromium(tmp_path / "profile") as driver:
        driver.get(f"{base}/login")
        status = driver.execute_script(
            "return fetch('/act', {method: 'POST', headers: {'Content-Type':"
            " 'application/x-www-form-urlencoded'}, body: 'action=cancel&ids=1'})"
            ".then(r => r.status)"
        )
        assert status == 400  # no session, no CSRF token
        sign_in(driver, base, "lan", PASSWORD)
        for path in ("/failures", "/approvals", "/deliveries/1"):
            driver.get(base + path)
            assert driver.find_elements(By.CSS_SELECTOR, "[data-action]") == [], path
        status = driver.execute_script(
            "return fetch('/act', {method: 'POST', headers: {'Content-Type':"
            " 'application/x-www-form-urlencoded'}, body: 'action=cancel&ids=1'})"
            ".then(r => r.status)"
        )
        assert status == 400  # a session, but no CSRF token
    with rt.sessions() as s:
        assert s.scalars(select(Action)).first() is None
