"""One table of cases per adapter, run by one helper: outcome, retry_after, and no leaked secret."""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from channels.base import Message, Receipt, Transport
from channels.errors import PermanentError, TransientError
from tests.fakes.base import FakeServer, Response


@dataclass
class Case:
    name: str
    responses: tuple[Response, ...] = ()
    expect: type[Exception] | type[Receipt] = Receipt
    retry_after: float | None = None
    refused: bool = False  # point the transport at a closed port
    check: Callable[[FakeServer, object], None] | None = None
    secrets: tuple[str, ...] = field(default_factory=tuple)


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def run_case(
    case: Case,
    fake: FakeServer,
    make_transport: Callable[[str], Transport],
    message: Message,
    caplog: pytest.LogCaptureFixture,
    secrets: tuple[str, ...],
) -> object:
    """Publish `message` once against `fake` scripted by `case`; check outcome and hygiene."""
    caplog.set_level(logging.DEBUG)
    fake.then(*case.responses)
    transport = make_transport(closed_port_url() if case.refused else fake.url)
    outcome: object
    try:
        outcome = transport.publish(message)
    except (TransientError, PermanentError) as e:
        outcome = e
    assert isinstance(outcome, case.expect), f"{case.name}: got {outcome!r}"
    if case.retry_after is not None:
        assert isinstance(outcome, TransientError)
        assert outcome.retry_after == pytest.approx(case.retry_after, abs=1)
    seen = [str(outcome), repr(outcome), caplog.text]
    if isinstance(outcome, Receipt):
        seen.append(repr(outcome.detail))
    for secret in secrets + case.secrets:
        for text in seen:
            assert secret not in text, f"{case.name}: a secret leaked into {text[:200]!r}"
    if case.check:
        case.check(fake, outcome)
    return outcome
