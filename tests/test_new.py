"""`loa new campaign` and `loa new article`: driven through stdin and through options."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml

from campaigns.config import load_config
from campaigns.files import load_articles
from campaigns.model import with_topics
from tests.factories import write_config
from worker.cli.main import main

ANSWERS = (
    "Hưởng ứng Ngày Pháp luật Việt Nam 9/11\n"  # title
    "\n"  # id: the default, from the title
    "15/10/2024\n"  # start, the Vietnamese way
    "2024-11-30\n"  # end, the ISO way
    "bien-hoa, so-noi-vu, so-tu-phap\n"  # an unknown unit: asked again
    "bien-hoa, so-noi-vu\n"
    "website, facebook\n"
    "Cải cách hành chính\n"  # a topic by its name
    "2\n"  # website quota a quarter
)
CID = "huong-ung-ngay-phap-luat-viet-nam-9-11"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_config(tmp_path / "config", topics={"cai-cach-hanh-chinh": "Cải cách hành chính"})


def run(args: list[str], stdin: str, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(args)


def test_a_campaign_from_answers_on_stdin_loads_and_is_checked(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("LOA_LANG", raising=False)
    assert run(["--config", str(root), "new", "campaign"], ANSWERS, monkeypatch) == 0
    out = capsys.readouterr().out
    assert "Tên chiến dịch" in out and "Ngày bắt đầu" in out  # asked in Vietnamese
    assert "unknown unit 'so-tu-phap'" in out and "Nhập lại" in out
    assert f"Đã viết {root / 'campaigns' / CID}.yaml" in out
    assert "cấu hình hợp lệ" in out  # the check `loa check` runs, and its result
    path = root / "campaigns" / f"{CID}.yaml"
    text = path.read_text("utf-8")
    assert text.startswith("# yaml-language-server: $schema=../schemas/campaign.schema.json\n")
    assert "# Thời gian thực hiện" in text  # commented
    campaign = load_config(root).campaigns[CID]
    assert campaign.title == "Hưởng ứng Ngày Pháp luật Việt Nam 9/11"
    assert (str(campaign.start), str(campaign.end)) == ("2024-10-15", "2024-11-30")
    assert campaign.units == ("bien-hoa", "so-noi-vu")
    assert campaign.topics == ("cai-cach-hanh-chinh",)
    assert campaign.quotas == {"website": {"Q4": 2}}
    assert (root / "content" / CID).is_dir()


def test_a_campaign_from_options_asks_nothing_and_never_overwrites(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("LOA_LANG", raising=False)  # Vietnamese, the default
    args = ["--config", str(root), "new", "campaign", "--title", 'Tuần lễ: "số" hóa']
    args += ["--id", "tuan-le-so-hoa", "--start", "2024-03-01", "--units", "district"]
    args += ["--channels", "website,sms", "--no-input"]
    assert run(args, "", monkeypatch) == 0
    spec = yaml.safe_load((root / "campaigns" / "tuan-le-so-hoa.yaml").read_text("utf-8"))
    assert spec["title"] == 'Tuần lễ: "số" hóa' and spec["units"] == {"kind": "district"}
    assert str(spec["period"]["end"]) == "2024-12-31" and "quotas" not in spec
    assert load_config(root).campaigns["tuan-le-so-hoa"].units == ("bien-hoa",)
    before = (root / "campaigns" / "tuan-le-so-hoa.yaml").read_bytes()
    capsys.readouterr()
    assert run(args, "", monkeypatch) == 2
    assert "loa không ghi đè" in capsys.readouterr().err
    assert (root / "campaigns" / "tuan-le-so-hoa.yaml").read_bytes() == before
    # on a terminal, an id that is taken is asked again; the defaults take the rest
    again = "Tuần lễ số hóa\ntuan-le-so-hoa\ntuan-le-so-hoa-2\n" + "\n" * 6
    assert run(["--config", str(root), "new", "campaign"], again, monkeypatch) == 0
    out = capsys.readouterr().out
    assert "tuan-le-so-hoa.yaml đã có" in out and "Nhập lại" in out
    assert (root / "campaigns" / "tuan-le-so-hoa.yaml").read_bytes() == before
    assert load_config(root).campaigns["tuan-le-so-hoa-2"].title == "Tuần lễ số hóa"


def test_a_wrong_option_is_refused_with_both_date_forms_and_writes_nothing(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--config", str(root), "new", "campaign", "--title", "X", "--start", "15-10-2024"]
    assert run([*args, "--no-input"], "", monkeypatch) == 2
    err = capsys.readouterr().err
    assert "--start" in err and "YYYY-MM-DD (2024-10-15) or DD/MM/YYYY (15/10/2024)" in err
    assert sorted(p.name for p in (root / "campaigns").iterdir()) == ["dvc.yaml"]
    bad_id = ["--config", str(root), "new", "campaign", "--id", "Ngày Pháp luật", "--title", "X"]
    assert run([*bad_id, "--no-input"], "", monkeypatch) == 2
    assert "for example 'ngay-phap-luat'" in capsys.readouterr().err


def test_english_prompts_with_loa_lang(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOA_LANG", "en")
    assert run(["--config", str(root), "new", "campaign"], ANSWERS, monkeypatch) == 0
    out = capsys.readouterr().out
    assert "Campaign title" in out and "First day" in out and "Wrote " in out
    assert "Tên chiến dịch" not in out


def test_an_article_from_stdin_and_from_options_loads(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("LOA_LANG", raising=False)  # Vietnamese, the default
    folder = root / "content" / "news"
    before = {p.name for p in folder.iterdir()}
    answers = "\nĐồng Nai: nộp hồ sơ trực tuyến\nTóm tắt ngắn.\n99/99/2024\n10/06/2024\n\n"
    assert run(["--config", str(root), "new", "article"], answers, monkeypatch) == 0
    out = capsys.readouterr().out
    assert "Nhập lại" in out and "cấu hình hợp lệ" in out
    args = ["--config", str(root), "new", "article", "--campaign", "dvc"]
    args += [
        "--title",
        "Bài thứ hai",
        "--published",
        "2024-07-01",
        "--topics",
        "Cải cách hành chính",
    ]
    assert run([*args, "--no-input"], "", monkeypatch) == 0
    new = {p.name for p in folder.iterdir()} - before
    assert new == {"2024-06-10-dong-nai-nop-ho-so-truc-tuyen.md", "2024-07-01-bai-thu-hai.md"}
    config = load_config(root)
    source = config.campaigns["dvc"].sources[0]
    items = {i.title: i for i in load_articles(folder, source)}
    first = items["Đồng Nai: nộp hồ sơ trực tuyến"]
    assert first.summary == "Tóm tắt ngắn." and str(first.published) == "2024-06-09 17:00:00+00:00"
    second = with_topics(items["Bài thứ hai"], config.topics)  # as ingest stores it
    assert second.topics == ("dich-vu-cong", "cai-cach-hanh-chinh")
    assert run([*args, "--no-input"], "", monkeypatch) == 2  # the same file again: refused


def test_an_article_outside_its_campaign_is_refused(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--config", str(root), "new", "article", "--title", "T", "--published", "01/01/2030"]
    assert run([*args, "--no-input"], "", monkeypatch) == 2
    assert "outside the campaign's period" in capsys.readouterr().err


def test_the_check_after_writing_decides_the_exit_code(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A kind of unit the config has none of is a valid file but a config `loa check` refuses:
    the file is written (to be fixed), and the check's verdict is printed and returned."""
    monkeypatch.delenv("LOA_LANG", raising=False)
    args = ["--config", str(root), "new", "campaign", "--title", "Báo chí", "--units", "press"]
    assert run([*args, "--no-input"], "", monkeypatch) == 2
    captured = capsys.readouterr()
    assert "Đã viết" in captured.out and "Kiểm tra cấu hình" in captured.out
    assert "bao-chi.yaml: units: bộ lọc {kind: press} không chọn được đơn vị nào" in captured.err
    assert (root / "campaigns" / "bao-chi.yaml").is_file()
