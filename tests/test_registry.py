"""The registry is read off the channel classes: each declares itself once, on its class."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from campaigns.model import CHANNEL_KINDS, Target
from channels.errors import ConfigurationError
from channels.outbox import OutboxTransport
from channels.registry import FORMATS, TRANSPORTS, formatter, make_transport, transport_names

ROOT = Path(__file__).resolve().parent.parent


def test_every_transport_declares_a_unique_name_and_kinds_it_can_carry() -> None:
    names = [cls.name for cls in TRANSPORTS]
    assert all(names) and len(set(names)) == len(names)
    for cls in TRANSPORTS:
        assert cls.kinds and set(cls.kinds) <= set(CHANNEL_KINDS), cls.name
        assert cls.max_batch >= 1


def test_every_kind_has_one_format_and_a_transport() -> None:
    assert sorted(cls.kind for cls in FORMATS) == sorted(CHANNEL_KINDS)
    for kind in CHANNEL_KINDS:
        assert formatter(kind).kind == kind
        assert "outbox" in transport_names(kind)


def test_transport_names_come_from_the_kinds_each_class_declares() -> None:
    for kind in CHANNEL_KINDS:
        assert transport_names(kind) == [cls.name for cls in TRANSPORTS if kind in cls.kinds]
    assert transport_names("sms") == ["outbox", "webhook", "kannel", "esms"]
    assert transport_names("zalo") == ["outbox", "webhook", "zalo_oa"]


def test_make_transport_builds_the_class_a_target_names(tmp_path: Path) -> None:
    target = Target("a/website", "a", "website", "outbox")
    transport = make_transport(target, outbox=tmp_path)
    assert isinstance(transport, OutboxTransport) and transport.root == tmp_path
    with pytest.raises(ConfigurationError, match="unknown transport 'pigeon'"):
        make_transport(Target("a/sms", "a", "sms", "pigeon"))


def test_loading_the_registry_does_not_load_pillow() -> None:
    code = "import sys, channels.registry; print('PIL' in sys.modules, 'qrcode' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["False", "False"]
