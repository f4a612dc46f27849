"""The message catalogue is complete: every message in both languages with the same fields,
every id the code uses is in it, and every id in it is used."""

from __future__ import annotations

import ast
import functools
import re
import string
from pathlib import Path

import channels.probe  # noqa: F401 (its verdicts join the catalogue)
import worker.cli  # noqa: F401 (the command line's messages join the catalogue)
from campaigns.i18n import CATALOGUE, LANGS, t

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("campaigns", "channels", "worker")
CALLS = {"msg", "t", "Msg", "_ok", "_fail", "PydanticCustomError"}
ID = re.compile(r"^(cfg|config|content|audit|check|sms|run|online|probe|type|list)\.[a-z_.]+$")


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@functools.cache
def used_ids() -> dict[str, list[tuple[str, set[str] | None]]]:
    """id -> [(where, keyword names given, or None when not known)] over the packages."""
    found: dict[str, list[tuple[str, set[str] | None]]] = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
                for msg_id, given in _ids_in(node):
                    found.setdefault(msg_id, []).append((where, given))
    return found


def _ids_in(node: ast.AST) -> list[tuple[str, set[str] | None]]:
    """A message id `node` names: a call's first argument, or a constant shaped like an id."""
    if isinstance(node, ast.Call) and _name(node.func) in CALLS and node.args:
        first = node.args[0]
        if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
            return []
        if _name(node.func) == "PydanticCustomError" or any(k.arg is None for k in node.keywords):
            return [(first.value, None)]
        return [(first.value, {k.arg for k in node.keywords if k.arg})]
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and ID.match(node.value):
        return [(node.value, None)]
    return []


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""


def test_every_message_has_both_languages_with_the_same_fields() -> None:
    assert len(CATALOGUE) > 100
    for msg_id, texts in CATALOGUE.items():
        assert len(texts) == len(LANGS), msg_id
        vi, en = texts
        assert vi.strip() and en.strip(), msg_id
        assert vi != en or not re.search(r"[a-z]{4}", vi), f"{msg_id} is not translated"
        assert fields(vi) == fields(en), msg_id


def test_every_id_the_code_uses_exists_and_gets_its_fields() -> None:
    used = used_ids()
    missing = sorted(i for i in used if i not in CATALOGUE)
    assert not missing, [(i, used[i][0][0]) for i in missing]
    for msg_id, places in used.items():
        for where, given in places:
            if given is not None:
                lacking = fields(CATALOGUE[msg_id][0]) - given
                assert not lacking, f"{where}: {msg_id} needs {sorted(lacking)}"


def test_every_message_in_the_catalogue_is_used() -> None:
    unused = sorted(set(CATALOGUE) - set(used_ids()))
    assert not unused


def test_every_message_renders_in_both_languages() -> None:
    for msg_id, (vi, _) in CATALOGUE.items():
        sample = {name: "x" for name in fields(vi)}
        for lang in LANGS:
            assert t(msg_id, lang, **sample)
