"""`loa --help` imports none of the heavy libraries: each command imports its own (start-up).

Not timed: what is measured is which modules a fresh interpreter has loaded. The wall time is
in benchmarks/memory.py (start-up figures).
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("sqlalchemy", "PIL", "flask", "openpyxl", "docx", "matplotlib", "alembic", "feedparser")

PROBE = """
import contextlib, io, json, sys
from worker.cli.main import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
    main(sys.argv[1:])
heavy = {heavy!r}
print(json.dumps(sorted({{m.split(".")[0] for m in sys.modules}} & set(heavy))))
"""


def _loaded(*argv: str, env: dict[str, str] | None = None) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), *argv],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", **(env or {})},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return list(json.loads(out.stdout.strip().splitlines()[-1]))


def test_help_imports_no_heavy_library() -> None:
    assert _loaded("--help") == []


def test_a_command_help_imports_no_heavy_library() -> None:
    assert _loaded("report", "--help") == []


def test_check_imports_no_database_web_or_report_library() -> None:
    loaded = _loaded("--config", str(ROOT / "config"), "check")
    assert not set(loaded) & {"sqlalchemy", "alembic", "flask", "openpyxl", "docx", "matplotlib"}


def test_a_command_imports_alembic_only_for_a_database_it_must_upgrade(tmp_path: Path) -> None:
    """Alembic (~12 MB a process) is for upgrading or adopting a schema; a start on an empty
    database or one already at head does without it (worker.store.schemahead)."""
    db = tmp_path / "loa.db"
    env = {"DATABASE_URL": f"sqlite:///{db}", "LOA_LANG": "en"}
    status = ("--config", str(ROOT / "config"), "status")
    assert "alembic" not in _loaded(*status, env=env)  # empty: created and stamped
    assert "alembic" not in _loaded(*status, env=env)  # at head
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0006'")
    assert "alembic" in _loaded(*status, env=env)  # behind: refused, through alembic


def _imports_redis(environment: dict[str, str]) -> bool:
    probe = (
        "import sys, worker.engine.embedded, worker.engine.actors; print('redis' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", **environment},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return out.stdout.strip().splitlines()[-1] == "True"


def test_redis_py_is_imported_only_with_a_redis_to_talk_to() -> None:
    """The embedded mode (in-process broker, no REDIS_URL) does without redis-py (~7 MB)."""
    assert not _imports_redis({})
    assert _imports_redis({"REDIS_URL": "redis://127.0.0.1:6379/15"})
