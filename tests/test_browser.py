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

from tests.seed import REASON_403, REASON_UNCERTAIN, seed_runtime
from tests.services import need
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
