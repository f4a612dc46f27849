"""The HTML of a website post: YouTube players in privacy mode, links WordPress will not embed,
and no text left outside a paragraph.

WordPress auto-embeds a URL that stands alone on a line or alone in a paragraph
(WP_Embed::autoembed), with the provider's ordinary player: a bare YouTube URL would become
a youtube.com player that sets cookies, beside or instead of the privacy-mode one loa wants.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from campaigns.text import embed_url, watch_url, youtube_id

WATCH_TEXT = "Xem video trên YouTube"
"""The text of the link under a video: a link with text, which WordPress does not embed."""

BLOCKS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "details",
        "dialog",
        "div",
        "dl",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "ul",
        "iframe",
    ]
)
"""Elements that stand as blocks of their own; anything else at the top level is inline."""

# A URL alone on its line, or alone in a paragraph (as WP_Embed::autoembed finds them).
_OWN_LINE = re.compile(r"^([ \t]*)(https?://[^\s<>\"]+)([ \t]*)$", re.M | re.I)
_OWN_PARAGRAPH = re.compile(r"<p(?: [^>]*)?>\s*(https?://[^\s<>\"]+)\s*</p>", re.I)


def video_html(video_id: str, title: str) -> str:
    """A privacy-mode player, then a real link to the watch page (one WordPress leaves alone)."""
    watch = html.escape(watch_url(video_id))
    return (
        f'<figure class="loa-video"><iframe width="960" height="540" src="{embed_url(video_id)}" '
        f'title="{html.escape(title)}" loading="lazy" allowfullscreen '
        f'referrerpolicy="strict-origin-when-cross-origin"></iframe></figure>\n'
        f'<p><a href="{watch}">{WATCH_TEXT}</a></p>'
    )


def embed_bare_urls(fragment: str, title: str, skip: str | None = None) -> str:
    """Each URL standing alone (on its line or in its paragraph): a YouTube one becomes the
    privacy-mode player (none for the video `skip`, already shown), any other a plain link."""

    def replace(match: re.Match[str], url_group: int) -> str:
        url = html.unescape(match.group(url_group))
        video = youtube_id(url)
        if video is not None:
            return "" if video == skip else video_html(video, title)
        shown = html.escape(url)
        return f'<p><a href="{shown}">{shown}</a></p>'

    fragment = _OWN_PARAGRAPH.sub(lambda m: replace(m, 1), fragment)
    return _OWN_LINE.sub(lambda m: replace(m, 2), fragment)


class _Paragraphs(HTMLParser):
    """Re-emits a fragment with top-level text and inline elements gathered into <p>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.loose: list[str] = []
        self.depth = 0  # elements open inside a top-level block
        self.inline = 0  # elements open inside the loose run

    def flush(self) -> None:
        run = "".join(self.loose)
        self.loose = []
        if run.strip():
            self.out.append(f"<p>{run.strip()}</p>")
        elif run:
            self.out.append(run)

    def _add(self, raw: str) -> None:
        (self.out if self.depth else self.loose).append(raw)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raw = self.get_starttag_text() or f"<{tag}>"
        opens = tag not in _VOID
        if self.depth == 0 and self.inline == 0 and tag in BLOCKS:
            self.flush()
            self.out.append(raw)
            self.depth += opens
        elif self.depth:
            self.out.append(raw)
            self.depth += opens
        else:
            self.loose.append(raw)
            self.inline += opens

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raw = self.get_starttag_text() or f"<{tag}/>"
        if self.depth == 0 and self.inline == 0 and tag in BLOCKS:
            self.flush()
            self.out.append(raw)
        else:
            self._add(raw)

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.out.append(f"</{tag}>")
            self.depth -= tag not in _VOID
        elif self.inline:
            self.loose.append(f"</{tag}>")
            self.inline -= tag not in _VOID

    def handle_data(self, data: str) -> None:
        self._add(data)

    def handle_entityref(self, name: str) -> None:
        self._add(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self._add(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        self._add(f"<!--{data}-->")


_VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    ]
)


def paragraphs(fragment: str) -> str:
    """`fragment` (well-formed, as nh3 leaves it) with no text outside a block: a leading
    "Văn bản <b>đậm</b><p>…</p>" becomes "<p>Văn bản <b>đậm</b></p><p>…</p>"."""
    parser = _Paragraphs()
    parser.feed(fragment)
    parser.close()
    parser.flush()
    return "".join(parser.out)
