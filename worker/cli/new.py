"""`loa new campaign` and `loa new article`: a few questions, a valid commented file, a check.

Each question has an option (worker/cli/authoring.py), so scripts and tests need no terminal;
`--no-input` takes the default of every question not given. An answer that cannot be used is
asked again on a terminal, and refused (exit 2) when it came as an option. Nothing is ever
overwritten. Once written, the file is checked as `loa check` checks the config.
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml

from campaigns.config import load_config
from campaigns.dates import config_date
from campaigns.model import CHANNEL_KINDS, TZ, UNIT_KINDS, Campaign, fold
from campaigns.schemafiles import FOLDER, write
from campaigns.yamlsafe import safe_yaml
from worker.cli.exits import BadInput
from worker.cli.newfiles import article_text, campaign_text, check_article
from worker.cli.prompts import language, say

T = TypeVar("T")
ATTEMPTS = 5


class Asker:
    """Asks one question at a time: the option's value, else the terminal, else the default."""

    def __init__(self, lang: str, no_input: bool) -> None:
        self.lang, self.no_input = lang, no_input

    def ask(self, key: str, given: str | None, default: str, parse: Callable[[str], T]) -> T:
        if given is not None:
            try:
                return parse(given.strip())
            except ValueError as e:
                raise BadInput(f"--{key.rsplit('_', maxsplit=1)[-1]}: {e}") from e
        if self.no_input:
            try:
                return parse(default)
            except ValueError as e:
                raise BadInput(f"{say(key, self.lang)}: {e}") from e
        for _ in range(ATTEMPTS):
            shown = f" [{default}]" if default else ""
            print(f"{say(key, self.lang)}{shown}: ", end="", flush=True)
            line = sys.stdin.readline()
            if not line:  # end of input: nothing more will come
                raise BadInput(f"{say(key, self.lang)}: {say('required', self.lang)}")
            try:
                return parse(line.strip() or default)
            except ValueError as e:
                print(say("again", self.lang, why=e))
        raise BadInput(f"{say(key, self.lang)}: {say('required', self.lang)}")


def slug(text: str, limit: int = 60) -> str:
    """'Ngày Pháp luật Việt Nam 9/11' -> 'ngay-phap-luat-viet-nam-9-11'."""
    words = re.findall(r"[a-z0-9]+", fold(text))
    return "-".join(words)[:limit].strip("-")


def _required(text: str) -> str:
    if not text:
        raise ValueError("a value is needed")
    return text


def _campaign_id(text: str) -> str:
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,79}", text):
        suggestion = slug(text)
        hint = f"; for example '{suggestion}'" if suggestion else ""
        raise ValueError(f"'{text}' is not an id: use a-z, 0-9 and '-'{hint}")
    return text


def _listed(text: str) -> list[str]:
    return [p.strip() for p in text.split(",") if p.strip()]


def _channels(text: str) -> list[str]:
    kinds = _listed(text)
    bad = [k for k in kinds if k not in CHANNEL_KINDS]
    if bad or not kinds:
        raise ValueError(f"use some of {', '.join(CHANNEL_KINDS)} (got {text!r})")
    return kinds


def _units_parser(codes: list[str]) -> Callable[[str], str | list[str] | dict[str, str]]:
    def parse(text: str) -> str | list[str] | dict[str, str]:
        if text in ("all", ""):
            return "all"
        if text in UNIT_KINDS:
            return {"kind": text}
        given = _listed(text)
        for code in given:
            if codes and code not in codes:
                near = difflib.get_close_matches(code, codes, n=1)
                hint = f"; did you mean '{near[0]}'?" if near else ""
                raise ValueError(f"unknown unit '{code}'{hint}")
        return given

    return parse


def _count(text: str) -> int:
    if not text.isdigit():
        raise ValueError(f"write a whole number (got {text!r})")
    return int(text)


def _unit_codes(root: Path) -> list[str]:
    """The unit codes units.yaml lists, read leniently (the rest of the config may be broken)."""
    try:
        data = safe_yaml((root / "units.yaml").read_text(encoding="utf-8"))
        return [str(u["code"]) for u in data["units"] if isinstance(u, dict) and "code" in u]
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError):
        return []


