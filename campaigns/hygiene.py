"""The one check every item passes at ingest: only http(s) links, plain text, bounded titles.

Sources (feeds, Markdown files, video lists) build an Item, then hand it to `check_item`, so
every channel gets only web addresses it may publish and text that is text. What is dropped
or cut is written on the item's `warnings` for the operator.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote, urlparse

from campaigns.model import Item
from campaigns.text import plain_text, shorten, web_url

TITLE_LIMIT = 500
"""Characters of a title; a longer one is shortened (a 100 KB title once made a 600 KB post)."""


def check_item(item: Item, *, folder: Path | None = None) -> Item:
    """`item` with unsafe links dropped, markup gone from its plain text and its title bounded.

    `folder` is a files source's content folder: a `file:` image inside it stays (it never
    leaves loa: formats publish http(s) images only); anything else that is not http(s) goes.
    """
    warnings = list(item.warnings)
    title = plain_text(item.title, entities=False)
    if len(title) > TITLE_LIMIT:
        warnings.append(f"title shortened from {len(title)} to {TITLE_LIMIT} characters")
        title = shorten(title, TITLE_LIMIT)
    link = _checked("link", item.link, warnings)
    video = _checked("video", item.video_url, warnings)
    image = item.image_url
    if image is not None and not (folder is not None and _inside(image, folder)):
        image = _checked("image", image, warnings)
    return replace(
        item,
        title=title,
        summary=plain_text(item.summary, entities=False),
        link=link,
        video_url=video,
        image_url=image,
        warnings=tuple(warnings),
    )


def _checked(name: str, url: str | None, warnings: list[str]) -> str | None:
    if url is None:
        return None
    safe = web_url(url)
    if safe is None:
        scheme = urlparse(url).scheme[:20] or "no scheme"
        # Name the scheme, not the address: a hostile link is not copied into logs and pages.
        warnings.append(f"{name} dropped: not an http(s) web address ({scheme})")
    return safe


def _inside(url: str, folder: Path) -> bool:
    """Whether `url` is a file: URI of a file inside `folder` (after resolving links and ..)."""
    parsed = urlparse(url)
    if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
        return False
    path = Path(unquote(parsed.path)).resolve()
    return path.is_file() and path.is_relative_to(folder.resolve())
