"""Freed memory handed back to the system. A build lets go of each talk page's strings once
it is written; the C library keeps such blocks (a few dozen KiB each) for the process, so
the Pagefind binary, which needs the memory, would not get it. glibc gives them back when
asked (`malloc_trim`); elsewhere this does nothing."""

from __future__ import annotations

import ctypes
import sys
from typing import Any

_libc: Any = None  # None: not looked up yet; False: no malloc_trim here


def give_back() -> None:
    global _libc
    if _libc is None:
        _libc = False
        try:  # the process's own symbols: the C library it runs on
            libc = ctypes.CDLL(None) if sys.platform.startswith("linux") else None
            if libc is not None and hasattr(libc, "malloc_trim"):  # glibc (not musl)
                _libc = libc
        except OSError:
            pass
    if _libc:
        _libc.malloc_trim(0)
