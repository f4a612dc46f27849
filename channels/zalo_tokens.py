"""Where a Zalo OA keeps its token pair: the refresh token is single-use, so never lose it."""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from channels.errors import PermanentError

MARGIN = 300.0
"""Seconds before expiry at which an access token counts as stale (a publish takes a while)."""


@dataclass(frozen=True)
class Tokens:
    """An OA access token, the refresh token that replaces it, and when the access token expires."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: float

    def fresh(self, now: float | None = None) -> bool:
        return (time.time() if now is None else now) < self.expires_at - MARGIN


class TokenStore(Protocol):
    """Durable storage for one OA's tokens; `lock()` serialises refreshes across processes."""

    def load(self) -> Tokens | None: ...

    def save(self, tokens: Tokens) -> None: ...

    def lock(self) -> AbstractContextManager[None]: ...


class FileTokenStore:
    """A JSON file written atomically (tmp, fsync, rename), guarded by an flock on `<file>.lock`."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._threads = threading.Lock()

    def load(self) -> Tokens | None:
        """The stored tokens, None before the first refresh; raises PermanentError if unreadable."""
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            return Tokens(
                str(raw["access_token"]), str(raw["refresh_token"]), float(raw["expires_at"])
            )
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise PermanentError(
                f"Zalo token file {self.path} is unreadable: {type(e).__name__}"
            ) from e

    def save(self, tokens: Tokens) -> None:
        """Replace the file in one step: a crash leaves the old pair or the new one, never half."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = json.dumps(
            {
                "access_token": tokens.access_token,
                "refresh_token": tokens.refresh_token,
                "expires_at": tokens.expires_at,
            }
        ).encode()
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.replace(tmp, self.path)
        except OSError:
            os.unlink(tmp)
            raise
        _fsync_dir(self.path.parent)

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold an exclusive flock (other processes) and a mutex (other threads of this one)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_name(self.path.name + ".lock")
        with self._threads, open(lock_path, "a+b") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
