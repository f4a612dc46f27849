"""WordPress 6.x behaviour the fake shares: terms, unique slugs and the auto-embed of bare URLs.

- Categories: `GET /wp/v2/categories` takes `slug` (a list, comma-separated: wp_parse_slug_list)
  and `search` (name or slug, LIKE %…%, case-insensitive); names come back HTML-escaped
  (`&amp;`). `POST /wp/v2/categories` needs `manage_categories` (editor, administrator):
  anonymous gets 401 and any other role 403 `rest_cannot_create`; a name already used gives
  400 `term_exists` with `data.term_id`, a slug already used 400 `duplicate_term_slug`.
- WP_Embed::autoembed: a URL alone on its line, or alone in a paragraph, becomes the
  provider's player (YouTube: a youtube.com/embed iframe); an unknown one a link.
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Any

from tests.fakes.base import Response

MANAGE_CATEGORIES = frozenset({"editor", "administrator"})
_OWN_LINE = re.compile(r"^(\s*)(https?://[^\s<>\"]+)(\s*)$", re.M | re.I)
_OWN_PARAGRAPH = re.compile(r"(<p(?: [^>]*)?>\s*)(https?://[^\s<>\"]+)(\s*</p>)", re.I)
_YOUTUBE = re.compile(
    r"^https?://(?:www\.|m\.)?(?:youtube\.com/watch\?v=|youtu\.be/)([A-Za-z0-9_-]{11})", re.I
)


def wp_error(code: str, message: str, status: int, **data: Any) -> Response:
    """An error in WordPress' shape: {code, message, data: {status, ...}}."""
    return Response(status, {"code": code, "message": message, "data": {"status": status, **data}})


def sanitize_title(text: str) -> str:
    """WordPress' slug of a title: remove_accents (Vietnamese included, đ -> d), lower, dashes."""
    bare = unicodedata.normalize("NFD", html.unescape(text))
    bare = "".join(c for c in bare if unicodedata.category(c) != "Mn")
    bare = bare.replace("đ", "d").replace("Đ", "D").lower()
    return re.sub(r"[^a-z0-9_]+", "-", bare).strip("-")


def unique_slug(wanted: str, taken: set[str]) -> str:
    """wp_unique_post_slug: `-2`, `-3`… appended while the slug is taken."""
    slug, n = wanted, 2
    while slug in taken:
        slug, n = f"{wanted}-{n}", n + 1
    return slug


def autoembed(content: str) -> str:
    """What `content.rendered` shows for the raw content: lone URLs made players or links."""

    def embed(match: re.Match[str]) -> str:
        url = html.unescape(match.group(2))
        found = _YOUTUBE.match(url)
        if found is None:
            shown = html.escape(url)
            return f'{match.group(1)}<a href="{shown}">{shown}</a>{match.group(3)}'
        return (
            f'{match.group(1)}<iframe title="YouTube video player" width="500" height="281" '
            f'src="https://www.youtube.com/embed/{found.group(1)}?feature=oembed" '
            f'frameborder="0" allowfullscreen></iframe>{match.group(3)}'
        )

    if not re.search(r"(^|\s|>)https?://", content, re.I):
        return content
    content = _OWN_LINE.sub(embed, content)
    return _OWN_PARAGRAPH.sub(embed, content)


def list_terms(terms: list[dict[str, Any]], query: dict[str, list[str]]) -> list[dict[str, Any]]:
    """GET /wp/v2/categories: by `slug` list and `search`, at most `per_page` (default 10)."""
    slugs = [s for s in re.split(r"[,\s]+", query.get("slug", [""])[0]) if s]
    slugs += query.get("slug[]", [])
    search = query.get("search", [""])[0].casefold()
    per_page = int(query.get("per_page", ["10"])[0])
    found = [
        t
        for t in terms
        if (not slugs or t["slug"] in slugs)
        and (not search or search in t["name"].casefold() or search in t["slug"])
    ]
    return [{**t, "name": html.escape(t["name"], quote=False)} for t in found[:per_page]]


def create_term(
    terms: list[dict[str, Any]], role: str | None, fields: dict[str, Any], new_id: int
) -> Response:
    """POST /wp/v2/categories as WP_REST_Terms_Controller::create_item answers it."""
    if role is None:
        return wp_error(
            "rest_cannot_create",
            "Sorry, you are not allowed to create terms in this taxonomy.",
            401,
        )
    if role not in MANAGE_CATEGORIES:
        return wp_error(
            "rest_cannot_create",
            "Sorry, you are not allowed to create terms in this taxonomy.",
            403,
        )
    name = str(fields.get("name") or "").strip()
    if not name:
        return wp_error("rest_missing_callback_param", "Missing parameter(s): name", 400)
    same = next((t for t in terms if t["name"].casefold() == name.casefold()), None)
    if same is not None:
        message = "A term with the name provided already exists with this parent."
        return wp_error("term_exists", message, 400, term_id=same["id"])
    slug = sanitize_title(str(fields.get("slug") or name))
    if any(t["slug"] == slug for t in terms):
        message = f"The slug “{slug}” is already in use by another term."
        return wp_error("duplicate_term_slug", message, 400)
    term = {"id": new_id, "slug": slug, "name": name, "count": 0, "parent": 0}
    terms.append(term)
    return Response(201, {**term, "name": html.escape(name, quote=False)})
