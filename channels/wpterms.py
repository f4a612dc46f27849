"""A post's categories on one WordPress site: found by slug or by name, created when allowed.

Topics are slugs (`dich-vu-cong`) or a feed's own words (`phản ánh, kiến nghị`); a site's
categories have a slug and a name. A topic matches a category whose slug is the topic's
slug, or whose name reads the same (case, diacritics and punctuation aside), so a site that
named its category "Phản ánh, kiến nghị" (slug `phan-anh-kien-nghi`) gets it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from typing import Any

import requests

from campaigns.model import fold
from channels import http
from channels.errors import TransientError

Send = Callable[..., requests.Response]
"""The site's raw REST call: (method, route, *, params=..., json=...) -> the answer."""
Call = Callable[..., tuple[requests.Response, Any]]
"""The site's checked REST call: (method, route, what, *, params=..., json=...) -> JSON."""

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """The slug WordPress gives a name: no diacritics (đ -> d), lower case, words joined by -."""
    return _NOT_WORD.sub("-", fold(html.unescape(text))).strip("-")


def slug_of(topic: str) -> str:
    return topic if _SLUG.match(topic) else slugify(topic)


class Categories:
    """Term ids for wanted categories, cached for the transport's life (one site)."""

    def __init__(self, call: Call, send: Send, *, create: bool) -> None:
        self.call, self.send, self.create = call, send, create
        self.ids: dict[str, int | None] = {}
        self.refused = ""
        self.notes: list[str] = []

    def resolve(self, wanted: list[str], names: Mapping[str, str]) -> tuple[list[int], list[str]]:
        """(term ids, warnings): what is missing is named, never silently dropped."""
        slugs = {slug_of(w): names.get(w) or w for w in wanted if slug_of(w)}
        new = [s for s in slugs if s not in self.ids]
        if new:
            self._by_slug(new)
        for slug in [s for s in new if self.ids.get(s) is None]:
            self.ids[slug] = self._by_name(slugs[slug], slug)
        missing = [s for s in new if self.ids.get(s) is None]
        self.notes = []
        if missing and self.create:
            for slug in missing:
                self.ids[slug] = self._create(slugs[slug], slug)
        warnings = list(self.notes)
        if self.refused:
            warnings.append(self.refused)
        absent = [slugs[s] for s in slugs if self.ids.get(s) is None]
        if absent:
            warnings.append(
                f"categories {', '.join(absent)} do not exist on the site; posted without them"
            )
        ids = [i for s in slugs if (i := self.ids.get(s)) is not None]
        return list(dict.fromkeys(ids)), warnings

    def _by_slug(self, slugs: list[str]) -> None:
        params = {"slug": ",".join(slugs), "per_page": "100"}
        for term in self._terms(params, "resolve categories"):
            self.ids[str(term.get("slug"))] = term["id"]
        for slug in slugs:
            self.ids.setdefault(slug, None)

    def _by_name(self, name: str, slug: str) -> int | None:
        """The category whose name reads as `name` (WordPress searches names and slugs)."""
        params = {"search": name, "per_page": "100"}
        for term in self._terms(params, "find category by name"):
            term_name = str(term.get("name", ""))
            if slugify(term_name) == slug or fold(html.unescape(term_name)) == fold(name):
                return int(term["id"])
        return None

    def _terms(self, params: dict[str, str], what: str) -> list[dict[str, Any]]:
        _, terms = self.call("GET", "categories", what, params=params)
        if not isinstance(terms, list):
            raise TransientError(f"{what}: the answer is not a list of terms")
        return [t for t in terms if isinstance(t, dict) and isinstance(t.get("id"), int)]

    def _create(self, name: str, slug: str) -> int | None:
        """A new category; one that exists already (`term_exists`) gives its id. A role that
        may not create terms is noted once, and the post goes without the category."""
        if self.refused:
            return None
        response = self.send("POST", "categories", json={"name": name, "slug": slug})
        answer = http.json_or_none(response)
        body: dict[str, Any] = answer if isinstance(answer, dict) else {}
        data: dict[str, Any] = body["data"] if isinstance(body.get("data"), dict) else {}
        if response.status_code in (200, 201) and isinstance(body.get("id"), int):
            return int(body["id"])
        if body.get("code") == "term_exists" and isinstance(data.get("term_id"), int):
            return int(data["term_id"])
        if response.status_code in (401, 403):
            self.refused = (
                f"categories not created: {body.get('code') or response.status_code} "
                "(the user's role lacks manage_categories; an editor has it)"
            )
            return None
        if http.is_transient(response.status_code):
            raise http.error_for(response, "create category", str(body.get("code", "")))
        said = " ".join(str(body.get("message", "")).split())[:200]
        self.notes.append(
            f"category {name} not created: HTTP {response.status_code} {body.get('code')}: {said}"
        )
        return None
