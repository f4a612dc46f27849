"""docker-compose.yml, Dockerfile and .env.example, checked by reading them (Docker is not run)."""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from dramatiq.cli import make_argument_parser

from worker.engine.actors import TIME_LIMIT_MS
from worker.engine.broker import QUEUES, RETRY_QUEUES
from worker.store.db import make_engine
from worker.store.migrate import ensure_schema

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text("utf-8"))
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
ENV_EXAMPLE = (ROOT / ".env.example").read_text("utf-8")
DEPLOYMENT = (ROOT / "docs" / "deployment.md").read_text("utf-8")
DOCKERFILE = (ROOT / "Dockerfile").read_text("utf-8")
# Set by the operating system, not by an operator: documented, but not in .env.example.
SYSTEM_VARIABLES = {"TERM"}
# The official postgres image's own variables.
IMAGE_VARIABLES = {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"}


def command(service: str) -> list[str]:
    return [str(part) for part in SERVICES[service].get("command") or []]


def services_running(program: str) -> list[str]:
    return [name for name in SERVICES if command(name)[:1] == [program]]


def loa_help(subcommand: str) -> str:
    done = subprocess.run(
        [BIN / "loa", subcommand, "--help"], check=False, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, f"loa {subcommand} --help: {done.stderr}"
    return done.stdout


def variables_the_code_reads() -> set[str]:
    """Every environment variable named literally in the packages' source."""
    patterns = [
        r"environ\.get\(\s*[\"']([A-Za-z_][A-Za-z0-9_]*)[\"']",
        r"getenv\(\s*[\"']([A-Za-z_][A-Za-z0-9_]*)[\"']",
        r"environ\[\s*[\"']([A-Za-z_][A-Za-z0-9_]*)[\"']\s*\]",
        r"^[A-Z_]*ENV[A-Z_]*\s*=\s*[\"']([A-Z][A-Z0-9_]*)[\"']",
    ]
    found: set[str] = set()
    for package in ("worker", "channels", "campaigns"):
        for path in (ROOT / package).rglob("*.py"):
            text = path.read_text("utf-8")
            for pattern in patterns:
                found.update(re.findall(pattern, text, flags=re.MULTILINE))
    return found


def documented_in_env_example() -> set[str]:
    return set(re.findall(r"^#?\s*([A-Za-z_][A-Za-z0-9_]*)=", ENV_EXAMPLE, flags=re.MULTILINE))


def test_the_code_reads_the_variables_we_expect_to_find() -> None:
    found = variables_the_code_reads()
    assert {"DATABASE_URL", "REDIS_URL", "LOA_CONFIG", "LOA_DB_POOL", "LOA_FONT_DIR"} <= found


def test_every_variable_the_code_reads_is_in_env_example_and_the_deployment_guide() -> None:
    for name in sorted(variables_the_code_reads()):
        assert f"`{name}`" in DEPLOYMENT, f"{name} is not in docs/deployment.md"
        if name not in SYSTEM_VARIABLES:
            assert name in documented_in_env_example(), f"{name} is not in .env.example"


def test_every_variable_compose_or_env_example_sets_is_explained_in_the_deployment_guide() -> None:
    names = documented_in_env_example()
    for service in SERVICES.values():
        names.update(service.get("environment") or {})
    for name in sorted(names - IMAGE_VARIABLES):
        if not name.startswith("LOA_") or name in variables_the_code_reads():
            assert f"`{name}`" in DEPLOYMENT, f"{name} is not in docs/deployment.md"


@pytest.mark.parametrize("service", services_running("loa"))
def test_every_loa_command_in_compose_exists_with_the_options_it_is_given(service: str) -> None:
    argv = command(service)[1:]
    help_text = loa_help(argv[0])
    rest = iter(argv[1:])
    for token in rest:
        if token.startswith("--"):
            assert re.search(rf"{re.escape(token)}\b", help_text), f"loa {argv[0]}: {token}"
            if re.search(rf"{re.escape(token)} [A-Z_]+", help_text):
                next(rest)  # the option's value
        else:
            assert token in help_text, f"loa {argv[0]}: {token} is not a choice"


@pytest.mark.parametrize("service", services_running("dramatiq"))
def test_every_dramatiq_command_in_compose_parses_and_names_real_queues(service: str) -> None:
    args = make_argument_parser().parse_args(  # type: ignore[no-untyped-call]
        command(service)[1:]
    )
    assert args.broker == "worker.engine.actors"  # the module whose `broker` the workers use
    assert set(args.queues or ()) <= set(QUEUES.values()) | set(RETRY_QUEUES.values())


def test_the_module_the_workers_run_imports_in_a_fresh_process() -> None:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import worker.engine.actors; print(worker.engine.actors.deliver.actor_name)",
        ],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "deliver"


def test_every_queue_has_a_worker_that_consumes_it_without_a_profile() -> None:
    consumed: set[str] = set()
    for service in services_running("dramatiq"):
        if SERVICES[service].get("profiles"):
            continue  # optional extras; the default stack must cover every queue alone
        args = make_argument_parser().parse_args(  # type: ignore[no-untyped-call]
            command(service)[1:]
        )
        consumed.update(args.queues or QUEUES.values())
    assert consumed >= set(QUEUES.values())


def test_there_is_exactly_one_scheduler_and_it_is_not_scaled() -> None:
    schedulers = [s for s in SERVICES if "--scheduler-only" in command(s)]
    assert len(schedulers) == 1
    deploy = SERVICES[schedulers[0]].get("deploy") or {}
    assert deploy.get("replicas", 1) == 1


def test_redis_keeps_an_append_only_file_synced_every_second_and_never_evicts() -> None:
    argv = " ".join(command("redis"))
    assert "--appendonly yes" in argv
    assert "--appendfsync everysec" in argv
    assert "--maxmemory-policy noeviction" in argv
    assert any(str(v).endswith(":/data") for v in SERVICES["redis"]["volumes"])


def test_redis_and_postgres_have_healthchecks_and_postgres_a_named_volume() -> None:
    for name in ("redis", "postgres"):
        assert SERVICES[name]["healthcheck"]["test"], name
    volume = SERVICES["postgres"]["volumes"][0].split(":")[0]
    assert volume in COMPOSE["volumes"]


def test_every_long_running_service_restarts_and_the_migration_runs_once() -> None:
    for name, service in SERVICES.items():
        if name == "migrate":
            assert service["restart"] == "no"
        else:
            assert service.get("restart") in {"always", "unless-stopped", "on-failure"}, name


def test_everything_that_uses_the_database_waits_for_the_migration_to_succeed() -> None:
    assert command("migrate") == ["loa", "db", "upgrade"]
    for name in services_running("loa") + services_running("dramatiq"):
        if name == "migrate":
            continue
        depends = SERVICES[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert depends["postgres"]["condition"] == "service_healthy", name


def test_workers_are_given_the_measured_prefetch() -> None:
    for name in services_running("dramatiq"):
        assert int(SERVICES[name]["environment"]["dramatiq_queue_prefetch"]) >= 1, name


def test_the_image_is_slim_installs_the_package_and_runs_as_an_unprivileged_user() -> None:
    assert re.search(r"^FROM python:3\.1\d+-slim", DOCKERFILE, flags=re.MULTILINE)
    assert "pip install ." in DOCKERFILE
    for package in ("libfribidi0", "fonts-dejavu-core"):
        assert package in DOCKERFILE
    user = re.findall(r"^USER (\S+)", DOCKERFILE, flags=re.MULTILINE)
    assert user and user[-1] not in {"root", "0"}


def test_the_heartbeat_healthcheck_passes_only_while_this_hosts_process_beats(
    pg_url: str,
) -> None:
    engine = make_engine(pg_url)
    ensure_schema(engine)
    test = SERVICES["worker"]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"]
    env = {**os.environ, "DATABASE_URL": pg_url}

    def healthy() -> bool:
        argv = [sys.executable, "-c", test[3], test[4]]
        return subprocess.run(argv, check=False, env=env, timeout=60).returncode == 0

    def beat(host: str, age: float) -> None:
        seen = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=age)
        with engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM heartbeats"))
            conn.execute(
                sa.text(
                    "INSERT INTO heartbeats (name, role, pid, host, started_at, seen_at, detail) "
                    "VALUES ('worker@x', 'worker', 1, :host, :seen, :seen, '{}')"
                ),
                {"host": host, "seen": seen},
            )

    assert not healthy()
    beat(socket.gethostname(), age=5)
    assert healthy()
    beat(socket.gethostname(), age=120)
    assert not healthy()
    beat("another-container", age=5)
    assert not healthy()
    engine.dispose()


def systemd_unit(exec_start: str) -> dict[str, str]:
    """The [Service] settings of the unit in docs/deployment.md whose ExecStart runs this."""
    for block in re.findall(r"```ini\n(.*?)```", DEPLOYMENT, flags=re.DOTALL):
        settings = dict(
            line.split("=", 1) for line in block.splitlines() if re.match(r"^[A-Za-z]+=", line)
        )
        if exec_start in settings.get("ExecStart", ""):
            return settings
    raise AssertionError(f"no unit running {exec_start} in docs/deployment.md")


def test_the_worker_unit_signals_dramatiqs_main_process_only_and_waits_out_a_delivery() -> None:
    """KillMode=mixed: a SIGTERM to each worker as well would be its second, and kill it at once."""
    unit = systemd_unit("dramatiq worker.engine.actors")
    assert unit.get("KillMode") == "mixed"
    assert unit.get("KillSignal", "SIGTERM") == "SIGTERM"
    assert int(unit["TimeoutStopSec"]) > TIME_LIMIT_MS / 1000
