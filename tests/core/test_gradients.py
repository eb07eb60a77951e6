"""Every loss, every parameter: the analytic gradient of the cost equals central finite differences."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import losses
from tests.core.support import kink_distance, params_strategy, sample

_MATRIX_PRED = {"distributions"}  # perturbing one entry breaks the row sum: differentiate the raw function


def _cost_fn(spec, t, kw):
    if spec.y_pred in _MATRIX_PRED:
        return lambda p: spec.finish_cost(float(spec.value(t, p, **kw).sum()), len(t))
    return lambda p: spec.cost(t, p, **kw)


def finite_difference(f, p: np.ndarray) -> np.ndarray:
    g = np.empty_like(p)
    for idx in np.ndindex(p.shape):
        h = 1e-6 * max(1.0, abs(p[idx]))
        up, down = p.copy(), p.copy()
        up[idx] += h
        down[idx] -= h
        g[idx] = (f(up) - f(down)) / (up[idx] - down[idx])
    return g


@pytest.mark.parametrize("name", losses.names())
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 7), k=st.integers(2, 5), data=st.data())
def test_gradient_matches_central_differences(name, seed, n, k, data):
    spec = losses.get(name)
    kw = data.draw(params_strategy(spec))
    t, p = sample(spec, np.random.default_rng(seed), n, k)
    if spec.y_true == "labels_pm1":
        t = np.where(t == 0, -1.0, t)
    assume(kink_distance(name, t, p, kw) > 1e-3)
    grad = spec.gradient(t, p, **kw)
    assert grad.shape == p.shape
    cost = _cost_fn(spec, t, kw)
    fd = finite_difference(cost, p)
    scale = max(float(np.abs(fd).max()), 1e-12)
    # The finite differences' own error: ≈ eps·F/h, F the size of the terms the cost is computed from
    # (≥ 1 for log-sum-exp and clipped logs, even where the cost itself is 1e-7).
    roundoff = 2e-9 * max(abs(cost(p)), 1.0)
    np.testing.assert_allclose(grad, fd, rtol=1e-6, atol=1e-7 * scale + roundoff)


@pytest.mark.parametrize("name", losses.names())
def test_gradient_is_the_derivative_over_n(name):
    """The reduction: d cost / d y_pred is the per-sample derivative divided by n (rmse: chain rule)."""
    spec = losses.get(name)
    t, p = sample(spec, np.random.default_rng(1), 5, 3)
    if spec.y_true == "labels_pm1":
        t = np.where(t == 0, -1.0, t)
    g = spec.gradient(t, p, **spec.defaults())
    d = spec.derivative(t, p, **spec.defaults())
    if spec.finish_slope is None:
        np.testing.assert_allclose(g, d / len(t), rtol=1e-15)
    else:
        assert np.all(np.sign(g) == np.sign(d))


@pytest.mark.parametrize("name", [n for n in losses.names() if losses.get(n).finish is None])
def test_per_sample_derivative_is_n_times_the_gradient(name):
    spec = losses.get(name)
    t, p = sample(spec, np.random.default_rng(2), 6, 3)
    np.testing.assert_allclose(spec.per_sample_derivative(t, p), 6 * spec.gradient(t, p), rtol=1e-14)


def test_rmse_gradient_at_a_perfect_fit_is_zero():
    g = losses.get("rmse").gradient([1.0, 2.0], [1.0, 2.0])
    assert np.array_equal(g, [0.0, 0.0])


def test_bce_gradient_is_zero_where_the_probability_is_clipped():
    """What autograd gives through clip(p, eps, 1 - eps): nothing flows back from p = 0 or p = 1."""
    g = losses.get("binary_cross_entropy").gradient([1.0, 0.0, 1.0], [0.0, 1.0, 0.5])
    assert g[0] == 0.0 and g[1] == 0.0
    assert g[2] == pytest.approx(-1 / 0.5 / 3)


def test_quantile_gradient_at_zero_residual_is_the_subgradient_midpoint():
    g = losses.get("quantile").gradient([1.0], [1.0], tau=0.9)
    assert g[0] == pytest.approx(0.5 - 0.9)
