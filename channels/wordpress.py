"""Posts to an agency WordPress site over its REST API, signed in with an Application Password."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any, ClassVar

import requests

from campaigns.model import Target
from channels import http
from channels.base import Attachment, Message, Receipt, Transport
from channels.errors import ChannelError, ConfigurationError, PermanentError, TransientError

log = logging.getLogger(__name__)

STATUSES = ("publish", "future", "draft", "pending", "private")
AUTH_CODES = frozenset(
    {
        "incorrect_password",
        "rest_not_logged_in",
        "invalid_username",
        "application_passwords_disabled",
    }
)
STRIPPED_HINT = (
    "WordPress saw no login: Apache/CGI may strip the Authorization header "
    '(add `SetEnvIf Authorization "(.*)" HTTP_AUTHORIZATION=$1`)'
)
_EXT = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "image/gif": ".gif"}


class WordPressTransport(Transport):
    """One post per Message under its deterministic slug, looked up first so it never doubles."""

    name: ClassVar[str] = "wordpress"
    kinds: ClassVar[tuple[str, ...]] = ("website",)
    can_lookup: ClassVar[bool] = True

    def __init__(self, target: Target, *, session: requests.Session | None = None) -> None:
        super().__init__(target, session=session)
        self.base = http.base_url(target)
        self.auth = (
            http.secret(target, "username") or "",
            http.secret(target, "app_password") or "",
        )
        self.status = str(target.options.get("status", "publish"))
        if self.status not in STATUSES:
            raise ConfigurationError(
                f"target {target.id}: options.status must be one of {STATUSES}"
            )
        self.rest_route = http.flag(target, "rest_route", False)
        self.precheck = http.flag(target, "precheck", True)
        categories = target.options.get("categories", [])
        if not isinstance(categories, list | tuple) or not all(
            isinstance(c, str) for c in categories
        ):
            raise ConfigurationError(
                f"target {target.id}: options.categories must be a list of slugs"
            )
        self.categories: tuple[str, ...] = tuple(categories)
        self._category_ids: dict[str, int | None] = {}

    def publish(self, message: Message) -> Receipt:
        """Create the post (after its featured image); a post already under the slug is returned."""
        if self.precheck and (found := self.lookup(message)) is not None:
            log.info(
                "post %s is already on %s, not publishing it again", found.remote_id, self.target.id
            )
            return found
        payload, warnings = self._payload(message)
        if message.attachments:
            payload["featured_media"] = self._upload(message.attachments[0], message)
        response, post = self._call("POST", "posts", "create post", json=payload)
        return self._receipt(response, post, payload, warnings)

    def lookup(self, message: Message) -> Receipt | None:
        """The post with exactly this slug in any status, or None (a `-2` variant is not ours)."""
        slug = _slug(message)
        params = {"slug": slug, "status": ",".join(STATUSES)}
        _, posts = self._call("GET", "posts", "look up post", params=params)
        if not isinstance(posts, list):
            raise TransientError("look up post: the answer is not a list of posts")
        for post in posts:
            if (
                isinstance(post, dict)
                and post.get("slug") == slug
                and isinstance(post.get("id"), int)
            ):
                detail = {"slug": slug, "status": post.get("status"), "found": True}
                return Receipt(str(post["id"]), url=post.get("link"), status=200, detail=detail)
        return None

    def _payload(self, message: Message) -> tuple[dict[str, Any], list[str]]:
        body = message.body
        payload: dict[str, Any] = {
            "title": str(body.get("title") or message.title),
            "content": str(body.get("content", "")),
            "excerpt": str(body.get("excerpt", "")),
            "slug": _slug(message),
            "status": str(body.get("status") or self.status),
        }
        if body.get("date_gmt"):
            payload["date_gmt"] = str(body["date_gmt"])
        ids, unknown = self._categories(body.get("categories") or ())
        if ids:
            payload["categories"] = ids
        warnings = []
        if unknown:
            log.warning(
                "categories %s do not exist on %s; posting without them", unknown, self.target.id
            )
            warnings.append(f"unknown categories: {', '.join(unknown)}")
        return payload, warnings

    def _categories(self, slugs: Iterable[str]) -> tuple[list[int], list[str]]:
        """Category slugs to term ids, one GET for those not seen before by this transport."""
        wanted = list(dict.fromkeys(str(s) for s in (*self.categories, *slugs) if s))
        missing = [s for s in wanted if s not in self._category_ids]
        if missing:
            params = {"slug": ",".join(missing), "per_page": "100"}
            _, terms = self._call("GET", "categories", "resolve categories", params=params)
            if not isinstance(terms, list):
                raise TransientError("resolve categories: the answer is not a list of terms")
            for term in terms:
                if isinstance(term, dict) and isinstance(term.get("id"), int):
                    self._category_ids[str(term.get("slug"))] = term["id"]
            for slug in missing:
                self._category_ids.setdefault(slug, None)
        ids = [i for s in wanted if (i := self._category_ids.get(s)) is not None]
        return ids, [s for s in wanted if self._category_ids.get(s) is None]

    def _upload(self, image: Attachment, message: Message) -> int:
        """Upload the featured image as raw bytes; its alt text is the post title."""
        filename = _slug(message) + _EXT.get(image.media_type, _suffix(image.filename))
        headers = {
            "Content-Type": image.media_type,
            "Content-Disposition": f'attachment; filename="{filename}"',
        }
        params = {"alt_text": message.title}
        _, media = self._call(
            "POST", "media", "upload image", data=image.data, headers=headers, params=params
        )
        if not isinstance(media, dict) or not isinstance(media.get("id"), int):
            raise TransientError("upload image: the answer carries no media id")
        return int(media["id"])

    def _receipt(
        self, response: requests.Response, post: Any, sent: dict[str, Any], warnings: list[str]
    ) -> Receipt:
        """The Receipt of a created post, noting what WordPress quietly changed."""
        if not isinstance(post, dict) or not isinstance(post.get("id"), int):
            raise TransientError(
                "create post: the answer carries no post id", status=response.status_code
            )
        post_id = post["id"]
        wanted_media = sent.get("featured_media")
        if wanted_media is not None and post.get("featured_media") != wanted_media:
            log.warning(
                "%s dropped featured image %s from post %s", self.target.id, wanted_media, post_id
            )
            warnings.append(
                f"featured image {wanted_media} was dropped (echoed {post.get('featured_media')})"
            )
        if post.get("slug") != sent["slug"]:
            log.warning("%s renamed slug %s to %s", self.target.id, sent["slug"], post.get("slug"))
            warnings.append(f"slug became {post.get('slug')}")
        detail: dict[str, Any] = {
            "slug": post.get("slug"),
            "status": post.get("status"),
            "location": response.headers.get("Location"),
            "featured_media": post.get("featured_media"),
        }
        if warnings:
            detail["warnings"] = warnings
        return Receipt(
            str(post_id), url=post.get("link"), status=response.status_code, detail=detail
        )

    def _call(
        self, method: str, route: str, what: str, *, params: dict[str, str] | None = None, **kw: Any
    ) -> tuple[requests.Response, Any]:
        """One signed REST call (never redirected); the answer's JSON, or its classified error."""
        url = f"{self.base}/wp-json/wp/v2/{route}"
        query = dict(params or {})
        if self.rest_route:
            url, query = f"{self.base}/", {"rest_route": f"/wp/v2/{route}", **query}
        response = http.send(
            self.session,
            method,
            url,
            timeout=self.timeout,
            params=query,
            auth=self.auth,
            allow_redirects=False,
            **kw,
        )
        if not 200 <= response.status_code < 300:
            raise self._error(response, f"{self.target.id}: {what}")
        return response, http.json_of(response, f"{self.target.id}: {what}")

    def _error(self, response: requests.Response, what: str) -> ChannelError:
        """Classify a WordPress error by its `code` first and its status second."""
        body = http.json_or_none(response)
        body = body if isinstance(body, dict) else {}
        code, status = str(body.get("code", "")), response.status_code
        said = " ".join(str(body.get("message", "")).split())[:200] or http.snippet(response)
        text = f"{what}: HTTP {status} {code or '(no code)'}: {said}"
        if code == "db_insert_error" or http.is_transient(status):
            return TransientError(text, retry_after=http.retry_after(response), status=status)
        if code in AUTH_CODES or code.startswith("rest_cannot_") or status in (401, 403):
            hint = _auth_hint(code, status)
            return PermanentError(f"{text} ({hint})", status=status)
        if code == "rest_invalid_param":
            data = body.get("data")
            params = data.get("params") if isinstance(data, dict) else None
            return PermanentError(f"{text} params={params}", status=status)
        if not code:
            return http.error_for(response, what, said)
        return PermanentError(text, status=status)


def _auth_hint(code: str, status: int) -> str:
    if code in ("incorrect_password", "invalid_username"):
        return "check the username and Application Password the target names"
    if status == 401:
        return STRIPPED_HINT
    return "the user's role lacks this capability"


def _slug(message: Message) -> str:
    slug = message.reference or str(message.body.get("slug", ""))
    if not slug:
        raise PermanentError("a website message needs a reference (its deterministic slug)")
    return slug


def _suffix(filename: str) -> str:
    match = re.search(r"\.[A-Za-z0-9]{1,5}$", filename)
    return match.group(0).lower() if match else ""
