"""Load config/ into plain values, reporting every problem at once with file and key path."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from campaigns import problems, schema
from campaigns.broadcast import parse_slots
from campaigns.explain import close, explain, known_keys
from campaigns.hashtags import campaign_hashtags
from campaigns.i18n import Msg, msg
from campaigns.model import TZ, Campaign, Config, Schedule, Source, Target, Unit
from campaigns.text import nfc
from campaigns.topicfile import TopicsFile
from campaigns.topics import Topics
from campaigns.unitsel import select_units, unit_above, unknown_unit
from campaigns.yamlsafe import (
    MAX_FILE_BYTES,
    Lines,
    YamlTooBig,
    line_of,
    safe_yaml_lines,
    unreadable,
)

M = TypeVar("M", bound=BaseModel)
# Defined in campaigns.problems (light: `loa` catches ConfigError before loading any config).
Problem = problems.Problem
ConfigError = problems.ConfigError

TransportCheck = Callable[[str, str], str | None]
"""Given a target's kind and transport name, why they cannot go together, or None.

campaigns/ does not know the transports (channels/ does, and campaigns may not import it),
so whoever loads the config with channels at hand passes this in: worker.engine.checks.
"""


ALLOWED_PATHS = "LOA_ALLOWED_PATHS"


def allowed_roots(root: Path) -> list[Path]:
    """The config folder and the folders the administrator allows (LOA_ALLOWED_PATHS, os.pathsep
    separated): set in the environment, never by a config file."""
    extra = os.environ.get(ALLOWED_PATHS, "").split(os.pathsep)
    return [root, *(Path(p).resolve() for p in extra if p.strip())]


KEYS = known_keys(schema.Strict.__subclasses__())


class _Loader:
    def __init__(self, root: Path):
        self.root = root
        self.problems: list[Problem] = []
        self.roots = allowed_roots(root)
        self.lines: dict[str, Lines] = {}
        # unit codes written in units.yaml whose entry is at fault, and whether the file could
        # be read at all: "unknown unit" elsewhere only follows from those, so is not repeated
        self.broken_units: set[str] = set()
        self.units_unread = False

    def inside(self, file: Path, where: str, value: str) -> Path | None:
        """`value` resolved against the config folder (symlinks followed) if it stays inside an
        allowed folder; else None after recording the problem."""
        full = (self.root / value).resolve()
        if any(full.is_relative_to(r) for r in self.roots):
            return full
        self.add(file, where, msg("cfg.outside", value=value, env=ALLOWED_PATHS))
        return None

    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root.parent))
        except ValueError:
            return str(path)

    def add(self, file: Path | str, path: str, message: str | Msg, line: int | None = None) -> None:
        name = self.rel(file) if isinstance(file, Path) else file
        if line is None and path:
            line = line_of(self.lines.get(name, {}), tuple(path.split(".")))
        self.problems.append(Problem(name, path, message, line))

    def raw(self, path: Path) -> Any:
        """The parsed YAML of a file, or None after recording why it cannot be read."""
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                self.add(path, "", msg("cfg.too_big", mb=MAX_FILE_BYTES // 1_000_000))
                return None
            data, self.lines[self.rel(path)] = safe_yaml_lines(path.read_bytes().decode("utf-8"))
        except (YamlTooBig, RecursionError, yaml.YAMLError, UnicodeDecodeError, OSError) as e:
            self.add(path, "", *unreadable(path, e))
            return None
        return data if data is not None else {}

    def check(self, path: Path, model: type[M], data: Any, prefix: str = "") -> M | None:
        try:
            return model.model_validate(data)
        except ValidationError as e:
            for loc, message in explain(e.errors(), KEYS):
                self.add(path, prefix + loc if loc else prefix.rstrip("."), message)
            return None

    def read(self, path: Path, model: type[M]) -> M | None:
        data = self.raw(path)
        return None if data is None else self.check(path, model, data)

    def read_list(self, path: Path, key: str, model: type[M]) -> list[tuple[int, M]]:
        """Each element checked on its own, so one bad entry does not hide the others' faults."""
        data = self.raw(path)
        if data is None:
            return []
        if not isinstance(data, dict) or not isinstance(data.get(key), list):
            self.add(path, key if isinstance(data, dict) else "", msg("cfg.list_file", key=key))
            return []
        for extra in (k for k in data if k != key):
            guess = close(str(extra), [key])
            self.add(
                path,
                str(extra),
                msg("cfg.file_key_guess", key=extra, only=key, guess=guess)
                if guess
                else msg("cfg.file_key", key=extra, only=key),
            )
        checked = []
        for i, entry in enumerate(data[key]):
            spec = self.check(path, model, entry, f"{key}.{i}.")
            if spec is not None:
                checked.append((i, spec))
            elif isinstance(entry, dict) and isinstance(entry.get("code"), str):
                self.broken_units.add(entry["code"])
        return checked

    def unit_problems(self, file: Path, where: str, problems: list[Msg]) -> None:
        """Record "unknown unit" problems, but not those that only follow from units.yaml's own."""
        for problem in problems:
            code = problem.fields.get("code")
            if self.units_unread or (code is not None and code in self.broken_units):
                continue
            self.add(file, where, problem)


