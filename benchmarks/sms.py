"""Scenario 3, SMS: R recipients per unit x U units through the Kannel transport to a local
server that answers as smsbox does (202 `0: Accepted for delivery`), by the same P x T workers.

Figures: recipients per second end to end, the requests made (batches of 50 numbers), and the
segments counted. Baseline: a bare requests loop posting the same batches from P x T threads.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks import env, procs
from benchmarks.delivery import (
    LOA_QUEUES,
    PROCESSES,
    THREADS,
    drain,
    now,
    published_at,
    queue_everything,
    run_split,
)
from benchmarks.fixtures import insert_items, period_around, write_config, write_recipients
from benchmarks.results import Context, Figure

CREDENTIALS = {"LOA_BENCH_KANNEL_USER": "bench", "LOA_BENCH_KANNEL_PASS": "bench-secret"}
ITEMS = 1


def write_sms_config(root: Path, url: str, units: int, recipients: int) -> Path:
    write_recipients(root / "recipients" / "subscribers.csv", recipients)
    target = {
        "units": "all",
        "kind": "sms",
        "transport": "kannel",
        "endpoint": f"{url}/cgi-bin/sendsms",
        "credentials": {"username": "LOA_BENCH_KANNEL_USER", "password": "LOA_BENCH_KANNEL_PASS"},
        "options": {
            "recipients": "recipients/subscribers.csv",
            "diacritics": False,
            "max_segments": 2,
        },
    }
    # no quiet hours (an empty window): SMS's default 22:00-07:00 would hold back every delivery
    # of a run made after 22:00 in Vietnam (15:00 UTC) and measure nothing
    settings = {"channels": {"sms": {"quiet_hours": {"start": "00:00", "end": "00:00"}}}}
    return write_config(
        root,
        units=units,
        targets=[target],
        channels=["sms"],
        period=period_around(now()),
        settings=settings,
    )


def loa_task(processes: int, threads: int, scratch: str) -> dict[str, Any]:
    from sqlalchemy import func, select

    from worker.engine.runtime import build_runtime
    from worker.store.models import Delivery

    rt = build_runtime()
    insert_items(rt.engine, ITEMS, published_at())
    queue_everything(rt, now())
    result = drain("worker.engine.actors", LOA_QUEUES, processes, threads, scratch, warm=True)
    with rt.sessions() as s:
        row = s.execute(
            select(
                func.count(),
                func.sum(Delivery.recipients),
                func.sum(Delivery.segments * Delivery.recipients),
            ).where(Delivery.state == "published")
        ).one()
    rt.engine.dispose()
    return {
        **result,
        "published": row[0],
        "recipients": int(row[1] or 0),
        "segments": int(row[2] or 0),
    }


def batches(config_dir: str) -> list[tuple[str, bytes, dict[str, str]]]:
    """Every sendsms request loa makes, as (url, body, headers), built outside loa's transport."""
    from benchmarks.fixtures import item_rows
    from campaigns.config import load_config
    from campaigns.model import Item
    from channels.kannel import CODING
    from channels.recipients import recipients_for
    from channels.registry import formatter

    config = load_config(config_dir)
    row = item_rows(1, published_at())[0]
    item = Item(row["key"], "article", row["title"], link=row["link"], published=row["published"])
    jobs = []
    for target in config.targets.values():
        unit = config.units[target.unit]
        message = formatter("sms").format(item, unit, target, recipients=recipients_for(target))
        headers = {
            "X-Kannel-Username": os.environ["LOA_BENCH_KANNEL_USER"],
            "X-Kannel-Password": os.environ["LOA_BENCH_KANNEL_PASS"],
            "X-Kannel-Coding": CODING[message.encoding or "gsm7"],
            "Content-Type": "text/plain; charset=UTF-8",
        }
        numbers = message.recipients
        for start in range(0, len(numbers), 50):
            to = " ".join(numbers[start : start + 50])
            jobs.append(
                (str(target.endpoint), message.text.encode(), {**headers, "X-Kannel-To": to})
            )
    return jobs


def requests_task(config_dir: str, processes: int, threads: int) -> dict[str, Any]:
    jobs = batches(config_dir)

    def post_all(share: Sequence[tuple[str, bytes, dict[str, str]]]) -> None:
        import requests

        session = requests.Session()
        for url, body, headers in share:
            response = session.post(url, data=body, headers=headers, timeout=(3.05, 20.0))
            if response.status_code != 202 or not response.text.startswith("0:"):
                raise RuntimeError(f"smsbox answered {response.status_code}")

    cpu = env.children_cpu_seconds()
    seconds = run_split(jobs, processes, threads, post_all)
    cpu = env.children_cpu_seconds() - cpu
    recipients = sum(len(h["X-Kannel-To"].split()) for _, _, h in jobs)
    return {"count": recipients, "requests": len(jobs), "seconds": seconds, "cpu_s": cpu}


def scenario(ctx: Context) -> list[Figure]:
    units, per_unit = ctx.size(100, 20), ctx.size(1000, 500)
    loa, bare = [], []
    with procs.http_server("smsbox", ctx.scratch) as url:
        config = write_sms_config(ctx.scratch / f"config-sms-{env.token()}", url, units, per_unit)
        for _ in range(ctx.runs):
            before = procs.server_stats(url)
            loa.append(_loa_run(ctx, config))
            loa[-1]["requests"] = procs.server_stats(url)["posts"] - before["posts"]
            bare.append(_bare_run(config))
    return _figures(units * per_unit, loa, bare)


def _loa_run(ctx: Context, config: Path) -> dict[str, Any]:
    with env.redis_namespace() as ns, env.pg_database() as url:
        environ = env.child_env(
            namespace=ns, database_url=url, LOA_CONFIG=str(config), **CREDENTIALS
        )
        args = {"processes": PROCESSES, "threads": THREADS, "scratch": str(ctx.scratch)}
        return dict(env.run_child("sms-loa", args, environ, 1800))


def _bare_run(config: Path) -> dict[str, Any]:
    args = {"config_dir": str(config), "processes": PROCESSES, "threads": THREADS}
    return dict(env.run_child("sms-requests", args, env.child_env(**CREDENTIALS), 1800))


def _figures(n: int, loa: list[dict[str, Any]], bare: list[dict[str, Any]]) -> list[Figure]:
    shape = f"{PROCESSES}x{THREADS}"
    for run in loa:
        if run["recipients"] != n:
            raise RuntimeError(f"loa sent to {run['recipients']} of {n} recipients")
    return [
        Figure(
            "sms.loa",
            "sms",
            f"loa Kannel, {n:,} recipients, {shape}",
            "recipients/s",
            [r["recipients"] / r["seconds"] for r in loa],
            baseline="sms.requests",
            extra={"runs": loa},
        ),
        Figure(
            "sms.requests",
            "sms",
            f"bare requests, same batches, {shape}",
            "recipients/s",
            [r["count"] / r["seconds"] for r in bare],
            extra={"runs": bare},
        ),
        Figure(
            "sms.loa.requests",
            "sms",
            "  sendsms requests made by loa",
            "requests",
            [float(r["requests"]) for r in loa],
            baseline="sms.requests.requests",
        ),
        Figure(
            "sms.requests.requests",
            "sms",
            "  sendsms requests, bare loop",
            "requests",
            [float(r["requests"]) for r in bare],
        ),
        Figure(
            "sms.segments",
            "sms",
            "  segments counted (segments x recipients)",
            "segments",
            [float(r["segments"]) for r in loa],
        ),
    ]
