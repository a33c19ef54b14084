"""Memory settings for array work over millions of rows (agreement over a large project).

Every fresh page of memory costs the process a page fault, and two defaults make an
agreement over 100,000 documents take several million of them, about as much system time
as the computation itself (17 s of system time for 21 s of user time in one run on the
development machine, 3 to 5 s with the settings below):

* numpy asks the kernel for transparent huge pages (``madvise``) for every array of 4 MB or
  more; where memory is fragmented (a busy machine's page cache) a huge-page fault waits for
  the kernel to compact memory, up to milliseconds each;
* glibc hands every freed block over 32 MB back to the kernel at once, so the next array of
  that size faults in all its pages again.

:func:`bulk_arrays` turns both off while it is entered (ordinary pages; freed memory kept
for the next array) and restores them after, giving the kept memory back.  Elsewhere than
glibc on Linux, or with a numpy that lacks the switch, it changes what it can and nothing
else; the numbers computed never depend on it.
"""

from __future__ import annotations

import ctypes
import threading
from contextlib import contextmanager
from typing import Any, Iterator

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_DEFAULT_THRESHOLD = 128 * 1024  # glibc's starting value of both
_KEEP = 1 << 30

_lock = threading.Lock()
_depth = 0
_saved_huge: bool | None = None


def _libc() -> Any | None:
    try:
        libc = ctypes.CDLL("libc.so.6")
        return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


def _set_huge_pages(enabled: bool) -> bool | None:
    """numpy's huge-page request on or off; the previous setting (None: not available)."""
    try:
        from numpy._core.multiarray import _set_madvise_hugepage  # type: ignore[attr-defined]
    except ImportError:
        return None
    return bool(_set_madvise_hugepage(enabled))


@contextmanager
def bulk_arrays() -> Iterator[None]:
    """Ordinary pages and freed memory kept while inside (threads entering together share one
    setting: the last to leave restores the defaults and returns the memory)."""
    global _depth, _saved_huge
    with _lock:
        _depth += 1
        if _depth == 1:
            _saved_huge = _set_huge_pages(False)
            libc = _libc()
            if libc is not None:
                libc.mallopt(_M_MMAP_THRESHOLD, _KEEP)
                libc.mallopt(_M_TRIM_THRESHOLD, _KEEP)
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                if _saved_huge is not None:
                    _set_huge_pages(_saved_huge)
                libc = _libc()
                if libc is not None:
                    libc.mallopt(_M_MMAP_THRESHOLD, _DEFAULT_THRESHOLD)
                    libc.mallopt(_M_TRIM_THRESHOLD, _DEFAULT_THRESHOLD)
                    libc.malloc_trim(0)
