"""The XLSX report opens in a spreadsheet with Vietnamese sheets, headers and totals."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from campaigns.periods import parse_period
from tests.seed import UNITS, seed_runtime, seeded_database
from worker.cli import report as reporting
from worker.cli.args import BadInput
from worker.cli.main import main
from worker.engine.runtime import Runtime
from worker.reports.report import BUCKETS, build_report
from worker.reports.xlsx import write_workbook

SHEETS = ["Tổng hợp", "Theo chủ đề", "SMS", "Chỉ tiêu"]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def seeded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Runtime]:
    """One seeded database per backend for this module's read-only tests."""
    yield from seeded_database(request.param, tmp_path_factory.mktemp("seeded"))


def _rows(ws: Worksheet, first: int) -> list[list[object]]:
    return [list(r) for r in ws.iter_rows(min_row=first, values_only=True)]


def test_the_workbook_has_a_titled_sheet_per_breakdown(seeded: Runtime, tmp_path: Path) -> None:
    rt = seeded
    with rt.sessions() as s:
        report = build_report(s, rt.config, parse_period("2024-Q1"))
    write_workbook(report, tmp_path / "q1.xlsx")
    wb = load_workbook(tmp_path / "q1.xlsx")
    assert wb.sheetnames == SHEETS
    for ws in wb.worksheets:
        assert ws["A5"].value == "BÁO CÁO"
        assert ws["A6"].value == (
            "Kết quả thông tin, tuyên truyền cải cách hành chính quý I năm 2024"
        )
        assert ws["A5"].font.b and ws["A6"].font.b
        assert "01/01/2024 – 31/03/2024" in str(ws["A7"].value)
    summary = wb["Tổng hợp"]
    assert [summary.cell(9, c).value for c in (3, 7, 23, 27)] == [
        "Trang TTĐT",
        "Màn hình",
        "Loa truyền thanh",
        "Tổng cộng",
    ]
    assert summary.cell(9, 1).value == "STT"  # spanning both header rows
    assert [summary.cell(10, c).value for c in range(2, 7)] == [
        "Đơn vị",
        "Đã đăng",
        "Lỗi",
        "Chưa rõ",
        "Đang chờ",
    ]
    assert summary.cell(10, 2).font.b and summary.freeze_panes == "C11"
    assert summary.column_dimensions["B"].width >= len("UBND Thành phố Biên Hòa")
    assert wb["SMS"].freeze_panes == "C10"
    assert [c.value for c in wb["Chỉ tiêu"][9]] == [
        "STT",
        "Đơn vị",
        "Chỉ tiêu",
        "Kế hoạch",
        "Đã đạt",
        "Còn thiếu",
        "Đánh giá",
        "Chiến dịch",
    ]


def test_units_are_in_plan_order_and_the_totals_row_adds_up(
    seeded: Runtime, tmp_path: Path
) -> None:
    rt = seeded
    with rt.sessions() as s:
        report = build_report(s, rt.config, parse_period("2024"))
    write_workbook(report, tmp_path / "y.xlsx")
    wb = load_workbook(tmp_path / "y.xlsx")
    body = [r[1:] for r in _rows(wb["Tổng hợp"], 11)]  # after the STT column
    *units, total = body
    assert [r[0] for r in units] == [u["name"] for u in UNITS]
    assert total[0] == "Tổng cộng"
    for col in range(1, len(total)):
        assert total[col] == sum(int(r[col]) for r in units)  # type: ignore[call-overload]
    website = [r[1:5] for r in units]
    assert website == [[report.count(u["code"], "website", b) for b in BUCKETS] for u in UNITS]
    *sms_units, sms_total = [r[1:] for r in _rows(wb["SMS"], 10)]
    assert sms_total[1:] == [sum(int(r[c]) for r in sms_units) for c in range(1, len(sms_total))]  # type: ignore[call-overload]
    *_, topic_total = [r[1:] for r in _rows(wb["Theo chủ đề"], 10)]
    assert topic_total[-1] == report.totals()["published"]


def test_units_behind_their_quotas_are_highlighted(tmp_path: Path, sqlite_url: str) -> None:
    rt = seed_runtime(tmp_path, sqlite_url)
    with rt.sessions() as s:
        report = build_report(s, rt.config, parse_period("2024-H1"), "chi-so")
    write_workbook(report, tmp_path / "h1.xlsx")
    ws = load_workbook(tmp_path / "h1.xlsx")["Chỉ tiêu"]
    rows = [r[1:] for r in ws.iter_rows(min_row=10) if r[1].value != "Tổng cộng"]
    assert len(rows) == len(report.goals) > 0
    for row, goal in zip(rows, report.goals, strict=True):
        assert [c.value for c in row[2:5]] == [goal.quota, goal.achieved, goal.gap]
        assert (row[0].fill.fgColor.rgb == "00F8D7DA") == goal.behind


def _args(tmp_path: Path, fmt: str, **extra: object) -> argparse.Namespace:
    values: dict[str, object] = {"campaign": None, "unit": "dinh-quan", "channel": None}
    values.update({"output": None, **extra})
    return argparse.Namespace(
        config=str(tmp_path / "config"), period="2024-Q1", format=fmt, lang="vi", **values
    )


def test_loa_report_prints_a_table_or_a_csv_section_and_writes_files(
    tmp_path: Path,
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    seed_runtime(tmp_path, sqlite_url)
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    assert reporting.report(_args(tmp_path, "table")) == 0
    table = capsys.readouterr().out
    assert "quý I năm 2024" in table and "UBND Huyện Định Quán" in table
    assert "UBND Thành phố Biên Hòa" not in table  # --unit dinh-quan
    assert reporting.report(_args(tmp_path, "csv", section="sms")) == 0
    assert capsys.readouterr().out.splitlines()[1].startswith("UBND Huyện Định Quán,")
    csv_file = tmp_path / "q1.csv"
    assert reporting.report(_args(tmp_path, "csv", section="targets", output=str(csv_file))) == 0
    assert csv_file.read_bytes().startswith("\ufeffĐơn vị,Chỉ tiêu".encode())
    xlsx = tmp_path / "bao-cao.xlsx"
    assert reporting.report(_args(tmp_path, "xlsx", output=str(xlsx))) == 0
    assert load_workbook(xlsx).sheetnames == SHEETS


def test_loa_report_section_quotas_is_also_accepted_under_its_old_name_targets(
    tmp_path: Path,
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    seed_runtime(tmp_path, sqlite_url)
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    out = {}
    for section in ("quotas", "targets"):
        argv = ["--config", str(tmp_path / "config"), "report", "--period", "2024-Q1"]
        assert main([*argv, "--format", "csv", "--section", section]) == 0
        out[section] = capsys.readouterr().out
    assert out["quotas"].startswith("\ufeffĐơn vị,Chỉ tiêu,Kế hoạch,")  # BOM on stdout too
    assert out["targets"] == out["quotas"]


def test_loa_report_refuses_an_unknown_unit(
    tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_runtime(tmp_path, sqlite_url)
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    args = _args(tmp_path, "table")
    args.unit = "ha-noi"
    with pytest.raises(BadInput, match="no unit 'ha-noi'"):
        reporting.report(args)
