"""The shipped example plus hostile feeds and files, run to the outbox, then every output scanned.

No post, JSON body, SMS text, loudspeaker script or QR payload may carry a link that is not
http(s) (mailto: and tel: are allowed inside body HTML), nor markup in a field that is plain
text; nor may the status page, the JSON API, the database's plain-text fields or the log.
No QR reader is installed, so the QR payload is taken as it is handed to the slide renderer.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

import channels.slide as slide
from campaigns.model import TZ
from campaigns.periods import parse_period
from channels.names import target_folder
from tests.hostile import BAD_URLS, bad_links
from worker.engine.embedded import run_once
from worker.engine.runtime import Runtime, build_runtime, fixed_clock
from worker.reports.report import build_report
from worker.reports.tables import topics_table
from worker.store.models import PUBLISHED, ContentItem, Delivery, SourceState
from worker.web.page import create_app

ROOT = Path(__file__).resolve().parent.parent
NOW = dt.datetime(2024, 12, 31, 16, 0, tzinfo=TZ)  # as `make run` replays the plan
# Active content in HTML: a script element or an event handler inside a tag (text that only
# spells "javascript:" is text: markdown-it leaves a [link](javascript:…) it refuses as text).
ACTIVE = re.compile(r"<script|<[a-z][^>]*\son[a-z]+\s*=|<iframe(?![^>]*youtube-nocookie)", re.I)
MARKUP = re.compile(r"<\s*/?\s*[a-z!][^>]*>|javascript:|vbscript:|data:text/html|file:", re.I)


def hostile_entries() -> str:
    out = []
    for n, url in enumerate(BAD_URLS):
        out.append(
            f"<item><title>&lt;script&gt;alert({n})&lt;/script&gt;Cải cách hành chính {n}"
            f'</title><link>{url}</link><guid isPermaLink="false">hostile-{n}</guid>'
            "<pubDate>Mon, 03 Jun 2024 08:00:00 +0700</pubDate>"
            f'<description><![CDATA[<p onclick="x()">Tin <a href="{url}">xem</a>'
            f'<img src="{url}" onerror="alert(1)"><script>alert(1)</script></p>]]></description>'
            f'<enclosure url="{url}" type="image/jpeg" length="1"/></item>'
        )
    out.append(  # a guid too long for the key column, and an impossible date
        f'<item><title>Tin dài</title><guid isPermaLink="false">{"g" * 600}</guid>'
        "<pubDate>Mon, 03 Jun 2024 08:00:00 +0700</pubDate></item>"
        '<item><title>Năm 0</title><guid isPermaLink="false">y0</guid>'
        "<pubDate>Sat, 01 Jan 0000 00:00:00 +0000</pubDate></item>"
    )
    return "".join(out)


def hostile_files(folder: Path) -> None:
    for n, url in enumerate(BAD_URLS):
        (folder / f"hostile-{n}.md").write_text(
            "---\n"
            f"title: '<img src=x onerror=alert({n})>Dịch vụ công <script>alert(1)</script>'\n"
            f"summary: '<b>Tóm tắt</b> &amp; <script>alert(2)</script>'\n"
            "published: 2024-06-03\n"
            f"image: '{'../' * 40}etc/passwd'\n"
            "---\n"
            f'Nội dung <a href="{url}">xem</a> <img src="{url}"> <script>alert(3)</script>\n'
            f"[liên kết]({url}) ![ảnh]({url})\n",
            encoding="utf-8",
        )


def test_the_example_and_hostile_input_reach_the_outbox_clean(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    config = tmp_path / "config"
    shutil.copytree(ROOT / "config", config)
    feed = config / "content" / "feeds" / "sonoivu-cchc.rss.xml"
    text = feed.read_text("utf-8")
    feed.write_text(text.replace("</channel>", hostile_entries() + "</channel>"), "utf-8")
    hostile_files(config / "content" / "dich-vu-cong-truc-tuyen")
    qr: list[str | None] = []
    real = slide.render_slide

    def spy(content: slide.SlideContent, size: tuple[int, int]) -> bytes:
        qr.append(content.qr_url)
        return real(content, size)

    monkeypatch.setattr(slide, "render_slide", spy)
    outbox = tmp_path / "outbox"
    rt = build_runtime(config, f"sqlite:///{tmp_path / 'loa.db'}", clock=fixed_clock(NOW),
                       outbox=outbox)  # fmt: skip
    caplog.set_level(logging.INFO)
    run_once(rt, threads=4)
    with rt.sessions() as s:
        states = set(s.scalars(select(Delivery.state)))
        warned = list(s.scalars(select(ContentItem.key).where(ContentItem.warnings != [])))
        titles = list(s.scalars(select(ContentItem.title)))
        notes = " ".join(filter(None, s.scalars(select(SourceState.note))))
    assert PUBLISHED in states and states <= {PUBLISHED, "awaiting_approval"}
    assert "Tin dài" in titles and "Năm 0" not in titles and "'y0' skipped" in notes
    assert any("hostile" in k for k in warned)
    # outbox/<unit>/<target name or kind>/: Biên Hòa's portrait `kiosk` is a screen too
    folders = {str(target_folder(t)): t.kind for t in rt.config.targets.values()}
    found = scan(outbox, folders)
    found += [f"qr: {u}" for u in qr if u is not None and bad_links(u, html=False)]
    assert found == []
    kinds = {kind_of(outbox, p, folders) for p in outbox.rglob("*.*")}
    assert kinds == {"website", "screen", "sms", "facebook", "zalo", "loudspeaker"} and any(qr)
    sent = [p.read_text("utf-8") for p in outbox.rglob("*.*") if p.suffix in {".json", ".txt"}]
    assert any("Tóm tắt &" in t for t in sent)  # the hostile files did go out, cleaned
    assert any("Cải cách hành chính 0" in t for t in sent)  # and the hostile feed entries
    assert seen_by_operators(rt, caplog.text) == []
    assert_the_example_story(rt)


def assert_the_example_story(rt: Runtime) -> None:
    """The example's 2024 report tells a believable story (the hostile additions change no
    campaign with quotas): units meet their quotas, save the two communes without a Facebook
    page and Sở Tài chính without a waiting screen; topics print as their labels, and the
    feed's Vietnamese categories count under the campaigns' topics, not beside them."""
    with rt.sessions() as s:
        report = build_report(s, rt.config, parse_period("2024"))
    behind = {(g.unit, g.measure) for g in report.goals if g.behind}
    assert behind == {("tan-phong", "facebook"), ("long-phuoc", "facebook"),
                      ("so-tai-chinh", "screen")}  # fmt: skip
    assert len(report.goals) == 84
    rows = topics_table(report, "vi").rows
    labels = [str(r[0]) for r in rows]
    assert {"Cải cách hành chính", "Chỉ số PAR Index", "Khảo sát sự hài lòng"} <= set(labels)
    slugs = [t.topic for t in report.topics if t.topic]
    assert "cai-cach-hanh-chinh" in slugs and "khao-sat-hai-long" in slugs
    assert not any(t in slugs for t in ("cải cách hành chính", "par index", "khảo sát"))
    assert not any(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", label) for label in labels), labels


def seen_by_operators(rt: Runtime, log: str) -> list[str]:
    """What the page, the JSON API, the database's plain-text fields and the log show: no
    active content, no non-http(s) link (a Markdown image inside the content folder is kept
    in the database as file:, by design: it never leaves loa), no markup in plain text."""
    found: list[str] = []
    web = create_app(rt, wall_clock=lambda: NOW).test_client()
    for path in ("/", "/failures", "/?lang=en"):
        page = web.get(path).get_data(as_text=True)
        # `data:,` is the page's own empty favicon (no request for /favicon.ico), not content
        found += [f"page {path}: {u}" for u in bad_links(page, html=True) if u != "data:,"]
        found += [f"page {path}: active content"] if ACTIVE.search(page) else []
    for path in ("/api/status", "/api/deliveries?limit=5000"):
        text = web.get(path).get_data(as_text=True)
        found += [f"api {path}: {m}" for m in MARKUP.findall(text)]
    with rt.sessions() as s:
        for key, title, summary, link, video in s.execute(
            select(
                ContentItem.key,
                ContentItem.title,
                ContentItem.summary,
                ContentItem.link,
                ContentItem.video_url,
            )
        ):
            found += [f"db {key}: markup" for t in (title, summary) if t and MARKUP.search(t)]
            found += [f"db {key}: {u}" for u in (link, video) if u and bad_links(u, html=False)]
    found += [f"log: {m}" for m in re.findall(r"<script|javascript:[^\s'\"]+", log)]
    return found


def kind_of(outbox: Path, path: Path, folders: dict[str, str]) -> str:
    """The channel kind of an outbox file, from the target whose folder holds it."""
    return folders.get(str(path.parent.relative_to(outbox)), path.parent.name)


def scan(outbox: Path, folders: dict[str, str]) -> list[str]:
    found: list[str] = []
    for path in sorted(outbox.rglob("*.*")):
        kind, name = kind_of(outbox, path, folders), path.relative_to(outbox)
        if kind == "website":
            page = path.read_text("utf-8")
            found += [f"{name}: {u}" for u in bad_links(page, html=True)]
            title = re.search(r"<title>(.*?)</title>", page, re.S)
            if title and MARKUP.search(title.group(1)):
                found.append(f"{name}: title {title.group(1)[:80]!r}")
            if ACTIVE.search(page):
                found.append(f"{name}: active content")
        elif kind == "sms":
            message = path.read_text("utf-8").split("\n\n", 1)[1]
            found += [f"{name}: {u}" for u in re.findall(r"\S+:\S+", message) if _bad(u)]
            if MARKUP.search(message):
                found.append(f"{name}: markup {message[:80]!r}")
        elif kind in {"facebook", "zalo"}:
            body = json.loads(path.read_text("utf-8"))
            found += [f"{name}: {what}" for what in _json_problems(body)]
        elif kind == "loudspeaker" and path.suffix == ".txt":  # read aloud: no link of any kind
            spoken = path.read_text("utf-8")
            found += [f"{name}: {u}" for u in re.findall(r"\S+://\S+|www\.\S+", spoken)]
            if MARKUP.search(spoken):
                found.append(f"{name}: markup {spoken[:80]!r}")
    return found


def _bad(token: str) -> bool:
    scheme = token.split(":", 1)[0].lower()
    return scheme.isalpha() and scheme not in {"http", "https"}


def _json_problems(body: dict[str, object]) -> list[str]:
    found = []
    for key in ("message", "title", "description", "author"):
        value = body.get(key)
        if isinstance(value, str) and MARKUP.search(value):
            found.append(f"{key} {value[:80]!r}")
    for key in ("link",):
        value = body.get(key)
        if isinstance(value, str) and bad_links(value, html=False):
            found.append(f"{key} {value!r}")
    cover = body.get("cover")
    if isinstance(cover, dict) and bad_links(str(cover.get("photo_url")), html=False):
        found.append(f"cover {cover!r}")
    for block in body.get("body") or []:  # type: ignore[attr-defined]
        content = str(block.get("content", ""))
        found += [f"body {u}" for u in bad_links(content, html=True)]
        if ACTIVE.search(content):
            found.append(f"body active content {content[:80]!r}")
    return found
