"""`loa check` as a new user meets it: each mistake gives one message that names the file, the
line, the key and what to write instead, in Vietnamese and in English; content files and
recipient lists are read too."""

from __future__ import annotations

import argparse
import datetime as dt
import unicodedata
from pathlib import Path

import pytest

from campaigns.config import ConfigError, load_config
from campaigns.files import read_articles
from campaigns.model import TZ, Source
from tests.factories import write_config
from worker.cli.main import main
from worker.cli.parser import GLOBAL_OPTIONS, build_parser

CAMPAIGN = """\
id: {id}
title: Hưởng ứng Ngày Pháp luật Việt Nam 9/11
period:
  start: {start}
  end: 2024-12-31
sources:
  - {{id: news, kind: files, path: content/news}}
units: {units}
channels: [website]
"""


def check(capsys: pytest.CaptureFixture[str], root: Path, lang: str) -> tuple[int, str]:
    code = main(["check", "--config", str(root), "--lang", lang])
    out, err = capsys.readouterr()
    return code, out + err


def problem_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("  - ")]


def with_campaign(tmp_path: Path, **fields: str) -> Path:
    root = write_config(tmp_path / "config")
    values = {"id": "ngay-phap-luat", "start": "2024-10-15", "units": "[bien-hoa]", **fields}
    (root / "campaigns" / "dvc.yaml").write_text(CAMPAIGN.format(**values), "utf-8")
    return root


# (what the user wrote, the line it is on, words of the one message in vi, then in en)
MISTAKES = [
    (
        {"start": "15-10-2024"},
        4,
        ["period.start", "'15-10-2024'", "viết YYYY-MM-DD (2024-10-15) hoặc DD/MM/YYYY"],
        ["period.start", "'15-10-2024' is not a date", "write YYYY-MM-DD (2024-10-15) or DD/MM"],
    ),
    (
        {"id": "Ngày Pháp luật"},
        1,
        ["id: 'Ngày Pháp luật' không dùng làm mã", "chữ thường", "'ngay-phap-luat'"],
        ["id: 'Ngày Pháp luật' cannot be an id", "lower-case", "'ngay-phap-luat'"],
    ),
    (
        {"units": "district"},
        8,
        ["units: 'district' không chọn được đơn vị", "{kind: district}"],
        ["units: 'district' does not pick units", "{kind: district}", "'all'"],
    ),
    (
        {"units": "[district]"},
        8,
        ["units: 'district' là một loại đơn vị", "units: {kind: district}"],
        ["units: 'district' is a kind of unit, not a unit code", "units: {kind: district}"],
    ),
    (
        {"units": "[bien-hao]"},
        8,
        ["units: không có đơn vị 'bien-hao'", "'bien-hoa'?"],
        ["units: unknown unit 'bien-hao'", "did you mean 'bien-hoa'?"],
    ),
]


@pytest.mark.parametrize(("fields", "line", "vi", "en"), MISTAKES)
def test_each_campaign_mistake_is_one_message_saying_what_to_write(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    fields: dict[str, str],
    line: int,
    vi: list[str],
    en: list[str],
) -> None:
    root = with_campaign(tmp_path, **fields)
    for lang, words, at in (("vi", vi, "(dòng"), ("en", en, "(line")):
        code, text = check(capsys, root, lang)
        assert code == 2
        (only,) = problem_lines(text)  # one message, not three "Input should be…" lines
        assert "campaigns/dvc.yaml: " in only and f"{at} {line})" in only
        for word in words:
            assert word in only, (lang, only)
        assert "Input should be" not in text


