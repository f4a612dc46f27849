"""Periods nobody means (year 1, year 9999, `_method=`) are bad input: 400 and exit 2, never 500."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.seed import NOW, seed_runtime
from worker.cli.main import main
from worker.engine.runtime import Runtime
from worker.web.page import create_app

ABSURD = ["9999-12-31..9999-12-31", "0001-Q1", "0001-01-01..0001-01-02", "9999", "1899-H2"]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    folder = tmp_path_factory.mktemp("periods")
    rt = seed_runtime(folder, f"sqlite:///{folder / 'loa.db'}")
    yield rt
    rt.close()


@pytest.mark.parametrize("period", ABSURD)
@pytest.mark.parametrize("endpoint", ["/api/report", "/api/deliveries", "/api/status"])
def test_the_api_answers_an_absurd_period_with_400(
    seeded: Runtime, endpoint: str, period: str
) -> None:
    got = (
        create_app(seeded, wall_clock=lambda: NOW)
        .test_client()
        .get(endpoint, query_string={"period": period})
    )
    assert got.status_code == 400, got.data[:300]
    assert "period" in got.get_json()["error"]


@pytest.mark.parametrize("path", ["/", "/failures", "/campaigns/dvc", "/api/status"])
def test_a_method_override_in_the_query_is_ignored(seeded: Runtime, path: str) -> None:
    client = create_app(seeded, wall_clock=lambda: NOW).test_client()
    got = client.get(path, query_string={"_method": "POST", "_external": "1", "lang": "en"})
    assert got.status_code == 200, got.data[:300]


@pytest.mark.parametrize("period", ABSURD)
@pytest.mark.parametrize("command", [["report"], ["jobs"], ["status"]])
def test_the_cli_answers_an_absurd_period_with_exit_2(
    seeded: Runtime,
    command: list[str],
    period: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", str(seeded.engine.url))
    root = Path(seeded.config.root)
    assert main(["--config", str(root), *command, "--period", period]) == 2
    err = capsys.readouterr().err
    assert "period" in err and "SELECT" not in err and "Traceback" not in err
