"""Which formatter serves each channel kind, and which transports can carry it."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import requests

from campaigns.model import CHANNEL_KINDS, Target
from channels.base import Formatter, Transport

ALL = CHANNEL_KINDS
# transport name -> (module, class, kinds it can carry)
TRANSPORTS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "outbox": ("channels.outbox", "OutboxTransport", ALL),
    "webhook": ("channels.webhook", "WebhookTransport", ALL),
    "wordpress": ("channels.wordpress", "WordPressTransport", ("website",)),
    "anthias": ("channels.anthias", "AnthiasTransport", ("screen",)),
    "folder": ("channels.folder", "FolderTransport", ("screen",)),
    "kannel": ("channels.kannel", "KannelTransport", ("sms",)),
    "esms": ("channels.esms", "EsmsTransport", ("sms",)),
    "graph": ("channels.graph", "GraphTransport", ("facebook",)),
    "zalo_oa": ("channels.zalo_oa", "ZaloTransport", ("zalo",)),
}
FORMATTERS: dict[str, tuple[str, str]] = {
    "website": ("channels.website", "WebsiteFormat"),
    "screen": ("channels.screen", "ScreenFormat"),
    "sms": ("channels.sms", "SmsFormat"),
    "facebook": ("channels.facebook", "FacebookFormat"),
    "zalo": ("channels.zalo", "ZaloFormat"),
}


def transport_names(kind: str) -> list[str]:
    return [name for name, (_, _, kinds) in TRANSPORTS.items() if kind in kinds]


def _load(module: str, name: str) -> Any:
    return getattr(importlib.import_module(module), name)


def formatter(kind: str) -> Formatter:
    module, name = FORMATTERS[kind]
    result: Formatter = _load(module, name)()
    return result


def make_transport(
    target: Target, *, session: requests.Session | None = None, outbox: Path | None = None
) -> Transport:
    """Build the transport a target names; raises ConfigurationError when its settings are wrong."""
    module, name, _ = TRANSPORTS[target.transport]
    cls = _load(module, name)
    if target.transport == "outbox":
        return cls(target, root=outbox or Path("outbox"))  # type: ignore[no-any-return]
    return cls(target, session=session)  # type: ignore[no-any-return]
