"""Keep numpy's block- and chunk-sized temporaries in the heap (glibc only; a no-op elsewhere).

The core streams through its inputs in blocks, allocating a few temporaries of 256 KiB per block. glibc's
defaults return freed memory at the top of the heap to the OS as soon as 128 KiB are free, so every block
paid page faults again: measured here at n = 1e7 (bench/core.py), binary cross-entropy took 22x a read of
its inputs instead of 14x, and the cheap losses up to 5x longer. A trim threshold keeps that memory for reuse.

The scorer (scoring.chunked) allocates arrays of a chunk's size on every chunk: 8 MB per column of 1M rows
(labels as class indexes, per-row values; masks and row numbers where rows are dropped). Under an mmap
threshold of 4 MiB each was mapped fresh and unmapped when freed, 2048 page faults each time: measured before
the scorer stopped building them, np.arange of a chunk's row numbers took 0.05-0.13 s of 1e7 rows, and the
whole run ~10% more CPU. Allocations below 32 MiB now come from the heap, and a trim threshold of 128 MiB
keeps a few chunks' worth of it for the next chunk. Measured on 2 cores, 1e7 rows, best of 7 runs (4 MiB and
64 MiB -> 32 MiB and 128 MiB, with the scorer's per-chunk work already cut): CPU of binary CSV 1.22 -> 1.18 s,
binary Parquet 0.85 -> 0.81 s, regression Parquet unchanged (0.60 s), regression CSV of 5e7 rows (best of 3)
6.11 -> 5.80 s; peak memory 16 to 28 MB higher and flat in the file's size (bench/csv.py, regression, 1e7 ->
5e7 rows: CSV 210 -> 212 MB, Parquet 274 -> 273 MB). Allocations of 32 MiB and more (whole-file arrays) are
still mapped and unmapped as usual. Set LOSSX_NO_MALLOC_TUNING=1 to leave the allocator alone.
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
    return bool(mallopt(_M_MMAP_THRESHOLD, 32 << 20)) and bool(mallopt(_M_TRIM_THRESHOLD, 128 << 20))
