"""The per-unit report: every number agrees with a direct count, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns.model import CHANNEL_KINDS, TZ
from campaigns.periods import Period, parse_period
from tests.factories import create_delivery, create_item, write_config
from tests.seed import CHI_SO, TARGETS, UNITS, seed_runtime, seeded_database
from worker.engine.runtime import Runtime, build_runtime
from worker.reports.quotas import Goal, quarters_in, quota_of
from worker.reports.report import BUCKET_STATES, BUCKETS, build_report
from worker.reports.tables import as_csv, as_rows, as_section_csv, as_table, as_text
from worker.store.filters import Filters
from worker.store.models import PUBLISHED, ContentItem, Delivery

PERIODS = ("2024-Q1", "2024", "2024-03-15..2024-04-15")
FILTERS = (Filters(), Filters(campaign="chi-so"), Filters(channel="sms"), Filters(unit="dinh-quan"))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def seeded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Runtime]:
    """One seeded database per backend for this module's read-only tests."""
    yield from seeded_database(request.param, tmp_path_factory.mktemp("seeded"))


def _direct(s: Session, period: Period, f: Filters, unit: str, channel: str, bucket: str) -> int:
    q = select(func.count()).where(
        Delivery.unit == unit,
        Delivery.channel == channel,
        Delivery.state.in_(BUCKET_STATES[bucket]),
        Delivery.due_at >= period.start,
        Delivery.due_at < period.end,
    )
    if f.campaign:
        q = q.where(Delivery.campaign == f.campaign)
    return int(s.execute(q).scalar_one())


def test_every_report_cell_matches_a_direct_count(seeded: Runtime) -> None:
    rt = seeded
    checked = 0
    with rt.sessions() as s:
        for label in PERIODS:
            period = parse_period(label)
            for f in FILTERS:
                report = build_report(
                    s, rt.config, period, f.campaign, unit=f.unit, channel=f.channel
                )
                for code, _ in report.units:
                    for channel in CHANNEL_KINDS:
                        for bucket in BUCKETS:
                            shown = report.count(code, channel, bucket)
                            wanted = (
                                _direct(s, period, f, code, channel, bucket)
                                if channel in f.channels()
                                else 0
                            )
                            assert shown == wanted, (label, f, code, channel, bucket)
                            checked += wanted
    assert checked > 100  # the seed has something in most cells


def test_every_unit_gets_a_row_in_plan_order_even_with_nothing(seeded: Runtime) -> None:
    rt = seeded
    with rt.sessions() as s:
        report = build_report(s, rt.config, parse_period("2024"))
    assert [name for _, name, _ in report.rows] == [u["name"] for u in UNITS]
    xuan_loc = dict((code, cells) for code, _, cells in report.rows)["xuan-loc"]
    assert set(xuan_loc.values()) == {0}
    assert report.totals()["published"] == sum(c["published"] for _, _, c in report.rows)


def test_a_delivery_counts_in_the_quarter_its_local_due_date_falls_in(
    tmp_path: Path, database_url: str
) -> None:
    rt = build_runtime(write_config(tmp_path / "config"), database_url)
    with rt.sessions.begin() as s:
        item = create_item(s)
        create_delivery(s, item, due_at=dt.datetime(2024, 3, 31, 23, 30, tzinfo=TZ))
        create_delivery(
            s,
            item,
            unit="bien-hoa",
            target="bien-hoa/website",
            due_at=dt.datetime(2024, 4, 1, tzinfo=TZ),
        )
    with rt.sessions() as s:
        q1 = build_report(s, rt.config, parse_period("2024-Q1"))
        q2 = build_report(s, rt.config, parse_period("2024-Q2"))
    assert (
        q1.count("so-noi-vu", "website", "published"),
        q1.count("bien-hoa", None, "published"),
    ) == (1, 0)
    assert (
        q2.count("so-noi-vu", None, "published"),
        q2.count("bien-hoa", "website", "published"),
    ) == (0, 1)


def test_sms_recipients_and_segments_are_sums_over_published_sms(seeded: Runtime) -> None:
    rt = seeded
    period = parse_period("2024-H1")
    with rt.sessions() as s:
        report = build_report(s, rt.config, period)
        rows = s.execute(
            select(Delivery.unit, Delivery.recipients, Delivery.segments).where(
                Delivery.channel == "sms",
                Delivery.state == PUBLISHED,
                Delivery.due_at >= period.start,
                Delivery.due_at < period.end,
            )
        ).all()
    for code, _ in report.units:
        mine = [(r, g) for u, r, g in rows if u == code]
        sms = report.sms.get(code)
        got = (sms.messages, sms.recipients, sms.segments, sms.sent) if sms else (0, 0, 0, 0)
        assert got == (
            len(mine),
            sum(r for r, _ in mine),
            sum(g for _, g in mine),
            sum(r * g for r, g in mine),
        )
    assert report.sms["bien-hoa"].recipients >= 1200  # the 1,200-recipient message in February


def test_each_topic_counts_the_published_deliveries_of_items_carrying_it(seeded: Runtime) -> None:
    rt = seeded
    period = parse_period("2024")
    with rt.sessions() as s:
        report = build_report(s, rt.config, period, "dvc")
        rows = s.execute(
            select(ContentItem.topics, Delivery.channel)
            .join(ContentItem, ContentItem.id == Delivery.item_id)
            .where(Delivery.campaign == "dvc", Delivery.state == PUBLISHED)
            .where(Delivery.due_at >= period.start, Delivery.due_at < period.end)
        ).all()
    for t in report.topics:
        for channel in CHANNEL_KINDS:
            wanted = sum(
                1
                for topics, ch in rows
                if ch == channel and (t.topic in topics if t.topic else not topics)
            )
            assert t.channels[channel] == wanted, (t.topic, channel)
    assert sum(report.topic_totals.values()) == len(rows)
    assert [t.topic for t in report.topics][:2] == ["dich-vu-cong", "thanh-toan"]  # config order


