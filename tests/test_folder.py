"""FolderTransport on a temporary folder: one table of outcomes, then lookups and concurrency."""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from campaigns.model import Target
from channels import atomic
from channels.base import Attachment, Message, Receipt
from channels.errors import ConfigurationError, PermanentError, TransientError
from channels.folder import PLAYLIST, FolderTransport
from tests.adapter_cases import Case, run_case
from tests.fakes.base import FakeServer

NAME = "loa-5d0c8e2f1a97"
DUE = dt.datetime(2024, 5, 1, 7, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
FILE = f"2024-05-01-lich-tiem-chung-{NAME}.png"
"""`<due-date>-<item-slug>-<id>`: a message without a delivery id is named by its reference."""
SLIDE = b"\x89PNG\r\n\x1a\n" + bytes(256)
OLD = {
    "file": "loa-old.png",
    "name": "loa-old",
    "start": "2020-01-01T00:00:00Z",
    "end": "2020-01-08T00:00:00Z",
    "duration": 10,
}
LIVE = {
    "file": "loa-live.png",
    "name": "loa-live",
    "start": "2024-01-01T00:00:00Z",
    "end": "2099-01-01T00:00:00Z",
    "duration": 10,
}
MINE = {
    "file": f"{NAME}.png",
    "name": NAME,
    "start": "2024-01-01T00:00:00Z",
    "end": "2099-01-01T00:00:00Z",
    "duration": 99,
}


def target(path: Path) -> Target:
    return Target(
        id="xa-screen",
        unit="xa-an-binh",
        kind="screen",
        transport="folder",
        options={"path": str(path)},
    )


def message(name: str = NAME, **body: object) -> Message:
    fields = {
        "name": name,
        "start_date": "2024-05-01T07:00:00+07:00",
        "end_date": "2099-05-08T00:00:00Z",
        "duration": 20,
        "title": "Lịch tiêm chủng",
        **body,
    }
    return Message(
        kind="screen",
        title="Lịch tiêm chủng",
        text="",
        body=fields,
        attachments=(Attachment(f"{name}.png", "image/png", SLIDE),),
        reference=name,
        due=DUE,
    )


def playlist(root: Path) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = json.loads((root / PLAYLIST).read_text(encoding="utf-8"))
    return entries


class NoServer(FakeServer):
    """run_case expects a server to script; a folder transport talks to none."""

    @property
    def url(self) -> str:
        return "file:///"


@dataclass
class Row:
    """A case, plus the folder as it was before the publish."""

    case: Case
    before: list[dict[str, Any]] | str | None = None
    files: tuple[str, ...] = ()
    check: Callable[[Path, object], None] | None = None
    sub: str = "screens"
    setup: Callable[[Path], object] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def written(root: Path, outcome: object) -> None:
    assert isinstance(outcome, Receipt) and outcome.remote_id == NAME
    assert (root / FILE).read_bytes() == SLIDE
    assert playlist(root) == [
        {
            "file": FILE,
            "name": NAME,
            "start": "2024-05-01T00:00:00Z",
            "end": "2099-05-08T00:00:00Z",
            "duration": 20,
        }
    ]
    assert not [p for p in root.iterdir() if p.name.endswith(".tmp")]


def replaced(root: Path, outcome: object) -> None:
    entries = playlist(root)
    assert [e["name"] for e in entries] == ["loa-live", NAME]
    assert next(e for e in entries if e["name"] == NAME)["duration"] == 20


def pruned(root: Path, outcome: object) -> None:
    assert [e["name"] for e in playlist(root)] == ["loa-live", NAME]
    assert not (root / "loa-old.png").exists() and (root / "loa-live.png").exists()


def untouched(root: Path, outcome: object) -> None:
    assert (root / PLAYLIST).read_text() == "[{broken"
    assert "fix or remove it" in str(outcome)


ROWS = [
    Row(Case("writes the slide and its playlist entry"), check=written),
    Row(
        Case("replaces the entry of the same name"),
        [LIVE, MINE],
        ("loa-live.png", f"{NAME}.png"),
        replaced,
    ),
    Row(
        Case("prunes ended entries and their slides"),
        [OLD, LIVE],
        ("loa-old.png", "loa-live.png"),
        pruned,
    ),
    Row(
        Case("refuses to overwrite a playlist it cannot read", expect=PermanentError),
        "[{broken",
        check=untouched,
    ),
    Row(Case("refuses a playlist that is not a list", expect=PermanentError), '{"a": 1}'),
    Row(
        Case("stops when the folder cannot be made", expect=PermanentError),
        sub="blocker/screens",
        setup=lambda tmp: (tmp / "blocker").write_text("a file where a folder should be"),
    ),
    Row(
        Case("stops on a slide without a usable window", expect=PermanentError),
        extra={"end_date": "next week"},
    ),
    Row(
        Case("stops on a name that is not a plain file name", expect=PermanentError),
        extra={"name": "../../etc/passwd"},
    ),
]


@pytest.mark.parametrize("row", ROWS, ids=[r.case.name for r in ROWS])
def test_publish(row: Row, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    root = tmp_path / row.sub
    if row.setup:
        row.setup(tmp_path)
    if row.before is not None or row.files:
        root.mkdir(parents=True, exist_ok=True)
    for name in row.files:
        (root / name).write_bytes(b"old")
    if row.before is not None:
        text = row.before if isinstance(row.before, str) else json.dumps(row.before)
        (root / PLAYLIST).write_text(text)

    def make(url: str) -> FolderTransport:
        return FolderTransport(target(root))

    outcome = run_case(row.case, NoServer(), make, message(**row.extra), caplog, ())
    if row.check:
        row.check(root, outcome)


def test_lookup_finds_a_slide_in_the_playlist(tmp_path: Path) -> None:
    transport = FolderTransport(target(tmp_path))
    transport.publish(message())
    found = transport.lookup(message())
    assert found is not None and found.remote_id == NAME and found.detail["file"] == FILE


def test_lookup_returns_none_when_the_name_is_absent(tmp_path: Path) -> None:
    FolderTransport(target(tmp_path)).publish(message("loa-other"))
    assert FolderTransport(target(tmp_path)).lookup(message()) is None


def test_lookup_returns_none_when_the_slide_file_is_gone(tmp_path: Path) -> None:
    transport = FolderTransport(target(tmp_path))
    transport.publish(message())
    (tmp_path / FILE).unlink()
    assert transport.lookup(message()) is None


def test_lookup_on_an_empty_folder_returns_none(tmp_path: Path) -> None:
    assert FolderTransport(target(tmp_path / "new")).lookup(message()) is None


def test_concurrent_publishes_lose_no_entry(tmp_path: Path) -> None:
    names = [f"loa-{i:02d}" for i in range(12)]

    def publish(name: str) -> None:
        FolderTransport(target(tmp_path)).publish(message(name))

    threads = [threading.Thread(target=publish, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(e["name"] for e in playlist(tmp_path)) == names


def test_a_full_disk_is_transient_and_a_denied_write_is_not() -> None:
    assert isinstance(atomic.error(OSError(errno.ENOSPC, "No space"), "w"), TransientError)
    assert isinstance(atomic.error(PermissionError(errno.EACCES, "Denied"), "w"), PermanentError)


@pytest.mark.parametrize("options", [{}, {"path": ""}, {"path": 3}])
def test_a_target_without_a_path_is_refused(options: dict[str, object]) -> None:
    with pytest.raises(ConfigurationError, match=r"xa-screen: options\.path"):
        FolderTransport(Target("xa-screen", "u", "screen", "folder", options=options))


def test_a_path_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(ConfigurationError, match="not a folder"):
        FolderTransport(target(tmp_path / "f"))


def test_files_are_named_by_due_date_title_and_delivery_id(tmp_path: Path) -> None:
    """A person reading the folder sees when and what; no title can leave the folder."""
    hostile = dataclasses.replace(
        message(), title="../../etc/passwd Đường đến UBND xã " + "rất dài " * 40, delivery_id=812
    )
    receipt = FolderTransport(target(tmp_path)).publish(hostile)
    name = str(receipt.detail["file"])
    assert name.startswith("2024-05-01-etc-passwd-duong-den-ubnd-xa-rat-dai-")
    assert name.endswith("-812.png") and len(name) <= 90
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".png"] == [name]


def test_a_slide_whose_window_has_ended_is_refused_and_nothing_is_removed(
    tmp_path: Path,
) -> None:
    """Sent after its window (approved too late): said plainly, not written then pruned."""
    transport = FolderTransport(target(tmp_path))
    transport.publish(message("loa-live"))
    late = message(end_date="2024-05-15T00:00:00Z")
    with pytest.raises(PermanentError, match="has passed"):
        transport.publish(late)
    assert [e["name"] for e in playlist(tmp_path)] == ["loa-live"]
    assert not (tmp_path / FILE).exists()
