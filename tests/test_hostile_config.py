"""Config files are untrusted: an alias bomb or a huge file is refused at once, naming the file."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.factories import campaign, write_config
from worker.cli.main import main

BOMB = """targets:
  - unit: so-noi-vu
    kind: website
    transport: outbox
    options:
      a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
      b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
      c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
      d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
      e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
      f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
      g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
      h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
      i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def _config(tmp_path: Path) -> Path:
    return write_config(tmp_path / "config", campaigns=[campaign(channels=["website"])])


def test_an_alias_bomb_in_target_options_is_refused_by_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _config(tmp_path)
    (root / "targets.yaml").write_text(BOMB, encoding="utf-8")
    started = time.monotonic()
    assert main(["--config", str(root), "check"]) == 2
    assert time.monotonic() - started < 5
    err = capsys.readouterr().err
    assert "targets.yaml" in err and "alias" in err


def test_a_self_referencing_alias_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _config(tmp_path)
    (root / "loa.yaml").write_text("channels: &loop {sms: *loop}\n", encoding="utf-8")
    assert main(["--config", str(root), "check"]) == 2
    assert "loa.yaml" in capsys.readouterr().err


def test_a_few_aliases_are_still_fine(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _config(tmp_path)
    (root / "loa.yaml").write_text(
        "channels:\n  sms: &r {retry: {attempts: 3}}\n  website: *r\n", encoding="utf-8"
    )
    assert main(["--config", str(root), "check"]) == 0, capsys.readouterr().err


def test_a_config_file_over_one_megabyte_is_refused_unread(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _config(tmp_path)
    units = "units:\n" + "".join(
        f"  - {{code: u{i}, name: 'Đơn vị {i}', kind: commune}}\n" for i in range(40_000)
    )
    (root / "units.yaml").write_text(units, encoding="utf-8")
    assert (root / "units.yaml").stat().st_size > 1_000_000
    started = time.monotonic()
    assert main(["--config", str(root), "check"]) == 2
    assert time.monotonic() - started < 5
    err = capsys.readouterr().err
    assert "units.yaml" in err and "larger than" in err


def test_a_deeply_nested_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _config(tmp_path)
    (root / "loa.yaml").write_text("channels: " + "[" * 200_000, encoding="utf-8")
    assert main(["--config", str(root), "check"]) == 2
    assert "loa.yaml" in capsys.readouterr().err