def test_an_unknown_key_in_units_yaml_is_named_and_the_units_still_load(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_config(tmp_path / "config")
    units = root / "units.yaml"
    text = units.read_text("utf-8")
    units.write_text(text + "unit:\n  - {code: x, name: X, kind: commune}\n", "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(root)
    (only,) = caught.value.problems  # no "unknown unit" for every campaign and target
    assert (only.path, only.line) == ("unit", len(text.splitlines()) + 1)
    assert "'unit'" in str(only.message) and "'units'" in str(only.message)
    for lang, words in (("vi", "khóa lạ 'unit'"), ("en", "unknown key 'unit'")):
        code, text = check(capsys, root, lang)
        assert code == 2 and words in text and "did you mean 'units'" * (lang == "en") in text


def test_a_broken_unit_entry_does_not_cascade_into_unknown_unit_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_config(
        tmp_path / "config",
        units=[
            {"code": "so-noi-vu", "name": "Sở Nội vụ", "kind": "department"},
            {"code": "bien-hoa", "name": "UBND Thành phố Biên Hòa", "kind": "distric"},
        ],
    )
    code, text = check(capsys, root, "en")
    assert code == 2
    (only,) = problem_lines(text)  # bien-hoa's targets and campaign are not reported again
    assert "units.1.kind: 'distric' is not allowed here: did you mean 'district'?" in only


def test_global_options_work_before_and_after_every_command() -> None:
    parser = build_parser()
    needs = {
        "report": ["--period", "2024"],
        "show": ["1"],
        "resolve": ["1", "--published"],
        "db": ["current"],
        "users": ["list"],
        "new": ["campaign"],
    }
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    commands = sub.choices
    assert set(GLOBAL_OPTIONS) == {"config", "db", "lang", "verbose"}
    for name in commands:
        given = ["--config", "/c", "--db", "sqlite://", "--lang", "en", "-v"]
        for argv in ([*given, name, *needs.get(name, [])], [name, *needs.get(name, []), *given]):
            args = parser.parse_args(argv)
            assert (args.config, args.db, args.lang, args.verbose) == (
                "/c",
                "sqlite://",
                "en",
                True,
            )
        plain = parser.parse_args([name, *needs.get(name, [])])
        assert isinstance(plain, argparse.Namespace) and plain.lang is None and not plain.verbose


def test_check_takes_config_after_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, text = check(capsys, Path("config"), "en")
    assert code == 0 and "config OK" in text


def test_vietnamese_is_the_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = with_campaign(tmp_path, start="15-10-2024")
    monkeypatch.delenv("LOA_LANG")
    assert main(["check", "--config", str(root)]) == 2
    assert "viết YYYY-MM-DD (2024-10-15)" in capsys.readouterr().err
    (root / "loa.yaml").write_text("lang: en\n", "utf-8")
    assert main(["check", "--config", str(root)]) == 2
    assert "is not a date" in capsys.readouterr().err
    monkeypatch.setenv("LOA_LANG", "vi")  # the environment wins over loa.yaml
    assert main(["check", "--config", str(root)]) == 2
    assert "viết YYYY-MM-DD (2024-10-15)" in capsys.readouterr().err


def article(root: Path, name: str, data: bytes) -> None:
    (root / "content" / "news" / name).write_bytes(data)


CONTENT = [
    (
        "cp1258.md",
        # as Windows-1258 writes it: base letters, then the tone as a combining mark
        unicodedata.normalize("NFD", "---\ntitle: Cải cách hành chính\n---\nx\n").encode("cp1258"),
        ["cp1258.md", "UTF-8"],
        ["cp1258.md", "not saved as UTF-8", "(line 2)"],
    ),
    (
        "unclosed.md",
        b"---\ntitle: Chao\npublished: 2024-03-01\nNoi dung\n",
        ["unclosed.md: front matter", "chưa đóng", "(dòng 1)"],
        ["unclosed.md: front matter", "never closed", "add a '---' line", "(line 1)"],
    ),
    (
        "unknown.md",
        b"---\ntitle: Chao\npublised: 2024-03-01\n---\nNoi dung\n",
        ["unknown.md: publised: trường lạ", "'published'?", "(dòng 3)"],
        ["unknown.md: publised: unknown field", "did you mean 'published'?", "(line 3)"],
    ),
    (
        "old.md",
        b"---\ntitle: Chao\npublished: 2023-05-01\n---\nNoi dung\n",
        ["old.md: published: ngày đăng 2023-05-01 nằm ngoài", "(dòng 3)"],
        ["old.md: published: published 2023-05-01 is outside campaign dvc", "(line 3)"],
    ),
]


@pytest.mark.parametrize(("name", "data", "vi", "en"), CONTENT)
def test_check_reads_the_content_and_names_the_bad_file_and_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    data: bytes,
    vi: list[str],
    en: list[str],
) -> None:
    root = write_config(tmp_path / "config")
    article(root, name, data)
    for lang, words in (("vi", vi), ("en", en)):
        code, text = check(capsys, root, lang)
        assert code == 2
        (only,) = problem_lines(text)
        for word in words:
            assert word in only, (lang, only)
    source = Source("dvc.news", "files", "content/news", None, 900, ())
    good, error = read_articles(root / "content" / "news", source)
    assert len(good) == 2 + (name == "old.md")  # the good files load all the same
    assert (error is None) == (name == "old.md")


def test_a_channel_no_unit_of_the_campaign_can_publish_to_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = with_campaign(tmp_path, start="2024-01-01")
    path = root / "campaigns" / "dvc.yaml"
    path.write_text(path.read_text("utf-8").replace("[website]", "[website, zalo]"), "utf-8")
    code, text = check(capsys, root, "en")
    (only,) = problem_lines(text)
    assert code == 2
    assert "dvc.yaml: channels: campaign ngay-phap-luat publishes to zalo but none" in only
    assert "(line 9)" in only
    code, text = check(capsys, root, "vi")
    (only,) = problem_lines(text)
    assert "dvc.yaml: channels: chiến dịch ngay-phap-luat đăng lên kênh zalo" in only
    assert "bỏ zalo khỏi 'channels' (dòng 9)" in only


def test_invalid_numbers_are_named_by_file_and_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_config(tmp_path / "config")
    (root / "recipients" / "subs.csv").write_text("phone\n0912000001\n12345\n", "utf-8")
    code, text = check(capsys, root, "vi")
    assert code == 0  # the valid numbers still get the SMS
    assert "config/recipients/subs.csv: dòng 3: '12345' sai độ dài: sửa hoặc xóa" in text
    code, text = check(capsys, root, "en")
    assert "config/recipients/subs.csv: row 3: '12345' wrong length: fix or remove" in text


def test_run_once_exits_3_when_a_content_file_is_bad(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = write_config(tmp_path / "config")
    article(root, "unclosed.md", b"---\ntitle: Chao\n")
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'loa.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    now = dt.datetime(2024, 12, 31, 16, tzinfo=TZ).isoformat()
    code = main(["run", "--once", "--now", now, "--config", str(root), "--db", url])
    out, err = capsys.readouterr()
    assert code == 3
    assert "unclosed.md" in err and "exit code 3" in err
    assert "published" in out  # the good articles went out


def test_a_recipient_list_saved_in_windows_1258_is_named_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_config(tmp_path / "config")
    text = unicodedata.normalize("NFD", "phone,name\n0912000001,An\n0987000002,Bình\n")
    (root / "recipients" / "subs.csv").write_bytes(text.encode("cp1258"))
    for lang, words in (
        ("en", ["subs.csv is not saved as UTF-8 (a stray byte on line 3)", "save it again"]),
        ("vi", ["subs.csv không lưu ở dạng UTF-8 (ký tự lạ ở dòng 3)", "lưu lại"]),
    ):
        code, text = check(capsys, root, lang)
        (only,) = problem_lines(text)
        assert code == 2
        assert "targets.yaml: bien-hoa/sms.options.recipients: " in only
        for word in words:
            assert word in only, (lang, only)
