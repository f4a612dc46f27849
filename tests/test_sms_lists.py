"""`loa check` and `loa show` name a recipient list's invalid numbers, duplicates and opt-outs;
`loa preview` prices the numbers still to send and writes files only with --out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from campaigns.model import TZ
from tests.factories import campaign, create_delivery, create_item, write_config
from worker.cli.main import main
from worker.engine.runtime import build_runtime
from worker.store.models import FAILED

LIST = "phone\n0912000001\n12345\n0912000002\n0912000001\nnot a number\n0912000003\n"
SMS = {
    "unit": "bien-hoa",
    "kind": "sms",
    "transport": "outbox",
    "options": {"recipients": "recipients/subs.csv", "optout": "recipients/optout.txt"},
}


@pytest.fixture
def root(tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.chdir(tmp_path)
    folder = write_config(
        tmp_path / "config", targets=[SMS], campaigns=[campaign(channels=["sms"])]
    )
    (folder / "recipients" / "subs.csv").write_text(LIST, "utf-8")
    (folder / "recipients" / "optout.txt").write_text("0912000003\n", "utf-8")
    return folder


def run(capsys: pytest.CaptureFixture[str], root: Path, *argv: str) -> str:
    assert main(["--config", str(root), *argv]) == 0
    return capsys.readouterr().out


def test_check_names_invalid_rows_and_counts_duplicates_and_optouts(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = run(capsys, root, "check")
    assert "target bien-hoa/sms: 2 number(s) to send to" in out
    assert "subs.csv: row 3: '12345'" in out and "row 6: 'not a number'" in out
    assert "1 duplicate(s) left out" in out and "1 opted out" in out
    assert "config OK" in out


def test_show_and_preview_after_a_partial_send(
    root: Path, tmp_path: Path, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    rt = build_runtime(root, sqlite_url, outbox=tmp_path / "outbox")
    with rt.sessions.begin() as s:
        d = create_delivery(
            s,
            create_item(s),
            channel="sms",
            unit="bien-hoa",
            target="bien-hoa/sms",
            state=FAILED,
            progress={"sent": ["84912000001"]},
            recipients=1,
        )
    data = json.loads(run(capsys, root, "show", str(d.id), "--json"))
    listed = data["sms"]["list"]
    assert [(r["row"], r["value"]) for r in listed["invalid"]] == [
        (3, "12345"),
        (6, "not a number"),
    ]
    assert (listed["duplicates"], listed["opted_out"]) == (1, 1)
    assert data["sms"]["counts"]["never sent"] == 1
    shown = run(capsys, root, "show", str(d.id))
    assert "row 3: '12345'" in shown and "1 opted out" in shown

    out = run(capsys, root, "preview", str(d.id))
    assert "segment(s) to 1 recipient(s)" in out  # 84912000002 only: one was sent already
    assert "still to send: 1 (1 already sent, 0 unsure, not counted)" in out
    assert "files under" not in out
    assert not (tmp_path / "preview").exists()
    out = run(capsys, root, "preview", str(d.id), "--out", str(tmp_path / "look"))
    assert "files under" in out
    written = [p.relative_to(tmp_path / "look") for p in (tmp_path / "look").rglob("*.txt")]
    due = d.due_at.astimezone(TZ).date().isoformat()  # named as the outbox names it
    assert [str(p) for p in written] == [
        f"bien-hoa/sms/{due}-huong-dan-nop-ho-so-truc-tuyen-{d.id}.txt"
    ]
