"""Figures (median, min, max of several runs), their baselines, ratios, targets, and the table."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Context:
    """What every scenario gets: the mode, a scratch folder for logs and files, run counts."""

    quick: bool
    scratch: Path
    runs: int = 3
    profile: bool = False  # one more, untimed run under cProfile where a scenario offers it

    def size(self, full: int, quick: int) -> int:
        return quick if self.quick else full

    def log(self, name: str) -> Path:
        return self.scratch / f"{name}.log"


@dataclass
class Figure:
    """One measured quantity: every run's value, and the key of the figure it is compared to."""

    key: str
    scenario: str
    label: str
    unit: str
    runs: list[float]
    higher_is_better: bool = True
    baseline: str | None = None
    note: str = ""
    capped: bool = False  # the median is a lower bound: most runs hit the time cap
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(self.runs) if self.runs else float("nan")

    @property
    def low(self) -> float:
        return min(self.runs) if self.runs else float("nan")

    @property
    def high(self) -> float:
        return max(self.runs) if self.runs else float("nan")


@dataclass
class Target:
    """A goal on a figure: its median (or its ratio to its baseline) against a threshold."""

    name: str
    key: str
    on: str  # "ratio" or "value"
    op: str  # ">=" or "<="
    threshold: float
    also: Callable[[dict[str, Figure]], tuple[bool, str]] | None = None


def ratio(figures: dict[str, Figure], figure: Figure) -> float | None:
    """The figure's median over its baseline's median (None without a baseline)."""
    base = figures.get(figure.baseline or "")
    if base is None or not base.runs or not figure.runs or base.median == 0:
        return None
    return figure.median / base.median


def evaluate(target: Target, figures: dict[str, Figure]) -> dict[str, Any]:
    figure = figures.get(target.key)
    if figure is None or not figure.runs:
        return {"name": target.name, "met": None, "detail": "not measured in this run"}
    value = ratio(figures, figure) if target.on == "ratio" else figure.median
    if value is None:
        return {"name": target.name, "met": None, "detail": "baseline not measured"}
    met = value >= target.threshold if target.op == ">=" else value <= target.threshold
    detail = f"{target.on} {value:.3g} (goal {target.op} {target.threshold:g})"
    if target.also is not None:
        ok, why = target.also(figures)
        met, detail = met and ok, f"{detail}; {why}"
    return {"name": target.name, "met": met, "value": value, "detail": detail}


def fmt(value: float) -> str:
    if value != value:  # NaN
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def table(figures: Sequence[Figure]) -> str:
    """A plain-text table: each figure beside its baseline and the ratio."""
    by_key = {f.key: f for f in figures}
    header = (
        "scenario",
        "figure",
        "median",
        "min..max",
        "unit",
        "baseline",
        "base median",
        "ratio",
    )
    rows = [header]
    for f in figures:
        base = by_key.get(f.baseline or "")
        r = ratio(by_key, f)
        rows.append(
            (
                f.scenario,
                f.label,
                (">" if f.capped else "") + fmt(f.median),
                f"{fmt(f.low)}..{fmt(f.high)}",
                f.unit,
                base.label if base else "",
                fmt(base.median) if base else "",
                f"{r:.2f}" if r is not None else "",
            )
        )
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def markdown(figures: Sequence[Figure]) -> str:
    """The same table in Markdown, for docs/performance.md."""
    by_key = {f.key: f for f in figures}
    out = [
        "| scenario | figure | median | min..max | unit | baseline | baseline median | ratio |",
        "|---|---|---:|---:|---|---|---:|---:|",
    ]
    for f in figures:
        base = by_key.get(f.baseline or "")
        r = ratio(by_key, f)
        median = (">" if f.capped else "") + fmt(f.median)
        cells = [f.scenario, f.label, median, f"{fmt(f.low)}..{fmt(f.high)}", f.unit]
        cells += [base.label if base else "", fmt(base.median) if base else ""]
        cells += [f"{r:.2f}" if r is not None else ""]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def as_json(figures: Sequence[Figure]) -> list[dict[str, Any]]:
    by_key = {f.key: f for f in figures}
    out = []
    for f in figures:
        item = asdict(f)
        item.update(median=f.median, min=f.low, max=f.high, ratio=ratio(by_key, f))
        out.append(item)
    return out
