"""Content that staff keep as files under config/: Markdown articles and a YAML list of videos."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml
from markdown_it import MarkdownIt

from campaigns.dates import parse_when
from campaigns.explain import close
from campaigns.frontmatter import ARTICLE_FIELDS, VIDEO_FIELDS
from campaigns.hygiene import check_item
from campaigns.i18n import Msg, msg, t
from campaigns.model import Item, Source, item_key
from campaigns.text import nfc, plain_text, sanitise_html, shorten, watch_url, youtube_id
from campaigns.topics import normalise_topic

SUMMARY_LIMIT = 300
MAX_FILE_BYTES = 1_000_000
"""A Markdown article or video list over 1 MB is refused (a 10 MB file once became a 10 MB post)."""

_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*(?:\r?\n|\Z)", re.S | re.M)
_MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable("table")


class ContentError(Exception):
    """Content an editor must fix; names every file and field at fault, not just the first."""

    def __init__(
        self, path: Path | str, field: str, problem: str | Msg, line: int | None = None
    ) -> None:
        self.path = str(path)
        self.field = field
        self.problem = problem
        self.line = line
        self.problems: tuple[ContentError, ...] = (self,)
        at = " " + t("config.line", line=line) if line else ""
        super().__init__(f"{path}: {field}: {problem}{at}" if field else f"{path}: {problem}{at}")

    @classmethod
    def combine(cls, errors: Sequence[ContentError]) -> ContentError:
        """One error carrying every problem of `errors`, listed one per line."""
        flat = tuple(p for e in errors for p in e.problems)
        if len(flat) == 1:
            return flat[0]
        combined = cls(flat[0].path, flat[0].field, flat[0].problem, flat[0].line)
        combined.problems = flat
        lines = "\n".join(f"  - {p}" for p in flat)
        combined.args = (t("content.problems", count=len(flat)) + f"\n{lines}",)
        return combined


def merge_topics(source: Source, terms: Iterable[str]) -> tuple[str, ...]:
    """The source's plan topics, then the item's own terms, without repeats."""
    topics = list(source.topics)
    for term in terms:
        norm = normalise_topic(term)
        if norm and norm not in topics:
            topics.append(norm)
    return tuple(topics)


def load_articles(directory: Path, source: Source) -> tuple[Item, ...]:
    """Every *.md under `directory` as an article; raises ContentError listing all problems."""
    items, error = read_articles(directory, source)
    if error is not None:
        raise error
    return items


def read_articles(directory: Path, source: Source) -> tuple[tuple[Item, ...], ContentError | None]:
    """The articles that are fine, and one error naming every file that is not.

    One bad file must not hold back the rest of its folder: ingest stores the good ones and
    shows the error for the source. A missing folder is an error with no items.
    """
    if not directory.is_dir():
        return (), ContentError(directory, "", msg("content.no_dir"))
    items: list[Item] = []
    errors: list[ContentError] = []
    for path in sorted(directory.rglob("*.md")):
        try:
            items.append(_article(path, directory, source))
        except ContentError as e:
            errors.append(e)
    return tuple(items), ContentError.combine(errors) if errors else None


def _article(path: Path, directory: Path, source: Source) -> Item:
    meta, body = _front_matter(path)
    problems: list[ContentError] = []
    check = _Fields(path, "", problems)
    check.unknown(meta, ARTICLE_FIELDS)
    title = check.text(meta, "title", required=True)
    link = check.url(meta, "link")
    body_html = sanitise_html(_MARKDOWN.render(nfc(body)), base_url=link)
    video = meta.get("video")
    image = meta.get("image")
    name = path.relative_to(directory).as_posix()
    item = Item(
        key=item_key(source.id, name),
        guid=name,
        kind="article",
        title=title,
        summary=check.text(meta, "summary") or shorten(plain_text(body_html), SUMMARY_LIMIT),
        body_html=body_html,
        link=link,
        video_url=check.video(video, "video") if video is not None else None,
        image_url=check.image(image, path.parent) if image is not None else None,
        published=check.when(meta.get("published"), "published"),
        topics=merge_topics(source, check.topics(meta.get("topics"), "topics")),
        source=source.id,
    )
    if problems:
        raise ContentError.combine(problems)
    return check_item(item, folder=directory)


def _front_matter(path: Path) -> tuple[dict[str, Any], str]:
    text = _read(path).lstrip("\ufeff")
    match = _FRONT.match(text)
    if not match:
        opened = re.match(r"\A---[ \t]*\r?\n", text) is not None
        raise ContentError(
            path, "front matter", msg("content.unclosed" if opened else "content.no_front"), 1
        )
    meta = _yaml(path, match.group(1), "front matter", line_offset=1)
    if not isinstance(meta, dict):
        raise ContentError(path, "front matter", msg("content.front_lines"), 2)
    return meta, text[match.end() :]


def _read(path: Path) -> str:
    """The file's text; refused over MAX_FILE_BYTES or when it is not UTF-8."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ContentError(path, "", msg("content.too_big", size=f"{size / 1_000_000:.1f}"))
        with path.open("rb") as f:  # read no more than the cap, even if it grew meanwhile
            data = f.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise ContentError(path, "", msg("content.too_big", size="> 1"))
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as e:
            line = data[: e.start].count(b"\n") + 1
            raise ContentError(path, "", msg("cfg.not_utf8", line=line), line) from e
    except FileNotFoundError as e:
        raise ContentError(path, "", msg("content.no_file")) from e
    except OSError as e:
        raise ContentError(path, "", msg("cfg.cannot_read", detail=e.strerror or e)) from e


