"""Through the worker: a website post's warnings reach `loa show`, an SMS takes the site's
short link once the unit's post is up, and a campaign's hashtags reach its Facebook posts."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from campaigns.model import TZ
from tests.factories import campaign, write_config
from tests.fakes.wordpress import FakeWordPress
from worker.cli.main import main
from worker.engine.broker import broker
from worker.engine.delivery import deliver
from worker.engine.runtime import Runtime, build_runtime, fixed_clock
from worker.engine.scheduler import tick
from worker.store.models import PUBLISHED, QUEUED, Delivery

USER, PASSWORD = "bientap", "Xq7w 9Lk2 PmZ4 r8Tn Vb3c Hd6s"
NOW = dt.datetime(2024, 3, 12, 9, 0, tzinfo=TZ)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
LINK = "https://sonoivu.dongnai.gov.vn/tin-tuc/cai-cach-hanh-chinh/2024/03/thanh-toan-phi-le-phi-truc-tuyen-tren-cong-dich-vu-cong"
ARTICLE = f"""---
title: "Thanh toán phí, lệ phí trực tuyến trên Cổng dịch vụ công"
published: 2024-03-12T08:00:00+07:00
link: "{LINK}"
image: bia.png
topics: [thanh-toan-truc-tuyen]
---
Từ tháng 3, người dân thanh toán trực tuyến.
"""


@pytest.fixture(scope="module")
def site() -> Iterator[FakeWordPress]:
    fake = FakeWordPress({USER: PASSWORD})
    with fake.running():
        yield fake


@pytest.fixture
def rt(tmp_path: Path, site: FakeWordPress, monkeypatch: pytest.MonkeyPatch) -> Iterator[Runtime]:
    site.reset()
    monkeypatch.setenv("WP_USER", USER)
    monkeypatch.setenv("WP_APP_PASSWORD", PASSWORD)
    units = [
        {"code": "so-noi-vu", "name": "Sở Nội vụ", "kind": "department"},
        {
            "code": "bien-hoa",
            "name": "UBND Thành phố Biên Hòa",
            "short_name": "UBND TP Biên Hòa",
            "kind": "district",
        },
    ]
    credentials = {"username": "WP_USER", "app_password": "WP_APP_PASSWORD"}
    sms = {
        "recipients": "recipients/subs.csv",
        "diacritics": False,
        "max_segments": 2,
        "short_link": "site",
    }
    targets = [
        {
            "unit": "bien-hoa",
            "kind": "website",
            "transport": "wordpress",
            "endpoint": site.url,
            "credentials": credentials,
            "options": {"allow_http": True, "categories": ["tin-tuc"]},
        },
        {"unit": "bien-hoa", "kind": "sms", "transport": "outbox", "options": sms},
        {
            "unit": "so-noi-vu",
            "kind": "facebook",
            "transport": "outbox",
            "options": {"hashtags": ["#CaiCachHanhChinh"]},
        },
    ]
    root = write_config(
        tmp_path / "config",
        units=units,
        targets=targets,
        campaigns=[campaign(hashtags={"add": ["#NgayPhapLuat"]})],
        articles=1,
    )
    (root / "content" / "news" / "a000.md").write_text(ARTICLE, encoding="utf-8")
    (root / "content" / "news" / "bia.png").write_bytes(PNG)
    (root / "topics.yaml").write_text("topics:\n  dich-vu-cong: Dịch vụ công trực tuyến\n", "utf-8")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'loa.db'}")
    runtime = build_runtime(
        root, f"sqlite:///{tmp_path / 'loa.db'}", clock=fixed_clock(NOW), outbox=tmp_path / "outbox"
    )
    yield runtime
    runtime.engine.dispose()


def queued(rt: Runtime, channel: str) -> list[int]:
    with rt.sessions() as s:
        where = (Delivery.state == QUEUED, Delivery.channel == channel)
        return list(s.scalars(select(Delivery.id).where(*where)))


def row(rt: Runtime, delivery_id: int) -> Delivery:
    with rt.sessions() as s:
        found = s.get(Delivery, delivery_id)
        assert found is not None
        s.expunge(found)
        return found


def test_the_posts_warnings_the_sms_short_link_and_the_campaigns_hashtags(
    rt: Runtime, site: FakeWordPress, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tick(rt)
    broker.flush_all()
    (sms_first,) = queued(rt, "sms")
    (post,) = queued(rt, "website")
    assert deliver(rt, sms_first) == PUBLISHED  # before the post is up: the long link
    long_text = _outbox_file(tmp_path, "bien-hoa/sms", sms_first, "txt").read_text("utf-8")
    assert long_text.rstrip().endswith(LINK) and "Segments: 2" in long_text

    assert deliver(rt, post) == PUBLISHED
    published = row(rt, post)
    assert published.reason == (
        "categories Dịch vụ công trực tuyến, Thanh toan truc tuyen do not exist on the site;"
        " posted without them"
    )
    featured = site.posts[int(str(published.remote_id))]["featured_media"]
    assert site.media[featured]["data"] == PNG  # the file beside the article, uploaded
    assert main(["--config", rt.config.root, "show", str(post), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["reason"] == published.reason

    with rt.sessions.begin() as s:  # the same item's SMS for the unit, sent after the post
        again = s.get(Delivery, sms_first)
        assert again is not None
        again.state, again.remote_id = QUEUED, None
    assert deliver(rt, sms_first) == PUBLISHED
    short_text = _outbox_file(tmp_path, "bien-hoa/sms", sms_first, "txt").read_text("utf-8")
    assert short_text.rstrip().endswith(f" {site.url}/?p={published.remote_id}")
    assert "Segments: 1" in short_text and "[UBND TP Bien Hoa] 12/03 " in short_text

    (facebook,) = queued(rt, "facebook")
    assert deliver(rt, facebook) == PUBLISHED
    body = json.loads(
        _outbox_file(tmp_path, "so-noi-vu/facebook", facebook, "json").read_text("utf-8")
    )
    assert body["message"].endswith("#CaiCachHanhChinh #NgayPhapLuat")


def _outbox_file(tmp_path: Path, folder: str, delivery_id: int, ext: str) -> Path:
    """The one outbox file of a delivery (named `<due-date>-<item-slug>-<id>.<ext>`)."""
    (found,) = (tmp_path / "outbox" / folder).glob(f"*-{delivery_id}.{ext}")
    return found
