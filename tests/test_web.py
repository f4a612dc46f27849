"""The status page and its JSON API agree with the report for the same filters."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from campaigns.model import CHANNEL_KINDS
from campaigns.periods import parse_period
from tests.factories import create_delivery, create_item
from tests.seed import NOW, REASON_403, REASON_UNCERTAIN, seed_runtime, seeded_database
from worker.engine.runtime import Runtime
from worker.reports.report import BUCKETS, build_report
from worker.web.api import report_json
from worker.web.page import create_app

FILTERS = [
    {},
    {"campaign": "chi-so"},
    {"unit": "dinh-quan"},
    {"channel": "sms"},
    {"campaign": "dvc", "unit": "bien-hoa", "channel": "website"},
]


def _client(rt: Runtime) -> FlaskClient:
    return create_app(rt, wall_clock=lambda: NOW).test_client()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def seeded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Runtime]:
    """One seeded database per backend for this module's read-only tests."""
    yield from seeded_database(request.param, tmp_path_factory.mktemp("seeded"))


def test_api_report_is_the_report_for_the_same_filters(seeded: Runtime) -> None:
    client = _client(seeded)
    for f in FILTERS:
        for period in ("2024-Q1", "2024-H1"):
            got = client.get("/api/report", query_string={"period": period, **f})
            assert got.status_code == 200
            with seeded.sessions() as s:
                report = build_report(
                    s,
                    seeded.config,
                    parse_period(period),
                    f.get("campaign"),
                    unit=f.get("unit"),
                    channel=f.get("channel"),
                )
            assert got.get_json() == report_json(report), (period, f)


def test_api_report_gives_quotas_also_under_the_old_keys(seeded: Runtime) -> None:
    body = _client(seeded).get("/api/report", query_string={"period": "2024-H1"}).get_json()
    assert body["quotas"] and body["targets"] == body["quotas"]
    for row in body["quotas"]:
        assert row["target"] == row["quota"] > 0
        assert row["gap"] == max(row["quota"] - row["achieved"], 0)


def test_api_deliveries_count_what_each_report_cell_counts(seeded: Runtime) -> None:
    client = _client(seeded)
    period = parse_period("2024-H1")
    with seeded.sessions() as s:
        report = build_report(s, seeded.config, period, "dvc")
    for code, _ in report.units:
        for channel in CHANNEL_KINDS:
            for bucket in BUCKETS:
                query = {"period": "2024-H1", "campaign": "dvc", "unit": code, "channel": channel}
                body = client.get(
                    "/api/deliveries", query_string={**query, "state": bucket}
                ).get_json()
                assert body["total"] == report.count(code, channel, bucket), (code, channel, bucket)
                assert body["count"] == min(body["total"], 100)
                assert {(d["unit"], d["channel"]) for d in body["deliveries"]} <= {(code, channel)}


def test_api_status_counts_states_and_shows_heartbeats_and_sources_in_error(
    seeded: Runtime,
) -> None:
    body = _client(seeded).get("/api/status").get_json()
    deliveries = _client(seeded).get("/api/deliveries", query_string={"limit": 5000}).get_json()
    assert sum(body["states"].values()) == deliveries["total"] == len(deliveries["deliveries"])
    assert {b["name"]: b["stale"] for b in body["heartbeats"]} == {
        "scheduler@may-1:11": False,
        "worker@may-1:12": False,
        "worker@may-2:40": True,
    }
    assert [x["id"] for x in body["sources_in_error"]] == ["dvc.bao-dong-nai"]
    assert "hết thời gian chờ" in body["sources_in_error"][0]["last_error"]


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("/api/deliveries?unit=ha-noi", "no unit 'ha-noi'"),
        ("/api/deliveries?channel=fax", "channel: use one of"),
        ("/api/deliveries?state=lost", "state: use one of"),
        ("/api/deliveries?limit=0", "limit:"),
        ("/api/report?period=2024-Q5", "not a period"),
        ("/api/report?period=2024&campaign=nope", "no campaign 'nope'"),
    ],
)
def test_api_refuses_bad_filters_with_a_json_400(seeded: Runtime, query: str, problem: str) -> None:
    got = _client(seeded).get(query)
    assert got.status_code == 400
    assert problem in got.get_json()["error"]


