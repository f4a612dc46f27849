"""Where config meets channels: checks campaigns/ cannot make, as it may not import channels/."""

from __future__ import annotations

from pathlib import Path

from campaigns.config import load_config
from campaigns.model import Config
from channels.registry import transport_names


def transport_problem(kind: str, transport: str) -> str | None:
    """Why `transport` cannot carry `kind` (per the transports' own `kinds`), or None."""
    names = transport_names(kind)
    if transport in names:
        return None
    return f"'{transport}' cannot carry {kind}; use one of {names}"


def load_checked_config(root: str | Path) -> Config:
    """The config with every target's transport checked against its kind.

    Raises campaigns.config.ConfigError listing every problem at once, these included.
    """
    return load_config(root, check_transport=transport_problem)
