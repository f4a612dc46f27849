"""The report's sections by name: light, for the CLI parser's choices."""

from __future__ import annotations

SECTIONS = ("summary", "channels", "topics", "sms", "loudspeaker", "quotas")
SECTION_ALIASES = {"targets": "quotas"}  # old name: new name, still accepted
