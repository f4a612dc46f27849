"""Every filter option means the same rows in every command: jobs, status, the actions, preview."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from campaigns.model import TZ
from tests.factories import campaign, create_delivery, create_item, write_config
from worker.actions import CANCELLABLE, RETRYABLE
from worker.cli.main import main
from worker.cli.parser import filter_options
from worker.engine.runtime import build_runtime
from worker.store.models import (
    AWAITING_APPROVAL,
    FAILED,
    PLANNED,
    PUBLISHED,
    UNCERTAIN,
    Delivery,
)

Q1 = dt.datetime(2024, 2, 1, 9, 0, tzinfo=TZ)
Q3 = dt.datetime(2024, 8, 1, 9, 0, tzinfo=TZ)
PLACES = [
    ("so-noi-vu", "website", "so-noi-vu/website"),
    ("so-noi-vu", "facebook", "so-noi-vu/facebook"),
    ("bien-hoa", "sms", "bien-hoa/sms"),
]


@dataclass(frozen=True)
class Seeded:
    id: int
    campaign: str
    unit: str
    channel: str
    state: str
    due: dt.datetime


def seed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[Seeded]]:
    """Rows in two campaigns, three places, five states and two quarters: every mix of them."""
    root = write_config(
        tmp_path / "config", campaigns=[campaign(), campaign(id="other", title="Chiến dịch khác")]
    )
    url = f"sqlite:///{tmp_path / 'loa.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    rt = build_runtime(root, url, outbox=tmp_path / "outbox")
    rows = []
    with rt.sessions.begin() as s:
        states = (FAILED, UNCERTAIN, AWAITING_APPROVAL, PLANNED, PUBLISHED)
        for state, due in itertools.product(states, (Q1, Q3)):
            item = create_item(s, title=f"Bài {state} {due:%m}", key=f"k:{state}:{due:%m}")
            for name, (unit, channel, target) in itertools.product(("dvc", "other"), PLACES):
                d = create_delivery(
                    s,
                    item,
                    campaign=name,
                    unit=unit,
                    channel=channel,
                    target=target,
                    state=state,
                    due_at=due,
                )
                rows.append(Seeded(d.id, name, unit, channel, state, due))
    rt.engine.dispose()
    return root, rows


CASES: dict[str, tuple[list[str], Callable[[Seeded], bool]]] = {
    "campaign": (["--campaign", "other"], lambda r: r.campaign == "other"),
    "unit": (["--unit", "bien-hoa"], lambda r: r.unit == "bien-hoa"),
    "channel": (["--channel", "facebook"], lambda r: r.channel == "facebook"),
    "state": (
        ["--state", UNCERTAIN, "--state", AWAITING_APPROVAL],
        lambda r: r.state in (UNCERTAIN, AWAITING_APPROVAL),
    ),
    "period": (["--period", "2024-Q3"], lambda r: r.due == Q3),
}
CHANGES = {"retry": RETRYABLE, "cancel": CANCELLABLE, "approve": (AWAITING_APPROVAL,)}
COMMANDS = ("jobs", "status", "retry", "cancel", "approve", "preview")


def test_the_table_covers_every_option_of_the_filter_group() -> None:
    assert sorted(CASES) == sorted(filter_options())


def selected(
    command: str, root: Path, argv: list[str], capsys: pytest.CaptureFixture[str], tmp: Path
) -> set[Any]:
    """The ids a command listed, changed or previewed; for status, its counted breakdown."""
    rt = build_runtime(root)
    with rt.sessions() as s:
        before = {i: st for i, st in s.execute(select(Delivery.id, Delivery.state))}
    extra = {
        "jobs": ["--json", "--limit", "1000"],
        "status": ["--json"],
        "preview": ["--out", str(tmp / "preview")],
    }.get(command, ["--yes"])
    code = main(["--config", str(root), command, *argv, *extra])
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    if command == "jobs":
        return {row["id"] for row in json.loads(out)}
    if command == "status":
        shown = json.loads(out)
        recent = {("recent", r["id"]) for r in shown["recent_failures"]}
        return {tuple(b.values()) for b in shown["breakdown"]} | recent
    if command == "preview":
        return {int(i) for i in re.findall(r"^#(\d+) ", out, flags=re.MULTILINE)}
    with rt.sessions() as s:
        after = {i: st for i, st in s.execute(select(Delivery.id, Delivery.state))}
    rt.engine.dispose()
    return {i for i, state in after.items() if state != before[i]}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("option", sorted(CASES))
def test_every_filter_option_narrows_every_command_alike(
    option: str,
    command: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root, rows = seed(tmp_path, monkeypatch)
    argv, matches = CASES[option]
    wanted = [r for r in rows if matches(r)]
    if command in CHANGES:
        wanted = [r for r in wanted if r.state in CHANGES[command]]
    if command == "preview" and option != "state":
        wanted = [r for r in wanted if r.state == AWAITING_APPROVAL]
    got = selected(command, root, argv, capsys, tmp_path)
    if command == "status":
        counted = Counter((r.campaign, r.unit, r.channel, r.state) for r in wanted)
        recent = {("recent", r.id) for r in wanted if r.state in (FAILED, UNCERTAIN)}
        assert {g for g in got if g[0] != "recent"} == {(*k, n) for k, n in counted.items()}
        assert {g for g in got if g[0] == "recent"} <= recent  # the last ten, all matching
    else:
        assert got == {r.id for r in wanted}
    assert wanted and len(wanted) < len(rows)  # the option chose some rows, not all


def test_cancel_with_a_period_leaves_rows_due_in_another_period_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root, rows = seed(tmp_path, monkeypatch)
    got = selected("cancel", root, ["--campaign", "dvc", "--period", "2024-Q1"], capsys, tmp_path)
    assert got == {
        r.id for r in rows if r.campaign == "dvc" and r.due == Q1 and r.state in CANCELLABLE
    }
    assert not {r.id for r in rows if r.due == Q3} & got


def test_retry_with_a_state_retries_only_rows_in_that_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root, rows = seed(tmp_path, monkeypatch)
    got = selected("retry", root, ["--campaign", "dvc", "--state", UNCERTAIN], capsys, tmp_path)
    assert got == {r.id for r in rows if r.campaign == "dvc" and r.state == UNCERTAIN}


def test_ids_and_filters_both_narrow_and_what_is_left_alone_is_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root, rows = seed(tmp_path, monkeypatch)
    q1, q3 = (
        next(r for r in rows if r.state == FAILED and r.due == due and r.campaign == "dvc")
        for due in (Q1, Q3)
    )
    code = main(["--config", str(root), "cancel", str(q1.id), str(q3.id), "--period", "2024-Q1"])
    out, err = capsys.readouterr()
    assert code == 0 and "1 delivery(ies) changed" in out
    assert f"#{q3.id} left alone (not matched by the filters)" in err
    code = main(["--config", str(root), "approve", "--state", PUBLISHED, "--campaign", "dvc"])
    out, err = capsys.readouterr()
    assert code == 1 and "0 delivery(ies) changed" in out
    assert "left alone (published)" in err  # asked for published rows: none can be approved
