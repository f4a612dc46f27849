"""WordPressTransport against a local fake WordPress: one table of outcomes, then lookups."""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest
import requests

from campaigns.model import Target
from channels.base import Attachment, Message, Receipt
from channels.errors import ConfigurationError, PermanentError, TransientError
from channels.wordpress import WordPressTransport
from tests.adapter_cases import Case, run_case
from tests.fakes.base import FakeServer, Response
from tests.fakes.routed import on
from tests.fakes.wordpress import (
    API,
    BAD_PASSWORD,
    NOT_LOGGED_IN,
    FakeWordPress,
    invalid_param,
)
from tests.fakes.wordpress_parts import wp_error

USER, PASSWORD = "bientap", "Xq7w 9Lk2 PmZ4 r8Tn Vb3c Hd6s"
SECRETS = (PASSWORD, base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode())
REF = "loa-3f9a1c2b7d4e"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
POSTS, MEDIA, CATEGORIES = f"{API}/posts", f"{API}/media", f"{API}/categories"
CREDENTIALS = {"username": "WP_USER", "app_password": "WP_APP_PASSWORD"}


def target(url: str, **options: object) -> Target:
    settings = {"allow_http": True, "timeout": (0.5, 0.5), **options}
    return Target("snv-web", "so-noi-vu", "website", "wordpress", url, CREDENTIALS, settings)


TITLE, EXCERPT = "Hướng dẫn nộp hồ sơ trực tuyến", "Người dân nộp hồ sơ trực tuyến."


def message(image: bool = True) -> Message:
    body = {
        "title": TITLE,
        "content": "<p>Người dân nộp hồ sơ <strong>trực tuyến</strong>.</p>",
        "excerpt": EXCERPT,
        "categories": ["tin-tuc", "khong-ton-tai"],
        "slug": REF,
    }
    attachments = (Attachment("ảnh bìa.png", "image/png", PNG),) if image else ()
    return Message("website", TITLE, EXCERPT, body, attachments, REF, delivery_id=7)


def created(fake: FakeServer, outcome: object) -> None:
    assert isinstance(fake, FakeWordPress) and isinstance(outcome, Receipt)
    post = fake.posts[int(outcome.remote_id)]
    assert post["slug"] == REF and post["status"] == "publish"
    assert post["categories"] == [3]
    assert post["featured_media"] in fake.media
    assert outcome.url == post["link"]
    assert outcome.detail["location"] == f"{fake.url}{POSTS}/{post['id']}"
    assert outcome.detail["warnings"] == [
        "categories khong-ton-tai do not exist on the site; posted without them"
    ]
    upload = fake.sent("POST", MEDIA)[0]
    assert upload.headers["content-type"] == "image/png"
    assert upload.headers["content-disposition"] == f'attachment; filename="{REF}-anh.png"'
    assert upload.query["alt_text"] == ["Hướng dẫn nộp hồ sơ trực tuyến"]
    assert fake.media[post["featured_media"]]["alt_text"] == "Hướng dẫn nộp hồ sơ trực tuyến"


def not_posted(fake: FakeServer, outcome: object) -> None:
    assert isinstance(fake, FakeWordPress)
    assert not fake.sent("POST", POSTS) and not fake.sent("POST", MEDIA)


def posted(fake: FakeServer, outcome: object) -> None:
    assert isinstance(fake, FakeWordPress) and isinstance(outcome, Receipt)
    assert fake.posts[int(outcome.remote_id)]["slug"] == REF


def says(*words: str) -> Callable[[FakeServer, object], None]:
    def check(fake: FakeServer, outcome: object) -> None:
        for word in words:
            assert word in str(outcome)

    return check


def dropped(fake: FakeServer, outcome: object) -> None:
    assert isinstance(outcome, Receipt)
    assert outcome.detail["featured_media"] == 0
    assert "featured image 9999 was dropped (echoed 0)" in outcome.detail["warnings"]


def case(
    name: str,
    expect: type[Exception] | type[Receipt],
    route: tuple[str, str],
    answer: Response,
    check: Callable[[FakeServer, object], None] | None = None,
    after: float | None = None,
) -> Case:
    """A case whose one scripted answer goes to `route`; other calls get the fake's own."""
    return Case(name, (on(*route, answer),), expect, after, check=check)


