"""What a webmaster sees of a loa post on a WordPress 6.x site (the fake): the featured image,
uploaded once per site whatever the retries; the video players; comments and dates."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import requests

from campaigns.model import TZ, Item, Target, Unit
from channels.errors import TransientError
from channels.images import local_image
from channels.website import WebsiteFormat
from channels.wordpress import WordPressTransport
from tests.fakes.base import FakeServer, Handler, Request, Response
from tests.fakes.routed import on
from tests.fakes.wordpress import API, FakeWordPress
from tests.fakes.wordpress_parts import autoembed, wp_error

USER, PASSWORD = "bientap", "Xq7w 9Lk2 PmZ4 r8Tn Vb3c Hd6s"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
JPEG = b"\xff\xd8\xff\xe0" + bytes(64)
UNIT = Unit("so-noi-vu", "Sở Nội vụ", "department")
VIDEO = "https://www.youtube.com/watch?v=Xk3b9LmQ2aZ"
POSTS, MEDIA = f"{API}/posts", f"{API}/media"


class ImageHost(FakeServer):
    """An agency's image server: one JPEG, a missing file, a busy server, a login page."""

    def routes(self) -> list[tuple[str, str, Handler]]:
        return [("GET", "/", self.serve)]

    def serve(self, request: Request) -> Response:
        answers = {
            "/anh/bia.jpg": Response(200, JPEG, {"Content-Type": "image/jpeg"}),
            "/anh/ban.jpg": Response(503, "busy", {"Retry-After": "30"}),
            "/anh/trang.jpg": Response(
                200, "<html>Đăng nhập</html>", {"Content-Type": "image/jpeg"}
            ),
        }
        return answers.get(request.path, Response(404, "not found"))


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WP_USER", USER)
    monkeypatch.setenv("WP_APP_PASSWORD", PASSWORD)


@pytest.fixture(scope="module")
def server() -> Iterator[FakeWordPress]:
    fake = FakeWordPress({USER: PASSWORD})
    with fake.running():
        yield fake


@pytest.fixture(scope="module")
def images() -> Iterator[ImageHost]:
    host = ImageHost()
    with host.running():
        yield host


@pytest.fixture
def wordpress(server: FakeWordPress) -> FakeWordPress:
    server.reset()
    return server


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as s:
        yield s


def target(url: str, **options: object) -> Target:
    settings = {"allow_http": True, "timeout": (0.5, 1.0), **options}
    credentials = {"username": "WP_USER", "app_password": "WP_APP_PASSWORD"}
    return Target(
        "so-noi-vu/website", "so-noi-vu", "website", "wordpress", url, credentials, settings
    )


def item(**changes: object) -> Item:
    fields: dict[str, object] = {
        "key": "cchc.bai-viet:2024-03-12-thanh-toan.md",
        "kind": "article",
        "title": "Thanh toán trực tuyến phí, lệ phí thủ tục hành chính",
        "summary": "Người dân thanh toán phí ngay trên Cổng dịch vụ công.",
        "body_html": "<p>Từ tháng 3, người dân có thể thanh toán trực tuyến.</p>",
        "link": "https://sonoivu.dongnai.gov.vn/tin-tuc/thanh-toan",
        "published": dt.datetime(2024, 3, 12, 8, 0, tzinfo=TZ),
        "topics": ("dich-vu-cong",),
    }
    fields.update(changes)
    return Item(**fields)  # type: ignore[arg-type]


def publish(
    wordpress: FakeWordPress, session: requests.Session, it: Item, **options: object
) -> dict[str, object]:
    """Format `it` for the site and publish it; the post as the site keeps it."""
    tgt = target(wordpress.url, **options)
    message = WebsiteFormat().format(it, UNIT, tgt)
    receipt = WordPressTransport(tgt, session=session).publish(message)
    return wordpress.posts[int(receipt.remote_id)]


def test_the_items_image_becomes_the_featured_image_with_its_alt_text(
    wordpress: FakeWordPress, session: requests.Session, images: ImageHost
) -> None:
    post = publish(wordpress, session, item(image_url=f"{images.url}/anh/bia.jpg"))
    media = wordpress.media[int(str(post["featured_media"]))]
    assert media["data"] == JPEG and media["mime_type"] == "image/jpeg"
    assert media["alt_text"] == "Thanh toán trực tuyến phí, lệ phí thủ tục hành chính"
    upload = wordpress.sent("POST", MEDIA)[0]
    assert re.fullmatch(
        r'attachment; filename="loa-[0-9a-f]{12}-anh\.jpg"', upload.headers["content-disposition"]
    )
    assert "authorization" not in images.requests[0].headers  # the site's login stays on the site


def test_an_image_file_is_uploaded_only_from_inside_the_allowed_folders(
    wordpress: FakeWordPress, session: requests.Session, tmp_path: Path
) -> None:
    picture = tmp_path / "config" / "content" / "bia.png"
    picture.parent.mkdir(parents=True)
    picture.write_bytes(PNG)
    tgt = target(wordpress.url)
    message = WebsiteFormat().format(item(image_url=picture.as_uri()), UNIT, tgt)
    assert "featured_image" not in message.body  # a path never leaves loa as an address
    assert local_image(picture, "x-anh", [tmp_path / "khac"]) is None
    assert local_image(tmp_path / "config" / "khong-co.png", "x-anh", [tmp_path]) is None
    image = local_image(picture, f"{message.reference}-anh", [tmp_path / "config"])
    assert image is not None and image.media_type == "image/png"
    receipt = WordPressTransport(tgt, session=session).publish(
        replace(message, attachments=(image,))
    )
    post = wordpress.posts[int(receipt.remote_id)]
    assert wordpress.media[int(str(post["featured_media"]))]["data"] == PNG


