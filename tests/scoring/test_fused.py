"""Spans scored on one thread (a machine of two cores) or shared out to the pool's two (three cores and
more) give the same result: the same bits for every loss, per row too, and a loss leaving its domain in a
later span skipped with the same file row."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import losses
import scoring
from losses.validation import BLOCK
from scoring import fused


def _regression_file(rows: int) -> bytes:
    rng = np.random.default_rng(21)
    t = rng.uniform(0.5, 10.0, rows).round(6)
    p = (t * np.exp(rng.normal(0.0, 0.3, rows))).round(6)
    p[3 * BLOCK + 11] = -1.5  # msle needs y_pred > -1 (Poisson > 0): out of their domain in the fourth span
    lines = ["y_true,y_pred", *(f"{float(a)!r},{float(b)!r}" for a, b in zip(t, p, strict=True))]
    return ("\n".join(lines) + "\n").encode()


def _binary_columns(rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Labels 0/1 (as floats) and probabilities with 6 digits, the rows of ``_binary_file``."""
    rng = np.random.default_rng(22)
    p = rng.uniform(0.0, 1.0, rows).round(6)
    return (rng.uniform(0.0, 1.0, rows) < p).astype(float), p


def _binary_file(rows: int) -> bytes:
    t, p = _binary_columns(rows)
    lines = ["y_true,y_prob", *(f"{int(a)},{float(b)!r}" for a, b in zip(t, p, strict=True))]
    return ("\n".join(lines) + "\n").encode()


def _summary(data: bytes, per_row: bool, monkeypatch) -> tuple:
    """The totals, skipped losses and per-row bytes of scoring ``data``, and the threads spans ran on."""
    threads = set()

    class Seen(losses.SharedChecks):
        def __init__(self) -> None:
            threads.add(threading.current_thread().name.split("_")[0])
            super().__init__()

    monkeypatch.setattr(fused.losses, "SharedChecks", Seen)
    fmt, det = scoring.inspect(data)
    result = scoring.score(data, fmt, det, per_row=per_row)
    rows = None if result.per_row is None else result.per_row.to_numpy().tobytes()
    return (dict(result.totals), dict(result.skipped), rows), threads


@pytest.mark.parametrize("make", [_regression_file, _binary_file])
@pytest.mark.parametrize("per_row", [False, True])
def test_one_thread_and_the_pool_give_the_same_bits(monkeypatch, make, per_row):
    data = make(5 * BLOCK + 7)
    monkeypatch.setattr(fused, "SPAN", BLOCK)  # five spans and a short one in a chunk
    monkeypatch.setattr(fused, "POOL_CORES", fused.CORES + 1)  # one thread
    alone, threads = _summary(data, per_row, monkeypatch)
    assert threads == {"MainThread"}
    monkeypatch.setattr(fused, "POOL_CORES", 1)  # the pool's two threads
    pooled, threads = _summary(data, per_row, monkeypatch)
    assert threads == {"lossx-score"}
    assert alone == pooled
    totals, skipped, _rows = alone
    assert totals and all(count == 5 * BLOCK + 7 for _s, count in totals.values())
    if make is _regression_file:
        assert "msle" in skipped and f"row {3 * BLOCK + 12}" in skipped["msle"]  # the file's row, 1-based


def test_the_margin_losses_of_probabilities_are_written_on_them(monkeypatch):
    """On probabilities, the scorer's log-odds come from ``SharedChecks.log_odds``: the margin losses and the
    focal loss get their terms from the probabilities (``OfProbabilities``: no exp, log or log1p of their
    own), in every span, and give the core's costs on ``logit(p, 1e-15)``."""
    from losses.binary import Margin, OfProbabilities

    made = []
    init = Margin.__init__

    def spy(self, m):
        made.append(type(self))
        init(self, m)

    monkeypatch.setattr(Margin, "__init__", spy)
    monkeypatch.setattr(fused, "SPAN", BLOCK)
    rows = 3 * BLOCK + 5
    data = _binary_file(rows)
    fmt, det = scoring.inspect(data)
    result = scoring.score(data, fmt, det)
    assert len(made) == 4 and set(made) == {OfProbabilities}  # one margin per span, each of probabilities
    t, p = _binary_columns(rows)
    x = losses.logit(p, clip=1e-15)
    for name in ("binary_focal", "hinge", "squared_hinge", "logistic", "exponential", "modified_huber"):
        spec = losses.get(name)
        total, count = result.totals[name]
        assert count == rows and total / count == pytest.approx(spec.cost(t, x), rel=1e-13, abs=0.0), name
