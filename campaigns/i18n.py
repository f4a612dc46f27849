"""Messages a user reads, in Vietnamese (the default, like the status page) or English.

A plain message table rather than gettext catalogues (docs/messages.md says why): every
message has an id and its two texts side by side, in `campaigns/messages.py` (config and
content) and `worker/cli/messages.py` (the command line); `t(id, **fields)` renders one in the
language in use. The language is chosen once per command by `worker/cli/lang.py`
(`--lang`, then `LOA_LANG`, then `lang:` in loa.yaml, then Vietnamese).

A `Msg` keeps its id and fields, so a problem found before the language is known (while
loa.yaml itself is read) still prints in the language chosen later.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from campaigns.messages import MESSAGES

LANGS = ("vi", "en")
DEFAULT_LANG = "vi"
ENV = "LOA_LANG"

CATALOGUE: dict[str, tuple[str, str]] = {}
"""Message id -> (Vietnamese, English); each table module adds its own with `register`."""

_chosen: list[str] = []


def register(table: dict[str, tuple[str, str]]) -> None:
    """Add a table of messages; an id given twice is a mistake, refused at import."""
    twice = set(table) & set(CATALOGUE)
    if twice:
        raise ValueError(f"message ids defined twice: {sorted(twice)}")
    CATALOGUE.update(table)


def use(lang: str | None) -> None:
    """Render every message from now on in `lang` (None: back to LOA_LANG or Vietnamese)."""
    _chosen.clear()
    if lang is not None:
        if lang not in LANGS:
            raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
        _chosen.append(lang)


def valid_lang(value: str | None) -> str | None:
    """`value` if it names a language we speak (case and spaces aside), else None."""
    norm = (value or "").strip().lower()
    return norm if norm in LANGS else None


def current() -> str:
    """The language in use: the one chosen, else a valid LOA_LANG, else Vietnamese."""
    if _chosen:
        return _chosen[0]
    return valid_lang(os.environ.get(ENV)) or DEFAULT_LANG


def t(msg_id: str, lang: str | None = None, **fields: Any) -> str:
    """Message `msg_id` in `lang` (default: the language in use) with its fields filled in."""
    vi, en = CATALOGUE[msg_id]
    text = vi if (lang or current()) == "vi" else en
    return text.format(**{k: _field(v, lang) for k, v in fields.items()})


def _field(value: Any, lang: str | None) -> Any:
    return value.render(lang) if isinstance(value, Msg) else value


@dataclass(frozen=True)
class Msg:
    """A message not yet rendered: its id and fields (fields may be messages themselves)."""

    id: str
    fields: dict[str, Any] = field(default_factory=dict)

    def render(self, lang: str | None = None) -> str:
        return t(self.id, lang, **self.fields)

    def __str__(self) -> str:
        return self.render()


def msg(msg_id: str, **fields: Any) -> Msg:
    """A message to render later, in the language in use then."""
    if msg_id not in CATALOGUE:
        raise KeyError(f"no message {msg_id!r} in the catalogue")
    return Msg(msg_id, fields)


register(MESSAGES)
