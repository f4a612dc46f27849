"""The layout rules of tools/imports.py: on the repository, and on small trees that break them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.imports import MAX_FUNCTION_LINES, MAX_MODULE_LINES, build, main, problems_of

ROOT = Path(__file__).resolve().parent.parent


def tree(root: Path, files: dict[str, str]) -> Path:
    for package in ("campaigns", "channels", "worker"):
        (root / package).mkdir(parents=True, exist_ok=True)
        (root / package / "__init__.py").write_text("")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_the_repository_has_no_import_circle_and_data_flows_one_way() -> None:
    assert problems_of(build(ROOT), ROOT) == []


def test_a_circle_hidden_inside_a_function_is_found(tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        {
            "worker/cli.py": "from worker import commands\n",
            "worker/commands.py": "def check():\n    from worker.cli import main\n",
        },
    )
    assert problems_of(build(root), root) == [
        "module circle: worker.cli <-> worker.commands",
        "package circle: worker.cli <-> worker.commands",
    ]


def test_a_package_circle_and_a_backward_import_are_named_with_file_and_line(
    tmp_path: Path,
) -> None:
    root = tree(
        tmp_path,
        {
            "campaigns/config.py": "import os\n\nfrom channels.registry import names\n",
            "channels/registry.py": "from campaigns.model import Target\n",
            "campaigns/model.py": "Target = object\n",
        },
    )
    assert problems_of(build(root), root) == [
        "package circle: campaigns <-> channels",
        "one-way flow broken: campaigns/config.py:3: campaigns.config imports channels.registry",
    ]


def test_relative_imports_and_submodules_named_in_from_imports_are_resolved(
    tmp_path: Path,
) -> None:
    root = tree(
        tmp_path,
        {
            "worker/store/__init__.py": "",
            "worker/store/models.py": "from . import queries\n",
            "worker/store/queries.py": "from worker.store import models\n",
        },
    )
    graph = build(root)
    assert graph.edges["worker.store.models"] == {"worker.store.queries": 1}
    assert graph.edges["worker.store.queries"] == {"worker.store.models": 1}
    assert problems_of(graph, root) == [
        "module circle: worker.store.models <-> worker.store.queries"
    ]


def test_long_modules_and_functions_are_refused_at_the_limit_plus_one(tmp_path: Path) -> None:
    body = "".join("    x = 1\n" for _ in range(MAX_FUNCTION_LINES - 1))
    root = tree(
        tmp_path,
        {
            "channels/fits.py": f"def fits():\n{body}",
            "channels/long.py": f"def long():\n{body}    x = 2\n",
            "campaigns/big.py": "x = 1\n" * (MAX_MODULE_LINES + 1),
            "worker/store/migrations/versions/0001_initial.py": f"def upgrade():\n{body * 3}",
        },
    )
    assert problems_of(build(root), root) == [
        f"campaigns/big.py: {MAX_MODULE_LINES + 1} lines (at most {MAX_MODULE_LINES})",
        f"channels/long.py:1: long() is {MAX_FUNCTION_LINES + 1} lines (at most 60)",
    ]


def test_the_command_prints_the_package_graph_and_exits_1_only_on_a_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tree(tmp_path / "good", {"worker/engine.py": "from channels import a\n"})
    (good / "channels" / "a.py").write_text("from campaigns import model\n")
    (good / "campaigns" / "model.py").write_text("")
    assert main(["--root", str(good)]) == 0
    out = capsys.readouterr().out
    assert "  channels -> campaigns\n  worker.engine -> channels\n" in out
    assert out.endswith("6 modules, 0 problem(s)\n")
    bad = tree(tmp_path / "bad", {"channels/a.py": "from worker import engine\n"})
    (bad / "worker" / "engine.py").write_text("")
    assert main(["--root", str(bad)]) == 1
    assert "channels.a imports worker.engine" in capsys.readouterr().err
