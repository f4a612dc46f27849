"""`loa report`: the per-unit report as a table, CSV, XLSX or the báo cáo to sign (DOCX)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from campaigns.i18n import t
from campaigns.periods import Period
from worker.cli.args import BadInput, period_from
from worker.engine.runtime import Runtime, build_runtime
from worker.reports.letterhead import letterhead_for
from worker.reports.report import Report, build_report
from worker.reports.tables import as_section_csv, as_text
from worker.reports.xlsx import write_workbook

DELIMITERS = {",": ",", ";": ";", "tab": "\t"}


def _period(args: argparse.Namespace) -> Period:
    period = period_from(args)
    if period is None:
        raise BadInput(t("report.period"))
    return period


def _checked(rt: Runtime, args: argparse.Namespace) -> None:
    if args.campaign and args.campaign not in rt.config.campaigns:
        raise BadInput(t("args.no_campaign", campaign=args.campaign))
    if getattr(args, "unit", None) and args.unit not in rt.config.units:
        raise BadInput(t("online.no_unit", unit=args.unit))
    each, fmt = getattr(args, "each_unit", None), getattr(args, "format", "table")
    if each and fmt not in ("docx", "xlsx"):
        raise BadInput(t("report.each_unit_format"))
    if each and (getattr(args, "unit", None) or getattr(args, "output", None)):
        raise BadInput(t("report.each_unit_alone"))


def report(args: argparse.Namespace) -> int:
    """Print the report, or write it to --output (xlsx, docx: default bao-cao-<period>...)."""
    period = _period(args)
    rt = build_runtime(args.config)
    _checked(rt, args)
    fmt, output = getattr(args, "format", "table"), getattr(args, "output", None)
    if getattr(args, "each_unit", None):
        return _each_unit(rt, args, period, Path(args.each_unit))
    result = _build(rt, args, period, getattr(args, "unit", None))
    if fmt in ("xlsx", "docx"):
        out = Path(output or _file_name(period, result.filters.unit, fmt))
        _write_file(rt, result, out, fmt, _lang(args))
        print(t("report.wrote", file=out))
        return 0
    if fmt == "csv":
        delimiter = DELIMITERS[getattr(args, "delimiter", ",")]
        section = getattr(args, "section", None) or "summary"
        text = as_section_csv(result, _lang(args), section, delimiter=delimiter)
    else:
        text = as_text(result, _lang(args)) + "\n"
    # CSV gets a byte-order mark (files and stdout alike) so Excel reads the Vietnamese as UTF-8
    bom = fmt == "csv" and getattr(args, "bom", True)
    if output:
        Path(output).write_text(text, encoding="utf-8-sig" if bom else "utf-8")
        print(t("report.wrote", file=output))
    else:
        _stdout(text, bom=bom)
    return 0


def _build(rt: Runtime, args: argparse.Namespace, period: Period, unit: str | None) -> Report:
    channel = getattr(args, "channel", None)
    with rt.sessions() as s:
        return build_report(s, rt.config, period, args.campaign, unit=unit, channel=channel)


def _each_unit(rt: Runtime, args: argparse.Namespace, period: Period, folder: Path) -> int:
    """One file per unit the report covers (a campaign's units with --campaign)."""
    folder.mkdir(parents=True, exist_ok=True)
    units = _build(rt, args, period, None).units
    for code, _ in units:
        out = folder / _file_name(period, code, args.format)
        _write_file(rt, _build(rt, args, period, code), out, args.format, _lang(args))
        print(t("report.wrote", file=out))
    return 0


def _file_name(period: Period, unit: str | None, fmt: str) -> str:
    return f"bao-cao-{period.label}{f'-{unit}' if unit else ''}.{fmt}"


def _write_file(rt: Runtime, result: Report, out: Path, fmt: str, lang: str) -> None:
    head = letterhead_for(rt.config, result.filters.unit)
    if fmt == "xlsx":
        write_workbook(result, out, lang, head)
        return
    # python-docx and matplotlib load only here: keeps `loa --help` and the other commands light
    from worker.reports.document import write_document  # noqa: PLC0415

    write_document(result, head, out, lang)


def _stdout(text: str, *, bom: bool) -> None:
    """Write UTF-8 bytes to stdout (with a BOM if asked), whatever the terminal's encoding."""
    data = text.encode("utf-8-sig" if bom else "utf-8")
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(data.decode("utf-8"))
        return
    sys.stdout.flush()
    buffer.write(data)
    buffer.flush()


def _lang(args: argparse.Namespace) -> str:
    """The report's language: `--lang` (before or after `report`), else Vietnamese: the báo
    cáo is an official Vietnamese document, whatever language the messages are in."""
    return str(getattr(args, "lang", None) or "vi")