@pytest.mark.parametrize(
    ("period", "quarters"),
    [
        ("2024-Q1", [(2024, 1)]),
        ("2024-H1", [(2024, 1), (2024, 2)]),
        ("2024-Q3", [(2024, 3)]),
        ("2024", [(2024, 1), (2024, 2), (2024, 3), (2024, 4)]),
        ("2024-02-01..2024-06-30", [(2024, 2)]),
        ("2023-10-01..2024-03-31", [(2023, 4), (2024, 1)]),
        ("2024-01-15..2024-03-31", []),
    ],
)
def test_a_period_covers_the_quarters_wholly_inside_it(
    period: str, quarters: list[tuple[int, int]]
) -> None:
    assert quarters_in(parse_period(period)) == quarters


def test_quotas_add_up_the_quarters_in_which_the_campaign_runs(tmp_path: Path) -> None:
    rt = build_runtime(
        write_config(tmp_path / "config", units=UNITS, targets=TARGETS, campaigns=[CHI_SO]),
        f"sqlite:///{tmp_path / 'x.db'}",
    )
    chi_so = rt.config.campaigns["chi-so"]
    assert quota_of(chi_so, "website", quarters_in(parse_period("2024-H1"))) == 6
    assert quota_of(chi_so, "facebook", quarters_in(parse_period("2024"))) == 2
    assert quota_of(chi_so, "video", quarters_in(parse_period("2024-Q3"))) == 1
    assert quota_of(chi_so, "website", quarters_in(parse_period("2025-Q1"))) == 0


def test_quotas_show_achieved_as_a_direct_count_and_flag_units_behind(seeded: Runtime) -> None:
    rt = seeded
    period = parse_period("2024-H1")
    with rt.sessions() as s:
        goals = build_report(s, rt.config, period).goals
        website = {
            u: int(
                s.execute(
                    select(func.count()).where(
                        Delivery.campaign == "chi-so",
                        Delivery.unit == u,
                        Delivery.channel == "website",
                        Delivery.state == PUBLISHED,
                        Delivery.due_at >= period.start,
                        Delivery.due_at < period.end,
                    )
                ).scalar_one()
            )
            for u in ("so-noi-vu", "dinh-quan")
        }
    by = {(g.unit, g.measure): g for g in goals}
    assert set(by) == {
        (u, m) for u in ("so-noi-vu", "dinh-quan") for m in ("website", "facebook", "video")
    }
    for unit, n in website.items():
        assert (by[(unit, "website")].quota, by[(unit, "website")].achieved) == (6, n)
    assert all(g.behind == (g.achieved < g.quota) for g in goals)
    assert [g.unit for g in goals] == sorted(
        (g.unit for g in goals), key=["so-noi-vu", "dinh-quan"].index
    )


def test_a_unit_past_its_quota_has_no_gap() -> None:
    done = Goal("so-noi-vu", "Sở Nội vụ", "website", quota=3, achieved=5)
    short = Goal("so-noi-vu", "Sở Nội vụ", "video", quota=2, achieved=1)
    assert (done.gap, done.behind, short.gap, short.behind) == (0, False, 1, True)


def test_a_channel_filter_keeps_only_the_quotas_measured_on_it(
    tmp_path: Path, sqlite_url: str
) -> None:
    rt = seed_runtime(tmp_path, sqlite_url)
    with rt.sessions() as s:
        website = build_report(s, rt.config, parse_period("2024"), channel="website").goals
        sms = build_report(s, rt.config, parse_period("2024"), channel="sms").goals
    assert {g.measure for g in website} == {"website", "video"}
    assert sms == []


def test_the_table_counts_name_width_in_characters_after_nfc(
    tmp_path: Path, sqlite_url: str
) -> None:
    decomposed = unicodedata.normalize("NFD", "UBND Huyện Định Quán")
    rows = [["Đơn vị", "Đã đăng"], [decomposed, "12"], ["Sở Nội vụ", "3"], ["Tổng cộng", "15"]]
    lines = [line for line in as_table(rows).splitlines() if not line.startswith("-")]
    assert {len(line) for line in lines} == {len("UBND Huyện Định Quán") + 2 + len("Đã đăng")}
    assert "UBND Huyện Định Quán" in as_table(rows)


def test_headers_are_vietnamese_with_diacritics_or_english(tmp_path: Path, sqlite_url: str) -> None:
    rt = seed_runtime(tmp_path, sqlite_url)
    with rt.sessions() as s:
        report = build_report(s, rt.config, parse_period("2024-Q1"))
    assert as_rows(report, "vi")[0] == [
        "Đơn vị",
        "Trang TTĐT",
        "Màn hình",
        "SMS",
        "Facebook",
        "Zalo",
        "Loa truyền thanh",
        "Đã đăng",
        "Lỗi",
        "Chưa rõ",
        "Đang chờ",
    ]
    assert as_csv(report, "en").splitlines()[0].startswith("Unit,Website,Screens,SMS")
    assert as_csv(report, "vi").splitlines()[-1].startswith("Tổng cộng,")
    text = as_text(report, "vi")
    assert "quý I năm 2024" in text and "Chỉ tiêu:" in text and "UBND Huyện Xuân Lộc" in text
    assert as_section_csv(report, "vi", "quotas").splitlines()[0] == (
        "Đơn vị,Chỉ tiêu,Kế hoạch,Đã đạt,Còn thiếu,Đánh giá,Chiến dịch"
    )
    # the section's old name still works, for scripts that ask for it
    assert as_section_csv(report, "vi", "targets") == as_section_csv(report, "vi", "quotas")
