"""Dates in both Vietnamese and ISO forms in config; topics by label, alias or slug, NFC."""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import pytest

from campaigns.config import ConfigError, load_config
from campaigns.model import Item, Source, with_topics
from campaigns.topicfile import TopicsFile
from campaigns.topics import Topics
from tests.factories import campaign, write_config

TOPICS = {
    "cai-cach-hanh-chinh": {
        "name": "Cải cách hành chính",
        "en": "Administrative reform",
        "aliases": ["CCHC"],
    },
    "chi-so-par-index": "Chỉ số PAR Index",
}
NFD = unicodedata.normalize("NFD", "CẢI CÁCH HÀNH CHÍNH")


def test_a_period_in_dd_mm_yyyy_reads_as_the_same_dates(tmp_path: Path) -> None:
    period = {"start": "15/10/2024", "end": "30/11/2024"}
    at = ["09/11/2024 08:00", "2024-11-10T08:00:00+07:00"]
    c = campaign(period=period, schedule={"at": at})
    loaded = load_config(write_config(tmp_path / "config", campaigns=[c])).campaigns["dvc"]
    assert (loaded.start, loaded.end) == (dt.date(2024, 10, 15), dt.date(2024, 11, 30))
    assert [t.isoformat() for t in loaded.schedule.at] == [
        "2024-11-09T08:00:00+07:00",
        "2024-11-10T08:00:00+07:00",
    ]


def test_a_wrong_date_names_both_forms_with_an_example(tmp_path: Path) -> None:
    c = campaign(period={"start": "15-10-2024", "end": "31/02/2024"}, schedule={"at": ["mai"]})
    with pytest.raises(ConfigError) as info:
        load_config(write_config(tmp_path / "config", campaigns=[c]))
    found = {p.path: str(p.message) for p in info.value.problems}
    forms = "YYYY-MM-DD (2024-10-15) or DD/MM/YYYY (15/10/2024)"
    assert found["period.start"] == f"'15-10-2024' is not a date: write {forms}"
    assert found["period.end"] == f"'31/02/2024' is not a date: write {forms}"
    assert "DD/MM/YYYY HH:MM (15/10/2024 08:00)" in found["schedule.at.0"]
    c = campaign(period={"start": "15/10/2024 08:00", "end": "2024-12-31"})
    with pytest.raises(ConfigError) as info:
        load_config(write_config(tmp_path / "other", campaigns=[c]))
    (problem,) = info.value.problems
    assert problem.path == "period.start"
    assert str(problem.message) == f"'15/10/2024 08:00' has a time: give the day alone, {forms}"


def test_names_aliases_and_slugs_in_any_case_and_normal_form_resolve_to_the_slug() -> None:
    topics, problems = Topics.build(TopicsFile.model_validate({"topics": TOPICS}))
    assert problems == []
    for term in (
        "Cải cách hành chính",
        NFD,
        "  cải cách   HÀNH chính ",
        "cchc",
        "cai-cach-hanh-chinh",
    ):
        assert topics.resolve(term) == "cai-cach-hanh-chinh", term
    assert topics.resolve("Tin tức") == "tin tức"  # names no topic: kept, normalised
    assert topics.label("cai-cach-hanh-chinh", "en") == "Administrative reform"
    assert topics.label("chi-so-par-index", "en") == "Chỉ số PAR Index"  # no English: the name
    assert topics.label("tin tức") == "Tin tức"


def test_a_spelling_given_to_two_topics_is_named(tmp_path: Path) -> None:
    twice = {**TOPICS, "mot-cua": {"name": "Một cửa", "aliases": ["cchc"]}}
    with pytest.raises(ConfigError) as info:
        load_config(write_config(tmp_path / "config", topics=twice))
    (problem,) = info.value.problems
    assert (problem.file.endswith("topics.yaml"), problem.path) == (
        True,
        "topics.mot-cua.aliases.0",
    )
    assert problem.message == "'cchc' already names topic 'cai-cach-hanh-chinh'"


def test_a_vietnamese_match_in_any_normal_form_matches_feed_categories(tmp_path: Path) -> None:
    c = campaign(topics=[NFD], match={"topics": ["Cải cách hành chính"]})
    config = load_config(write_config(tmp_path / "config", campaigns=[c], topics=TOPICS))
    loaded = config.campaigns["dvc"]
    assert loaded.topics == loaded.match_topics == ("cai-cach-hanh-chinh",)
    source = Source("dvc.feed", "feed", url="https://example.gov.vn/rss")
    # a feed item whose category is the label, decomposed (as some CMSs send it)
    item = Item(
        "k", "article", "Tin", topics=(unicodedata.normalize("NFD", "cải cách hành chính"),)
    )
    item = with_topics(item, config.topics)
    assert item.topics == ("cai-cach-hanh-chinh",) and source.topics == ()
    assert loaded.matches(item.topics, item.title)
    assert not loaded.matches(("tin tức",), "Tin")


def test_the_example_feed_categories_land_on_the_example_topics() -> None:
    config = load_config(Path(__file__).resolve().parent.parent / "config")
    for category, slug in (
        ("Cải cách hành chính", "cai-cach-hanh-chinh"),
        ("  PAR   Index ", "chi-so-par-index"),
        ("Dịch vụ công trực tuyến", "dich-vu-cong"),
        ("Khảo sát", "khao-sat-hai-long"),
        ("Phản ánh, kiến nghị", "phan-anh-kien-nghi"),
    ):
        assert config.topics.resolve(category) == slug
    assert config.topics.label("dich-vu-cong") == "Dịch vụ công trực tuyến"
