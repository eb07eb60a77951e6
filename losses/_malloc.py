"""Keep numpy's block-sized temporaries in the heap (glibc only; a no-op elsewhere).

The core streams through its inputs in blocks, allocating a few temporaries of 256 KiB per block. glibc's
defaults return freed memory at the top of the heap to the OS as soon as 128 KiB are free, so every block
paid page faults again: measured here at n = 1e7 (bench/core.py), binary cross-entropy took 22x a read of
its inputs instead of 14x, and the cheap losses up to 5x longer. Raising the trim threshold to 64 MiB keeps
that memory for reuse; allocations of 4 MiB and more are still mapped and unmapped as usual. Set
LOSSX_NO_MALLOC_TUNING=1 to leave the allocator alone.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


def tune_allocator() -> bool:
    """Apply the settings; True when glibc accepted them."""
    if os.environ.get("LOSSX_NO_MALLOC_TUNING") == "1" or not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    return bool(mallopt(_M_MMAP_THRESHOLD, 4 << 20)) and bool(mallopt(_M_TRIM_THRESHOLD, 64 << 20))
