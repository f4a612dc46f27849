"""The báo cáo as a Word document: NĐ 30/2020 header, the period's title, tables, charts, signer."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.document import Document as DocxDocument

from tests.factories import write_config
from tests.seed import CHI_SO, DVC, LABELS, NOW, TARGETS, UNITS, seed_deliveries
from worker.cli.main import main
from worker.engine.runtime import Runtime, build_runtime, fixed_clock

REPORT = {
    "place": "Đồng Nai",
    "agency": "SỞ NỘI VỤ",
    "parent_agency": "UBND TỈNH ĐỒNG NAI",
    "abbreviation": "SNV",
    "signer_title": "GIÁM ĐỐC",
    "signer_name": "Nguyễn Văn An",
    "recipients": ["Chủ tịch UBND tỉnh (để báo cáo);", "Lưu: VT, CCHC."],
}
DINH_QUAN_REPORT = {"signer_title": "KT. CHỦ TỊCH", "signer_name": "Trần Thị Bình"}


def _units() -> list[dict[str, Any]]:
    return [{**u, "report": DINH_QUAN_REPORT} if u["code"] == "dinh-quan" else u for u in UNITS]


@pytest.fixture
def seeded(tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Runtime:
    """The seed deliveries, with report settings in loa.yaml and on one unit."""
    root = write_config(
        tmp_path / "config",
        units=_units(),
        targets=TARGETS,
        campaigns=[DVC, CHI_SO],
        settings={"report": REPORT},
        topics=LABELS,
    )
    rt = build_runtime(root, sqlite_url, clock=fixed_clock(NOW), outbox=tmp_path / "outbox")
    with rt.sessions.begin() as s:
        seed_deliveries(s)
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.chdir(tmp_path)
    return rt


def _loa(rt: Runtime, *args: str) -> int:
    return main(["--config", rt.config.root, "report", "--period", "2024-Q1", *args])


def _texts(doc: DocxDocument) -> list[str]:
    """Every paragraph's text, in the body and inside the layout tables, in order."""
    found = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            for cell in row.cells:
                found += [p.text for p in cell.paragraphs]
    return found


def test_the_consolidated_report_has_the_nd30_header_title_tables_charts_and_signer(
    seeded: Runtime, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _loa(seeded, "--format", "docx", "-o", "bc.docx") == 0
    assert capsys.readouterr().out == "wrote bc.docx\n"
    doc = Document("bc.docx")
    texts = _texts(doc)
    for wanted in (
        "UBND TỈNH ĐỒNG NAI",
        "SỞ NỘI VỤ",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: …/BC-SNV",
        "Đồng Nai, ngày … tháng … năm …",
        "BÁO CÁO",
        "Kết quả thông tin, tuyên truyền cải cách hành chính quý I năm 2024",
        "I. KẾT QUẢ THỰC HIỆN",
        "II. ĐÁNH GIÁ",
        "Nơi nhận:",
        "- Chủ tịch UBND tỉnh (để báo cáo);",
        "GIÁM ĐỐC",
        "Nguyễn Văn An",
    ):
        assert wanted in texts, wanted
    header = doc.tables[0]
    assert header.cell(0, 0).paragraphs[0].text == "UBND TỈNH ĐỒNG NAI"  # agency at the left
    assert header.cell(0, 1).paragraphs[0].text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert doc.styles["Normal"].font.name == "Times New Roman"
    assert len(doc.inline_shapes) == 2  # per channel per month; achieved against quota
    signature = doc.tables[-1]
    assert signature.cell(0, 0).paragraphs[0].text == "Nơi nhận:"
    right = [p.text for p in signature.cell(0, 1).paragraphs]
    assert right[0] == "GIÁM ĐỐC" and right[-1] == "Nguyễn Văn An"
    assert right[2:-1] == ["", "", "", ""]  # room for a wet or digital signature


def test_the_unit_table_has_one_row_per_unit_with_the_csv_numbers(
    seeded: Runtime, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _loa(seeded, "--format", "docx", "-o", "bc.docx") == 0
    capsys.readouterr()
    assert _loa(seeded, "--format", "csv", "--no-bom") == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    table = next(t for t in Document("bc.docx").tables if t.cell(0, 0).text == "STT")
    cells = [[c.text for c in row.cells] for row in table.rows]
    assert cells[0][:3] == ["STT", "Đơn vị", "Trang TTĐT"]
    assert [r[0] for r in cells[1:-1]] == [str(i) for i in range(1, len(UNITS) + 1)]
    assert [r[1:] for r in cells] == rows  # the header, every unit, the totals: the same
    assert [r[1] for r in cells[1:-1]] == [u["name"] for u in UNITS]


def test_the_assessment_names_who_met_and_who_fell_short_and_pending_names_its_command(
    seeded: Runtime,
) -> None:
    assert _loa(seeded, "--format", "docx", "-o", "bc.docx") == 0
    texts = _texts(Document("bc.docx"))
    sentences = " ".join(texts)
    assert "chỉ tiêu được giao đã đạt" in sentences
    assert "Chiến dịch “Các chỉ số PAR Index, SIPAS, PAPI, PCI”:" in sentences
    assert "còn thiếu" in sentences and "Đơn vị chưa đạt:" in sentences
    assert any("loa approve --campaign" in t and "đang chờ duyệt" in t for t in texts)
    # topics by their labels from topics.yaml (one not listed, by its words), not their slugs
    assert {"Dịch vụ công trực tuyến", "Thanh toan"} <= set(texts)
    assert not {"dich-vu-cong", "chi-so-par-index", "thanh-toan"} & set(texts)


def test_a_unit_files_its_own_report_signed_by_its_own_signer(
    seeded: Runtime, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _loa(seeded, "--format", "docx", "--unit", "dinh-quan") == 0
    assert capsys.readouterr().out == "wrote bao-cao-2024-Q1-dinh-quan.docx\n"
    doc = Document("bao-cao-2024-Q1-dinh-quan.docx")
    texts = _texts(doc)
    assert "UBND HUYỆN ĐỊNH QUÁN" in texts and "Số: …/BC-UBND" in texts
    assert "KT. CHỦ TỊCH" in texts and "Trần Thị Bình" in texts
    units = next(t for t in doc.tables if t.cell(0, 0).text == "STT")
    assert [r.cells[1].text for r in units.rows][1:] == ["UBND Huyện Định Quán", "Tổng cộng"]


def test_each_unit_writes_one_file_per_unit_of_the_campaign(
    seeded: Runtime, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _loa(seeded, "--format", "docx", "--campaign", "chi-so", "--each-unit", "out") == 0
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == ["bao-cao-2024-Q1-dinh-quan.docx", "bao-cao-2024-Q1-so-noi-vu.docx"]
    doc = Document(str(tmp_path / "out" / "bao-cao-2024-Q1-so-noi-vu.docx"))
    assert "Phạm vi: chiến dịch “Các chỉ số PAR Index, SIPAS, PAPI, PCI”." in _texts(doc)


def test_the_english_report_is_titled_with_english_period_names(seeded: Runtime) -> None:
    assert _loa(seeded, "--format", "docx", "--lang", "en", "-o", "en.docx") == 0
    texts = _texts(Document("en.docx"))
    assert "SOCIALIST REPUBLIC OF VIET NAM" in texts
    assert "Results of information and propaganda on administrative reform, Q1 2024" in texts
