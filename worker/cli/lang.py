"""Which language the command speaks: `--lang`, then LOA_LANG, then `lang:` in loa.yaml, then
Vietnamese (like the status page). Decided once, before the command runs."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from campaigns import i18n


def choose(args: argparse.Namespace) -> str:
    """The language for this command, set for every message it prints."""
    lang = (
        i18n.valid_lang(getattr(args, "lang", None))
        or i18n.valid_lang(os.environ.get(i18n.ENV))
        or _from_settings(Path(getattr(args, "config", "config")))
        or i18n.DEFAULT_LANG
    )
    i18n.use(lang)
    return lang


def _from_settings(root: Path) -> str | None:
    """`lang:` in loa.yaml if the file reads and names one; its faults are `loa check`'s."""
    path = root / "loa.yaml"
    try:
        if not path.is_file() or path.stat().st_size > 1_000_000:
            return None
        for line in path.read_text(encoding="utf-8").splitlines():
            key, sep, value = line.partition(":")
            if sep and key == "lang":
                return i18n.valid_lang(value.split("#", 1)[0].strip().strip("'\""))
    except (OSError, UnicodeDecodeError):
        return None
    return None
