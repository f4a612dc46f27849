"""The fakes answer as channels.md says the real services do, so adapter tests mean something."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from tests.fakes.anthias import API as ANTHIAS_API
from tests.fakes.anthias import FakeAnthias
from tests.fakes.base import Request
from tests.fakes.webhook import PATH, FakeWebhook
from tests.fakes.wordpress import API, FakeWordPress

USER, PASSWORD = "editor", "abcd efgh ijkl mnop"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(16)


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as s:
        yield s


@pytest.fixture(scope="module")
def wordpress() -> Iterator[FakeWordPress]:
    fake = FakeWordPress({USER: PASSWORD})
    with fake.running():
        yield fake


@pytest.fixture(scope="module")
def anthias() -> Iterator[FakeAnthias]:
    fake = FakeAnthias()
    with fake.running():
        yield fake


@pytest.fixture
def player(anthias: FakeAnthias) -> FakeAnthias:
    anthias.reset()
    return anthias


def test_wordpress_refuses_a_post_without_authorization(
    wordpress: FakeWordPress, session: requests.Session
) -> None:
    answer = session.post(f"{wordpress.url}{API}/posts", json={"title": "x"}, timeout=2)
    assert (answer.status_code, answer.json()["code"]) == (401, "rest_not_logged_in")


def test_wordpress_refuses_a_wrong_application_password(
    wordpress: FakeWordPress, session: requests.Session
) -> None:
    answer = session.get(f"{wordpress.url}{API}/posts", auth=(USER, "sai"), timeout=2)
    assert (answer.status_code, answer.json()["code"]) == (401, "incorrect_password")


def test_wordpress_forbids_unpublished_statuses_to_anonymous_lookups(
    wordpress: FakeWordPress, session: requests.Session
) -> None:
    query = {"slug": "x", "status": "publish,draft"}
    answer = session.get(f"{wordpress.url}{API}/posts", params=query, timeout=2)
    assert answer.status_code == 400 and answer.json()["code"] == "rest_invalid_param"
    assert answer.json()["data"]["params"] == {"status": "Status is forbidden."}


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({"Content-Disposition": 'attachment; filename="a.png"'}, "rest_upload_no_content_type"),
        ({"Content-Type": "image/png"}, "rest_upload_no_content_disposition"),
        ({"Content-Type": "image/png", "Content-Disposition": "inline"}, "invalid_disposition"),
        (
            {"Content-Type": "text/html", "Content-Disposition": "attachment; filename=a.html"},
            "rest_upload_sideload_error",
        ),
    ],
)
def test_wordpress_media_upload_checks_both_headers(
    wordpress: FakeWordPress, session: requests.Session, headers: dict[str, str], code: str
) -> None:
    url = f"{wordpress.url}{API}/media"
    answer = session.post(url, data=PNG, headers=headers, auth=(USER, PASSWORD), timeout=2)
    assert answer.status_code == 400 and answer.json()["code"].endswith(code)


def test_wordpress_drops_a_bad_featured_media_but_still_answers_201(
    wordpress: FakeWordPress, session: requests.Session
) -> None:
    post = {"title": "x", "status": "draft", "featured_media": 424242}
    answer = session.post(
        f"{wordpress.url}{API}/posts", json=post, auth=(USER, PASSWORD), timeout=2
    )
    assert answer.status_code == 201 and answer.json()["featured_media"] == 0
    assert answer.headers["Location"].endswith(f"/posts/{answer.json()['id']}")


def test_wordpress_serves_the_rest_route_form(
    wordpress: FakeWordPress, session: requests.Session
) -> None:
    query = {"rest_route": "/wp/v2/categories", "slug": "tin-tuc"}
    answer = session.get(wordpress.url + "/", params=query, timeout=2)
    assert [c["id"] for c in answer.json()] == [3]


def test_anthias_answers_a_missing_field_with_a_drf_error(
    player: FakeAnthias, session: requests.Session
) -> None:
    answer = session.post(f"{player.url}{ANTHIAS_API}/assets", json={"name": "x"}, timeout=2)
    assert answer.status_code == 400 and answer.json()["uri"] == ["This field is required."]


SLIDE_ASSET = {
    "name": "slide",
    "uri": "https://x.vn/a.png",
    "start_date": "2024-01-01T00:00:00Z",
    "end_date": "2024-02-01T00:00:00Z",
    "duration": 10,
    "mimetype": "image",
    "is_enabled": True,
}


def test_anthias_makes_a_repeated_name_unique(
    player: FakeAnthias, session: requests.Session
) -> None:
    url = f"{player.url}{ANTHIAS_API}/assets"
    names = [session.post(url, json=SLIDE_ASSET, timeout=2).json()["name"] for _ in range(3)]
    assert names == ["slide", "slide-1", "slide-2"]


def test_anthias_asks_for_basic_auth_when_it_is_on(
    player: FakeAnthias, session: requests.Session
) -> None:
    player.auth = ("pi", "raspberry")
    try:
        answer = session.get(f"{player.url}{ANTHIAS_API}/assets", timeout=2)
    finally:
        player.auth = None
    assert answer.status_code == 401 and "WWW-Authenticate" in answer.headers


def test_webhook_refuses_a_bad_signature() -> None:
    portal = FakeWebhook(secret="s")  # dispatched in-process: the routes need no socket
    headers = {"Idempotency-Key": "k", "X-Loa-Signature": "sha256=00"}
    request = Request("POST", PATH, {}, {k.lower(): v for k, v in headers.items()}, b"{}")
    assert portal.dispatch(request).status == 403
