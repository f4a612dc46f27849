"""A loudspeaker target through the worker: due before the next slot, bulletins, the report."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sqlalchemy import select

from campaigns.config import ConfigError, load_config
from campaigns.model import TZ
from campaigns.periods import parse_period
from tests.factories import campaign, write_config
from worker.engine.embedded import run_once
from worker.engine.runtime import build_runtime, fixed_clock
from worker.reports.report import build_report
from worker.reports.tables import as_section_csv, as_text
from worker.store.models import PUBLISHED, Delivery

NOW = dt.datetime(2024, 12, 31, 16, 0, tzinfo=TZ)


def _config(root: Path, folder: Path, **options: object) -> Path:
    targets = [
        {
            "unit": "bien-hoa",
            "kind": "loudspeaker",
            "transport": "folder",
            "options": {
                "path": str(folder),
                "slots": ["06:00", "17:00"],
                "audio": False,
                "lead_minutes": 10,
                "max_minutes": 10,
                **options,
            },
        },
        {
            "unit": "so-noi-vu",
            "kind": "loudspeaker",
            "transport": "outbox",
            "options": {"audio": False, "slots": ["18:00"]},
        },
    ]
    published = [dt.datetime(2024, 3, 4, 8, 0, tzinfo=TZ), dt.datetime(2024, 3, 4, 9, 0, tzinfo=TZ)]
    return write_config(
        root,
        targets=targets,
        campaigns=[campaign(channels=["loudspeaker"])],
        published=published,
    )


def test_items_air_in_the_next_bulletin_and_the_report_counts_bulletins_and_minutes(
    tmp_path: Path, sqlite_url: str
) -> None:
    root = _config(tmp_path / "config", tmp_path / "loa")
    rt = build_runtime(root, sqlite_url, clock=fixed_clock(NOW), outbox=tmp_path / "outbox")
    run_once(rt, threads=2)
    with rt.sessions() as s:
        rows = list(s.scalars(select(Delivery).order_by(Delivery.unit, Delivery.id)))
    assert {d.state for d in rows} == {PUBLISHED}
    due = {(d.unit, d.due_at.astimezone(TZ).strftime("%d/%m %H:%M")) for d in rows}
    assert due == {("bien-hoa", "04/03 16:50"), ("so-noi-vu", "04/03 17:45")}
    playlist = json.loads((tmp_path / "loa" / "2024-03-04_1700" / "playlist.json").read_text())
    assert len(playlist["items"]) == 2
    with rt.sessions() as s:
        report = build_report(s, rt.config, parse_period("2024-Q1"))
    seconds = playlist["seconds"]
    assert report.loudspeaker["bien-hoa"].bulletins == 1
    assert report.loudspeaker["bien-hoa"].items == 2
    assert report.loudspeaker["bien-hoa"].minutes == round(seconds / 60, 1)
    assert report.loudspeaker["so-noi-vu"].bulletins == 1
    csv = as_section_csv(report, "vi", "loudspeaker").splitlines()
    assert csv[0].lstrip("\ufeff") == "Đơn vị,Số bản tin,Số tin phát,Số phút phát"
    assert "Truyền thanh:" in as_text(report, "vi")


def test_a_full_bulletin_is_reported_on_the_delivery(tmp_path: Path, sqlite_url: str) -> None:
    root = _config(tmp_path / "config", tmp_path / "loa", max_minutes=1, wpm=60)
    rt = build_runtime(root, sqlite_url, clock=fixed_clock(NOW), outbox=tmp_path / "outbox")
    run_once(rt, threads=1)
    with rt.sessions() as s:
        rows = list(s.scalars(select(Delivery).where(Delivery.unit == "bien-hoa")))
    assert {d.state for d in rows} == {PUBLISHED}
    reasons = [d.reason for d in rows if d.reason]
    assert len(reasons) == 1 and "17:00 04/03/2024 bulletin was full" in reasons[0]
    assert {d.progress["aired"]["bulletin"] for d in rows} == {"2024-03-04_1700", "2024-03-05_0600"}


def test_bad_slots_are_named_by_loa_check(tmp_path: Path) -> None:
    root = _config(tmp_path / "config", tmp_path / "loa", slots=["25:00"], days=["funday"])
    try:
        load_config(root)
    except ConfigError as e:
        assert "targets.yaml: targets.0.options" in str(e) and "25:00" in str(e)
    else:
        raise AssertionError("bad slots were accepted")
