"""`loa report`: the per-unit report as a table, CSV or XLSX; worker.cli parses and dispatches."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from campaigns.periods import Period
from worker.cli.args import BadInput, period_from
from worker.engine.runtime import Runtime, build_runtime
from worker.reports.report import build_report
from worker.reports.tables import as_section_csv, as_text
from worker.reports.xlsx import write_workbook


def _period(args: argparse.Namespace) -> Period:
    period = period_from(args)
    if period is None:
        raise BadInput("--period is required (2024-Q1, 2024-H1, 2024-Q3, 2024)")
    return period


def _checked(rt: Runtime, args: argparse.Namespace) -> None:
    if args.campaign and args.campaign not in rt.config.campaigns:
        raise BadInput(f"--campaign: no campaign '{args.campaign}' in {rt.config.root}")
    if getattr(args, "unit", None) and args.unit not in rt.config.units:
        raise BadInput(f"--unit: no unit '{args.unit}' in {rt.config.root}/units.yaml")


def report(args: argparse.Namespace) -> int:
    """Print the report, or write it to --output (xlsx: default bao-cao-<period>.xlsx)."""
    period = _period(args)
    rt = build_runtime(args.config)
    _checked(rt, args)
    unit, channel = getattr(args, "unit", None), getattr(args, "channel", None)
    with rt.sessions() as s:
        result = build_report(s, rt.config, period, args.campaign, unit=unit, channel=channel)
    fmt, output = getattr(args, "format", "table"), getattr(args, "output", None)
    if fmt == "xlsx":
        out = Path(output or f"bao-cao-{period.label}.xlsx")
        write_workbook(result, out, args.lang)
        print(f"wrote {out}")
        return 0
    if fmt == "csv":
        text = as_section_csv(result, args.lang, getattr(args, "section", None) or "summary")
    else:
        text = as_text(result, args.lang) + "\n"
    if output:
        # CSV files get a BOM so spreadsheet programs read the Vietnamese as UTF-8.
        Path(output).write_text(text, encoding="utf-8-sig" if fmt == "csv" else "utf-8")
        print(f"wrote {output}")
    else:
        sys.stdout.write(text)
    return 0
