"""A post's categories on a WordPress 6.x site (the fake): by slug or by name, never split at a
comma, created when the target allows it, and what is missing said on the receipt."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from campaigns.model import Item, Target, Unit
from channels.base import Context, Receipt
from channels.website import WebsiteFormat
from channels.wordpress import WordPressTransport
from channels.wpterms import slugify
from tests.fakes.routed import on
from tests.fakes.wordpress import API, FakeWordPress
from tests.fakes.wordpress_parts import wp_error

USER, PASSWORD = "bientap", "Xq7w 9Lk2 PmZ4 r8Tn Vb3c Hd6s"
UNIT = Unit("bien-hoa", "UBND Thành phố Biên Hòa", "district")
CATEGORIES = f"{API}/categories"
FEEDBACK = "phản ánh, kiến nghị"  # a feed's own category, as ingest keeps it


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WP_USER", USER)
    monkeypatch.setenv("WP_APP_PASSWORD", PASSWORD)


@pytest.fixture(scope="module")
def server() -> Iterator[FakeWordPress]:
    fake = FakeWordPress({USER: PASSWORD})
    with fake.running():
        yield fake


@pytest.fixture
def wordpress(server: FakeWordPress) -> FakeWordPress:
    server.reset()
    server.roles.clear()
    return server


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as s:
        yield s


def publish(
    wordpress: FakeWordPress,
    session: requests.Session,
    topics: tuple[str, ...],
    names: dict[str, str] | None = None,
    key: str = "k:1",
    **options: object,
) -> tuple[Receipt, list[int]]:
    settings = {"allow_http": True, "timeout": (0.5, 1.0), **options}
    credentials = {"username": "WP_USER", "app_password": "WP_APP_PASSWORD"}
    target = Target(
        "bien-hoa/website", "bien-hoa", "website", "wordpress", wordpress.url, credentials, settings
    )
    item = Item(key, "article", "Tiếp nhận phản ánh qua tổng đài 1022", topics=topics)
    message = WebsiteFormat().format(item, UNIT, target, context=Context(topic_names=names or {}))
    receipt = WordPressTransport(target, session=session).publish(message)
    return receipt, list(wordpress.posts[int(receipt.remote_id)]["categories"])


def test_slugify_reads_vietnamese_as_wordpress_does() -> None:
    assert slugify(FEEDBACK) == "phan-anh-kien-nghi"
    assert slugify("Đường dây nóng &amp; Tổng đài") == "duong-day-nong-tong-dai"


def test_a_feed_category_with_a_comma_finds_the_site_category_whole(
    wordpress: FakeWordPress, session: requests.Session
) -> None:
    wordpress.categories.append(
        {"id": 12, "slug": "phan-anh-kien-nghi", "name": "Phản ánh, kiến nghị"}
    )
    receipt, ids = publish(wordpress, session, (FEEDBACK,))
    assert ids == [12] and "warnings" not in receipt.detail
    asked = [r.query.get("slug", [""])[0] for r in wordpress.sent("GET", CATEGORIES)]
    assert asked == ["phan-anh-kien-nghi"]


def test_a_topic_finds_a_category_by_its_vietnamese_name(
    wordpress: FakeWordPress, session: requests.Session
) -> None:
    wordpress.categories.append({"id": 15, "slug": "pakn", "name": "Phản ánh, kiến nghị"})
    names = {"phan-anh-kien-nghi": "Phản ánh, kiến nghị"}
    receipt, ids = publish(wordpress, session, ("phan-anh-kien-nghi",), names)
    assert ids == [15] and "warnings" not in receipt.detail


def test_a_name_with_an_ampersand_matches_though_wordpress_escapes_it(
    wordpress: FakeWordPress, session: requests.Session
) -> None:
    wordpress.categories.append({"id": 16, "slug": "dn", "name": "Đất đai & doanh nghiệp"})
    _, ids = publish(wordpress, session, ("dat-dai",), {"dat-dai": "Đất đai & doanh nghiệp"})
    assert ids == [16]


def test_missing_categories_are_named_on_the_receipt(
    wordpress: FakeWordPress, session: requests.Session
) -> None:
    receipt, ids = publish(wordpress, session, ("dich-vu-cong", FEEDBACK), categories=["tin-tuc"])
    assert ids == [3]
    assert receipt.detail["warnings"] == [
        "categories Dich vu cong, Phản ánh, kiến nghị do not exist on the site; posted without them"
    ]
    assert not wordpress.sent("POST", CATEGORIES)


def test_missing_categories_are_created_when_the_target_allows_it(
    wordpress: FakeWordPress, session: requests.Session
) -> None:
    names = {"dich-vu-cong": "Dịch vụ công trực tuyến"}
    receipt, ids = publish(
        wordpress, session, ("dich-vu-cong", FEEDBACK), names, create_categories=True
    )
    made = {c["slug"]: c for c in wordpress.categories}
    assert made["dich-vu-cong"]["name"] == "Dịch vụ công trực tuyến"
    assert made["phan-anh-kien-nghi"]["name"] == "Phản ánh, kiến nghị"
    assert ids == [made["dich-vu-cong"]["id"], made["phan-anh-kien-nghi"]["id"]]
    assert "warnings" not in receipt.detail
    _, again = publish(wordpress, session, ("dich-vu-cong",), names, "k:2", create_categories=True)
    assert len(wordpress.sent("POST", CATEGORIES)) == 2 and again == ids[:1]


def test_a_category_that_exists_already_when_created_is_used(
    wordpress: FakeWordPress, session: requests.Session
) -> None:
    exists = wp_error(
        "term_exists", "A term with the name provided already exists.", 400, term_id=7
    )
    wordpress.then(on("POST", CATEGORIES, exists))
    _, ids = publish(wordpress, session, ("cchc-moi",), create_categories=True)
    assert ids == [7]


def test_a_role_that_cannot_create_categories_posts_without_them_and_says_so(
    wordpress: FakeWordPress, session: requests.Session
) -> None:
    wordpress.roles[USER] = "author"
    receipt, ids = publish(wordpress, session, (FEEDBACK,), create_categories=True)
    assert ids == [] and int(receipt.remote_id) in wordpress.posts
    warnings = receipt.detail["warnings"]
    assert "categories not created: rest_cannot_create" in warnings[0]
    assert "manage_categories" in warnings[0]
    assert "Phản ánh, kiến nghị do not exist on the site" in warnings[1]
