"""Which formatter serves each channel kind, and which transports can carry it.

Nothing is declared here: each class says what it is (`kind` on a format; `name`, `kinds`
and its limits on a transport), and this module only lists the classes and indexes them.
"""

from __future__ import annotations

from pathlib import Path

import requests

from campaigns.model import Target
from channels import shortlink
from channels.anthias import AnthiasTransport
from channels.base import Formatter, Transport
from channels.errors import ConfigurationError
from channels.esms import EsmsTransport
from channels.facebook import FacebookFormat
from channels.folder import FolderTransport
from channels.graph import GraphTransport
from channels.kannel import KannelTransport
from channels.loudspeaker import LoudspeakerFormat
from channels.outbox import OutboxTransport
from channels.platform import PlatformTransport
from channels.screen import ScreenFormat
from channels.sms import SmsFormat
from channels.webhook import WebhookTransport
from channels.website import WebsiteFormat
from channels.wordpress import WordPressTransport
from channels.zalo import ZaloFormat
from channels.zalo_oa import ZaloTransport

FORMATS: tuple[type[Formatter], ...] = (
    WebsiteFormat,
    ScreenFormat,
    SmsFormat,
    FacebookFormat,
    ZaloFormat,
    LoudspeakerFormat,
)
TRANSPORTS: tuple[type[Transport], ...] = (
    OutboxTransport,
    WebhookTransport,
    WordPressTransport,
    AnthiasTransport,
    FolderTransport,
    KannelTransport,
    EsmsTransport,
    GraphTransport,
    ZaloTransport,
    PlatformTransport,
)
"""In the order `transport_names` offers them in a config error."""

_FORMATS = {cls.kind: cls for cls in FORMATS}
_TRANSPORTS = {cls.name: cls for cls in TRANSPORTS}


def transport_names(kind: str) -> list[str]:
    """The transports that can carry a channel kind, by the `kinds` each class declares."""
    return [cls.name for cls in TRANSPORTS if kind in cls.kinds]


def formatter(kind: str) -> Formatter:
    return _FORMATS[kind]()


def make_transport(
    target: Target, *, session: requests.Session | None = None, outbox: Path | None = None
) -> Transport:
    """Build the transport a target names; raises ConfigurationError when its settings are wrong."""
    cls = _TRANSPORTS.get(target.transport)
    if cls is None:
        raise ConfigurationError(
            f"target {target.id}: unknown transport {target.transport!r}; "
            f"use one of {sorted(_TRANSPORTS)}"
        )
    if target.kind == "sms":
        shortlink.mode(target)  # a format's own option, checked where every target is built
    return cls.build(target, session=session, outbox=outbox)
