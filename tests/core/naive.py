"""Naive reference implementations, written straight from the textbook formulas (as in PyTorch's
``common_nn``): no stability tricks, no blocks. Valid for moderate inputs only; the core must agree with
them to ~1e-12 there. Keyed by loss name; a registered loss without one fails
``test_every_loss_has_a_naive_reference``.
"""

from __future__ import annotations

import math

import numpy as np

EPS = np.finfo(np.float64).eps


def _sig(x):
    return 1.0 / (1.0 + np.exp(-x))


def _pm1(t):
    return np.where(t == 0, -1.0, t)


def _barron(d, alpha, scale):
    x2 = (d / scale) ** 2
    if alpha == 2:
        return 0.5 * x2
    if alpha == 0:
        return np.log(0.5 * x2 + 1)
    if alpha == -math.inf:
        return 1 - np.exp(-0.5 * x2)
    b = abs(alpha - 2)
    return b / alpha * ((x2 / b + 1) ** (alpha / 2) - 1)


def _focal(t, x, gamma, alpha):
    p = _sig(x)
    pt = np.where(t == 1, p, 1 - p)
    at = np.where(t == 1, alpha, 1 - alpha)
    return -at * (1 - pt) ** gamma * np.log(pt)


def _smooth(y, eps):
    return y * (1 - eps) + eps / y.shape[1]


def _softmax(z):
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _xlogy(x, y):
    """x·log(y), 0 where x = 0 (scipy.special.xlogy)."""
    return np.where(x > 0, x * np.log(np.where(x > 0, y, 1.0)), 0.0)


def _cat_hinge(y, s):
    return np.maximum(0, ((1 - y) * s).max(axis=1) - (y * s).sum(axis=1) + 1)


NAIVE = {
    "mse": lambda t, p: (p - t) ** 2,
    "rmse": lambda t, p: (p - t) ** 2,
    "mae": lambda t, p: np.abs(p - t),
    "msle": lambda t, p: (np.log(1 + p) - np.log(1 + t)) ** 2,
    "huber": lambda t, p, delta: np.where(
        np.abs(p - t) <= delta, 0.5 * (p - t) ** 2, delta * (np.abs(p - t) - 0.5 * delta)
    ),
    "pseudo_huber": lambda t, p, delta: delta**2 * (np.sqrt(1 + ((p - t) / delta) ** 2) - 1),
    "log_cosh": lambda t, p: np.log(np.cosh(p - t)),
    "quantile": lambda t, p, tau: np.maximum(tau * (t - p), (tau - 1) * (t - p)),
    "poisson": lambda t, p: p - t * np.log(p),
    "poisson_deviance": lambda t, p: 2 * (_xlogy(t, t / p) - (t - p)),
    "general_robust": lambda t, p, alpha, scale: _barron(p - t, alpha, scale),
    "binary_cross_entropy": lambda t, p: (
        -(t * np.log(np.clip(p, EPS, 1 - EPS)) + (1 - t) * np.log(1 - np.clip(p, EPS, 1 - EPS)))
    ),
    "sigmoid_cross_entropy": lambda t, x: -(t * np.log(_sig(x)) + (1 - t) * np.log(1 - _sig(x))),
    "binary_focal": lambda t, x, gamma, alpha: _focal(t, x, gamma, alpha),
    "hinge": lambda t, s: np.maximum(0, 1 - _pm1(t) * s),
    "squared_hinge": lambda t, s: np.maximum(0, 1 - _pm1(t) * s) ** 2,
    "logistic": lambda t, s: np.log(1 + np.exp(-_pm1(t) * s)),
    "exponential": lambda t, s: np.exp(-_pm1(t) * s),
    "modified_huber": lambda t, s: np.where(
        _pm1(t) * s >= -1, np.maximum(0, 1 - _pm1(t) * s) ** 2, -4 * _pm1(t) * s
    ),
    "zero_one": lambda t, s: (_pm1(t) * s <= 0).astype(float),
    "categorical_cross_entropy": lambda y, q, label_smoothing: (
        -(_smooth(y, label_smoothing) * np.log(np.clip(q, EPS, 1 - EPS))).sum(axis=1)
    ),
    "sparse_categorical_cross_entropy": lambda y, q: (
        -np.log(np.clip(q[np.arange(len(y)), y.astype(int)], EPS, 1 - EPS))
    ),
    "kl_divergence": lambda p, q: np.array(
        [
            sum(pj * math.log(pj / max(qj, EPS)) for pj, qj in zip(pr, qr, strict=True) if pj > 0)
            for pr, qr in zip(p, q, strict=True)
        ]
    ),
    "softmax_cross_entropy": lambda y, z, label_smoothing: (
        -(_smooth(np.eye(z.shape[1])[y.astype(int)], label_smoothing) * np.log(_softmax(z))).sum(axis=1)
    ),
    "categorical_hinge": _cat_hinge,
}
