"""Posts to an agency WordPress site over its REST API, signed in with an Application Password."""

from __future__ import annotations

import logging
from typing import Any, ClassVar

import requests

from campaigns.model import Target
from channels import http
from channels.base import Message, Receipt, Transport
from channels.errors import ChannelError, ConfigurationError, PermanentError, TransientError
from channels.wpmedia import featured, fetcher
from channels.wpterms import Categories

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
COMMENTS = ("closed", "open")
POST_DATES = ("publish", "item")


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
                f"target {target.id}: options.categories must be a list of slugs or names"
            )
        self.categories: tuple[str, ...] = tuple(categories)
        for option, allowed in (("comment_status", COMMENTS), ("post_date", POST_DATES)):
            value = target.options.get(option, allowed[0])
            if value not in allowed:
                raise ConfigurationError(
                    f"target {target.id}: options.{option} must be one of {allowed}, not {value!r}"
                )
        self.terms = Categories(
            self._call, self._send, create=http.flag(target, "create_categories", False)
        )
        self.fetch = fetcher(self.session, self.timeout)

    def publish(self, message: Message) -> Receipt:
        """Create the post (after its featured image); a post already under the slug is returned."""
        if self.precheck and (found := self.lookup(message)) is not None:
            log.info(
                "post %s is already on %s, not publishing it again", found.remote_id, self.target.id
            )
            return found
        payload, warnings = self._payload(message)
        image = featured(self._call, self.fetch, message, payload["slug"])
        if image.media_id is not None:
            payload["featured_media"] = image.media_id
        warnings += image.warnings
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
            "comment_status": str(
                body.get("comment_status") or self.target.options.get("comment_status", "closed")
            ),
        }
        if body.get("date_gmt"):
            payload["date_gmt"] = str(body["date_gmt"])
        wanted = [*self.categories, *map(str, body.get("categories") or ())]
        names = body.get("category_names")
        ids, warnings = self.terms.resolve(
            list(dict.fromkeys(wanted)), names if isinstance(names, dict) else {}
        )
        if ids:
            payload["categories"] = ids
        for warning in warnings:
            log.warning("%s: %s", self.target.id, warning)
        return payload, warnings

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

    def _send(
        self, method: str, route: str, *, params: dict[str, str] | None = None, **kw: Any
    ) -> requests.Response:
        """One signed REST call (never redirected), its answer as it came."""
        url = f"{self.base}/wp-json/wp/v2/{route}"
        query = dict(params or {})
        if self.rest_route:
            url, query = f"{self.base}/", {"rest_route": f"/wp/v2/{route}", **query}
        return http.send(
            self.session,
            method,
            url,
            timeout=self.timeout,
            params=query,
            auth=self.auth,
            allow_redirects=False,
            **kw,
        )

    def _call(
        self, method: str, route: str, what: str, *, params: dict[str, str] | None = None, **kw: Any
    ) -> tuple[requests.Response, Any]:
        """One signed REST call; the answer's JSON, or its classified error."""
        response = self._send(method, route, params=params, **kw)
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
