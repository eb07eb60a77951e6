"""Barron's general robust loss against a 60-digit reference, and the core's edge cases of issue 15.

The sweep covers the shape α over [-1e3, 1e3] (with values 1e-12 ... 1e-6 either side of 0 and 2, where the
formula's limits meet) and residuals from 1e-300 to 1e300: wherever the true value is a finite double the core
returns it (to ``RTOL``), where it is beyond float64 inf, where below the smallest normal double ~0. The
function is called directly, so α beyond the parameter's range [-∞, 10] is swept too. Reference: mpmath.
"""

from __future__ import annotations

import math
import warnings

import mpmath as mp
import numpy as np
import pytest

import losses
from losses.regression import general_robust

mp.mp.dps = 60
RTOL = 1e-11
NEAR = [s * e for e in (1e-12, 1e-9, 1e-6) for s in (-1, 1)]
ALPHAS = sorted({-1e3, -100.0, -10.0, -2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 1.999999, 2.0, 2.5, 3.0, 4.0,
                 10.0, 100.0, 1e3, *NEAR, *(2.0 + d for d in NEAR)})  # fmt: skip
RESIDUALS = np.array([1e-300, 1e-200, 1e-100, 1e-20, 1e-8, 1e-3, 0.5, 1.0, 3.0, 1e3, 1e8, 1e20, 1e50, 1e100,
                      1e150, 1e151, 1e152, 1e153, 1e154, 1e155, 1e200, 1e300])  # fmt: skip
TINY = 2.2250738585072014e-308  # the smallest normal double: below it only an absolute error makes sense


def _reference(r: float, alpha: float, scale: float = 1.0) -> mp.mpf:
    """ρ(x, α), x = r/c, at 60 digits: (b/α)·expm1(α/2 · log1p(x²/b)), b = |α - 2|, and its limits."""
    x, a = mp.mpf(r) / mp.mpf(scale), mp.mpf(alpha)
    if a == 2:
        return x * x / 2
    b = abs(a - 2)
    L = mp.log1p(x * x / b)
    if a == 0:
        return b / 2 * L  # = log(x²/2 + 1)
    return b / a * mp.expm1(a / 2 * L)


def _reference_slope(x: float, alpha: float, scale: float) -> mp.mpf:
    """dρ/dŷ = x/c · (x²/b + 1)^(α/2 - 1), x = r/c, at 60 digits."""
    x = mp.mpf(x) / mp.mpf(scale)
    if alpha == 2:
        return x / mp.mpf(scale)
    b = abs(mp.mpf(alpha) - 2)
    return x / mp.mpf(scale) * mp.exp((mp.mpf(alpha) / 2 - 1) * mp.log1p(x * x / b))


def _close(got: float, want: mp.mpf) -> bool:
    if abs(want) > mp.mpf(np.finfo(np.float64).max):
        return got == math.copysign(math.inf, want)
    if abs(want) < TINY:
        return math.isfinite(got) and abs(got - float(want)) <= 1e-300
    return math.isfinite(got) and abs(mp.mpf(got) - want) <= RTOL * abs(want)


@pytest.mark.parametrize("alpha", ALPHAS)
@pytest.mark.parametrize("scale", [1.0, 1e-300, 1e100])
def test_general_robust_is_right_wherever_the_true_value_is_a_double(alpha, scale):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):  # as LossSpec computes it
            got = general_robust(np.zeros(RESIDUALS.size), RESIDUALS, alpha=alpha, scale=scale)
    want = [_reference(r, alpha, scale) for r in RESIDUALS]
    bad = [(float(r), float(g), mp.nstr(w, 17)) for r, g, w in zip(RESIDUALS, got, want, strict=True)
           if not _close(float(g), w)]  # fmt: skip
    assert not bad, f"α = {alpha!r}, c = {scale!r}: (residual, got, want) {bad}"


@pytest.mark.parametrize("alpha", [a for a in ALPHAS if a <= 10])
@pytest.mark.parametrize("scale", [1e-300, 1e-100, 1.0, 1e100])
def test_general_robust_slope_is_right_and_quiet(alpha, scale):
    """scale = 1e-300 squared is 0: the slope divided by it warned and was inf where the truth is finite."""
    r = np.concatenate([-RESIDUALS[::3], RESIDUALS])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        spec = losses.get("general_robust")
        got = spec.per_sample_derivative(np.zeros(r.size), r, alpha=alpha, scale=scale)
    bad = [(float(x), float(g)) for x, g in zip(r, got, strict=True)
           if not _close(float(g), _reference_slope(x, alpha, scale))]  # fmt: skip
    assert not bad, f"α = {alpha!r}, c = {scale!r}: (residual, got) {bad}"


def test_the_limit_alpha_values_meet_their_neighbours():
    r = np.array([0.1, 1.0, 7.0])
    for limit, near in ((0.0, 1e-12), (2.0, 2.0 - 1e-12)):
        a = general_robust(np.zeros(3), r, alpha=limit, scale=1.0)
        b = general_robust(np.zeros(3), r, alpha=near, scale=1.0)
        np.testing.assert_allclose(a, b, rtol=1e-9)


# -- the core's other edge cases (issue 15, defect 12) -------------------------------------------------------
def test_rmse_gradient_whose_mean_overflows_is_a_value_error_not_a_bug_report():
    with pytest.raises(losses.LossInputError) as info:
        losses.get("rmse").gradient([0.0, 0.0], [1e308, 0.0])
    assert isinstance(info.value, ValueError) and "Rescale" in str(info.value)
    assert "bug" not in str(info.value)


@pytest.mark.parametrize("name", ["mse", "rmse", "binary_cross_entropy", "categorical_cross_entropy"])
def test_complex_input_is_refused_not_cast(name):
    spec = losses.get(name)
    t = np.array([[1.0, 0.0], [0.0, 1.0]]) if spec.y_true == "distributions" else np.array([1.0, 0.0])
    p = (np.array([[0.5, 0.5], [0.5, 0.5]]) if spec.y_pred == "distributions" else np.array([0.5, 0.2])) + 0j
    p[1] += 1e-3j
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(losses.LossInputError) as info:
            spec.cost(t, p)
    assert "complex" in str(info.value) and "y_pred" in str(info.value) and "row 1" in str(info.value)


def test_charbonnier_is_within_a_few_ulps_of_the_reference():
    """α = 1 is computed as pseudo-Huber's x²/(√(x² + 1) + 1): a few ulps at any residual (the general form's
    expm1(log1p(x²)/2) lost ~|log x| ulps, 3e-14 at x = 1e150)."""
    z = np.zeros_like(RESIDUALS)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = losses.get("general_robust").per_sample(z, RESIDUALS, alpha=1.0, scale=1.0)
    for r, g in zip(RESIDUALS, got, strict=True):
        want = _reference(float(r), 1.0)
        if abs(want) > mp.mpf(np.finfo(np.float64).max):
            assert g == math.inf
        elif abs(want) >= TINY:
            assert abs(mp.mpf(g) - want) <= 4e-16 * abs(want), r
