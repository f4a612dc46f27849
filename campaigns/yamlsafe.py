"""YAML from untrusted config files: bounded in size, in alias expansion and in nesting."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from campaigns.i18n import Msg, msg

MAX_FILE_BYTES = 1_000_000  # a config file larger than this is refused unread
MAX_NODES = 100_000  # YAML nodes once aliases are expanded; an alias bomb has billions


class YamlTooBig(ValueError):
    """A YAML document whose aliases expand past MAX_NODES, or refer to themselves."""


Lines = dict[tuple[str, ...], int]
"""The line (from 1) of each key path in a document: ("units", "3", "code") -> 7."""


def safe_yaml(text: str) -> Any:
    """yaml.safe_load, refusing aliases that expand past MAX_NODES nodes or loop."""
    return safe_yaml_lines(text)[0]


def safe_yaml_lines(text: str) -> tuple[Any, Lines]:
    """As `safe_yaml`, with the line where each key and list entry starts (from the node marks),
    so a problem can name its line."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        _expanded_size(node, {}, set())
        lines: Lines = {}
        _lines(node, (), lines, 0)
        return loader.construct_document(node), lines
    finally:
        loader.dispose()


def line_of(lines: Lines, path: tuple[str, ...]) -> int | None:
    """The line of `path`, or of the nearest enclosing key the document has."""
    for end in range(len(path), 0, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None


def _lines(node: yaml.Node, path: tuple[str, ...], lines: Lines, depth: int) -> None:
    if depth > 50 or len(lines) > MAX_NODES:
        return
    if isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines.setdefault((*path, str(i)), item.start_mark.line + 1)
            _lines(item, (*path, str(i)), lines, depth + 1)
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                lines.setdefault((*path, str(key.value)), key.start_mark.line + 1)
                _lines(value, (*path, str(key.value)), lines, depth + 1)


def _expanded_size(node: yaml.Node, sizes: dict[int, int], open_: set[int]) -> int:
    """Nodes under `node` with every alias expanded; shared nodes are counted once per use."""
    if id(node) in sizes:
        return sizes[id(node)]
    if id(node) in open_:
        raise YamlTooBig("an alias refers to itself: not read")
    open_.add(id(node))
    total = 1
    if isinstance(node, yaml.SequenceNode):
        total += sum(_expanded_size(n, sizes, open_) for n in node.value)
    elif isinstance(node, yaml.MappingNode):
        total += sum(
            _expanded_size(k, sizes, open_) + _expanded_size(v, sizes, open_) for k, v in node.value
        )
    open_.discard(id(node))
    if total > MAX_NODES:
        raise YamlTooBig(f"aliases expand to more than {MAX_NODES} values: not read")
    sizes[id(node)] = total
    return total


def unreadable(path: Path, e: Exception) -> tuple[Msg, int | None]:
    """Why a config file could not be read, and the line when known."""
    if isinstance(e, YamlTooBig):
        return msg("cfg.aliases", limit=MAX_NODES), None
    if isinstance(e, RecursionError):
        return msg("cfg.too_deep"), None
    if isinstance(e, yaml.YAMLError):
        mark = getattr(e, "problem_mark", None)
        return msg("cfg.yaml", detail=getattr(e, "problem", e)), mark.line + 1 if mark else None
    if isinstance(e, UnicodeDecodeError):
        line = _bad_line(path, e.start)
        return msg("cfg.not_utf8", line=line), line
    return msg("cfg.cannot_read", detail=getattr(e, "strerror", None) or e), None


def _bad_line(path: Path, offset: int) -> int:
    with path.open("rb") as f:
        return f.read(offset).count(b"\n") + 1
