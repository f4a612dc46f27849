"""The operators' command line on a seeded database: what it prints, and that filters agree."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from campaigns.model import TZ
from tests.factories import create_delivery, create_item, write_config
from worker.cli.main import main
from worker.engine.runtime import build_runtime
from worker.store.models import (
    AWAITING_APPROVAL,
    FAILED,
    PUBLISHED,
    UNCERTAIN,
    Attempt,
    Delivery,
)


@pytest.fixture
def seeded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, dict[str, int]]:
    root = write_config(tmp_path / "config")
    url = f"sqlite:///{tmp_path / 'loa.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    rt = build_runtime(root, url, outbox=tmp_path / "outbox")
    with rt.sessions.begin() as s:
        item = create_item(s, title="Hướng dẫn nộp hồ sơ trực tuyến")
        ids = {
            "published": create_delivery(s, item).id,
            "failed": create_delivery(
                s,
                item,
                state=FAILED,
                unit="bien-hoa",
                target="bien-hoa/website",
                last_error="PermanentError: 401 incorrect_password",
            ).id,
            "uncertain": create_delivery(
                s,
                item,
                state=UNCERTAIN,
                channel="sms",
                unit="bien-hoa",
                target="bien-hoa/sms",
                reason="worker died",
            ).id,
        }
    return root, ids


def run(capsys: pytest.CaptureFixture[str], root: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["--config", str(root), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_status_shows_counts_and_the_recent_failures_with_reasons(
    seeded: tuple[Path, dict[str, int]], capsys: pytest.CaptureFixture[str]
) -> None:
    root, _ = seeded
    code, out, _ = run(capsys, root, "status")
    assert code == 0
    assert "published 1" in out and "failed 1" in out and "uncertain 1" in out
    assert "401 incorrect_password" in out
    assert "worker died" in out
    assert "\033[" not in out  # no colour codes when the output is not a terminal


def test_status_jobs_and_a_direct_count_agree_for_every_filter(
    seeded: tuple[Path, dict[str, int]], capsys: pytest.CaptureFixture[str]
) -> None:
    root, _ = seeded
    rt = build_runtime(root)
    for flags, where in [
        ((), []),
        (("--unit", "bien-hoa"), [Delivery.unit == "bien-hoa"]),
        (("--channel", "sms"), [Delivery.channel == "sms"]),
        (("--state", "failed"), [Delivery.state == FAILED]),
        (("--campaign", "dvc", "--period", "2024-Q1"), []),
    ]:
        _, out, _ = run(capsys, root, "status", "--json", *flags)
        from_status = sum(json.loads(out)["counts"].values())
        _, out, _ = run(capsys, root, "jobs", "--json", "--limit", "1000", *flags)
        from_jobs = len(json.loads(out))
        with rt.sessions() as s:
            direct = s.scalar(select(func.count()).select_from(Delivery).where(*where))
        assert from_status == from_jobs == direct, flags


def test_show_lists_the_delivery_with_its_attempts_and_actions(
    seeded: tuple[Path, dict[str, int]], capsys: pytest.CaptureFixture[str]
) -> None:
    root, ids = seeded
    assert run(capsys, root, "retry", str(ids["failed"]))[0] == 0
    code, out, _ = run(capsys, root, "show", str(ids["failed"]), "--json")
    shown = json.loads(out)
    assert code == 0
    assert shown["state"] == "retrying"
    assert shown["title"] == "Hướng dẫn nộp hồ sơ trực tuyến"
    assert [a["action"] for a in shown["actions"]] == ["retry"]
    code, _, err = run(capsys, root, "show", "99999")
    assert code == 2 and "no delivery 99999" in err


def test_resolve_settles_an_uncertain_delivery_and_refuses_others(
    seeded: tuple[Path, dict[str, int]], capsys: pytest.CaptureFixture[str]
) -> None:
    root, ids = seeded
    code, out, _ = run(
        capsys,
        root,
        "resolve",
        str(ids["uncertain"]),
        "--published",
        "--note",
        "đã kiểm tra trên cổng",
    )
    assert code == 0 and "1 delivery(ies) changed" in out
    code, _, err = run(capsys, root, "resolve", str(ids["published"]), "--failed")
    assert code == 1 and "left alone (published)" in err
    rt = build_runtime(root)
    with rt.sessions() as s:
        assert s.get(Delivery, ids["uncertain"]).state == PUBLISHED  # type: ignore[union-attr]


def test_actions_without_ids_or_filters_are_refused(
    seeded: tuple[Path, dict[str, int]], capsys: pytest.CaptureFixture[str]
) -> None:
    root, _ = seeded
    code, _, err = run(capsys, root, "cancel")
    assert code == 2 and "give delivery ids or at least one filter" in err
    code, _, err = run(capsys, root, "jobs", "--campaign", "nope")
    assert code == 2 and "no campaign 'nope'" in err


def test_every_action_keeps_its_note_and_show_prints_it(
    seeded: tuple[Path, dict[str, int]], capsys: pytest.CaptureFixture[str]
) -> None:
    root, ids = seeded
    rt = build_runtime(root)
    with rt.sessions.begin() as s:
        item = create_item(s, title="Thông báo lịch tiếp công dân")
        waiting = create_delivery(s, item, state=AWAITING_APPROVAL).id
        failed = create_delivery(
            s, item, state=FAILED, unit="bien-hoa", target="bien-hoa/website"
        ).id
    steps = [
        (ids["failed"], ["retry", str(ids["failed"])], "retry", "đã đổi mật khẩu"),
        (ids["failed"], ["cancel", str(ids["failed"])], "cancel", "bài đã cũ"),
        (waiting, ["approve", str(waiting)], "approve", "lãnh đạo đã duyệt"),
        (ids["uncertain"], ["resolve", str(ids["uncertain"]), "--failed"], "resolve-failed", "ok"),
        (failed, ["retry", str(failed)], "retry", "thử lại sau sự cố mạng"),
    ]
    for delivery, argv, action, note in steps:
        assert run(capsys, root, *argv, "--note", note)[0] == 0, argv
        _, out, _ = run(capsys, root, "show", str(delivery), "--json")
        last = json.loads(out)["actions"][-1]
        assert (last["action"], last["detail"]) == (action, note)
        _, out, _ = run(capsys, root, "show", str(delivery))
        assert f"{action}: {note}" in out


def test_show_lists_attempts_in_the_order_they_were_made(
    seeded: tuple[Path, dict[str, int]], capsys: pytest.CaptureFixture[str]
) -> None:
    """Numbers restarted at 1 after `loa retry` in rows recorded before they were counted."""
    root, ids = seeded
    rt = build_runtime(root)
    start = dt.datetime(2024, 2, 1, 8, 0, tzinfo=TZ)
    with rt.sessions.begin() as s:
        for number, minutes, outcome in [
            (1, 0, "retrying"),
            (2, 30, "failed"),
            (1, 90, "published"),
        ]:
            at = start + dt.timedelta(minutes=minutes)
            s.add(
                Attempt(
                    delivery_id=ids["published"],
                    number=number,
                    started_at=at,
                    finished_at=at,
                    outcome=outcome,
                )
            )
    code, out, _ = run(capsys, root, "show", str(ids["published"]))
    assert code == 0
    shown = [line.split()[3:5] for line in out.splitlines() if line.startswith("  attempt ")]
    assert shown == [["08:00", "retrying"], ["08:30", "failed"], ["09:30", "published"]]
    _, out, _ = run(capsys, root, "show", str(ids["published"]), "--json")
    assert [a["outcome"] for a in json.loads(out)["attempts_log"]] == [
        "retrying",
        "failed",
        "published",
    ]