def test_a_retry_after_the_post_failed_reuses_the_uploaded_image(
    wordpress: FakeWordPress, session: requests.Session, images: ImageHost
) -> None:
    tgt = target(wordpress.url)
    message = WebsiteFormat().format(item(image_url=f"{images.url}/anh/bia.jpg"), UNIT, tgt)
    wordpress.then(on("POST", POSTS, wp_error("db_insert_error", "Could not insert post.", 500)))
    with pytest.raises(TransientError):
        WordPressTransport(tgt, session=session).publish(message)
    assert len(wordpress.media) == 1 and not wordpress.posts
    receipt = WordPressTransport(tgt, session=session).publish(message)  # a new worker's try
    assert len(wordpress.sent("POST", MEDIA)) == 1 and len(wordpress.media) == 1
    assert wordpress.posts[int(receipt.remote_id)]["featured_media"] == next(iter(wordpress.media))


@pytest.mark.parametrize(
    ("path", "words"),
    [("/anh/khong-co.jpg", "HTTP 404"), ("/anh/trang.jpg", "not a JPEG, PNG, GIF or WebP")],
)
def test_an_image_that_cannot_be_had_leaves_the_post_without_one_and_says_why(
    wordpress: FakeWordPress,
    session: requests.Session,
    images: ImageHost,
    path: str,
    words: str,
) -> None:
    tgt = target(wordpress.url)
    message = WebsiteFormat().format(item(image_url=f"{images.url}{path}"), UNIT, tgt)
    receipt = WordPressTransport(tgt, session=session).publish(message)
    assert wordpress.posts[int(receipt.remote_id)]["featured_media"] == 0 and not wordpress.media
    assert any(
        words in w and "featured image not uploaded" in w for w in receipt.detail["warnings"]
    )


def test_a_busy_image_server_makes_the_post_wait_for_a_retry(
    wordpress: FakeWordPress, session: requests.Session, images: ImageHost
) -> None:
    tgt = target(wordpress.url)
    message = WebsiteFormat().format(item(image_url=f"{images.url}/anh/ban.jpg"), UNIT, tgt)
    with pytest.raises(TransientError, match="503"):
        WordPressTransport(tgt, session=session).publish(message)
    assert not wordpress.posts


def test_a_video_post_shows_one_privacy_mode_player_on_the_site(
    wordpress: FakeWordPress, session: requests.Session
) -> None:
    video = item(kind="video", link=None, video_url=VIDEO, body_html="<p>Hướng dẫn.</p>")
    post = publish(wordpress, session, video)
    rendered = str(post["content"]["rendered"])  # type: ignore[index]
    players = re.findall(r'<iframe[^>]*src="([^"]+)"', rendered)
    assert players == ["https://www.youtube-nocookie.com/embed/Xk3b9LmQ2aZ"]
    assert f'<a href="{VIDEO}">Xem video trên YouTube</a>' in rendered


def test_the_fake_embeds_a_bare_watch_link_as_wordpress_does() -> None:
    """The control for the test above: the old `<p>URL</p>` became a second player."""
    rendered = autoembed(
        f'<figure>…</figure>\n<p>{VIDEO}</p>\n{VIDEO}\n<p><a href="{VIDEO}">x</a></p>'
    )
    assert rendered.count("https://www.youtube.com/embed/Xk3b9LmQ2aZ?feature=oembed") == 2


def test_a_bare_youtube_line_in_an_article_becomes_the_privacy_mode_player(
    wordpress: FakeWordPress, session: requests.Session
) -> None:
    body = f"<p>Xem hướng dẫn:</p>\n<p>{VIDEO}</p>\n<p>https://youtu.be/Ab3b9LmQ2aZ</p>"
    post = publish(wordpress, session, item(body_html=body))
    rendered = str(post["content"]["rendered"])  # type: ignore[index]
    players = re.findall(r'<iframe[^>]*src="([^"]+)"', rendered)
    assert players == [
        "https://www.youtube-nocookie.com/embed/Xk3b9LmQ2aZ",
        "https://www.youtube-nocookie.com/embed/Ab3b9LmQ2aZ",
    ]


def test_comments_are_closed_unless_the_target_opens_them(
    wordpress: FakeWordPress, session: requests.Session
) -> None:
    assert publish(wordpress, session, item())["comment_status"] == "closed"
    opened = publish(wordpress, session, item(key="khac"), comment_status="open")
    assert opened["comment_status"] == "open"


def test_the_post_date_is_the_publish_time_or_the_items_date(
    wordpress: FakeWordPress, session: requests.Session
) -> None:
    before = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    now = publish(wordpress, session, item())
    dated = publish(wordpress, session, item(key="khac"), post_date="item")
    assert dt.datetime.fromisoformat(str(now["date_gmt"])) >= before
    assert dated["date_gmt"] == "2024-03-12T01:00:00"  # 08:00 in Đồng Nai
