"""The nouns every channel shares: a Message to publish, a Receipt, a Formatter, a Transport.

The errors a publish raises live in channels.errors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol

import requests

from campaigns.model import Campaign, Item, Target, Unit
from channels.session import EnvSession

TIMEOUT = (3.05, 20.0)
"""Connect and read timeouts for every request a transport makes."""


BatchCallback = Callable[[tuple[str, ...], tuple[str, ...], tuple[str, ...]], None]
"""Called by an SMS transport around each gateway request: before it with (), (), the numbers
about to be posted; after it with (numbers the gateway accepted, numbers whose answer never
came), () before the next batch. The worker stores each call at once, so a crash loses at most
the batch in flight, and knows which one it was; it raises to stop the send (claim lost)."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    media_type: str
    data: bytes


@dataclass(frozen=True)
class Resume:
    """What earlier attempts of the same delivery did, so this attempt does only the rest.

    `sent` and `unsure` are SMS numbers that have (or may have) the message already;
    `verify_token` is a Zalo article created but not yet verified: verify it, do not create.
    """

    sent: tuple[str, ...] = ()
    unsure: tuple[str, ...] = ()
    verify_token: str | None = None


@dataclass(frozen=True)
class Context:
    """What the worker knows beside (item, unit, target), read before formatting so that a
    format stays a pure function: the campaign (its hashtags), the topics' Vietnamese names
    (`topics.yaml`), and the short link of the item on the unit's own site when it has one."""

    campaign: Campaign | None = None
    topic_names: Mapping[str, str] = field(default_factory=dict)
    short_link: str | None = None


NO_CONTEXT = Context()


@dataclass(frozen=True)
class Message:
    """What one delivery publishes: the same (item, unit, target) always gives the same Message."""

    kind: str
    title: str
    text: str
    body: Mapping[str, Any] = field(default_factory=dict)
    attachments: tuple[Attachment, ...] = ()
    reference: str = ""
    link: str | None = None
    segments: int = 0
    encoding: str | None = None
    recipients: tuple[str, ...] = ()
    """Who this attempt sends to: an earlier attempt's `resume.sent` and `.unsure` are left out."""
    delivery_id: int | None = None
    resume: Resume | None = None
    due: dt.datetime | None = None
    """When the delivery is due (set by the worker); a loudspeaker bulletin takes the next slot."""
    on_batch: BatchCallback | None = field(default=None, compare=False, repr=False)
    """Where an SMS transport reports each batch's answer (see BatchCallback); set by the worker."""

    dlr_sig: str | None = None
    """The HMAC the worker computed for this delivery's report URL (`channels.dlr.sign`)."""

    def batch_start(self, numbers: tuple[str, ...]) -> None:
        """Tell the worker which numbers are about to be posted, when it listens."""
        if self.on_batch is not None:
            self.on_batch((), (), numbers)

    def batch_done(self, accepted: tuple[str, ...], unsure: tuple[str, ...] = ()) -> None:
        """Report one batch's answer (none at all: nothing went out) to the worker."""
        if self.on_batch is not None:
            self.on_batch(accepted, unsure, ())


@dataclass(frozen=True)
class Receipt:
    """Proof of a publish: the remote id, and where to see it when there is a place."""

    remote_id: str
    url: str | None = None
    status: int | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)


class Formatter(Protocol):
    """Turns an item into what one target publishes: the same arguments give the same Message.

    It reads no recipient list, makes no request and asks no clock.

    `recipients` are the numbers the message goes to, resolved by the caller beforehand
    (channels.recipients.recipients_for); only SMS uses them. `due` is when the delivery is
    due (the worker passes its `due_at`): a screen slide's window on the playlist starts then.
    `context` is what else the caller read for it (see Context).
    """

    kind: ClassVar[str]

    def format(
        self,
        item: Item,
        unit: Unit,
        target: Target,
        *,
        recipients: tuple[str, ...] = (),
        due: dt.datetime | None = None,
        context: Context = NO_CONTEXT,
    ) -> Message: ...


class Transport:
    """Publishes a formatted Message to one target. Subclasses override publish (and lookup)."""

    name: ClassVar[str] = ""
    """What `transport:` says in targets.yaml."""
    kinds: ClassVar[tuple[str, ...]] = ()
    """The channel kinds it can carry; the registry and `loa check` read it from here."""
    can_lookup: ClassVar[bool] = False
    """Whether it can find a publish after a crash (see `supports_lookup`)."""
    max_batch: ClassVar[int] = 1
    """Recipients per request (SMS); a target's `max_batch` option may lower it."""
    rate: ClassVar[float | None] = None
    """Requests a second the service allows, when it publishes one."""

    def __init__(self, target: Target, *, session: requests.Session | None = None) -> None:
        """Validate the target's settings here; raise ConfigurationError naming what is wrong."""
        self.target = target
        self.session = session or EnvSession()
        self.timeout: tuple[float, float] = tuple(target.options.get("timeout", TIMEOUT))

    @classmethod
    def build(
        cls, target: Target, *, session: requests.Session | None, outbox: Path | None
    ) -> Transport:
        """One for `target`, from what the worker holds; a transport needing more overrides it."""
        return cls(target, session=session)

    def publish(self, message: Message) -> Receipt:
        raise NotImplementedError

    def supports_lookup(self) -> bool:
        """Whether `lookup` can answer for this target (a setting may turn it off)."""
        return self.can_lookup

    def lookup(self, message: Message) -> Receipt | None:
        """Find a publish that may have happened before a crash; None when it did not."""
        raise NotImplementedError(f"{self.name} cannot look a publish up")
