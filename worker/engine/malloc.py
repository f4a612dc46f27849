"""glibc's allocator, set for a process whose worker threads render slides and audio.

Two glibc defaults make such a process hold far more memory than it uses: the mmap threshold
grows after every large block freed (up to 32 MB), so the next 6 MB slide buffers come from the
heap and stay there fragmented instead of going back to the system; and each thread may get an
arena of its own (8 x cores of them). `loa run --once` on the shipped example peaked at 225 MB
with the defaults and at ~150 MB with a fixed 1 MB threshold and two arenas
(docs/performance.md). Elsewhere (musl, macOS) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

log = logging.getLogger(__name__)

M_MMAP_THRESHOLD = -3  # glibc malloc.h: blocks this large and over are mmapped, freed at once
M_ARENA_MAX = -8  # glibc malloc.h: at most this many arenas, whatever the number of threads
MMAP_THRESHOLD = 1 << 20
ARENA_MAX = 2


def tame() -> bool:
    """Set the two options if this is glibc; True if both were taken. Call before the threads
    start (an arena is made when a thread first allocates)."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        mallopt = libc.mallopt if libc is not None else None
    except (OSError, AttributeError):  # not glibc: nothing to set
        return False
    if mallopt is None:
        return False
    done = bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(M_ARENA_MAX, ARENA_MAX))
    log.debug("malloc: mmap threshold %s, arenas %s: %s", MMAP_THRESHOLD, ARENA_MAX, done)
    return done
