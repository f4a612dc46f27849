"""The status page's report view: the báo cáo's charts as PNG, for people who would rather look."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from tests.seed import NOW, seed_runtime
from worker.web.page import create_app

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def client(tmp_path: Path, sqlite_url: str) -> FlaskClient:
    rt = seed_runtime(tmp_path, sqlite_url)
    return create_app(rt, wall_clock=lambda: NOW).test_client()


def test_the_report_view_shows_the_title_totals_assessment_and_both_charts(
    client: FlaskClient,
) -> None:
    page = client.get("/report?period=2024-Q1")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Kết quả thông tin, tuyên truyền cải cách hành chính quý I năm 2024" in html
    assert "UBND Huyện Định Quán" in html and "Tổng cộng" in html
    assert "loa approve --campaign" in html or "chỉ tiêu" in html
    for chart in ("months", "quotas"):
        assert f"/report/{chart}.png?period=2024-Q1" in html
        png = client.get(f"/report/{chart}.png?period=2024-Q1")
        assert png.status_code == 200 and png.mimetype == "image/png"
        assert png.data.startswith(PNG)


def test_the_report_view_defaults_to_this_quarter_and_refuses_what_it_cannot_read(
    client: FlaskClient,
) -> None:
    assert "quý IV năm 2024" in client.get("/report").get_data(as_text=True)
    assert "Q4 2024" in client.get("/report?lang=en").get_data(as_text=True)
    assert client.get("/report?period=soon").status_code == 400
    assert client.get("/report?campaign=none").status_code == 404
    assert client.get("/report/pie.png").status_code == 404
    assert client.get("/report/quotas.png?period=2024&campaign=dvc").status_code == 404


def test_topics_show_as_their_labels_on_the_page_and_in_the_api(client: FlaskClient) -> None:
    html = client.get("/report?period=2024").get_data(as_text=True)
    assert "<h2>Theo chủ đề</h2>" in html
    assert '<td class="">Dịch vụ công trực tuyến</td>' in html
    assert '<td class="">Thanh toan</td>' in html  # not in topics.yaml: its words
    assert ">dich-vu-cong<" not in html and ">thanh-toan<" not in html
    english = client.get("/report?period=2024&lang=en").get_data(as_text=True)
    assert "Online public services" in english
    topics = client.get("/api/report?period=2024").get_json()["topics"]
    named = {t["topic"]: (t["name"], t["name_en"]) for t in topics}
    assert named["dich-vu-cong"] == ("Dịch vụ công trực tuyến", "Online public services")
    assert named["thanh-toan"] == ("Thanh toan", "Thanh toan")
    assert named.get(None, (None, None)) == (None, None)
