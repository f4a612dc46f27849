"""A slot's bulletin: items in order within its duration limit; the rest wait for the next slot."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from campaigns.model import TZ, Item, Target
from channels.base import Message
from channels.bulletin import BulletinFolder
from channels.errors import ConfigurationError, PermanentError
from channels.loudspeaker import LoudspeakerFormat
from channels.platform import PlatformTransport
from channels.registry import make_transport
from tests.fakes.loudspeaker import FakePlatform
from tests.test_loudspeaker_script import UNIT

MONDAY_5AM = dt.datetime(2024, 3, 4, 5, 0, tzinfo=TZ)
TOKEN, SIGNING = "tok-loa-7d1e", "whsec-loa-93ab"


def items(n: int) -> list[Item]:
    return [
        Item(
            key=f"tin-{i}",
            kind="article",
            title=f"Tin số {i}: người dân nộp hồ sơ trực tuyến",
            summary="Ủy ban nhân dân phường hướng dẫn bà con nộp hồ sơ và thanh toán trực tuyến.",
            published=MONDAY_5AM - dt.timedelta(hours=n - i),
        )
        for i in range(n)
    ]  # fmt: skip


def folder_target(path: Path, **options: object) -> Target:
    opts = {"path": str(path), "audio": False, "slots": ["06:00", "17:00"], "max_minutes": 1,
            **options}  # fmt: skip
    return Target("tan-phong/loa", "tan-phong", "loudspeaker", "folder", options=opts)


def messages(target: Target, n: int, due: dt.datetime = MONDAY_5AM) -> list[Message]:
    fmt = LoudspeakerFormat()
    return [dataclasses.replace(fmt.format(i, UNIT, target), due=due) for i in items(n)]


def test_a_bulletin_respects_its_limit_and_the_rest_waits_for_the_next_slot(
    tmp_path: Path,
) -> None:
    target = folder_target(tmp_path / "loa")
    transport = make_transport(target)
    assert isinstance(transport, BulletinFolder)
    sent = messages(target, 5)
    seconds = float(sent[0].body["seconds"])
    assert 15 < seconds < 30  # two fit a one-minute bulletin, a third does not
    receipts = [transport.publish(m) for m in reversed(sent)]  # arrival order is not item order
    morning = tmp_path / "loa" / "2024-03-04_0600"
    evening = tmp_path / "loa" / "2024-03-04_1700"
    first = json.loads((morning / "playlist.json").read_text(encoding="utf-8"))
    assert first["seconds"] <= 60 == first["max_seconds"]
    in_item_order = [m.reference for m in sent]
    names = [e["name"] for e in first["items"]]
    assert names == sorted(names, key=in_item_order.index)
    assert len(first["items"]) == 2
    later = [r for r in receipts if r.detail["bulletin"] != "2024-03-04_0600"]
    assert later and all("06:00 04/03/2024 bulletin was full" in r.detail["warning"] for r in later)
    assert all(r.detail["bulletin"] in {"2024-03-04_1700", "2024-03-05_0600"} for r in later)
    text = (morning / "bulletin.txt").read_text(encoding="utf-8")
    assert text.startswith("Bản tin 06:00 04/03/2024: 2 tin, khoảng ")
    assert all((morning / e["script"]).is_file() for e in first["items"])
    assert json.loads((evening / "playlist.json").read_text(encoding="utf-8"))["seconds"] <= 60
    assert not list((tmp_path / "loa").rglob("*.tmp"))


def test_a_repeat_is_found_not_added_again(tmp_path: Path) -> None:
    target = folder_target(tmp_path / "loa")
    transport = make_transport(target)
    message = messages(target, 1)[0]
    assert transport.lookup(message) is None
    placed = transport.publish(message)
    again = transport.publish(message)
    assert again.remote_id == placed.remote_id and again.detail["found"]
    playlist = tmp_path / "loa" / placed.detail["bulletin"] / "playlist.json"
    assert len(json.loads(playlist.read_text(encoding="utf-8"))["items"]) == 1
    found = transport.lookup(message)
    assert found is not None and found.remote_id == placed.remote_id


def test_an_item_longer_than_a_whole_bulletin_fails_with_the_reason(tmp_path: Path) -> None:
    target = folder_target(tmp_path / "loa", max_minutes=1, wpm=60)
    item = dataclasses.replace(items(1)[0], summary="Bà con nộp hồ sơ trực tuyến. " * 12)
    long = dataclasses.replace(LoudspeakerFormat().format(item, UNIT, target), due=MONDAY_5AM)
    assert long.body["seconds"] > 60
    with pytest.raises(PermanentError, match="longer than a whole bulletin"):
        make_transport(target).publish(long)


def test_bad_slots_are_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="slots"):
        make_transport(folder_target(tmp_path, slots="06:00"))


@pytest.fixture(scope="module")
def platform() -> Iterator[FakePlatform]:
    fake = FakePlatform(token=TOKEN, secret=SIGNING)
    with fake.running():
        yield fake


def platform_target(url: str) -> Target:
    return Target(
        "tan-phong/loa-ip", "tan-phong", "loudspeaker", "http", endpoint=url,
        credentials={"token": "LOA_LOA_TOKEN", "secret": "LOA_LOA_SECRET"},
        options={"allow_http": True, "audio": False, "slots": ["06:00", "17:00"],
                 "max_minutes": 1, "timeout": (1.0, 2.0), "station_id": "tp-01"},
    )  # fmt: skip


def test_the_platform_gets_a_signed_upload_then_a_schedule_per_slot(
    platform: FakePlatform, monkeypatch: pytest.MonkeyPatch
) -> None:
    platform.reset()
    monkeypatch.setenv("LOA_LOA_TOKEN", TOKEN)
    monkeypatch.setenv("LOA_LOA_SECRET", SIGNING)
    target = platform_target(platform.url)
    transport = make_transport(target)
    assert isinstance(transport, PlatformTransport)
    sent = messages(target, 3)
    receipts = [transport.publish(m) for m in sent]
    assert [r.detail["bulletin"] for r in receipts] == [
        "2024-03-04_0600", "2024-03-04_0600", "2024-03-04_1700",
    ]  # fmt: skip
    assert "06:00 04/03/2024 bulletin was full" in receipts[2].detail["warning"]
    upload = next(r for r in platform.requests if r.path == "/media")
    mac = hmac.new(SIGNING.encode(), upload.body, hashlib.sha256).hexdigest()
    assert upload.headers["x-loa-signature"] == f"sha256={mac}"
    assert upload.headers["idempotency-key"] == f"{sent[0].reference}-media"
    media = next(iter(platform.media.values()))["parts"]
    assert media["script"][1].decode() == sent[0].text
    assert json.loads(media["metadata"][1])["station"] == "tp-01"
    assert platform.schedules[sent[0].reference]["slot"] == "2024-03-04T06:00:00+07:00"
    # a retry after a crash finds the schedule and neither uploads nor schedules again
    before = len(platform.requests)
    again = transport.publish(sent[0])
    assert again.detail["found"] and again.remote_id == receipts[0].remote_id
    assert [r.method for r in platform.requests[before:]] == ["GET"]


def test_a_wrong_secret_is_refused_by_the_platform(
    platform: FakePlatform, monkeypatch: pytest.MonkeyPatch
) -> None:
    platform.reset()
    monkeypatch.setenv("LOA_LOA_TOKEN", TOKEN)
    monkeypatch.setenv("LOA_LOA_SECRET", "not-the-secret")
    target = platform_target(platform.url)
    with pytest.raises(PermanentError, match="403"):
        make_transport(target).publish(messages(target, 1)[0])
