"""Config paths stay inside the config folder (or LOA_ALLOWED_PATHS); no error quotes a file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from channels.recipients import RecipientsError, load_recipients
from tests.factories import campaign, write_config
from worker.cli.main import main

SMS = {"unit": "so-noi-vu", "kind": "sms", "transport": "outbox"}


def _check(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["--config", str(root), "check"])
    return code, capsys.readouterr().err


def _sms_config(tmp_path: Path, options: dict[str, Any]) -> Path:
    return write_config(
        tmp_path / "config",
        targets=[{**SMS, "options": options}],
        campaigns=[campaign(channels=["sms"])],
    )


@pytest.mark.parametrize(
    "where", ["../../../../../../../../proc/self/environ", "/etc/passwd", "recipients/../../x.csv"]
)
@pytest.mark.parametrize("key", ["recipients", "optout"])
def test_a_list_outside_the_config_folder_is_refused_by_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], key: str, where: str
) -> None:
    (tmp_path / "x.csv").write_text("phone\n0912000001\n", encoding="utf-8")
    options = {"recipients": "recipients/subs.csv", key: where}
    code, err = _check(_sms_config(tmp_path, options), capsys)
    assert code == 2
    assert f"targets.yaml: targets.0.options.{key}: " in err and "outside" in err


def test_a_symlink_out_of_the_config_folder_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _sms_config(tmp_path, {"recipients": "recipients/link.csv"})
    (tmp_path / "secret.csv").write_text("phone\n0912000001\n", encoding="utf-8")
    (root / "recipients" / "link.csv").symlink_to(tmp_path / "secret.csv")
    code, err = _check(root, capsys)
    assert code == 2 and "outside" in err


def test_a_folder_the_administrator_allows_is_accepted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "subs.csv").write_text("phone\n0912000001\n", encoding="utf-8")
    root = _sms_config(tmp_path, {"recipients": str(shared / "subs.csv")})
    assert _check(root, capsys)[0] == 2
    monkeypatch.setenv("LOA_ALLOWED_PATHS", str(shared))
    code, err = _check(root, capsys)
    assert code == 0, err


@pytest.mark.parametrize(
    "source",
    [
        {"id": "all", "kind": "files", "path": "../../../../"},
        {"id": "etc", "kind": "files", "path": "/etc"},
        {"id": "f", "kind": "feed", "url": "https://x.gov.vn/rss", "fallback": "../../etc/hosts"},
    ],
)
def test_a_source_outside_the_config_folder_is_refused_by_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], source: dict[str, str]
) -> None:
    root = write_config(tmp_path / "config", campaigns=[campaign(sources=[source])])
    code, err = _check(root, capsys)
    assert code == 2
    field = "fallback" if "fallback" in source else "path"
    assert f"sources.0.{field}: " in err and "outside" in err


def test_a_list_without_a_phone_column_is_named_not_quoted(tmp_path: Path) -> None:
    path = tmp_path / "environ"
    path.write_text("DATABASE_URL=postgresql://loa:hunter2@db/loa\nHOME=/root\n", "utf-8")
    with pytest.raises(RecipientsError) as e:
        load_recipients(path)
    assert "hunter2" not in str(e.value) and "DATABASE_URL" not in str(e.value)
    assert "environ" in str(e.value) and "phone" in str(e.value)


def test_a_line_that_is_not_csv_is_named_by_its_number(tmp_path: Path) -> None:
    path = tmp_path / "subs.csv"
    path.write_text('phone,name\n0912000001,An\n0912000002,"B"hunter2\n', "utf-8")
    with pytest.raises(RecipientsError) as e:
        load_recipients(path)
    assert "hunter2" not in str(e.value) and "subs.csv" in str(e.value)
    assert "line 3" in str(e.value)
