"""What `loa check` finds beyond the config files: the content each campaign reads, and
whether its units can publish to its channels at all.

Problems (exit 2) are what a run would trip on: an unreadable or malformed article or video
list, an item dated outside its campaign's period (it would never be published), a channel
none of a campaign's units has a target for. Notes are shown and do not fail the check: a
few of a campaign's units without a target for one of its channels.
Every finding names the file and, where the text shows it, the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from campaigns.files import ContentError, load_videos, read_articles
from campaigns.i18n import msg
from campaigns.model import TZ, Campaign, Config, Item, Source
from campaigns.problems import Problem


@dataclass
class Findings:
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    items: int = 0

    def add(self, problem: Problem, *, note: bool = False) -> None:
        found = self.notes if note else self.problems
        if problem not in found:  # one folder read by two campaigns: named once
            found.append(problem)


def audit(config: Config) -> Findings:
    """Read every campaign's local content and compare its channels with the targets."""
    root = Path(config.root)
    found = Findings()
    for campaign in config.campaigns.values():
        for source in campaign.sources:
            if source.kind in {"files", "videos"} and source.path is not None:
                items = _content(root, source, found)
                found.items += len(items)
                for item in items:
                    _in_period(root, campaign, source, item, found)
        _coverage(config, campaign, found)
    return found


def _rel(root: Path, path: Path | str) -> str:
    try:
        return str(Path(path).resolve().relative_to(root.parent))
    except ValueError:
        return str(path)


def _content(root: Path, source: Source, found: Findings) -> tuple[Item, ...]:
    assert source.path is not None
    path = root / source.path
    error: ContentError | None
    if source.kind == "files":
        items, error = read_articles(path, source)
    else:
        try:
            items, error = load_videos(path, source), None
        except ContentError as e:
            items, error = (), e
    for p in error.problems if error else ():
        line = p.line or _line_of(Path(p.path), p.field)
        found.add(Problem(_rel(root, p.path), p.field, p.problem, line))
    return items


def _in_period(root: Path, campaign: Campaign, source: Source, item: Item, found: Findings) -> None:
    if item.published is None:
        return
    day = item.published.astimezone(TZ).date()
    if campaign.start <= day <= campaign.end:
        return
    assert source.path is not None
    if item.kind == "article" and item.guid:
        file = root / source.path / item.guid
        where, line = "published", _line_of(file, "published")
    else:
        file = root / source.path
        where, line = "published", _line_containing(file, item.video_id or "")
    message = msg(
        "audit.out_of_period",
        day=day.isoformat(),
        campaign=campaign.id,
        start=campaign.start.isoformat(),
        end=campaign.end.isoformat(),
    )
    found.add(Problem(_rel(root, file), where, message, line))


def _coverage(config: Config, campaign: Campaign, found: Findings) -> None:
    """Each channel of the campaign: which of its units have no target of that kind."""
    for kind in campaign.channels:
        lacking = [u for u in campaign.units if not config.targets_of(u, (kind,))]
        if not lacking:
            continue
        if len(lacking) == len(campaign.units):
            message = msg("audit.no_target", kind=kind, campaign=campaign.id)
            file = Path(config.root).parent / campaign.file
            found.add(
                Problem(campaign.file, "channels", message, _line_containing(file, "channels"))
            )
        else:
            message = msg(
                "audit.some_without_target",
                kind=kind,
                count=len(lacking),
                units=", ".join(lacking[:8]) + (", …" if len(lacking) > 8 else ""),
            )
            found.add(Problem(campaign.file, "channels", message), note=True)


def _line_of(path: Path, field_path: str) -> int | None:
    """The line of `field:` in an article's front matter (or of the file's start)."""
    name = field_path.rsplit(".", 1)[-1]
    if not name or name == "front matter" or path.suffix != ".md":
        return None
    key = re.compile(rf"^\s*{re.escape(name)}\s*:")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    for n, text in enumerate(lines[1:], start=2):
        if text.strip() == "---":
            break
        if key.match(text):
            return n
    return None


def _line_containing(path: Path, needle: str) -> int | None:
    if not needle:
        return None
    try:
        for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if needle in text:
                return n
    except (OSError, UnicodeDecodeError):
        return None
    return None
