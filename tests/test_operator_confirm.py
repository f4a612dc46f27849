"""Actions on many rows show what they would change and ask first; --yes, --dry-run, no terminal."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.factories import create_delivery, create_item, write_config
from worker.cli.act import SAMPLE
from worker.cli.main import main
from worker.engine.runtime import build_runtime
from worker.store.models import FAILED, PUBLISHED, RETRYING, Delivery

ROWS = SAMPLE + 2


class Terminal(io.StringIO):
    """What the operator types, on a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """ROWS failed rows in campaign dvc (all but the last at so-noi-vu), one published."""
    root = write_config(tmp_path / "config")
    url = f"sqlite:///{tmp_path / 'loa.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    rt = build_runtime(root, url, outbox=tmp_path / "outbox")
    with rt.sessions.begin() as s:
        for n in range(ROWS):
            item = create_item(s, title=f"Lịch tiếp công dân tuần {n + 1}", key=f"k{n}")
            place = ("bien-hoa", "bien-hoa/website") if n == ROWS - 1 else ("so-noi-vu", None)
            create_delivery(
                s,
                item,
                state=FAILED,
                unit=place[0],
                target=place[1] or "so-noi-vu/website",
            )
        create_delivery(s, create_item(s, key="done"), state=PUBLISHED)
    rt.engine.dispose()
    return root


def states(root: Path) -> dict[int, str]:
    rt = build_runtime(root)
    with rt.sessions() as s:
        found = {i: st for i, st in s.execute(select(Delivery.id, Delivery.state))}
    rt.engine.dispose()
    return found


def failed_ids(root: Path) -> list[int]:
    return sorted(i for i, st in states(root).items() if st == FAILED)


def loa(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    root: Path,
    *argv: str,
    typed: str | None = None,
    terminal: bool = True,
) -> tuple[int, str, str]:
    """Run `loa`; `typed` is what arrives on stdin, a terminal or (terminal=False) a pipe."""
    stdin = Terminal(typed or "") if terminal else io.StringIO(typed or "")
    monkeypatch.setattr(sys, "stdin", stdin)
    code = main(["--config", str(root), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_without_a_terminal_or_yes_many_rows_are_refused_and_nothing_changes(
    root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = states(root)
    code, out, err = loa(
        capsys, monkeypatch, root, "retry", "--campaign", "dvc", typed="y\n", terminal=False
    )
    assert code == 2
    assert "add --yes" in err
    assert f"retry would change {ROWS} delivery(ies)" in out
    assert states(root) == before


def test_on_a_terminal_the_count_and_a_sample_are_shown_and_y_goes_ahead(
    root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = failed_ids(root)
    code, out, err = loa(capsys, monkeypatch, root, "retry", "--state", "failed", typed="y\n")
    assert code == 0
    assert "[y/N]" in err
    assert f"retry would change {ROWS} delivery(ies)" in out
    first = next(line for line in out.splitlines() if line.startswith(str(ids[0])))
    assert first.split()[:5] == [str(ids[0]), "dvc", "so-noi-vu", "website", "failed"]
    assert "Lịch tiếp công dân tuần 1" in first
    assert f"... and {ROWS - SAMPLE} more" in out
    assert str(ids[SAMPLE]) not in {line.split()[0] for line in out.splitlines() if line}
    assert f"retry: {ROWS} delivery(ies) changed" in out
    assert {states(root)[i] for i in ids} == {RETRYING}


@pytest.mark.parametrize("answer", ["n\n", "\n", ""])
def test_on_a_terminal_anything_but_yes_changes_nothing(
    root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, answer: str
) -> None:
    before = states(root)
    code, out, _ = loa(capsys, monkeypatch, root, "cancel", "--campaign", "dvc", typed=answer)
    assert code == 1 and "cancel: nothing changed" in out
    assert states(root) == before


def test_yes_goes_ahead_without_asking_even_without_a_terminal(
    root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = loa(
        capsys, monkeypatch, root, "cancel", "--campaign", "dvc", "--yes", terminal=False
    )
    assert code == 0 and f"cancel: {ROWS} delivery(ies) changed" in out
    assert "[y/N]" not in err


def test_dry_run_lists_every_row_it_would_change_and_changes_nothing(
    root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = states(root)
    code, out, err = loa(capsys, monkeypatch, root, "cancel", "--campaign", "dvc", "--dry-run")
    assert code == 0
    assert f"cancel would change {ROWS} delivery(ies)" in out
    listed = {line.split()[0] for line in out.splitlines() if line[:1].isdigit()}
    assert listed == {str(i) for i in failed_ids(root)}  # all of them, not a sample
    assert "dry run, nothing changed" in out and "[y/N]" not in err
    assert states(root) == before


def test_one_row_by_id_needs_no_confirmation_two_do_and_so_does_one_chosen_by_filters(
    root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = failed_ids(root)
    code, out, _ = loa(capsys, monkeypatch, root, "retry", str(ids[0]), terminal=False)
    assert code == 0 and "retry: 1 delivery(ies) changed" in out
    code, _, err = loa(capsys, monkeypatch, root, "retry", *map(str, ids[1:3]), terminal=False)
    assert code == 2 and "add --yes" in err
    code, out, err = loa(capsys, monkeypatch, root, "retry", "--unit", "bien-hoa", terminal=False)
    assert code == 2 and "add --yes" in err and "retry would change 1 delivery(ies)" in out
    assert [states(root)[i] for i in ids[:3]] == [RETRYING, FAILED, FAILED]
