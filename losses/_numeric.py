"""The numerical building blocks every loss and the scorer share, written once, each in its stable form.

The sigmoid and its inverse (the log-odds), softplus, the row-wise softmax, one-hot rows, label smoothing and
row normalisation, with the clip ``EPS`` and the tolerance ``ROW_SUM_TOL`` that go with them. None of them
warns or returns NaN for a finite input (logits of ±1000 included).

>>> from losses import logit, sigmoid
>>> float(sigmoid(np.array([np.log(3.0)]))[0]), round(float(logit(np.array([0.75]))[0]), 12)
(0.75, 1.098612288668)
"""

from __future__ import annotations

import numpy as np

#: Clip for probabilities: float64 machine epsilon (Keras uses 1e-7 in float32).
EPS = float(np.finfo(np.float64).eps)
#: How far from 1 a row of probabilities may sum and still count as a distribution (the core's check).
ROW_SUM_TOL = 1e-6


def sigmoid(x: np.ndarray, e: np.ndarray | None = None) -> np.ndarray:
    """σ(x) without overflow: e = exp(-|x|) ≤ 1, then 1/(1+e) or e/(1+e) by sign (``e`` if already known).

    The numerator, 1 for x ≥ 0 and e for x < 0, is max(e, [x ≥ 0]) (e ≤ 1): the same numbers as
    ``np.where`` by sign, without a select on a random mask (it costs 10 multiplications), and without a
    second exp, as e^{min(x, 0)} had (an exp costs 10 more where numpy has no SIMD exp for doubles)."""
    if e is None:
        e = np.exp(-np.abs(x))
    s = 1.0 / (1.0 + e)
    return np.multiply(np.maximum(e, x >= 0.0), s, out=s)


def softplus(x: np.ndarray, e: np.ndarray | None = None) -> np.ndarray:
    """log(1 + e^x) without overflow: max(x, 0) + log1p(e^{-|x|}) (``e``: e^{-|x|}, if already known)."""
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)) if e is None else e)


def one_minus_rounding(q: np.ndarray, u: np.ndarray) -> np.ndarray:
    """δ/u, where u is 1 - q as rounded and δ = (1 - q) - u = (1 - u) - q its rounding, computed exactly
    (Sterbenz: both differences are exact): log(1 - q) = log u + log1p(δ/u) = log u + δ/u, as |δ/u| ≤ 2^-53
    (the next term is below 2^-107). From q = 1/2 on, u is exact and δ = 0. NaN where u = 0."""
    d = 1.0 - u
    d -= q
    with np.errstate(divide="ignore", invalid="ignore"):
        np.divide(d, u, out=d)
    return d


def log1m(q: np.ndarray) -> np.ndarray:
    """log(1 - q) = ``np.log1p(-q)`` for q ≤ 1, to an ulp, as one log and the rounding of 1 - q
    (``one_minus_rounding``); where 1 - q rounds to 1 (q < 2^-53), the value is -q. numpy's log1p of a
    negative number costs 2.5 of its logs (glibc; no SIMD log1p for doubles): 1e7 binary rows scored in
    memory, 0.54 -> 0.48 s.
    """
    shape = np.shape(q)
    q = np.asarray(q, dtype=np.float64).reshape(-1)  # 1-D, so that the steps can write in place
    u = 1.0 - q
    d = one_minus_rounding(q, u)
    with np.errstate(divide="ignore"):  # log 0 = -inf at q = 1 (where d is NaN: set below)
        r = np.log(u)
    r += d
    np.copyto(r, -np.inf, where=(u == 0.0))
    return r.reshape(shape)


def logit(p: np.ndarray, clip: float | None = None) -> np.ndarray:
    """The log-odds log(p / (1 - p)), the inverse of ``sigmoid``: log(p) - log1p(-p) (``log1m``).

    Two logs instead of one division keep the digits of p near 1 (1 - p would round first). With ``clip``,
    p is first kept inside [clip, 1 - clip], so the result is finite; without, 0 and 1 give -inf and inf
    (quietly: they are the honest values).
    """
    return LogOdds(p, clip).x


class LogOdds:
    """The log-odds ``x = logit(q, clip)`` of probabilities, with what it is made of kept: ``q`` (clipped)
    and its two logs, ``log_q`` = log q and ``log_1mq`` = log(1 - q) (``log1m``: log1p(-q) to an ulp).

    What else a loss needs of the same rows is written on these with no exp or log of its own: σ(x) is q,
    -log σ(x) is -log q, e^{-x} is (1 - q)/q (``losses.binary.OfProbabilities``). Computed from x, those
    take three exps and a log1p more per row.
    """

    def __init__(self, p: np.ndarray, clip: float | None = None) -> None:
        q = np.asarray(p, dtype=np.float64)
        if clip is not None:
            q = np.clip(q, clip, 1.0 - clip)
        with np.errstate(divide="ignore"):
            self.log_q = np.log(q)
        self.log_1mq = log1m(q)
        self.q = q
        self.x = self.log_q - self.log_1mq

    def rows(self, sl: slice) -> LogOdds:
        """The same for rows ``sl`` (views, nothing computed again)."""
        part = object.__new__(LogOdds)
        part.q, part.log_q, part.log_1mq, part.x = self.q[sl], self.log_q[sl], self.log_1mq[sl], self.x[sl]
        return part


def log_softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise log-softmax by log-sum-exp: subtract the row max before exponentiating."""
    m = z.max(axis=1, keepdims=True)
    s = z - m
    return s - np.log(np.exp(s).sum(axis=1, keepdims=True))


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax, as exp of ``log_softmax``: no overflow for any finite logits."""
    return np.exp(log_softmax(z))


def one_hot(labels: np.ndarray, k: int) -> np.ndarray:
    """(n,) class indexes 0..k-1 (integral floats accepted) -> (n, k) float rows with a single 1."""
    y = np.zeros((labels.shape[0], k))
    y[np.arange(labels.shape[0]), labels.astype(np.intp)] = 1.0
    return y


def smooth(y: np.ndarray, eps: float) -> np.ndarray:
    """Keras/PyTorch label smoothing: y(1 - ε) + ε/k, k the number of columns; ``y`` itself when ε = 0."""
    if eps == 0.0:
        return y
    return y * (1.0 - eps) + eps / y.shape[1]


def normalise_rows(p: np.ndarray) -> np.ndarray:
    """Each row divided by its sum (rows that must be distributions, off by rounding or unnormalised)."""
    return p / p.sum(axis=1, keepdims=True)
