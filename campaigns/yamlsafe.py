"""YAML from untrusted config files: bounded in size, in alias expansion and in nesting."""

from __future__ import annotations

from typing import Any

import yaml

MAX_FILE_BYTES = 1_000_000  # a config file larger than this is refused unread
MAX_NODES = 100_000  # YAML nodes once aliases are expanded; an alias bomb has billions


class YamlTooBig(ValueError):
    """A YAML document whose aliases expand past MAX_NODES, or refer to themselves."""


def safe_yaml(text: str) -> Any:
    """yaml.safe_load, refusing aliases that expand past MAX_NODES nodes or loop."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _expanded_size(node, {}, set())
        return loader.construct_document(node)
    finally:
        loader.dispose()


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
