"""Runtime.channel_settings is built once per config: equal values, a fresh top level each call,
and a replaced config is read again."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from tests.factories import write_config
from worker.engine.runtime import build_runtime


def test_channel_settings_are_cached_per_config_and_handed_out_as_copies(
    tmp_path: Path, sqlite_url: str
) -> None:
    root = write_config(tmp_path / "config", settings={"channels": {"website": {"concurrency": 7}}})
    rt = build_runtime(root, sqlite_url)
    first = rt.channel_settings("website")
    assert first["concurrency"] == 7
    first["concurrency"] = 99  # a caller's change stays in its copy
    assert rt.channel_settings("website") == {**first, "concurrency": 7}
    sms = rt.channel_settings("sms")
    assert sms["quiet_hours"] is not None  # the SMS default window

    settings = {**rt.config.settings, "channels": {"website": {"concurrency": 3}}}
    rt.config = dataclasses.replace(rt.config, settings=settings)
    assert rt.channel_settings("website")["concurrency"] == 3
    rt.engine.dispose()
