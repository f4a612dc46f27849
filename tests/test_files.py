"""Articles and video lists kept as files: what staff write, what comes out, what they must fix."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path

import pytest

from campaigns.dates import parse_when
from campaigns.files import ContentError, load_articles, load_videos
from campaigns.model import Source

ARTICLES = Source("cchc.bai-viet", "files", path="content/cchc", topics=("cải cách hành chính",))
VIDEOS = Source("cchc.video", "videos", path="content/videos.yaml", topics=("dịch vụ công",))

GOOD = """---
title: Hướng dẫn nộp hồ sơ trực tuyến
link: https://sonoivu.dongnai.gov.vn/tin-tuc/huong-dan.html
image: https://sonoivu.dongnai.gov.vn/uploads/huong-dan.jpg
video: https://youtu.be/dQ4vN2xTgHk?si=share
published: 2024-03-18 08:30
topics: [Dịch vụ công trực tuyến, "  Cải cách   hành chính "]
---
# Các bước

Đăng nhập bằng **VNeID**, chọn thủ tục rồi [xem hướng dẫn](/huong-dan/chi-tiet.html).

| Bước | Việc |
|---|---|
| 1 | Đăng nhập |

<script>alert(1)</script>
"""


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_markdown_article_becomes_a_clean_item(tmp_path: Path) -> None:
    write(tmp_path, "2024/huong-dan.md", GOOD)
    (item,) = load_articles(tmp_path, ARTICLES)
    assert item.key == "cchc.bai-viet:2024/huong-dan.md"
    assert (item.kind, item.source) == ("article", "cchc.bai-viet")
    assert item.title == "Hướng dẫn nộp hồ sơ trực tuyến"
    assert item.link == "https://sonoivu.dongnai.gov.vn/tin-tuc/huong-dan.html"
    assert item.image_url == "https://sonoivu.dongnai.gov.vn/uploads/huong-dan.jpg"
    assert item.video_url == "https://www.youtube.com/watch?v=dQ4vN2xTgHk"
    assert item.published == dt.datetime(2024, 3, 18, 1, 30, tzinfo=dt.UTC)
    assert item.topics == ("cải cách hành chính", "dịch vụ công trực tuyến")
    assert "<strong>VNeID</strong>" in item.body_html and "<table>" in item.body_html
    assert 'href="https://sonoivu.dongnai.gov.vn/huong-dan/chi-tiet.html"' in item.body_html
    assert "<script" not in item.body_html and "alert" not in item.body_html


def test_summary_defaults_to_the_start_of_the_body_and_text_is_nfc(tmp_path: Path) -> None:
    body = unicodedata.normalize("NFD", "Người dân thanh toán phí, lệ phí trực tuyến. ") * 20
    title = unicodedata.normalize("NFD", "Thanh toán trực tuyến")
    write(tmp_path, "a.md", f"---\ntitle: {title}\n---\n{body}\n")
    (item,) = load_articles(tmp_path, ARTICLES)
    assert item.title == "Thanh toán trực tuyến" and unicodedata.is_normalized(
        "NFC", item.body_html
    )
    assert item.summary.startswith("Người dân thanh toán phí") and len(item.summary) <= 300
    assert (item.link, item.image_url, item.video_url, item.published) == (None, None, None, None)
    assert item.topics == ("cải cách hành chính",)


def test_an_image_next_to_the_article_is_a_file_uri(tmp_path: Path) -> None:
    (tmp_path / "anh.jpg").write_bytes(b"\xff\xd8\xff")
    write(tmp_path, "a.md", "---\ntitle: Ảnh\nimage: anh.jpg\n---\nx\n")
    (item,) = load_articles(tmp_path, ARTICLES)
    assert item.image_url == (tmp_path / "anh.jpg").resolve().as_uri()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-18", dt.datetime(2024, 3, 17, 17, 0, tzinfo=dt.UTC)),
        ("2024-03-18 08:30", dt.datetime(2024, 3, 18, 1, 30, tzinfo=dt.UTC)),
        ("2024-03-18T08:30:00+00:00", dt.datetime(2024, 3, 18, 8, 30, tzinfo=dt.UTC)),
        ("18/03/2024", dt.datetime(2024, 3, 17, 17, 0, tzinfo=dt.UTC)),
        ("18/3/2024 14:05", dt.datetime(2024, 3, 18, 7, 5, tzinfo=dt.UTC)),
        (dt.date(2024, 3, 18), dt.datetime(2024, 3, 17, 17, 0, tzinfo=dt.UTC)),
        ("hôm qua", None),
        ("31/02/2024", None),
    ],
)
def test_dates_are_ho_chi_minh_local_unless_they_say_otherwise(
    value: object, expected: object
) -> None:
    assert parse_when(value) == expected


def test_every_problem_in_a_directory_is_reported_at_once(tmp_path: Path) -> None:
    write(tmp_path, "ok.md", GOOD)
    write(tmp_path, "no-front.md", "# Chỉ có nội dung\n")
    write(tmp_path, "bad-yaml.md", "---\ntitle: [chưa đóng\n---\nx\n")
    write(tmp_path, "fields.md", "---\ntitel: Sai chính tả\nvideo: https://vimeo.com/123\n"
          "published: hôm qua\nlink: sonoivu.gov.vn\n---\nx\n")  # fmt: skip
    with pytest.raises(ContentError) as caught:
        load_articles(tmp_path, ARTICLES)
    found = {(Path(p.path).name, p.field) for p in caught.value.problems}
    assert found == {
        ("bad-yaml.md", "front matter"),
        ("fields.md", "titel"),
        ("fields.md", "title"),
        ("fields.md", "link"),
        ("fields.md", "video"),
        ("fields.md", "published"),
        ("no-front.md", "front matter"),
    }
    message = str(caught.value)
    assert message.startswith("7 problems in content files:")
    assert "fields.md: video: not a YouTube video URL (got 'https://vimeo.com/123')" in message
    assert "bad-yaml.md: front matter: not valid YAML" in message
    assert re.search(r"bad-yaml.md: front matter: not valid YAML [^\n]*\(line 3\)", message)


def test_a_missing_article_directory_is_a_content_error(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="khong-co: directory does not exist"):
        load_articles(tmp_path / "khong-co", ARTICLES)


VIDEO_LIST = """
- url: https://www.youtube.com/watch?v=dQ4vN2xTgHk&t=42s
  title: Hướng dẫn nộp hồ sơ trực tuyến
  summary: Các bước nộp hồ sơ & thanh toán phí <trực tuyến>.
  published: 2024-03-18
  topics: Dịch vụ công
