"""The website format's HTML: what a webmaster would otherwise fix by hand in every post."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from campaigns.files import load_articles
from campaigns.model import TZ, Item, Source, Target, Unit
from channels.base import Context, Message
from channels.outbox import render
from channels.webhtml import paragraphs
from channels.website import WebsiteFormat

UNIT = Unit("bien-hoa", "UBND Thành phố Biên Hòa", "district")
TARGET = Target("bien-hoa/website", "bien-hoa", "website", "outbox")
VIDEO = "https://www.youtube.com/watch?v=Xk3b9LmQ2aZ"


def post(it: Item, target: Target = TARGET, context: Context | None = None) -> Message:
    return WebsiteFormat().format(it, UNIT, target, context=context or Context())


def test_a_bare_youtube_url_on_its_own_line_of_markdown_becomes_the_embed(tmp_path: Path) -> None:
    folder = tmp_path / "bai-viet"
    folder.mkdir()
    (folder / "2024-04-05-huong-dan.md").write_text(
        "---\ntitle: Hướng dẫn nộp hồ sơ\nsummary: Từng bước.\n"
        "published: 2024-04-05T09:00:00+07:00\n---\n"
        f"Xem video:\n\n{VIDEO}\n\nHoặc tại <https://youtu.be/Ab3b9LmQ2aZ>.\n",
        encoding="utf-8",
    )
    (article,) = load_articles(folder, Source("c.bai-viet", "files", path=str(folder)))
    content = str(post(article).body["content"])
    assert (
        '<iframe width="960" height="540" src="https://www.youtube-nocookie.com/embed/Xk3b9LmQ2aZ"'
        in content
    )
    assert f"<p>{VIDEO}</p>" not in content
    assert "youtube-nocookie.com/embed/Ab3b9LmQ2aZ" not in content  # in a sentence: a link


def test_a_video_post_links_the_watch_page_with_words_not_a_bare_url() -> None:
    video = Item(
        "v:1", "video", "Hướng dẫn", summary="Mô tả.", body_html="<p>Mô tả.</p>", video_url=VIDEO
    )
    content = str(post(video).body["content"])
    assert f'<p><a href="{VIDEO}">Xem video trên YouTube</a></p>' in content
    assert not re.search(r"<p>\s*https?://", content)
    assert content.count("Mô tả.") == 1


def test_the_outbox_page_of_a_video_does_not_repeat_its_summary() -> None:
    video = Item(
        "v:1",
        "video",
        "Hướng dẫn",
        summary="Mô tả ngắn.",
        body_html="<p>Mô tả ngắn.</p>",
        video_url=VIDEO,
    )
    assert render(post(video)).decode().count("Mô tả ngắn.") == 1


def test_an_item_with_no_summary_gets_words_for_its_excerpt_never_its_url() -> None:
    bare = Item(
        "a:1", "article", "Lịch tiếp công dân tháng 4", link="https://bienhoa.dongnai.gov.vn/a/1"
    )
    worded = Item("a:2", "article", "Lịch", body_html="<p>https://x.vn/y Tiếp dân thứ Năm.</p>")
    assert post(bare).body["excerpt"] == "Lịch tiếp công dân tháng 4"
    assert post(worded).body["excerpt"] == "Tiếp dân thứ Năm."


def test_no_text_is_left_outside_a_paragraph() -> None:
    loose = Item(
        "a:1",
        "article",
        "T",
        body_html="Mở đầu <strong>quan trọng</strong> &amp; rõ<p>Đoạn hai.</p>cuối",
    )
    content = str(post(loose).body["content"])
    assert content.startswith(
        "<p>Mở đầu <strong>quan trọng</strong> &amp; rõ</p><p>Đoạn hai.</p><p>cuối</p>"
    )


def test_paragraphs_leave_blocks_and_their_insides_alone() -> None:
    html = "<ul><li>một <b>hai</b></li></ul>\n<blockquote>ba</blockquote><a href='x'><p>b</p></a>"
    assert (
        paragraphs(html) == "<ul><li>một <b>hai</b></li></ul>\n<blockquote>ba</blockquote>"
        "<p><a href='x'><p>b</p></a></p>"
    )


def test_categories_carry_names_from_the_topic_labels_and_keep_commas() -> None:
    it = Item("a:1", "article", "T", topics=("phan-anh-kien-nghi", "phản ánh, kiến nghị"))
    target = Target(
        "bien-hoa/website", "bien-hoa", "website", "outbox", options={"categories": ["tin-tuc"]}
    )
    names = {"phan-anh-kien-nghi": "Phản ánh, kiến nghị"}
    body = post(it, target, Context(topic_names=names)).body
    assert body["categories"] == ["tin-tuc", "phan-anh-kien-nghi", "phản ánh, kiến nghị"]
    assert body["category_names"] == {
        "tin-tuc": "Tin tuc",
        "phan-anh-kien-nghi": "Phản ánh, kiến nghị",
        "phản ánh, kiến nghị": "Phản ánh, kiến nghị",
    }


def test_the_item_date_is_sent_only_when_the_target_asks() -> None:
    it = Item("a:1", "article", "T", published=dt.datetime(2024, 3, 12, 8, 0, tzinfo=TZ))
    dated = Target("b/website", "b", "website", "outbox", options={"post_date": "item"})
    assert "date_gmt" not in post(it).body
    assert post(it, dated).body["date_gmt"] == "2024-03-12T01:00:00"
