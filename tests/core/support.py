"""Test support: valid random inputs for any loss, parameter strategies, perfect predictions, kinks.

Everything is keyed by the registry's input kinds and parameter names, so a new loss is covered by the
registry-driven tests as soon as it is registered (and a new kind or parameter fails loudly here).
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st

import losses


def sample_kind(kind: str, rng: np.random.Generator, n: int, k: int, *, role: str) -> np.ndarray:
    """Random valid values of an input kind; predictions stay clear of clipping edges."""
    if kind == "values":
        return rng.normal(0.0, 2.0, n)
    if kind == "values_gt_m1":
        return rng.uniform(-0.9, 5.0, n)
    if kind == "nonneg_values":
        return rng.poisson(3.0, n).astype(float)
    if kind == "positive_values":
        return rng.uniform(0.2, 6.0, n)
    if kind == "labels01":
        return rng.integers(0, 2, n).astype(float)
    if kind == "labels_pm1":
        return rng.choice([-1.0, 1.0], n)
    if kind == "probabilities":
        return rng.uniform(0.02, 0.98, n)
    if kind in ("logits", "scores"):
        return rng.normal(0.0, 3.0, n)
    if kind == "class_labels":
        return rng.integers(0, k, n).astype(float)
    if kind == "distributions":
        if role == "y_true" and rng.random() < 0.5:
            return np.eye(k)[rng.integers(0, k, n)]
        q = rng.dirichlet(np.ones(k), n) * 0.9 + 0.1 / k  # away from 0 and 1
        return q / q.sum(axis=1, keepdims=True)
    if kind in ("class_logits", "class_scores"):
        return rng.normal(0.0, 3.0, (n, k))
    raise AssertionError(f"no sampler for kind {kind!r}: add one here")


def sample(spec: losses.LossSpec, rng: np.random.Generator, n: int = 6, k: int = 4):
    t = sample_kind(spec.y_true, rng, n, k, role="y_true")
    p = sample_kind(spec.y_pred, rng, n, k, role="y_pred")
    return t, p


def perfect(spec: losses.LossSpec, t: np.ndarray, k: int) -> np.ndarray:
    """The prediction that is exactly right for targets t, in the loss's y_pred kind."""
    if spec.y_pred == "positive_values":  # a count of 0 has no positive perfect rate: its limit ŷ → 0
        return np.maximum(t, np.finfo(np.float64).tiny)
    if spec.y_pred in ("values", "values_gt_m1", "probabilities", "scores"):
        return t.copy()
    if spec.y_pred in ("distributions", "class_scores"):
        if t.ndim == 1:
            return np.eye(k)[t.astype(int)]
        return t.copy()
    raise AssertionError(f"no perfect prediction for y_pred kind {spec.y_pred!r}")


#: A strategy for every parameter name in the registry (a missing one fails test_every_param_has_strategy).
PARAM_STRATEGIES = {
    "delta": st.floats(0.1, 5.0),
    "tau": st.floats(0.05, 0.95),
    "alpha": st.one_of(st.sampled_from([-math.inf, -2.0, 0.0, 1.0, 2.0]), st.floats(-6.0, 4.0)),
    "scale": st.floats(0.2, 5.0),
    "gamma": st.floats(0.0, 5.0),
    "label_smoothing": st.floats(0.0, 0.5),
}


def params_strategy(spec: losses.LossSpec):
    """Strategy for a dict of the loss's parameters. binary_focal's alpha is a weight in [0, 1]."""
    fields = {}
    for p in spec.params:
        if spec.name == "binary_focal" and p.name == "alpha":
            fields[p.name] = st.floats(0.0, 1.0)
        else:
            fields[p.name] = PARAM_STRATEGIES[p.name]
    return st.fixed_dictionaries(fields)


def kink_distance(name: str, t: np.ndarray, p: np.ndarray, kw: dict) -> float:
    """How far the input is from the nearest point where the loss is not differentiable (inf: none)."""
    if t.ndim == 1 and p.ndim == 1:
        d = p - t
        m = t * p
    if name in ("mae", "quantile"):
        return float(np.abs(d).min())
    if name == "huber":
        return float(np.abs(np.abs(d) - kw["delta"]).min())
    if name in ("hinge", "squared_hinge", "modified_huber"):
        return float(np.abs(m - 1.0).min())
    if name == "zero_one":
        return float(np.abs(m).min())
    if name == "rmse":
        return float(np.abs(d).max())  # the square root is not differentiable at a perfect fit
    if name == "categorical_hinge":
        w = (1.0 - t) * p
        top2 = np.sort(w, axis=1)[:, -2:]
        margin = top2[:, 1] - (t * p).sum(axis=1) + 1.0
        return float(min(np.abs(top2[:, 1] - top2[:, 0]).min(), np.abs(margin).min()))
    return math.inf
