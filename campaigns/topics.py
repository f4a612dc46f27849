"""Topics: one slug per subject, its Vietnamese (and English) label, and the words that mean it.

`config/topics.yaml` is the one place topic labels live:

    topics:
      cai-cach-hanh-chinh:
        name: Cải cách hành chính
        en: Administrative reform
        aliases: [CCHC]
      mot-cua: Bộ phận một cửa        # just the label

A term from anywhere (a campaign's `topics` or `match.topics`, a feed's category, an article's
`topics`) is NFC-normalised, its entities decoded, its spaces collapsed and case-folded, then
looked up among the slugs, names and aliases: 'Cải cách hành chính' (decomposed or not, any
case) becomes `cai-cach-hanh-chinh`. A term that names no topic stays as its normalised text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from campaigns.text import nfc

if TYPE_CHECKING:  # the model, with pydantic, only where topics.yaml is read
    from campaigns.topicfile import TopicsFile

SLUG = r"^[a-z0-9][a-z0-9-]*$"  # as in campaigns/topicfile.py
_SPACE = re.compile(r"\s+")


def normalise_topic(term: str) -> str:
    """One spelling per term, so 'Cải cách  hành chính' and 'cải cách hành chính' match."""
    return _SPACE.sub(" ", nfc(html.unescape(term))).strip().lower()


def topic_key(term: str) -> str:
    """The form terms are compared in: normalised and case-folded."""
    return normalise_topic(term).casefold()


@dataclass(frozen=True)
class Topic:
    slug: str
    name: str
    name_en: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Topics:
    """The topic table: labels by slug, and every known spelling to its slug."""

    labels: Mapping[str, Topic] = field(default_factory=dict)
    index: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, spec: TopicsFile | None) -> tuple[Topics, list[tuple[str, str]]]:
        """The table from topics.yaml, and problems as (key path, message)."""
        if spec is None:
            return cls(), []
        labels: dict[str, Topic] = {}
        index: dict[str, str] = {}
        problems: list[tuple[str, str]] = []
        for slug, given in spec.topics.items():
            if not re.match(SLUG, slug):
                problems.append(
                    (f"topics.{slug}", "a topic's key is its slug: lower-case a-z, 0-9 and '-'")
                )
                continue
            if isinstance(given, str):
                topic = Topic(slug, nfc(given))
            else:
                names = tuple(map(nfc, given.aliases))
                topic = Topic(slug, nfc(given.name), nfc(given.en) or None, names)
            labels[slug] = topic
            for where, term in (("", slug), ("name", topic.name), *_aliases(topic)):
                key = topic_key(term)
                other = index.setdefault(key, slug)
                if other != slug:
                    path = f"topics.{slug}.{where}" if where else f"topics.{slug}"
                    problems.append((path, f"'{term}' already names topic '{other}'"))
        return cls(labels, index), problems

    def resolve(self, term: str) -> str:
        """The slug `term` names, or its normalised text when it names no topic."""
        return self.index.get(topic_key(term)) or normalise_topic(term)

    def resolve_all(self, terms: Iterable[str]) -> tuple[str, ...]:
        """Each term resolved, in order, without repeats or empty ones."""
        return tuple(dict.fromkeys(t for t in map(self.resolve, terms) if t))

    def label(self, slug: str, lang: str = "vi") -> str:
        """The topic's label; a term not in the table reads as its words ('thanh-toan' ->
        'Thanh toan', 'tin tức' -> 'Tin tức')."""
        topic = self.labels.get(slug)
        if topic is not None:
            return (topic.name_en or topic.name) if lang == "en" else topic.name
        return slug.replace("-", " ").capitalize()


def _aliases(topic: Topic) -> list[tuple[str, str]]:
    return [(f"aliases.{i}", a) for i, a in enumerate(topic.aliases)]


def topic_label(topic: str, names: Mapping[str, str]) -> str:
    """The name a topic is shown by outside the reports (a website category's name): its
    `topics.yaml` name, else the free text it is, else its slug's words ('dich-vu-cong' ->
    'Dich vu cong')."""
    if topic in names:
        return str(names[topic])
    if "-" in topic and " " not in topic and topic.isascii():
        return topic.replace("-", " ").capitalize()
    return topic[:1].upper() + topic[1:]
