"""Topic names as a report reads them: the labels config/topics.yaml gives each topic slug."""

from __future__ import annotations

from campaigns.topics import Topics


def topic_name(slug: str, lang: str = "vi", topics: Topics | None = None) -> str:
    """The topic's label in `lang` from topics.yaml; a slug not listed reads as its words
    ('thanh-toan' -> 'Thanh toan')."""
    return (topics or Topics()).label(slug, lang)
