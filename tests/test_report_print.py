"""Reports ready for Excel and for print: BOM and delimiters, print settings, honest quotas."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from campaigns.periods import parse_period
from tests.factories import campaign, write_config
from tests.seed import CHI_SO, NOW, QUARTERLY, TARGETS, UNITS, seed_deliveries, seed_runtime
from worker.cli.main import main
from worker.engine.runtime import Runtime, build_runtime, fixed_clock
from worker.reports.report import build_report
from worker.reports.tables import as_text


def _loa(root: str, *args: str) -> int:
    return main(["--config", root, "report", "--period", "2024-Q1", *args])


@pytest.fixture
def seeded(tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Runtime:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.chdir(tmp_path)
    return seed_runtime(tmp_path, sqlite_url)


def test_csv_on_stdout_starts_with_a_bom_unless_told_not_to(
    seeded: Runtime, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    assert _loa(seeded.config.root, "--format", "csv") == 0
    assert capsysbinary.readouterr().out.startswith("\ufeffĐơn vị,Trang TTĐT,".encode())
    assert _loa(seeded.config.root, "--format", "csv", "--no-bom") == 0
    assert capsysbinary.readouterr().out.startswith("Đơn vị,Trang TTĐT,".encode())


def test_csv_takes_a_semicolon_delimiter_for_locales_that_use_one(
    seeded: Runtime, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _loa(seeded.config.root, "--format", "csv", "--delimiter", ";") == 0
    lines = capsys.readouterr().out.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Đơn vị;Trang TTĐT;Màn hình;SMS;")
    assert lines[-1].startswith("Tổng cộng;") and "," not in lines[-1]


def test_the_workbook_prints_landscape_on_a4_fitted_to_width_with_titles_repeated(
    seeded: Runtime,
) -> None:
    assert _loa(seeded.config.root, "--format", "xlsx", "-o", "q1.xlsx") == 0
    wb = load_workbook("q1.xlsx")
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape"
        assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
        assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows in ("$9:$9", "$9:$10")
        assert ws["A1"].value == "UBND TỈNH ĐỒNG NAI" and ws["A2"].value == "SỞ NỘI VỤ"
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in [c.value for c in ws[1]]
        assert "Độc lập - Tự do - Hạnh phúc" in [c.value for c in ws[2]]
    sms = wb["SMS"]
    assert [sms.cell(r, 1).value for r in range(9, 14)] == ["STT", 1, 2, 3, 4]
    for row in sms.iter_rows(min_row=9, max_row=9 + len(UNITS) + 1):  # header, units, totals
        for cell in row:
            assert cell.border.left.style == cell.border.bottom.style == "thin"


def test_the_english_workbook_names_the_period_in_english(seeded: Runtime) -> None:
    assert _loa(seeded.config.root, "--format", "xlsx", "--lang", "en", "-o", "en.xlsx") == 0
    ws = load_workbook("en.xlsx")["Summary"]
    assert ws["A6"].value == (
        "Results of information and propaganda on administrative reform, Q1 2024"
    )
    assert ws["A9"].value == "No."


def test_quotas_are_per_campaign_never_summed(tmp_path: Path, sqlite_url: str) -> None:
    both = campaign(targets={"website": QUARTERLY})  # DVC, now with a website quota too
    root = write_config(tmp_path / "config", units=UNITS, targets=TARGETS, campaigns=[both, CHI_SO])
    rt = build_runtime(root, sqlite_url, clock=fixed_clock(NOW), outbox=tmp_path / "outbox")
    with rt.sessions.begin() as s:
        seed_deliveries(s)
    with rt.sessions() as s:
        goals = build_report(s, rt.config, parse_period("2024-Q1")).goals
    website = [
        (g.campaign, g.quota) for g in goals if (g.unit, g.measure) == ("dinh-quan", "website")
    ]
    assert sorted(website) == [("chi-so", 3), ("dvc", 3)]  # a row per campaign: not one of 6
    by_campaign = {g.campaign: g for g in goals if (g.unit, g.measure) == ("dinh-quan", "website")}
    with rt.sessions() as s:
        alone = build_report(s, rt.config, parse_period("2024-Q1"), "chi-so").goals
    mine = [g for g in alone if (g.unit, g.measure) == ("dinh-quan", "website")]
    assert [(g.quota, g.achieved) for g in mine] == [
        (by_campaign["chi-so"].quota, by_campaign["chi-so"].achieved)
    ]
    xuan_loc = [g for g in goals if g.unit == "xuan-loc"]
    assert {g.campaign for g in xuan_loc} == {"dvc"}  # only dvc runs there


def test_a_campaign_report_lists_only_that_campaigns_units(
    seeded: Runtime, capsys: pytest.CaptureFixture[str]
) -> None:
    with seeded.sessions() as s:
        report = build_report(s, seeded.config, parse_period("2024-Q1"), "chi-so")
    assert [code for code, _ in report.units] == ["so-noi-vu", "dinh-quan"]
    assert _loa(seeded.config.root, "--format", "csv", "--campaign", "chi-so") == 0
    names = [line.split(",")[0] for line in capsys.readouterr().out.splitlines()[1:]]
    assert names == ["Sở Nội vụ", "UBND Huyện Định Quán", "Tổng cộng"]


def test_pending_approval_is_named_with_the_command_that_releases_it(seeded: Runtime) -> None:
    with seeded.sessions() as s:
        report = build_report(s, seeded.config, parse_period("2024"))
    assert report.awaiting  # the seed has deliveries awaiting approval
    text = as_text(report)
    for camp, n in report.awaiting.items():
        assert f"loa approve --campaign {camp}" in text
        assert f"{n} lượt đăng của chiến dịch" in text
