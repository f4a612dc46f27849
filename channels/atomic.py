"""Files a player reads while we write them: written aside, then renamed into place."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from campaigns.model import Target
from channels.errors import ConfigurationError, PermanentError, TransientError

_PASSING = (errno.ENOSPC, errno.EAGAIN, errno.EBUSY, errno.EIO, errno.ESTALE)


def folder_of(target: Target) -> Path:
    """The folder a target's `options.path` names; ConfigurationError when it cannot be one."""
    raw = target.options.get("path")
    if not isinstance(raw, str) or not raw.strip():
        raise ConfigurationError(f"target {target.id}: options.path must name a folder")
    path = Path(raw).expanduser()
    if path.exists() and not path.is_dir():
        raise ConfigurationError(f"target {target.id}: options.path {raw} is not a folder")
    return path


def write(path: Path, data: bytes) -> None:
    """Write next to the target and os.replace it in, so readers see the old file or the new."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def locked(lock_file: Path) -> Iterator[None]:
    """Hold an exclusive lock on `lock_file`, so two workers never lose each other's entries."""
    with open(lock_file, "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def error(e: OSError, what: str) -> TransientError | PermanentError:
    """A full or busy disk may pass; a missing permission or a wrong path will not."""
    text = f"{what}: {e.strerror or type(e).__name__}"
    if e.errno in _PASSING:
        return TransientError(text)
    return PermanentError(text)
