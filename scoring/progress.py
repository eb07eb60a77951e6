"""A progress line for long runs, on stderr: how much is done (rows, bytes or partitions), the rate, the ETA.

>>> import io
>>> out = io.StringIO()
>>> bar = Progress(total_bytes=2_000_000, stream=out, clock=iter([0.0, 1.0, 1.0]).__next__)
>>> bar.update(done_bytes=1_000_000, rows=50_000, force=True)
>>> out.getvalue().split("\\r")[-1].split("\\x1b")[0]
'scoring  50%  50,000 rows  1.0 of 1.9 MB  1.0 MB/s  ETA 0:01'

The command line shows it when stderr is a terminal and ``--quiet`` is not given (``terminal``); a pipe or a
log file gets nothing. It redraws at most every ``interval`` seconds and clears its line when closed, so what
the command prints afterwards starts on a clean line.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

_MB = 2**20


def _clock_text(seconds: float) -> str:
    seconds = max(0, round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class Progress:
    """One line, redrawn in place: ``update`` with what is done so far; ``close`` clears it."""

    def __init__(
        self,
        total_bytes: int | None = None,
        *,
        total_parts: int | None = None,
        stream: TextIO | None = None,
        enabled: bool = True,
        label: str = "scoring",
        interval: float = 0.2,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total_bytes = total_bytes or None
        self.total_parts = total_parts or None
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self.label = label
        self.interval = interval
        self.clock = clock
        self.start = clock()
        self.last = -float("inf")
        self.done_bytes = 0.0
        self.rows = 0
        self.parts = 0
        self.shown = False

    def fraction(self) -> float | None:
        if self.total_parts:
            return min(1.0, self.parts / self.total_parts)
        if self.total_bytes:
            return min(1.0, self.done_bytes / self.total_bytes)
        return None

    def text(self, now: float) -> str:
        """The line as shown at time ``now``."""
        elapsed = max(now - self.start, 1e-9)
        parts = [self.label]
        frac = self.fraction()
        if frac is not None:
            parts.append(f"{frac:.0%}")
        if self.total_parts:
            parts.append(f"{self.parts:,} of {self.total_parts:,} partitions")
        if self.rows:
            parts.append(f"{self.rows:,} rows")
        if self.done_bytes:
            of = f" of {self.total_bytes / _MB:,.1f}" if self.total_bytes else ""
            parts.append(f"{self.done_bytes / _MB:,.1f}{of} MB")
            parts.append(f"{self.done_bytes / _MB / elapsed:,.1f} MB/s")
        elif self.rows:
            parts.append(f"{self.rows / elapsed:,.0f} rows/s")
        if frac:
            parts.append(f"ETA {_clock_text(elapsed * (1.0 - frac) / frac)}")
        return "  ".join(parts)

    def update(
        self,
        *,
        done_bytes: float | None = None,
        rows: int | None = None,
        parts: int | None = None,
        force: bool = False,
    ) -> None:
        """What is done so far (totals, not increments); redrawn if ``interval`` has passed."""
        if done_bytes is not None:
            self.done_bytes = float(done_bytes)
        if rows is not None:
            self.rows = int(rows)
        if parts is not None:
            self.parts = int(parts)
        if not self.enabled:
            return
        now = self.clock()
        if not force and now - self.last < self.interval:
            return
        self.last = now
        self.stream.write("\r" + self.text(now) + "\x1b[K")
        self.stream.flush()
        self.shown = True

    def fraction_callback(self, size: int, done_before: float = 0.0) -> Callable[[float], None]:
        """For ``scoring.score(progress=...)``: it reports the fraction read of one file of ``size`` bytes."""
        return lambda frac: self.update(done_bytes=done_before + frac * size)

    def close(self) -> None:
        if self.enabled and self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
        self.shown = False

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def wanted(quiet: bool, stream: TextIO | None = None) -> bool:
    """Whether the command line shows progress: not with ``--quiet``, and only on a terminal."""
    stream = stream if stream is not None else sys.stderr
    if quiet:
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # closed or not a real stream
        return False


def terminal(total_bytes: int | None = None, *, quiet: bool = False, total_parts: int | None = None,
             stream: TextIO | None = None) -> Progress:  # fmt: skip
    """The command line's progress line: enabled per ``wanted``."""
    stream = stream if stream is not None else sys.stderr
    return Progress(total_bytes, total_parts=total_parts, stream=stream, enabled=wanted(quiet, stream))