def load_config(root: str | Path, *, check_transport: TransportCheck | None = None) -> Config:
    """Read units, targets, campaigns and settings under `root`; raise ConfigError on faults.

    `check_transport`, when given, judges each target's transport, and its objections are
    reported with every other problem at `targets.N.transport`.
    """
    root = Path(root).resolve()
    loader = _Loader(root)
    if not root.is_dir():
        raise ConfigError([Problem(str(root), "", msg("cfg.no_dir"))])
    settings = (
        _read_optional(loader, root / "loa.yaml", schema.SettingsFile) or schema.SettingsFile()
    )
    topics = _topics(loader, root / "topics.yaml")
    unit_specs = _read_list(loader, root / "units.yaml", "units", schema.UnitSpec)
    loader.units_unread = bool(loader.problems) and not unit_specs
    target_specs = _read_list(loader, root / "targets.yaml", "targets", schema.TargetSpec)
    folder = root / "campaigns"
    campaign_files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    if not campaign_files:
        loader.add(folder, "", msg("cfg.no_campaigns"))
    raws = [(p, loader.raw(p)) for p in campaign_files]
    units = _units(loader, root / "units.yaml", unit_specs, settings.province)
    targets = _targets(loader, root / "targets.yaml", target_specs, units, check_transport)
    specs = []
    for p, data in raws:
        spec = loader.check(p, schema.CampaignSpec, data) if data is not None else None
        if spec is not None:
            specs.append((p, spec))
        elif isinstance(data, dict) and isinstance(data.get("units"), list):
            loader.unit_problems(
                p, "units", select_units([str(u) for u in data["units"]], units)[1]
            )
    campaigns = _campaigns(loader, root, specs, units, topics)
    if loader.problems:
        raise ConfigError(loader.problems)
    return Config(str(root), units, targets, campaigns, settings.model_dump(), topics)


def _topics(loader: _Loader, path: Path) -> Topics:
    """topics.yaml (optional): the labels, and every spelling that names each topic."""
    topics, problems = Topics.build(_read_optional(loader, path, TopicsFile))
    for where, message in problems:
        loader.add(path, where, message)
    return topics


def _read_list(loader: _Loader, path: Path, key: str, model: type[M]) -> list[tuple[int, M]]:
    if not path.is_file():
        loader.add(path, "", msg("cfg.missing_file"))
        return []
    return loader.read_list(path, key, model)


def _read_optional(loader: _Loader, path: Path, model: type[M]) -> M | None:
    return loader.read(path, model) if path.is_file() else None


def _units(
    loader: _Loader, path: Path, specs: list[tuple[int, schema.UnitSpec]], province: str
) -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    for i, u in specs:
        if u.code in units:
            loader.add(path, f"units.{i}.code", msg("cfg.dup_unit", code=u.code))
            continue
        report = u.report.model_dump(exclude_none=True) if u.report else {}
        agency = nfc(u.agency or u.name)
        short = nfc(u.short_name) if u.short_name else ""
        units[u.code] = Unit(
            u.code,
            nfc(u.name),
            u.kind,
            u.parent,
            order=i,
            short_name=short,
            report=report,
            agency=agency,
        )
    for i, u in specs:
        if u.parent is not None and u.parent not in units:
            loader.unit_problems(path, f"units.{i}.parent", [unknown_unit(u.parent, units)])
    firsts = {u.code: u for _, u in reversed(specs)}  # a duplicate code is reported above
    for code, unit in list(units.items()):
        units[code] = replace(unit, parent_agency=unit_above(firsts[code], units, nfc(province)))
    return units


def _targets(
    loader: _Loader,
    path: Path,
    specs: list[tuple[int, schema.TargetSpec]],
    units: dict[str, Unit],
    check_transport: TransportCheck | None,
) -> dict[str, Target]:
    targets: dict[str, Target] = {}
    for i, t in specs:
        where = f"targets.{i}"
        selector = t.unit if t.unit is not None else t.units
        assert selector is not None
        codes, problems = select_units(selector, units)
        loader.unit_problems(path, f"{where}.{'unit' if t.unit else 'units'}", problems)
        objection = check_transport(t.kind, t.transport) if check_transport else None
        if objection:
            loader.add(path, f"{where}.transport", objection)
        options = _resolve_paths(loader, path, f"{where}.options", dict(t.options))
        if t.kind == "loudspeaker":
            try:
                parse_slots(options)
            except ValueError as e:
                loader.add(path, f"{where}.options", msg("cfg.invalid", detail=str(e)))
        for code in codes:
            tid = f"{code}/{t.name or t.kind}"
            if tid in targets:
                loader.add(path, f"{where}", msg("cfg.dup_target", target=tid))
                continue
            targets[tid] = Target(
                tid, code, t.kind, t.transport, t.endpoint, dict(t.credentials), options
            )
    return targets