def new(args: argparse.Namespace) -> int:
    lang = language(getattr(args, "lang", None))
    asker = Asker(lang, args.no_input)
    root = Path(args.config)
    if args.what == "campaign":
        path = new_campaign(root, args, asker)
    else:
        path = new_article(root, args, asker)
    print(say("wrote", lang, path=path))
    print(say("checking", lang))
    return run_check(root)


def write_schemas(args: argparse.Namespace) -> int:
    """`loa schema`: the JSON Schemas of the config files, into --out (or <config>/schemas)."""
    out = Path(args.out) if args.out else Path(args.config) / FOLDER
    for path in write(out):
        print(path)
    return 0


def run_check(root: Path) -> int:
    """The check `loa check` makes, with that command's own defaults."""
    from worker.cli import check  # noqa: PLC0415 (start-up: channels only when checking)
    from worker.cli.parser import build_parser  # noqa: PLC0415 (its defaults, whatever they are)

    return check.check(build_parser().parse_args(["--config", str(root), "check"]))


def _refuse_existing(path: Path, lang: str, error: type[Exception] = BadInput) -> None:
    """Refuse a file that exists: as bad input, or (ValueError) as an answer to ask again."""
    if path.exists():
        raise error(say("exists", lang, path=path))


def new_campaign(root: Path, args: argparse.Namespace, asker: Asker) -> Path:
    title = asker.ask("title", args.title, "", _required)

    def new_id(text: str) -> str:
        _refuse_existing(root / "campaigns" / f"{_campaign_id(text)}.yaml", asker.lang, ValueError)
        return text

    cid = asker.ask("id", args.id, slug(title), new_id)
    path = root / "campaigns" / f"{cid}.yaml"
    today = dt.datetime.now(TZ).date()
    start = asker.ask("start", args.start, today.isoformat(), config_date)
    end = asker.ask("end", args.end, f"{start.year}-12-31", config_date)
    if end < start:
        raise BadInput(f"{end} is before {start}")
    units = asker.ask("units", args.units, "all", _units_parser(_unit_codes(root)))
    channels = asker.ask("channels", args.channels, "website, facebook", _channels)
    topics = asker.ask("topics", args.topics, "", _listed)
    quota = asker.ask("quota", args.quota, "0", _count)
    values: dict[str, Any] = {
        "id": cid,
        "title": title,
        "start": start,
        "end": end,
        "units": units,
        "channels": channels,
        "topics": topics,
        "quota": quota,
    }
    text = campaign_text(values)
    (root / "content" / cid).mkdir(parents=True, exist_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as f:  # "x": never overwrite, even in a race
        f.write(text)
    return path


def _files_campaigns(root: Path, lang: str) -> dict[str, tuple[Campaign, Path]]:
    config = load_config(root)
    found = {}
    for c in config.campaigns.values():
        folders = [s.path for s in c.sources if s.kind == "files" and s.path]
        if folders:
            found[c.id] = (c, root / folders[0])
    if not found:
        raise BadInput(say("no_campaign", lang))
    return found


def new_article(root: Path, args: argparse.Namespace, asker: Asker) -> Path:
    choices = _files_campaigns(root, asker.lang)

    def pick(text: str) -> str:
        if text not in choices:
            near = difflib.get_close_matches(text, list(choices), n=1)
            hint = f"did you mean '{near[0]}'? " if near else ""
            raise ValueError(f"unknown campaign '{text}'; {hint}one of: {', '.join(choices)}")
        return text

    cid = asker.ask("campaign", args.campaign, next(iter(choices)), pick)
    campaign, folder = choices[cid]
    title = asker.ask("article_title", args.title, "", _required)
    summary = asker.ask("summary", args.summary, "", str)
    today = dt.datetime.now(TZ).date()
    default = today if campaign.start <= today <= campaign.end else campaign.start

    def inside(text: str) -> dt.date:
        day = config_date(text)
        if not campaign.start <= day <= campaign.end:
            raise ValueError(
                f"{day} is outside the campaign's period {campaign.start}..{campaign.end}"
            )
        return day

    published = asker.ask("published", args.published, default.isoformat(), inside)
    topics = asker.ask("topics", args.topics, ", ".join(campaign.topics), _listed)
    path = folder / f"{published.isoformat()}-{slug(title) or 'bai-viet'}.md"
    _refuse_existing(path, asker.lang)
    text = article_text(title, summary, published, topics, asker.lang)
    folder.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as f:
        f.write(text)
    check_article(path, folder)
    return path
