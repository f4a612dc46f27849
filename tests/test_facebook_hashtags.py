"""A campaign's hashtags on its Facebook posts: added to the page's own, or instead of them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from campaigns.config import ConfigError, load_config
from campaigns.model import Campaign, Item, Target, Unit
from channels.base import Context
from channels.facebook import FacebookFormat
from tests.factories import campaign, write_config

UNIT = Unit("so-tu-phap", "Sở Tư pháp", "department")
PAGE = Target(
    "so-tu-phap/facebook",
    "so-tu-phap",
    "facebook",
    "outbox",
    options={"hashtags": ["#CaiCachHanhChinh", "#DongNai"]},
)
ITEM = Item(
    "law:1",
    "article",
    "Hưởng ứng Ngày Pháp luật Việt Nam 9/11",
    link="https://stp.dongnai.gov.vn/a/1",
)


def hashtags_of(tmp_path: Path, given: Any) -> str:
    root = write_config(tmp_path / "config", campaigns=[campaign(hashtags=given)])
    found: Campaign = load_config(root).campaigns["dvc"]
    text = FacebookFormat().format(ITEM, UNIT, PAGE, context=Context(campaign=found)).text
    return text.rsplit("\n\n", 1)[1]


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        (None, "#CaiCachHanhChinh #DongNai"),
        (["#NgayPhapLuatVN"], "#CaiCachHanhChinh #DongNai #NgayPhapLuatVN"),
        ({"add": ["#NgayPhapLuatVN", "#DongNai"]}, "#CaiCachHanhChinh #DongNai #NgayPhapLuatVN"),
        ({"replace": ["#NgàyPhápLuật", "#DongNai"]}, "#NgàyPhápLuật #DongNai"),
    ],
)
def test_the_campaign_adds_to_or_replaces_the_pages_hashtags(
    tmp_path: Path, given: Any, shown: str
) -> None:
    assert hashtags_of(tmp_path, given) == shown


def test_replace_with_nothing_leaves_no_hashtag(tmp_path: Path) -> None:
    root = write_config(tmp_path / "config", campaigns=[campaign(hashtags={"replace": []})])
    found = load_config(root).campaigns["dvc"]
    text = FacebookFormat().format(ITEM, UNIT, PAGE, context=Context(campaign=found)).text
    assert "#" not in text


@pytest.mark.parametrize(
    ("given", "words"),
    [
        ({"add": ["#A"], "replace": ["#B"]}, "give 'add' or 'replace', not both"),
        (["Ngay Phap Luat"], "a hashtag is '#' and one word without spaces"),
        ({"add": ["#hai tu"]}, "hashtags.add.0: a hashtag is '#' and one word"),
        ({"remove": ["#A"]}, "hashtags.remove"),
    ],
)
def test_wrong_hashtags_are_refused_naming_the_field(
    tmp_path: Path, given: Any, words: str
) -> None:
    root = write_config(tmp_path / "config", campaigns=[campaign(hashtags=given)])
    with pytest.raises(ConfigError) as refused:
        load_config(root)
    assert "dvc.yaml" in str(refused.value) and words in str(refused.value)