- url: https://youtu.be/Kq8bZ1mR3aE
  title: Thanh toán không dùng tiền mặt
- url: https://www.youtube.com/shorts/p0Lx7Wc9sYt
  title: SIPAS là gì?
- url: https://m.youtube.com/embed/aB3dE5gH7jK?rel=0
  title: Đường dây nóng 1022
"""


def test_a_video_list_gives_video_items_with_normalised_watch_urls(tmp_path: Path) -> None:
    items = load_videos(write(tmp_path, "videos.yaml", VIDEO_LIST), VIDEOS)
    assert [i.key for i in items] == [
        "cchc.video:yt:dQ4vN2xTgHk",
        "cchc.video:yt:Kq8bZ1mR3aE",
        "cchc.video:yt:p0Lx7Wc9sYt",
        "cchc.video:yt:aB3dE5gH7jK",
    ]
    first = items[0]
    assert (
        first.kind == "video" and first.video_url == "https://www.youtube.com/watch?v=dQ4vN2xTgHk"
    )
    assert first.image_url == "https://i.ytimg.com/vi/dQ4vN2xTgHk/hqdefault.jpg"
    assert first.summary == "Các bước nộp hồ sơ & thanh toán phí <trực tuyến>."
    assert first.body_html == "<p>Các bước nộp hồ sơ &amp; thanh toán phí &lt;trực tuyến&gt;.</p>"
    assert first.published == dt.datetime(2024, 3, 17, 17, 0, tzinfo=dt.UTC)
    assert first.topics == ("dịch vụ công",)
    assert items[3].video_url == "https://www.youtube.com/watch?v=aB3dE5gH7jK"


def test_every_problem_in_a_video_list_is_reported_at_once(tmp_path: Path) -> None:
    text = """
- url: https://www.youtube.com/watch?v=dQ4vN2xTgHk
  title: Tốt
- url: https://www.facebook.com/watch/?v=123
  title: Không phải YouTube
- url: https://youtu.be/dQ4vN2xTgHk
  title: Trùng
- url: https://youtu.be/Kq8bZ1mR3aE
  titel: Sai tên trường
- chỉ là chữ
"""
    with pytest.raises(ContentError) as caught:
        load_videos(write(tmp_path, "videos.yaml", text), VIDEOS)
    assert [p.field for p in caught.value.problems] == [
        "entry 2.url", "entry 3.url", "entry 4.titel", "entry 4.title", "entry 5",
    ]  # fmt: skip
    assert "videos.yaml: entry 2.url: not a YouTube video URL" in str(caught.value)
    assert "videos.yaml: entry 3.url: the same video is listed twice" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (None, "videos.yaml: file does not exist"),
        ("url: https://youtu.be/dQ4vN2xTgHk\n", "videos.yaml: must be a list of videos"),
        ("- url: [x\n", "check the ':' and the quotes (line 2)"),
    ],
)
def test_a_video_list_that_cannot_be_read_says_why(
    tmp_path: Path, text: str | None, message: str
) -> None:
    path = tmp_path / "videos.yaml"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_videos(path, VIDEOS)
    assert str(caught.value).endswith(message) or message in str(caught.value)