PATH_OPTIONS = ("recipients", "optout", "abbreviations")


def _resolve_paths(
    loader: _Loader, file: Path, where: str, options: dict[str, Any]
) -> dict[str, Any]:
    """Option values that name files are relative to the config directory; they must exist."""
    for key in PATH_OPTIONS:
        if key in options:
            full = loader.inside(file, f"{where}.{key}", str(options[key]))
            if full is None:
                continue
            if not full.is_file():
                loader.add(file, f"{where}.{key}", msg("cfg.no_file", value=options[key]))
            options[key] = str(full)
    return options


def _campaigns(
    loader: _Loader,
    root: Path,
    specs: Iterable[tuple[Path, schema.CampaignSpec]],
    units: dict[str, Unit],
    topics: Topics,
) -> dict[str, Campaign]:
    """Campaign topics and `match.topics` are resolved through topics.yaml (NFC, any case)."""
    campaigns: dict[str, Campaign] = {}
    for path, c in specs:
        if c.id in campaigns:
            loader.add(path, "id", msg("cfg.dup_campaign", id=c.id))
            continue
        codes, problems = select_units(c.units, units)
        loader.unit_problems(path, "units", problems)
        sources = []
        for j, s in enumerate(c.sources):
            for field in ("path", "fallback"):
                rel = getattr(s, field)
                if rel is None or loader.inside(path, f"sources.{j}.{field}", rel) is None:
                    continue
                if not (root / rel).exists():
                    loader.add(path, f"sources.{j}.{field}", msg("cfg.no_file", value=rel))
            sources.append(
                Source(
                    f"{c.id}.{s.id}",
                    s.kind,
                    s.path,
                    s.url,
                    s.interval,
                    topics.resolve_all(s.topics or c.topics),
                    s.fallback,
                )
            )
        _check_quotas(loader, path, c.quotas, c.quotas_key)
        campaigns[c.id] = Campaign(
            id=c.id,
            title=nfc(c.title),
            start=c.period.start,
            end=c.period.end,
            topics=topics.resolve_all(c.topics),
            sources=tuple(sources),
            units=tuple(codes),
            channels=tuple(c.channels),
            schedule=_schedule(c.schedule),
            approval=c.approval == "required",
            match_topics=topics.resolve_all(c.match.topics) if c.match else (),
            match_keywords=tuple(nfc(k) for k in c.match.keywords) if c.match else (),
            cap_per_day=c.cap_per_day,
            backfill=c.backfill,
            **campaign_hashtags(c.hashtags),
            quotas={k: dict(v) for k, v in c.quotas.items()},
            file=loader.rel(path),
        )
    return campaigns


MEASURES = ("website", "screen", "sms", "facebook", "zalo", "loudspeaker", "article", "video")
QUARTERS = ("Q1", "Q2", "Q3", "Q4")


def _check_quotas(loader: _Loader, path: Path, quotas: dict[str, dict[str, int]], key: str) -> None:
    """Per-unit quotas {measure: {Q1: n, ...}}, not negative; `key` is the file's name for them."""
    for measure, quarters in quotas.items():
        if measure not in MEASURES:
            guess = close(measure, MEASURES)
            loader.add(
                path,
                f"{key}.{measure}",
                msg("cfg.measure_guess", value=measure, choices=", ".join(MEASURES), guess=guess)
                if guess
                else msg("cfg.measure", value=measure, choices=", ".join(MEASURES)),
            )
        for quarter, count in quarters.items():
            if quarter not in QUARTERS:
                loader.add(path, f"{key}.{measure}.{quarter}", msg("cfg.quarter", value=quarter))
            elif count < 0:
                loader.add(path, f"{key}.{measure}.{quarter}", msg("cfg.negative_quota"))


def _schedule(s: schema.ScheduleSpec) -> Schedule:
    if s.at:
        return Schedule("at", at=tuple(sorted(_aware(t) for t in s.at)))
    if s.cron:
        return Schedule("cron", cron=s.cron)
    return Schedule("on_new_item")


def _aware(t: dt.datetime) -> dt.datetime:
    return t.replace(tzinfo=TZ) if t.tzinfo is None else t
