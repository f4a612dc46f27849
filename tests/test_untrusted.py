"""Untrusted feeds and files: only http(s) links, plain text without markup, sizes capped."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from campaigns.feeds import parse
from campaigns.files import ContentError, load_articles
from campaigns.model import Item, Source
from campaigns.text import sanitise_html, web_url
from channels.loudspeaker import LoudspeakerFormat
from channels.website import WebsiteFormat
from channels.zalo import DEFAULT_COVER, ZaloFormat
from tests.hostile import BAD_URLS, UNIT, outputs, problems, target

FEED = Source("tin", "feed", url="https://a.gov.vn/rss")
FILES = Source("bai", "files", path="content/news", topics=("cải cách hành chính",))


def rss(items: str) -> tuple[Item, ...]:
    doc = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:media="http://search.yahoo.com/mrss/"><channel><title>t</title>'
        f"{items}</channel></rss>"
    )
    return parse(doc.encode(), source=FEED, base_url="https://a.gov.vn/rss")


def hostile_entry(n: int, url: str) -> str:
    return (
        f"<item><guid>g{n}</guid><title>Tin {n}</title><link>{url}</link>"
        f"<description>&lt;p&gt;Nội dung &lt;a href=&quot;{url}&quot;&gt;xem&lt;/a&gt;"
        "&lt;/p&gt;</description>"
        f'<enclosure url="{url}" type="image/jpeg" length="1"/>'
        f'<media:thumbnail url="{url}"/></item>'
    )


@pytest.mark.parametrize("url", BAD_URLS)
def test_web_url_takes_only_http_and_https(url: str) -> None:
    assert web_url(url) is None and web_url(" " + url) is None
    assert web_url("https://dongnai.gov.vn/a?b=1") == "https://dongnai.gov.vn/a?b=1"
    assert web_url("HTTP://dongnai.gov.vn/") == "HTTP://dongnai.gov.vn/"
    assert web_url("https:///nohost") is None and web_url("//a.gov.vn/x") is None


@pytest.mark.parametrize("url", BAD_URLS)
def test_hostile_feed_links_and_images_are_dropped_with_a_warning(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    (item,) = rss(hostile_entry(1, url))
    assert item.link is None and item.image_url is None
    assert any("link" in w and "dropped" in w for w in item.warnings)
    assert any("image" in w and "dropped" in w for w in item.warnings)
    assert problems(outputs(item, monkeypatch)) == []


@pytest.mark.parametrize("url", BAD_URLS)
def test_every_format_refuses_hostile_links_it_is_handed_directly(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = Item(
        "x:1",
        "article",
        "Tin",
        summary="Tóm tắt",
        body_html=f'<p><a href="{url}">xem</a><img src="{url}"></p>',
        link=url,
        video_url=url,
        image_url=url,
    )
    seen = outputs(raw, monkeypatch)
    assert problems(seen) == []
    assert seen["zalo"]["body"]["cover"]["photo_url"].startswith("https://")


def test_nh3_keeps_only_safe_schemes_in_body_html() -> None:
    for url in BAD_URLS:
        cleaned = sanitise_html(f'<a href="{url}">x</a><img src="{url}">')
        assert url.split(":")[0].lower() not in cleaned.lower()
    assert 'href="mailto:a@b.vn"' in sanitise_html('<a href="mailto:a@b.vn">thư</a>')


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_markdown_image_outside_the_content_folder_never_becomes_a_cover(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("mật", encoding="utf-8")
    folder = tmp_path / "content" / "news"
    write(folder, "a.md", "---\ntitle: Ảnh\nimage: ../../secret.txt\n---\nx\n")
    (item,) = load_articles(folder, FILES)
    assert item.image_url is None and any("image" in w for w in item.warnings)
    cover = outputs(item, monkeypatch)["zalo"]["body"]["cover"]["photo_url"]
    assert cover.startswith("https://")


def test_a_markdown_image_inside_the_folder_stays_inside_loa(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "anh.jpg").write_bytes(b"\xff\xd8\xff")
    write(tmp_path, "a.md", "---\ntitle: Ảnh\nimage: anh.jpg\n---\nx\n")
    (item,) = load_articles(tmp_path, FILES)
    assert item.image_url and item.image_url.startswith("file:")
    seen = outputs(item, monkeypatch)
    assert "file:" not in json.dumps(seen) and problems(seen) == []


MARKUP = '<script>alert(1)</script><img src=x onerror="alert(2)">'


def test_markup_in_an_atom_text_title_never_reaches_a_plain_text_channel(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    atom = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>t</title><entry><id>e1</id>"
        '<title type="text">Cải cách &lt;script&gt;alert(1)&lt;/script&gt; hành chính &amp;amp; '
        "&lt;img src=x onerror=alert(2)&gt;</title>"
        '<summary type="text">&lt;b&gt;Tóm&lt;/b&gt; tắt</summary>'
        '<link href="https://a.gov.vn/1"/><updated>2024-03-01T00:00:00Z</updated></entry></feed>'
    )
    (item,) = parse(atom.encode(), source=FEED, base_url="https://a.gov.vn/atom")
    assert item.title == "Cải cách hành chính &amp;"
    assert item.summary == "Tóm tắt"
    assert problems(outputs(item, monkeypatch)) == []


def test_markup_in_a_markdown_title_or_summary_is_stripped_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    title = f"{MARKUP} Cải cách &amp;lt;b&amp;gt; hành chính"
    text = f"---\ntitle: '{title}'\nsummary: '<b>Tóm</b> &amp; tắt {MARKUP}'\n---\nx\n"
    write(tmp_path, "a.md", text)
    (item,) = load_articles(tmp_path, FILES)
    assert item.title == "Cải cách &lt;b&gt; hành chính"  # one decoding, not two
    assert item.summary == "Tóm & tắt"
    seen = outputs(item, monkeypatch)
    assert problems(seen) == []
    for kind in ("facebook", "zalo", "sms"):
        assert "Cải cách &lt;b&gt; hành chính" in json.dumps(seen[kind], ensure_ascii=False)


def test_a_huge_title_is_shortened_at_ingest_and_capped_by_every_format(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (item,) = rss(f"<item><guid>g</guid><title>{'Cải cách hành chính ' * 5000}</title></item>")
    assert len(item.title) <= 500 and item.title.endswith("…")
    assert any("title" in w for w in item.warnings)
    huge = Item("x:1", "article", "Tiêu đề " * 20_000, body_html="<p>" + "Nội dung. " * 1_000_000)
    seen = outputs(huge, monkeypatch)
    website = seen["website"]["body"]
    assert len(website["title"]) <= WebsiteFormat.max_title
    assert len(website["content"]) <= WebsiteFormat.max_content
    zalo = seen["zalo"]["body"]
    assert len(zalo["title"]) <= ZaloFormat.max_title
    assert sum(len(b["content"]) for b in zalo["body"]) <= ZaloFormat.max_body
    assert zalo["body"][0]["content"].endswith("</p>")
    assert len(seen["facebook"]["body"]["message"]) <= 63_206
    assert len(seen["loudspeaker"]["body"]["title"]) <= LoudspeakerFormat.max_title


def test_a_markdown_file_over_the_limit_is_refused_naming_the_file(tmp_path: Path) -> None:
    write(tmp_path, "ok.md", "---\ntitle: Được\n---\nx\n")
    write(tmp_path, "to.md", "---\ntitle: Quá lớn\n---\n" + "Nội dung dài. " * 100_000)
    with pytest.raises(ContentError, match=r"to\.md: .*1 MB"):
        load_articles(tmp_path, FILES)


def test_a_zalo_cover_option_that_is_not_a_web_address_gives_the_default_cover() -> None:
    item = Item("x:1", "article", "Tin", summary="s", image_url="file:///etc/passwd")
    t = replace(target("zalo"), options={"cover_url": "file:///etc/shadow"})
    cover = ZaloFormat().format(item, UNIT, t).body["cover"]
    assert cover["photo_url"] == DEFAULT_COVER
