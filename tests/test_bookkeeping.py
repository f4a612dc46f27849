"""Bookkeeping that survives the real world: YAML times, failed ticks, kill -9, dead portals."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from campaigns.config import ConfigError, load_config
from campaigns.model import TZ
from tests.factories import campaign, write_config
from tests.stepping import Clock, step
from worker.cli.main import main
from worker.engine.runtime import build_runtime
from worker.store.models import PUBLISHED, Delivery

UNQUOTED = "channels:\n  sms:\n    quiet_hours: {start: 22:00, end: 07:00}\n"


def sms_config(tmp_path: Path, loa_yaml: str) -> Path:
    root = write_config(
        tmp_path / "config",
        targets=[
            {
                "unit": "bien-hoa",
                "kind": "sms",
                "transport": "outbox",
                "options": {"recipients": "recipients/subs.csv"},
            }
        ],
        campaigns=[campaign(channels=["sms"])],
        articles=1,
    )
    (root / "loa.yaml").write_text(loa_yaml, encoding="utf-8")
    return root


def test_unquoted_quiet_hours_are_a_local_wall_clock_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = sms_config(tmp_path, UNQUOTED)
    quiet = load_config(root).settings["channels"]["sms"]["quiet_hours"]
    assert quiet == {"start": dt.time(22, 0), "end": dt.time(7, 0)}
    assert quiet["start"].tzinfo is None and quiet["end"].tzinfo is None
    assert main(["--config", str(root), "check"]) == 0
    assert "config OK" in capsys.readouterr().out
    clock = Clock(dt.datetime(2024, 3, 1, 23, 0, tzinfo=TZ))
    rt = build_runtime(root, f"sqlite:///{tmp_path / 'loa.db'}", clock=clock, outbox=tmp_path / "o")
    assert step(rt) == []  # inside 22:00-07:00: nothing sent, and the tick does not raise
    with rt.sessions() as s:
        due = list(s.scalars(select(Delivery.due_at)))
    assert [d.astimezone(TZ) for d in due] == [dt.datetime(2024, 3, 2, 7, 0, tzinfo=TZ)]
    clock.at = dt.datetime(2024, 3, 2, 7, 0, tzinfo=TZ)
    assert step(rt) == [PUBLISHED]


def test_quoted_quiet_hours_read_the_same(tmp_path: Path) -> None:
    root = sms_config(
        tmp_path, 'channels:\n  sms:\n    quiet_hours: {start: "22:00", end: "07:00"}\n'
    )
    quiet = load_config(root).settings["channels"]["sms"]["quiet_hours"]
    assert quiet == {"start": dt.time(22, 0), "end": dt.time(7, 0)}


def test_a_time_of_day_out_of_range_asks_for_quotes(tmp_path: Path) -> None:
    root = sms_config(tmp_path, "channels:\n  sms:\n    quiet_hours: {start: 25:00, end: 07:00}\n")
    with pytest.raises(ConfigError) as e:
        load_config(root)
    assert "channels.sms.quiet_hours.start" in str(e.value)
    assert 'in quotes, like "22:00"' in str(e.value)
