"""Hostile feed HTML through campaigns.text.sanitise_html: what a browser must never get."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from campaigns.text import sanitise_html

BASE = "https://sonoivu.dongnai.gov.vn/tin-tuc/bai-viet.html"


@dataclass(frozen=True)
class Hostile:
    name: str
    fragment: str
    banned: tuple[str, ...]  # lower-cased substrings that must not survive
    kept: tuple[str, ...] = ()  # exact substrings that must survive


HOSTILE = [
    Hostile("script tags and their text",
            '<p>a</p><script>alert(1)</script><SCRIPT SRC="https://x.example/y.js"></SCRIPT>',
            ("<script", "alert", "y.js"), ("<p>a</p>",)),
    Hostile("a script split around another", "<scr<script>ipt>alert(1)</script>",
            ("<script", "<ipt")),
    Hostile("event handlers, quoted or not",
            '<img src="a.jpg" onerror="alert(1)"><img src=b.jpg onerror=alert(1)>'
            '<p onclick="x()">p</p>',
            ("onerror", "onclick", "alert"), ("<p>p</p>",)),
    Hostile("javascript: links",
            '<a href="javascript:alert(1)">a</a><a href=" javascript:alert(2)">b</a>',
            ("javascript", "alert", "href")),
    Hostile("javascript: in mixed case", '<a href="JaVaScRiPt:alert(1)">a</a>',
            ("javascript", "href")),
    Hostile("javascript: entity-encoded",
            '<a href="&#106;avascript:alert(1)">a</a>'
            '<a href="&#x6A;&#x61;vascript&colon;alert(1)">b</a>'
            '<a href="java&#x09;script:alert(1)">c</a>',
            ("javascript", "href", "alert")),
    Hostile("other script-bearing schemes",
            '<a href="vbscript:msgbox(1)">a</a><a href="data:text/html;base64,PHNjcmlwdD4=">b</a>'
            '<img src="data:image/svg+xml;base64,PHN2Zz4=">',
            ("vbscript", "data:", "href")),
    Hostile("style expressions and style sheets",
            '<p style="width: expression(alert(1))">x</p>'
            '<div style="background:url(javascript:alert(1))">y</div>'
            "<style>body{display:none}</style>",
            ("style", "expression", "javascript", "display"), ("<p>x</p>",)),
    Hostile("iframes, objects, embeds and forms",
            '<iframe src="https://evil.example/"></iframe><object data="x.swf"></object>'
            '<embed src="x.swf"><form action="/x"><input name="cccd"></form>',
            ("iframe", "object", "embed", "form", "input", "evil.example")),
    Hostile("svg and math mutation tricks",
            '<svg onload="alert(1)"><circle/></svg>'
            "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
            ("svg", "onload", "onerror", "alert", "<math")),
    Hostile("conditional comments", "<!--[if IE]><script>alert(1)</script><![endif]--><p>ok</p>",
            ("<!--", "script", "alert"), ("<p>ok</p>",)),
    Hostile("meta refresh, base and link",
            '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'
            '<base href="https://evil.example/"><link rel="stylesheet" href="https://evil.example/x.css">',
            ("<meta", "<base", "<link", "evil.example")),
    Hostile("1x1 tracking pixels by attribute",
            '<img src="https://t.example/p1.gif" width="1" height="1">'
            '<img src="https://t.example/p2.gif" width=1 height=1 />'
            '<IMG SRC="https://t.example/p3.gif" WIDTH="0" HEIGHT="0">'
            '<img src="https://t.example/p4.gif" height="1px" width="1px">',
            ("t.example", "<img")),
]  # fmt: skip


@pytest.mark.parametrize("case", HOSTILE, ids=[c.name for c in HOSTILE])
def test_hostile_html_is_defused(case: Hostile) -> None:
    cleaned = sanitise_html(case.fragment, base_url=BASE)
    for banned in case.banned:
        assert banned not in cleaned.lower(), f"{banned!r} survived in {cleaned!r}"
    for kept in case.kept:
        assert kept in cleaned


def test_relative_links_and_images_are_made_absolute_against_the_entry() -> None:
    cleaned = sanitise_html(
        '<a href="../van-ban/qd.pdf">QĐ</a><img src="anh.jpg" alt="Ảnh">'
        '<a href="/tim-kiem?q=dv&amp;trang=2">tìm</a><a href="//cdn.example.vn/x.pdf">x</a>',
        base_url=BASE,
    )
    assert 'href="https://sonoivu.dongnai.gov.vn/van-ban/qd.pdf"' in cleaned
    assert 'src="https://sonoivu.dongnai.gov.vn/tin-tuc/anh.jpg"' in cleaned
    assert 'href="https://sonoivu.dongnai.gov.vn/tim-kiem?q=dv&amp;trang=2"' in cleaned
    assert 'href="https://cdn.example.vn/x.pdf"' in cleaned


def test_safe_links_get_noopener_and_lose_their_handlers() -> None:
    cleaned = sanitise_html(
        '<a href="https://dichvucong.gov.vn" target="_blank" onclick="x()">DVC</a>', base_url=BASE
    )
    assert cleaned == '<a href="https://dichvucong.gov.vn" rel="noopener noreferrer">DVC</a>'


def test_ordinary_photos_and_vietnamese_text_survive() -> None:
    fragment = (
        "<h2>Cải cách hành chính</h2><p>Người dân <strong>nộp hồ sơ</strong> trực tuyến.</p>"
        '<figure><img src="/uploads/anh.jpg" alt="Ảnh hội nghị" width="800" height="10">'
        "<figcaption>Quang cảnh</figcaption></figure>"
    )
    cleaned = sanitise_html(fragment, base_url=BASE)
    assert "<h2>Cải cách hành chính</h2>" in cleaned
    assert "<strong>nộp hồ sơ</strong>" in cleaned
    assert re.search(r'<img src="https://sonoivu\.dongnai\.gov\.vn/uploads/anh\.jpg"', cleaned)
    assert "<figcaption>Quang cảnh</figcaption>" in cleaned


def test_nothing_in_gives_nothing_out() -> None:
    assert sanitise_html(None) == sanitise_html("") == ""


@pytest.mark.parametrize("style", ["width:1px;height:1px", "display:none", "visibility:hidden"])
def test_tracking_pixels_sized_or_hidden_by_css_are_removed(style: str) -> None:
    cleaned = sanitise_html(f'<p>x</p><img src="https://t.example/p.gif" style="{style}">')
    assert "t.example" not in cleaned


def test_a_real_photo_with_a_data_width_attribute_is_kept() -> None:
    cleaned = sanitise_html('<img src="/anh.jpg" data-width="1" width="800" height="450">', BASE)
    assert "anh.jpg" in cleaned


def test_text_that_mentions_href_is_left_as_written() -> None:
    cleaned = sanitise_html('<p>Viết href="tin.html" trong thẻ a</p>', base_url=BASE)
    assert cleaned == '<p>Viết href="tin.html" trong thẻ a</p>'