OK, STOP, RETRY = Receipt, PermanentError, TransientError
CHECK, TERMS, UPLOAD, CREATE = ("GET", POSTS), ("GET", CATEGORIES), ("POST", MEDIA), ("POST", POSTS)
EXISTING = Response(200, [{"id": 41, "slug": REF, "status": "future", "link": "https://x/?p=41"}])
VARIANT = Response(200, [{"id": 42, "slug": f"{REF}-2", "status": "publish", "link": "x"}])
LOGIN_PAGE = Response(200, "<html><body>Đăng nhập</body></html>")
ANONYMOUS = wp_error("rest_cannot_create", "Sorry.", 401)
NO_ROLE = wp_error("rest_cannot_publish", "Sorry.", 403)
NO_TERM = wp_error("rest_cannot_assign_term", "Sorry.", 403)
BAD_STATUS = invalid_param(status="status is not one of publish.")
BAD_TYPE = wp_error("rest_upload_sideload_error", "Not allowed.", 400)
DB_ERROR = wp_error("db_insert_error", "Could not insert post.", 500)
SLOW_DOWN = Response(429, {"code": "too_many"}, {"Retry-After": "120"})
BUSY = Response(503, "busy", {"Retry-After": "30"})
BAD_GATEWAY = Response(502, "<h1>502 Bad Gateway</h1>")
LATE_LIST, LATE_POST = Response(200, [], delay=0.8), Response(201, {}, delay=0.8)
DROPPED, GARBLED = Response(drop=True), Response(201, b'{"id": 5')
MOVED = Response(301, b"", {"Location": "https://snv.example/wp-json/"})
NO_SUCH_MEDIA = Response(201, {"id": 9999})
HINT = says("Authorization header")
CASES = [
    Case("publishes the post with its image and known categories", check=created),
    case("returns the post under the slug, not a second one", OK, CHECK, EXISTING, not_posted),
    case("publishes when only a -2 variant of the slug exists", OK, CHECK, VARIANT, posted),
    case("stops on a wrong application password", STOP, CHECK, BAD_PASSWORD, says("Password")),
    case("stops with a stripped-header hint on no login", STOP, CREATE, NOT_LOGGED_IN, HINT),
    case("stops when anonymous cannot create posts", STOP, CREATE, ANONYMOUS, HINT),
    case("stops when the user's role cannot publish", STOP, CREATE, NO_ROLE, says("role")),
    case("stops when the user cannot assign the category", STOP, CREATE, NO_TERM),
    case("stops and names the invalid parameters", STOP, CREATE, BAD_STATUS, says("status is")),
    case("stops when the media library refuses the type", STOP, UPLOAD, BAD_TYPE),
    case("retries after a database insert error", RETRY, CREATE, DB_ERROR),
    case("retries after the seconds a 429 asks for", RETRY, CREATE, SLOW_DOWN, after=120),
    case("retries after the seconds a 503 asks for", RETRY, TERMS, BUSY, after=30),
    case("retries after a proxy's 502 page", RETRY, UPLOAD, BAD_GATEWAY),
    case("retries when the slug check times out", RETRY, CHECK, LATE_LIST, says("timed out")),
    case("retries when creating the post times out", RETRY, CREATE, LATE_POST, says("timed out")),
    Case("retries when the site refuses the connection", refused=True, expect=RETRY),
    case("retries when the connection drops mid-answer", RETRY, CREATE, DROPPED),
    case("retries when the new post comes back garbled", RETRY, CREATE, GARBLED, says("JSON")),
    case("retries when a login page answers the slug check", RETRY, CHECK, LOGIN_PAGE),
    case("stops when the endpoint redirects", STOP, CREATE, MOVED, says("redirected to https")),
    case("publishes but reports a dropped featured image", OK, UPLOAD, NO_SUCH_MEDIA, dropped),
]


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WP_USER", USER)
    monkeypatch.setenv("WP_APP_PASSWORD", PASSWORD)


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as s:
        yield s


@pytest.fixture(scope="module")
def server() -> Iterator[FakeWordPress]:
    fake = FakeWordPress({USER: PASSWORD})
    with fake.running():
        yield fake


