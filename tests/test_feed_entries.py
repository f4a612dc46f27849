"""Feed bytes to items with no network: keys, links, images, dates, topics, text hygiene."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import replace

import pytest

from campaigns.feeds import FeedError, content_hash, parse
from campaigns.model import Item, Source
from tests.fakes.feeds import DATA

SOURCE = Source("cchc.news", "feed", url="https://sonoivu.dongnai.gov.vn/rss/cchc.rss",
                topics=("cải cách hành chính",))  # fmt: skip
ATOM_URL = "https://dongnai.gov.vn/feeds/chi-dao-dieu-hanh.atom"


def agency() -> dict[str, Item]:
    items = parse((DATA / "agency-rss.xml").read_bytes(), source=SOURCE, base_url=SOURCE.url or "")
    return {i.key.removeprefix("cchc.news:"): i for i in items}


def atom() -> list[Item]:
    return list(parse((DATA / "portal-atom.xml").read_bytes(), source=SOURCE, base_url=ATOM_URL))


def rss(item_xml: str) -> tuple[Item, ...]:
    channel = f"<channel><title>t</title>{item_xml}</channel>"
    doc = f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'
    return parse(doc.encode(), source=SOURCE, base_url="https://a.gov.vn/rss/x.rss")


def test_keys_are_the_guid_else_the_absolute_link_prefixed_by_the_source() -> None:
    assert list(agency()) == [
        "snv-dn-2024-0312",
        "https://sonoivu.dongnai.gov.vn/tin-tuc/huong-dan-nop-ho-so-truc-tuyen.html",
        "https://sonoivu.dongnai.gov.vn/tin-tuc/thanh-toan-truc-tuyen-phi-le-phi.html",
        "snv-dn-2024-0301",
        "snv-dn-2024-0288",
    ]
    assert all(i.source == "cchc.news" and i.kind == "article" for i in agency().values())


def test_an_entry_with_neither_guid_nor_link_is_keyed_by_its_title() -> None:
    first = rss("<item><title>Thông báo lịch tiếp công dân</title></item>")
    again = rss(
        "<item><title>Thông báo lịch tiếp công dân</title><description>x</description></item>"
    )
    assert first[0].key == again[0].key and first[0].key.startswith("cchc.news:title:")


def test_links_and_images_are_absolute_and_come_from_media_enclosure_or_thumbnail() -> None:
    items = list(agency().values())
    assert (
        items[2].link
        == "https://sonoivu.dongnai.gov.vn/tin-tuc/thanh-toan-truc-tuyen-phi-le-phi.html"
    )
    assert [i.image_url for i in items] == [
        "https://sonoivu.dongnai.gov.vn/uploads/2024/03/hoi-nghi-cchc.jpg",  # media:content
        "https://sonoivu.dongnai.gov.vn/uploads/2024/03/dvc-truc-tuyen.png",  # enclosure
        "https://sonoivu.dongnai.gov.vn/uploads/2024/03/thanh-toan-truc-tuyen.jpg",  # thumbnail
        None,
        None,
    ]  # fmt: skip


def test_article_body_is_the_sanitised_content_with_absolute_links() -> None:
    body = agency()["snv-dn-2024-0312"].body_html
    assert "<script" not in body and "document.write" not in body
    assert "pixel.gif" not in body and "tracker.example.net" not in body
    assert 'src="https://sonoivu.dongnai.gov.vn/uploads/2024/03/hoi-nghi-cchc.jpg"' in body
    assert 'href="https://sonoivu.dongnai.gov.vn/dich-vu-cong/truc-tuyen-toan-trinh.html"' in body
    assert "<strong>Kế hoạch cải cách hành chính năm 2024</strong>" in body


def test_summary_is_plain_text_shortened_with_entities_decoded() -> None:
    items = agency()
    first = items["snv-dn-2024-0312"]
    assert first.summary.startswith("Sáng 18/3, UBND tỉnh tổ chức hội nghị triển khai Kế hoạch")
    assert "năm 2024, đặt mục tiêu" in first.summary and "PAR Index & SIPAS" in first.summary
    assert "<" not in first.summary
    long = rss(f"<item><title>t</title><link>/a</link><description>{'Dịch vụ công. ' * 60}"
               "</description></item>")[0]  # fmt: skip
    assert len(long.summary) <= 300 and long.summary.endswith("…")


def test_titles_are_plain_text_with_entities_decoded() -> None:
    title = agency()["https://sonoivu.dongnai.gov.vn/tin-tuc/thanh-toan-truc-tuyen-phi-le-phi.html"]
    assert title.title == (
        'Thanh toán trực tuyến phí, lệ phí "không tiền mặt" khi giải quyết thủ tục hành chính'
    )
    html_title = rss(
        "<item><title>&lt;b&gt;Đường dây nóng&lt;/b&gt; 1022</title><link>/x</link></item>"
    )
    assert html_title[0].title == "Đường dây nóng 1022"


def test_published_is_an_aware_utc_datetime() -> None:
    first = agency()["snv-dn-2024-0312"]
    assert first.published == dt.datetime(2024, 3, 18, 1, 30, tzinfo=dt.UTC)
    assert rss("<item><title>t</title><link>/x</link></item>")[0].published is None


def test_topics_are_the_source_topics_then_normalised_categories() -> None:
    assert agency()["snv-dn-2024-0312"].topics == ("cải cách hành chính", "par index")
    third = agency()["https://sonoivu.dongnai.gov.vn/tin-tuc/thanh-toan-truc-tuyen-phi-le-phi.html"]
    assert third.topics == (
        "cải cách hành chính",
        "dịch vụ công trực tuyến",
        "thanh toán trực tuyến",
    )


def test_atom_uses_xml_base_for_links_and_updated_when_published_is_absent() -> None:
    first, second, third = atom()
    assert first.key == "cchc.news:tag:dongnai.gov.vn,2024:news/8841"
    assert first.link == "https://dongnai.gov.vn/tin-tuc/so-ket-chuong-trinh-cchc-2021-2030"
    assert 'href="https://dongnai.gov.vn/van-ban/ke-hoach-cchc-2024.pdf"' in first.body_html
    assert first.topics == ("cải cách hành chính",)  # the label matches the plan topic
    assert second.published == dt.datetime(2024, 3, 12, 1, 0, tzinfo=dt.UTC)
    assert second.image_url == "https://dongnai.gov.vn/media/bang-gia-dat.jpg"
    assert third.published == dt.datetime(2024, 3, 5, 1, 0, tzinfo=dt.UTC)
    assert "<strong>PCI</strong>" in third.body_html


def test_decomposed_vietnamese_comes_out_precomposed() -> None:
    nfd = unicodedata.normalize("NFD", "Cải cách hành chính")
    item = rss(f"<item><title>{nfd}</title><link>/a</link><category>{nfd}</category>"
               f"<description>{nfd}</description></item>")[0]  # fmt: skip
    assert item.title == item.summary == "Cải cách hành chính"
    assert unicodedata.is_normalized("NFC", item.title)
    assert item.topics == ("cải cách hành chính",)


def test_a_real_feed_mislabelled_as_html_is_still_read() -> None:
    body = (DATA / "agency-rss.xml").read_bytes()
    items = parse(body, source=SOURCE, base_url="https://a.gov.vn/rss", content_type="text/html")
    assert len(items) == 5


def test_an_empty_feed_gives_no_items_and_no_error() -> None:
    assert rss("") == ()


def test_bozo_feeds_with_entries_are_accepted() -> None:
    # an undeclared namespace prefix: fatal to the strict parser, routine in the wild
    undeclared = rss("<item><title>Chưa khai báo</title><link>/1</link><dc:creator>x</dc:creator>"
                     "</item>")  # fmt: skip
    assert [i.title for i in undeclared] == ["Chưa khai báo"]


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b"", None, "not a feed: the body is empty"),
        (
            b'{"items": []}',
            "application/json",
            "not a feed: the body is not XML (application/json)",
        ),
        (b"<rss><channel><item><title>x</ti", None, "malformed XML at line 1: unclosed token"),
        ((DATA / "malformed.xml").read_bytes(), None, "malformed XML at line 3: not well-formed"),
        ((DATA / "not-a-feed.html").read_bytes(), None, "not a feed: the server sent HTML"),
    ],
)
def test_what_is_not_a_feed_raises_a_one_line_feed_error(
    body: bytes, content_type: str | None, message: str
) -> None:
    with pytest.raises(FeedError) as caught:
        parse(body, source=SOURCE, base_url="https://a.gov.vn/rss", content_type=content_type)
    assert str(caught.value).startswith(message) and "\n" not in str(caught.value)


def test_content_hash_changes_with_what_a_reader_sees_and_nothing_else() -> None:
    item = agency()["snv-dn-2024-0312"]
    assert content_hash(item) == content_hash(replace(item, key="other:key", source="other"))
    for change in ({"title": "x"}, {"summary": "x"}, {"body_html": "<p>x</p>"}, {"link": "https://x"},
                   {"image_url": None}, {"published": None}, {"topics": ()}):  # fmt: skip
        assert content_hash(replace(item, **change)) != content_hash(item)


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("district-windows-1258.xml", "application/rss+xml; charset=iso-8859-1"),
        ("district-windows-1258.xml", "text/xml"),
        ("district-windows-1258.xml", None),
        ("district-misdeclared.xml", "application/rss+xml"),
        ("district-misdeclared.xml", "text/xml; charset=windows-1252"),
        ("district-no-declaration.xml", "text/xml"),
        ("district-no-declaration.xml", "application/octet-stream"),
    ],
)
def test_vietnamese_survives_wrong_or_missing_encoding_labels(
    name: str, content_type: str | None
) -> None:
    body = (DATA / name).read_bytes()
    items = parse(body, source=SOURCE, base_url="https://a.gov.vn/rss", content_type=content_type)
    assert [i.title for i in items] == [
        "Tuyên truyền cải cách hành chính đến từng ấp, khu phố",
        "Hội nghị đối thoại với người dân về đất đai, quy hoạch sử dụng đất",
    ]
    assert all(unicodedata.is_normalized("NFC", i.title + i.summary) for i in items)
    assert items[1].summary.startswith("Lãnh đạo huyện trả lời ý kiến của người dân")
