"""pydantic's validation errors retold in the user's words: what is wrong and what to write.

One message per key: the three "Input should be…" lines pydantic gives for a value that
matches no member of a union (`units: district`) become one that says which forms are
accepted; a misspelled key or choice gets "did you mean"; a bad id gets one suggested.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from typing import Any

from pydantic import BaseModel

from campaigns.i18n import Msg, msg
from campaigns.model import UNIT_KINDS, fold

_UNION_TAGS = re.compile(r"^(literal\[.*\]|list\[.*\]|dict\[.*\]|constrained-str|function-.*)$")
_QUOTED = re.compile(r"'([^']*)'")
_DMY = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")

_TYPES = {
    "int_parsing": "type.integer",
    "int_type": "type.integer",
    "int_from_float": "type.integer",
    "float_parsing": "type.number",
    "float_type": "type.number",
    "bool_parsing": "type.bool",
    "bool_type": "type.bool",
    "string_type": "type.text",
    "list_type": "type.list",
    "dict_type": "type.mapping",
    "model_type": "type.mapping",
    "model_attributes_type": "type.mapping",
}
_DATES = {"date_parsing", "date_type", "date_from_datetime_parsing", "date_from_datetime_inexact"}
_DATETIMES = {"datetime_parsing", "datetime_type", "datetime_from_date_parsing"}
_BOUNDS = {
    "greater_than_equal": ("cfg.at_least", "ge"),
    "greater_than": ("cfg.more_than", "gt"),
    "less_than_equal": ("cfg.at_most", "le"),
    "less_than": ("cfg.less_than", "lt"),
}


def known_keys(models: Iterable[type[BaseModel]]) -> list[str]:
    """Every key the config files may hold, for "did you mean" on an unknown one."""
    keys: set[str] = set()
    for model in models:
        keys.update(model.model_fields)
    return sorted(keys)


def close(word: str, choices: Iterable[str]) -> str | None:
    """The choice `word` was most likely meant to be (difflib), or None."""
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def suggest_id(text: str) -> str:
    """An id from free text: 'Ngày Pháp luật' -> 'ngay-phap-luat'."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(text).lower()).strip("-")
    return slug or "chien-dich-moi"


def loc_of(err: Any) -> tuple[str, ...]:
    """The error's place as keys, without pydantic's union-member tags."""
    return tuple(str(p) for p in err["loc"] if not _UNION_TAGS.match(str(p)))


def explain(errors: list[Any], keys: list[str]) -> list[tuple[str, Msg]]:
    """(dotted key path, message) for each place at fault: one message per place."""
    by_place: dict[tuple[str, ...], list[Any]] = {}
    for err in errors:
        by_place.setdefault(loc_of(err), []).append(err)
    out = []
    for place, errs in by_place.items():
        if len(errs) > 1 and any(len(loc_of(e)) < len(e["loc"]) for e in errs):
            out.append((".".join(place), _union(place, errs[0]["input"])))
        else:
            out.extend((".".join(place), _one(place, e, keys)) for e in errs)
    return out


def _union(place: tuple[str, ...], value: Any) -> Msg:
    if place and place[-1] == "units":
        if isinstance(value, str) and value in UNIT_KINDS:
            return msg("cfg.units_form", value=value, example=f"{{kind: {value}}}")
        return msg("cfg.units_form", value=value, example="[bien-hoa, long-khanh]")
    return msg("cfg.no_form", value=value)


def _one(place: tuple[str, ...], err: Any, keys: list[str]) -> Msg:
    kind, value, ctx = err["type"], err.get("input"), err.get("ctx") or {}
    key = place[-1] if place else ""
    if kind.startswith("loa."):
        return msg(kind, **ctx)
    if kind in _DATES or kind in _DATETIMES:
        return _date(value) if kind in _DATES else msg("cfg.datetime", value=_short(value))
    if kind in _TYPES:
        return msg("cfg.type", what=msg(_TYPES[kind]), value=_short(value))
    if kind in _BOUNDS:
        msg_id, bound = _BOUNDS[kind]
        return msg(msg_id, limit=ctx.get(bound), value=_short(value))
    handler = _HANDLERS.get(kind)
    if handler is not None:
        return handler(key, value, ctx, keys)
    return msg("cfg.invalid", detail=str(err["msg"]).removeprefix("Value error, "))


def _unknown_key(key: str, _value: Any, _ctx: Any, keys: list[str]) -> Msg:
    guess = close(key, keys)
    return (
        msg("cfg.unknown_key_guess", key=key, guess=guess)
        if guess
        else msg("cfg.unknown_key", key=key)
    )


def _choice(_key: str, value: Any, ctx: Any, _keys: list[str]) -> Msg:
    choices = _QUOTED.findall(str(ctx.get("expected", "")))
    guess = close(str(value), choices)
    listed = ", ".join(choices)
    if guess:
        return msg("cfg.choice_guess", value=value, choices=listed, guess=guess)
    return msg("cfg.choice", value=value, choices=listed)


_HANDLERS: dict[str, Callable[[str, Any, Any, list[str]], Msg]] = {
    "missing": lambda key, _v, _c, _k: msg("cfg.missing", key=key),
    "extra_forbidden": _unknown_key,
    "string_pattern_mismatch": lambda _key, v, _c, _k: msg(
        "cfg.bad_id", value=v, example=suggest_id(str(v))
    ),
    "literal_error": _choice,
    "too_short": lambda _key, _v, c, _k: msg("cfg.too_short", count=c.get("min_length", 1)),
    "string_too_short": lambda _key, _v, _c, _k: msg("cfg.empty"),
    "string_too_long": lambda _key, _v, c, _k: msg("cfg.too_long", count=c.get("max_length")),
    "too_long": lambda _key, _v, c, _k: msg("cfg.too_long", count=c.get("max_length")),
}


def _date(value: Any) -> Msg:
    dmy = _DMY.match(str(value))
    if dmy:
        day, month, year = dmy.groups()
        return msg("cfg.date_dmy", value=value, example=f"{year}-{int(month):02}-{int(day):02}")
    return msg("cfg.date", value=_short(value))


def _short(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= 60 else text[:57] + "..."
