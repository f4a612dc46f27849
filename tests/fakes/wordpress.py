"""A WordPress REST API that behaves as channels.md §1 says, its errors and gotchas included."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
from typing import Any
from urllib.parse import parse_qs

from tests.fakes.base import Handler, Request, Response
from tests.fakes.routed import RoutedFake
from tests.fakes.wordpress_parts import (
    autoembed,
    create_term,
    list_terms,
    sanitize_title,
    unique_slug,
    wp_error,
)

API = "/wp-json/wp/v2"
STATUSES = ("publish", "future", "draft", "pending", "private")
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
_FILENAME = re.compile(r"filename\*?=(?:UTF-8'')?\"?([^\";]+)\"?", re.I)


def invalid_param(**params: str) -> Response:
    names = ", ".join(params)
    return wp_error("rest_invalid_param", f"Invalid parameter(s): {names}", 400, params=params)


NOT_LOGGED_IN = wp_error("rest_not_logged_in", "You are not currently logged in.", 401)
UNKNOWN_USER = wp_error(
    "invalid_username",
    "Unknown username. Check again or try your email address.",
    401,
)
BAD_PASSWORD = wp_error(
    "incorrect_password", "The provided password is an invalid application password.", 401
)


class FakeWordPress(RoutedFake):
    """Posts, media and categories in memory; `users` maps user names to application passwords,
    `roles` user names to their role (editor unless said)."""

    def __init__(self, users: dict[str, str] | None = None) -> None:
        super().__init__()
        self.users = users if users is not None else {"editor": "abcd efgh ijkl mnop"}
        self.roles: dict[str, str] = {}
        self.reset()

    def reset(self) -> None:
        super().reset()
        self.posts: dict[int, dict[str, Any]] = {}
        self.media: dict[int, dict[str, Any]] = {}
        self.categories = [
            {"id": 3, "slug": "tin-tuc", "name": "Tin tức"},
            {"id": 7, "slug": "cai-cach-hanh-chinh", "name": "Cải cách hành chính"},
        ]
        self.max_upload = 2 * 1024 * 1024
        self._next = 100

    def routes(self) -> list[tuple[str, str, Handler]]:
        return [
            ("POST", f"{API}/media/", self.update_media),
            ("POST", f"{API}/media", self.upload),
            ("GET", f"{API}/media", self.list_media),
            ("POST", f"{API}/posts", self.create_post),
            ("GET", f"{API}/posts", self.list_posts),
            ("GET", f"{API}/categories", self.list_categories),
            ("POST", f"{API}/categories", self.create_category),
            ("GET", f"{API}/users/me", self.me),
        ]

    def normalise(self, request: Request) -> Request:
        """Serve `/?rest_route=/wp/v2/...` as `/wp-json/wp/v2/...` (pretty permalinks off)."""
        route = request.query.get("rest_route", [""])[0]
        if request.path == "/" and route:
            request.path = "/wp-json" + route
        return request

    def user(self, request: Request) -> tuple[str | None, Response | None]:
        """Application Password auth: a wrong one fails the request, a missing one is anonymous.

        As wp_authenticate_application_password: an unknown login is `invalid_username`, a
        known one with a wrong password `incorrect_password`, both 401."""
        header = request.headers.get("authorization", "")
        if not header.startswith("Basic "):
            return None, None
        name, _, password = base64.b64decode(header[6:]).decode().partition(":")
        if name not in self.users:
            return None, UNKNOWN_USER
        if self.users.get(name) != password:
            return None, BAD_PASSWORD
        return name, None

    def me(self, request: Request) -> Response:
        """`GET /wp/v2/users/me`: the signed-in user, or 401 rest_not_logged_in without one."""
        name, failed = self.user(request)
        if failed or name is None:
            return failed or NOT_LOGGED_IN
        return Response(200, {"id": 1, "name": name, "slug": name, "roles": ["editor"]})

    def upload(self, request: Request) -> Response:
        name, failed = self.user(request)
        if failed or name is None:
            return failed or NOT_LOGGED_IN
        refused = self._refuse_upload(request)
        if refused:
            return refused
        found = _FILENAME.search(request.headers["content-disposition"])
        filename = found.group(1) if found else ""
        media_id = self._id()
        wanted = request.query.get("slug", [""])[0] or filename.rsplit(".", 1)[0]
        self.media[media_id] = {
            "id": media_id,
            "slug": unique_slug(sanitize_title(wanted), self._slugs()),
            "status": "inherit",
            "mime_type": request.headers["content-type"],
            "media_type": "image",
            "source_url": f"{self.url}/wp-content/uploads/{filename}",
            "alt_text": request.query.get("alt_text", [""])[0],
            "media_details": {"filesize": len(request.body)},
            "data": request.body,
        }
        return Response(
            201, self._shown(media_id), {"Location": f"{self.url}{API}/media/{media_id}"}
        )

    def _shown(self, media_id: int) -> dict[str, Any]:
        return {k: v for k, v in self.media[media_id].items() if k != "data"}

    def _slugs(self) -> set[str]:
        """Slugs an attachment may not take: every post's and every attachment's."""
        return {p["slug"] for p in self.posts.values()} | {m["slug"] for m in self.media.values()}

    def update_media(self, request: Request) -> Response:
        """POST /wp/v2/media/{id}: alt_text (and caption) set after the upload."""
        name, failed = self.user(request)
        if failed or name is None:
            return failed or NOT_LOGGED_IN
        tail = request.path.removeprefix(f"{API}/media/")
        if not tail.isdigit() or int(tail) not in self.media:
            return wp_error("rest_post_invalid_id", "Invalid post ID.", 404)
        fields = _fields(request)
        if "alt_text" in fields:
            self.media[int(tail)]["alt_text"] = str(fields["alt_text"])
        return Response(200, self._shown(int(tail)))

    def list_media(self, request: Request) -> Response:
        _, failed = self.user(request)
        if failed:
            return failed
        slugs = _list(request.query.get("slug", [""])[0])
        found = [self._shown(i) for i, m in self.media.items() if not slugs or m["slug"] in slugs]
        return Response(200, found)

    def _refuse_upload(self, request: Request) -> Response | None:
        """The 400s of WP_REST_Attachments_Controller::upload_from_data, in its order."""
        disposition = request.headers.get("content-disposition", "")
        md5 = request.headers.get("content-md5")
        checks = [
            (not request.body, "rest_upload_no_data", "No data supplied."),
            (
                not request.headers.get("content-type"),
                "rest_upload_no_content_type",
                "No Content-Type supplied.",
            ),
            (
                not disposition,
                "rest_upload_no_content_disposition",
                "No Content-Disposition supplied.",
            ),
            (
                not _FILENAME.search(disposition),
                "rest_upload_invalid_disposition",
                "Invalid Content-Disposition supplied. Content-Disposition needs to be formatted "
                'as `attachment; filename="image.png"` or similar.',
            ),
            (
                bool(md5) and md5 != hashlib.md5(request.body).hexdigest(),
                "rest_upload_hash_mismatch",
                "Content hash did not match expected.",
            ),
            (
                len(request.body) > self.max_upload,
                "rest_upload_file_too_big",
                "The uploaded file exceeds the maximum upload size for this site.",
            ),
            (
                request.headers.get("content-type") not in IMAGE_TYPES,
                "rest_upload_sideload_error",
                "Sorry, you are not allowed to upload this file type.",
            ),
        ]
        for failed, code, message in checks:
            if failed:
                return wp_error(code, message, 400)
        return None

    def create_post(self, request: Request) -> Response:
        name, failed = self.user(request)
        if failed or name is None:
            return failed or NOT_LOGGED_IN
        fields = _fields(request)
        if "id" in fields:
            return wp_error("rest_post_exists", "Cannot create existing post.", 400)
        problem = _invalid(fields)
        if problem:
            return problem
        post = self._post(fields)
        self.posts[post["id"]] = post
        return Response(201, post, {"Location": f"{self.url}{API}/posts/{post['id']}"})

    def list_posts(self, request: Request) -> Response:
        name, failed = self.user(request)
        if failed:
            return failed
        wanted = _list(request.query.get("status", ["publish"])[0])
        if name is None and set(wanted) - {"publish"}:
            return invalid_param(status="Status is forbidden.")
        slugs = _list(request.query.get("slug", [""])[0])
        found = [
            p
            for p in self.posts.values()
            if p["status"] in wanted and (not slugs or p["slug"] in slugs)
        ]
        return Response(200, found)

    def list_categories(self, request: Request) -> Response:
        _, failed = self.user(request)
        if failed:
            return failed
        return Response(200, list_terms(self.categories, request.query))

    def create_category(self, request: Request) -> Response:
        name, failed = self.user(request)
        if failed:
            return failed
        role = None if name is None else self.roles.get(name, "editor")
        return create_term(self.categories, role, _fields(request), self._id())

    def _id(self) -> int:
        with self.lock:
            self._next += 1
            return self._next

    def _post(self, fields: dict[str, Any]) -> dict[str, Any]:
        """A post as WordPress echoes it in `edit` context: unique slug, a bad image dropped."""
        post_id = self._id()
        slug = unique_slug(
            str(fields.get("slug") or f"post-{post_id}"), {p["slug"] for p in self.posts.values()}
        )
        media = fields.get("featured_media", 0)
        now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None).isoformat()
        return {
            "id": post_id,
            "date": now,
            "date_gmt": fields.get("date_gmt") or now,
            "guid": {"raw": f"{self.url}/?p={post_id}"},
            "modified": now,
            "slug": slug,
            "status": fields.get("status", "draft"),
            "type": "post",
            "link": f"{self.url}/{slug}/",
            "title": {"raw": fields.get("title", ""), "rendered": fields.get("title", "")},
            "content": {
                "raw": fields.get("content", ""),
                "rendered": autoembed(str(fields.get("content", ""))),
                "protected": False,
            },
            "excerpt": {
                "raw": fields.get("excerpt", ""),
                "rendered": fields.get("excerpt", ""),
                "protected": False,
            },
            "author": 1,
            "featured_media": media if media in self.media else 0,
            "comment_status": fields.get("comment_status", "open"),
            "ping_status": "open",
            "format": "standard",
            "meta": [],
            "categories": fields.get("categories", []),
            "tags": [],
            "_links": {},
        }


def _fields(request: Request) -> dict[str, Any]:
    if request.headers.get("content-type", "").startswith("application/json"):
        data = request.json()
        return data if isinstance(data, dict) else {}
    return {k: v[0] for k, v in parse_qs(request.body.decode()).items()}


def _invalid(fields: dict[str, Any]) -> Response | None:
    """rest_invalid_param for the fields a post schema checks."""
    params: dict[str, str] = {}
    if fields.get("status", "draft") not in STATUSES:
        params["status"] = f"status is not one of {', '.join(STATUSES)}."
    for key in ("title", "content", "excerpt", "slug"):
        if key in fields and not isinstance(fields[key], str):
            params[key] = f"{key} is not of type string."
    categories = fields.get("categories", [])
    if not isinstance(categories, list) or not all(isinstance(c, int) for c in categories):
        params["categories"] = "categories[0] is not of type integer."
    if "featured_media" in fields and not isinstance(fields["featured_media"], int):
        params["featured_media"] = "featured_media is not of type integer."
    if fields.get("comment_status", "open") not in ("open", "closed"):
        params["comment_status"] = "comment_status is not one of open, closed."
    if "date_gmt" in fields:
        try:
            dt.datetime.fromisoformat(str(fields["date_gmt"]))
        except ValueError:
            params["date_gmt"] = "Invalid date."
    return invalid_param(**params) if params else None


def _list(value: str) -> list[str]:
    return [v for v in re.split(r"[,\s]+", value) if v]
