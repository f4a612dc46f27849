"""Tests that need a real service skip on a laptop without it, and fail under CI (CI=true)."""

from __future__ import annotations

import os
import socket

import pytest


def need(available: bool, what: str) -> None:
    if available:
        return
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"{what} is required under CI but is not available")
    pytest.skip(f"{what} is not available")


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False