def _yaml(path: Path, text: str, field: str, line_offset: int = 0) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 + line_offset if mark else None
        detail = getattr(e, "problem", e)
        raise ContentError(path, field, msg("content.yaml", detail=detail), line) from e


def load_videos(path: Path, source: Source) -> tuple[Item, ...]:
    """A YAML list of YouTube links as video items; raises ContentError listing all problems."""
    text = _read(path)
    entries = _yaml(path, text, "")
    if not isinstance(entries, list):
        raise ContentError(path, "", msg("content.video_list"))
    problems: list[ContentError] = []
    items: dict[str, Item] = {}
    for n, entry in enumerate(entries, start=1):
        item = _video(path, f"entry {n}", entry, source, problems)
        if item is not None and item.key in items:
            problems.append(ContentError(path, f"entry {n}.url", msg("content.video_twice")))
        elif item is not None:
            items[item.key] = item
    if problems:
        raise ContentError.combine(problems)
    return tuple(items.values())


def _video(
    path: Path, where: str, entry: Any, source: Source, problems: list[ContentError]
) -> Item | None:
    if not isinstance(entry, dict):
        problems.append(ContentError(path, where, msg("content.entry_lines")))
        return None
    before = len(problems)
    check = _Fields(path, f"{where}.", problems)
    check.unknown(entry, VIDEO_FIELDS)
    title = check.text(entry, "title", required=True)
    url = check.video(entry.get("url"), "url")
    summary = check.text(entry, "summary")
    published = check.when(entry.get("published"), "published")
    topics = merge_topics(source, check.topics(entry.get("topics"), "topics"))
    video_id = youtube_id(url) if url else None
    if len(problems) > before or video_id is None:
        return None
    return check_item(
        Item(
            key=f"{source.id}:yt:{video_id}",
            guid=f"yt:{video_id}",
            kind="video",
            title=title,
            summary=summary,
            body_html=f"<p>{html.escape(summary)}</p>" if summary else "",
            link=url,
            video_url=url,
            image_url=f"https://i.ytimg.com/vi/{video_id}/hqdefault.jpg",
            published=published,
            topics=topics,
            source=source.id,
        )
    )


class _Fields:
    """Reads fields of one front matter or list entry, recording each problem instead of raising."""

    def __init__(self, path: Path, prefix: str, problems: list[ContentError]) -> None:
        self.path, self.prefix, self.problems = path, prefix, problems

    def add(self, field: str, problem: Msg) -> None:
        self.problems.append(ContentError(self.path, f"{self.prefix}{field}", problem))

    def unknown(self, meta: dict[Any, Any], known: tuple[str, ...]) -> None:
        for key in meta:
            if key not in known:
                guess = close(str(key), known)
                listed = ", ".join(known)
                self.add(
                    str(key),
                    msg("content.unknown_guess", key=key, guess=guess, known=listed)
                    if guess
                    else msg("content.unknown", key=key, known=listed),
                )

    def text(self, meta: dict[str, Any], field: str, *, required: bool = False) -> str:
        value = meta.get(field)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.add(field, msg("content.required", key=field))
            return ""
        if not isinstance(value, str | int | float):
            self.add(field, msg("content.text"))
            return ""
        text = plain_text(str(value))  # text, never markup: tags go, entities decoded once
        if required and not text:
            self.add(field, msg("content.no_text"))
        return text

    def url(self, meta: dict[str, Any], field: str) -> str | None:
        value = meta.get(field)
        if value is None:
            return None
        if not isinstance(value, str) or not re.match(r"^https?://[^\s/]+", value.strip()):
            self.add(field, msg("content.url", value=value))
            return None
        return value.strip()

    def video(self, value: Any, field: str) -> str | None:
        video_id = youtube_id(value.strip()) if isinstance(value, str) else None
        if video_id is None:
            self.add(field, msg("content.video", value=value))
            return None
        return watch_url(video_id)

    def image(self, value: Any, folder: Path) -> str | None:
        if isinstance(value, str) and re.match(r"^https?://", value.strip()):
            return value.strip()
        local = folder / value if isinstance(value, str) and value.strip() else None
        if local is None or not local.is_file():
            self.add("image", msg("content.image", value=value))
            return None
        return local.resolve().as_uri()

    def when(self, value: Any, field: str) -> dt.datetime | None:
        if value is None:
            return None
        moment = parse_when(value)
        if moment is None:
            self.add(field, msg("content.date", value=value))
        return moment

    def topics(self, value: Any, field: str) -> list[str]:
        if value is None:
            return []
        if isinstance(value, str):
            return [value]
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return value
        self.add(field, msg("content.topics"))
        return []