@pytest.fixture
def wordpress(server: FakeWordPress) -> FakeWordPress:
    server.reset()
    return server


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_publish(
    case: Case,
    wordpress: FakeWordPress,
    session: requests.Session,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def make(url: str) -> WordPressTransport:
        return WordPressTransport(target(url), session=session)

    run_case(case, wordpress, make, message(), caplog, SECRETS)


def test_dropped_featured_image_is_logged_as_a_warning(
    wordpress: FakeWordPress, session: requests.Session, caplog: pytest.LogCaptureFixture
) -> None:
    wordpress.then(on("POST", MEDIA, Response(201, {"id": 9999})))
    WordPressTransport(target(wordpress.url), session=session).publish(message())
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any("dropped featured image 9999" in r.getMessage() for r in warnings)


def test_lookup_finds_a_published_post_by_its_slug(
    wordpress: FakeWordPress, session: requests.Session
) -> None:
    transport = WordPressTransport(target(wordpress.url), session=session)
    receipt = transport.publish(message(image=False))
    found = transport.lookup(message())
    assert found is not None and found.remote_id == receipt.remote_id
    assert found.url == receipt.url


def test_lookup_finds_a_scheduled_post_too(
    wordpress: FakeWordPress, session: requests.Session
) -> None:
    transport = WordPressTransport(target(wordpress.url, status="future"), session=session)
    transport.publish(message(image=False))
    found = transport.lookup(message())
    assert found is not None and found.detail["status"] == "future"


def test_lookup_returns_none_when_no_post_has_the_slug(
    wordpress: FakeWordPress, session: requests.Session
) -> None:
    assert WordPressTransport(target(wordpress.url), session=session).lookup(message()) is None


def test_lookup_ignores_a_suffixed_slug(
    wordpress: FakeWordPress, session: requests.Session
) -> None:
    wordpress.posts[9] = {"id": 9, "slug": f"{REF}-2", "status": "publish", "link": "x"}
    assert WordPressTransport(target(wordpress.url), session=session).lookup(message()) is None


def test_a_repeated_slug_comes_back_suffixed_and_is_reported(
    wordpress: FakeWordPress, session: requests.Session
) -> None:
    transport = WordPressTransport(target(wordpress.url, precheck=False), session=session)
    transport.publish(message(image=False))
    second = transport.publish(message(image=False))
    assert second.detail["slug"] == f"{REF}-2"
    assert f"slug became {REF}-2" in second.detail["warnings"]


def test_publish_twice_posts_once(wordpress: FakeWordPress, session: requests.Session) -> None:
    transport = WordPressTransport(target(wordpress.url), session=session)
    first, again = transport.publish(message()), transport.publish(message())
    assert first.remote_id == again.remote_id and len(wordpress.posts) == 1


def test_rest_route_form_is_used_when_pretty_permalinks_are_off(
    wordpress: FakeWordPress, session: requests.Session
) -> None:
    transport = WordPressTransport(target(wordpress.url, rest_route=True), session=session)
    receipt = transport.publish(message())
    assert receipt.remote_id in {str(i) for i in wordpress.posts}
    assert all(r.query["rest_route"][0].startswith("/wp/v2/") for r in wordpress.requests)


def test_categories_are_resolved_once_per_transport(
    wordpress: FakeWordPress, session: requests.Session
) -> None:
    transport = WordPressTransport(target(wordpress.url, precheck=False), session=session)
    transport.publish(message(image=False))
    first = len(wordpress.sent("GET", CATEGORIES))
    again = transport.publish(message(image=False))
    assert first == 2  # by slug, then the one not found by its name
    assert len(wordpress.sent("GET", CATEGORIES)) == first
    assert wordpress.posts[int(again.remote_id)]["categories"] == [3]


def test_a_wrong_password_is_refused_by_the_site(
    wordpress: FakeWordPress, session: requests.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WP_APP_PASSWORD", "wrong")
    with pytest.raises(PermanentError, match="incorrect_password") as failed:
        WordPressTransport(target(wordpress.url), session=session).publish(message())
    assert failed.value.status == 401


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"endpoint": "http://snv.example", "options": {}}, "https"),
        ({"endpoint": "ftp://snv.example"}, "endpoint"),
        ({"credentials": {"username": "WP_USER"}}, "credentials.app_password"),
        ({"credentials": {**CREDENTIALS, "app_password": "UNSET_VAR"}}, "$UNSET_VAR, which is"),
        ({"credentials": {**CREDENTIALS, "app_password": PASSWORD}}, "not hold the secret"),
        ({"options": {"status": "published"}}, "options.status"),
        ({"options": {"rest_route": "yes"}}, "options.rest_route"),
        ({"options": {"categories": "tin-tuc"}}, "options.categories"),
        ({"options": {"comment_status": "closd"}}, "options.comment_status"),
        ({"options": {"post_date": "published"}}, "options.post_date"),
        ({"options": {"create_categories": "yes"}}, "options.create_categories"),
    ],
)
def test_bad_settings_are_refused_naming_the_target_and_field(
    change: dict[str, Any], words: str
) -> None:
    with pytest.raises(ConfigurationError, match="snv-web") as refused:
        WordPressTransport(replace(target("https://snv.example"), **change))
    assert words in str(refused.value) and PASSWORD not in str(refused.value)