def test_overview_shows_states_processes_sources_and_failures_in_vietnamese(
    seeded: Runtime,
) -> None:
    html = _client(seeded).get("/").get_data(as_text=True)
    for text in (
        "Tổng quan",
        "Đã đăng",
        "Bộ lập lịch và tiến trình",
        "Mất tín hiệu",
        "Nguồn nội dung đang lỗi",
        "dvc.bao-dong-nai",
        "Các chỉ số PAR Index, SIPAS, PAPI, PCI",
        "Lỗi gần đây",
        'http-equiv="refresh" content="30"',
    ):
        assert text in html, text
    english = _client(seeded).get("/?lang=en").get_data(as_text=True)
    assert "Recent failures" in english and "Schedulers and workers" in english
    assert 'href="/failures?lang=en"' in english


def test_failures_page_lists_reasons_narrowed_like_the_api(seeded: Runtime) -> None:
    client = _client(seeded)
    html = client.get("/failures?unit=dinh-quan").get_data(as_text=True)
    api = client.get("/api/deliveries?unit=dinh-quan&state=failed").get_json()["total"]
    api += client.get("/api/deliveries?unit=dinh-quan&state=uncertain").get_json()["total"]
    counts = [int(n) for n in re.findall(r'class="card group" data-count="(\d+)"', html)]
    assert sum(counts) == api and len(counts) < api  # grouped by target and cause
    assert REASON_403 in html and REASON_UNCERTAIN in html
    assert "UBND Huyện Định Quán" in html and "<td>UBND Thành phố Biên Hòa</td>" not in html


def test_campaign_page_shows_progress_for_its_units_and_their_quotas(seeded: Runtime) -> None:
    client = _client(seeded)
    html = client.get("/campaigns/chi-so").get_data(as_text=True)
    assert "Tiến độ theo đơn vị" in html and "UBND Huyện Định Quán" in html
    assert "UBND Huyện Xuân Lộc" not in html  # not one of this campaign's units
    assert "Chỉ tiêu: quý IV năm 2024" in html
    assert client.get("/campaigns/khong-co").status_code == 404


def test_pages_escape_text_from_the_database(tmp_path: Path, sqlite_url: str) -> None:
    rt = seed_runtime(tmp_path, sqlite_url)
    with rt.sessions.begin() as s:
        item = create_item(s, key="evil", title="<b>tiêu đề</b>")
        create_delivery(
            s,
            item,
            state="failed",
            last_error="<script>alert('x')</script>",
            updated_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        )
    html = _client(rt).get("/failures").get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;alert(" in html
    assert "&lt;b&gt;tiêu đề&lt;/b&gt;" in html


def test_published_deliveries_with_a_note_are_listed_apart(tmp_path: Path, sqlite_url: str) -> None:
    rt = seed_runtime(tmp_path, sqlite_url)
    note = "categories Phản ánh, kiến nghị do not exist on the site; posted without them"
    with rt.sessions.begin() as s:
        item = create_item(s, key="noted", title="Tiếp nhận phản ánh qua tổng đài 1022")
        create_delivery(s, item, state="published", reason=note)
        create_delivery(s, item, state="published", unit="bien-hoa", target="bien-hoa/website")
    html = _client(rt).get("/failures").get_data(as_text=True)
    notes = html.split("Đã đăng, có lưu ý", 1)[1]
    assert note in notes and notes.count("Tiếp nhận phản ánh qua tổng đài 1022") == 1
    english = _client(rt).get("/failures?lang=en").get_data(as_text=True)
    assert "Published, with notes" in english
