"""A measured task in a fresh interpreter: `python -m benchmarks.child TASK 'JSON ARGS'`.

A fresh process per run gives each run its own peak RSS, and lets the parent choose the broker
(REDIS_URL, LOA_REDIS_NAMESPACE) before worker.engine.broker is imported.
"""

from __future__ import annotations

import importlib
import json
import sys

from benchmarks.env import report

TASKS = {
    "fanout-loa": "benchmarks.fanout:loa_task",
    "fanout-tick": "benchmarks.fanout:tick_task",
    "fanout-send": "benchmarks.fanout:send_task",
    "fanout-pipelined": "benchmarks.fanout:pipelined_task",
    "quiet-plan": "benchmarks.quiet:quiet_task",
    "backlog": "benchmarks.backlog:backlog_task",
    "delivery-loa": "benchmarks.delivery:loa_task",
    "delivery-noop": "benchmarks.delivery:noop_task",
    "delivery-requests": "benchmarks.delivery:requests_task",
    "sms-loa": "benchmarks.sms:loa_task",
    "sms-requests": "benchmarks.sms:requests_task",
    "slides": "benchmarks.slides:slides_task",
    "recovery-loa": "benchmarks.recovery:loa_task",
    "recovery-dramatiq": "benchmarks.recovery:dramatiq_task",
}


def main(argv: list[str]) -> int:
    task, raw = argv[1], argv[2] if len(argv) > 2 else "{}"
    module, name = TASKS[task].split(":")
    function = getattr(importlib.import_module(module), name)
    report(function(**json.loads(raw)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
