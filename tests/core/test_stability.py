"""Extreme inputs: never NaN, never a RuntimeWarning, exact where a closed form is known."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import losses
from tests.core.support import sample

EXTREMES = np.array([-1000.0, -710.0, -40.0, -1e-300, 0.0, 1e-300, 40.0, 710.0, 1000.0])


def _extreme_inputs(spec, k=3):
    """Inputs at the edges of each kind: logits/scores at ±1000, probabilities at 0 and 1, huge residuals."""
    n = EXTREMES.size
    rng = np.random.default_rng(0)
    t, p = sample(spec, rng, n, k)
    if spec.y_pred in ("values", "logits", "scores"):
        p = EXTREMES.copy()
    elif spec.y_pred == "probabilities":
        p = np.array([0.0, 1.0, 1e-300, 1 - 1e-16, 0.5, 0.0, 1.0, 1e-17, 0.999999])
    elif spec.y_pred == "positive_values":
        p = np.array([1e-300, 1e-10, 1.0, 1e10, 1e300, 3.0, 0.5, 2.0, 1e-5])
    elif spec.y_pred == "values_gt_m1":
        p = np.array([-1 + 1e-15, -0.5, 0.0, 1e300, 1e10, 3.0, 1e-300, 2.0, 7.0])
    elif spec.y_pred in ("class_logits", "class_scores"):
        p = np.stack([EXTREMES, -EXTREMES, np.zeros(n)], axis=1)
    elif spec.y_pred == "distributions":
        p = np.tile([[1.0, 0.0, 0.0]], (n, 1))
        p[::2] = [0.0, 0.0, 1.0]
    return t, p


@pytest.mark.parametrize("name", losses.names())
def test_no_nan_and_no_warning_at_extreme_inputs(name):
    spec = losses.get(name)
    t, p = _extreme_inputs(spec)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(divide="raise", invalid="raise"):
            values = spec.per_sample(t, p)
            grad = spec.gradient(t, p)
            cost = spec.cost(t, p)
    assert not np.isnan(values).any() and not np.isnan(grad).any() and not math.isnan(cost)
    if name != "exponential":  # e^1000 is beyond float64: the exponential loss is honestly inf there
        assert np.isfinite(values).all() and np.isfinite(grad).all(), (values, grad)


@pytest.mark.parametrize("name", losses.names())
@pytest.mark.parametrize("seed", range(3))
def test_no_warning_for_random_valid_inputs_with_any_default(name, seed):
    spec = losses.get(name)
    t, p = sample(spec, np.random.default_rng(seed), 50, 5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(divide="raise", invalid="raise"):
            spec.cost(t, p)
            spec.gradient(t, p)


def test_log_cosh_at_1000_is_1000_minus_log_2():
    v = losses.get("log_cosh").per_sample([0.0, 0.0], [1000.0, -1000.0])
    assert v[0] == 1000 - math.log(2) and v[1] == 1000 - math.log(2)


def test_log_cosh_is_accurate_for_tiny_residuals():
    d = 1e-8
    assert losses.get("log_cosh").per_sample([0.0], [d])[0] == pytest.approx(d * d / 2, rel=1e-12)


def test_log_cosh_is_within_rounding_of_its_exact_value_at_every_size():
    """Against log(cosh(d)) in extended precision: 4e-16 for |d| ≤ 3 (the value's own digits cancel there:
    |d| plus a log near -|d|), two ulps of the value beyond."""
    rng = np.random.default_rng(65)
    d = np.concatenate([rng.normal(0.0, s, 20_000) for s in (1e-3, 0.3, 1.0, 3.0, 30.0, 300.0)])
    got = losses.get("log_cosh").per_sample(np.zeros_like(d), d)
    exact = np.log(np.cosh(d.astype(np.longdouble)))
    err = np.abs(got - exact).astype(float)
    small = np.abs(d) <= 3.0
    assert err[small].max() <= 4e-16
    assert np.all(err[~small] <= 2 * np.spacing(got[~small]))


def _log_cosh_exact(d: np.ndarray) -> tuple[np.ndarray, float]:
    """log cosh of each d in 60 digits (as doubles), and their sum."""
    from mpmath import mp

    with mp.workdps(60):
        exact = [mp.log(mp.cosh(mp.mpf(float(x)))) for x in d]
        return np.array([float(v) for v in exact]), float(mp.fsum(exact))


def test_log_cosh_keeps_its_digits_for_small_residuals():
    """Below |d| ≈ 0.1 the identity |d| + log((1 + e^{-2|d|})/2) cancels: it once gave residuals of 1e-6 a
    per-row error of 100% and a cost off by 5e-7. Every row within a few ulps, at every size; the cost (its
    block sums, ``Terms.total``) of near-perfect predictions within 1e-14."""
    rng = np.random.default_rng(66)
    spec = losses.get("log_cosh")
    for scale in (1e-9, 1e-6, 1e-4, 1e-2, 0.2, 1.0, 30.0):
        t = rng.normal(10.0, 3.0, 600)
        d = rng.normal(0.0, scale, 600)
        d = (t + d) - t  # the residual the loss sees
        rows, total = _log_cosh_exact(d)
        got = spec.per_sample(t, t + d)
        assert np.max(np.abs(got - rows) / rows) <= 4e-15, scale
        assert spec.cost(t, t + d) == pytest.approx(total / len(d), rel=1e-14), scale


def test_log_cosh_series_is_its_taylor_series():
    from mpmath import mp, taylor

    from losses.regression import _LOG_COSH_SERIES

    with mp.workdps(40):
        c = taylor(lambda x: mp.log(mp.cosh(x)), 0, 2 * len(_LOG_COSH_SERIES))
    assert _LOG_COSH_SERIES == tuple(float(c[k]) for k in range(2, 2 * len(_LOG_COSH_SERIES) + 1, 2))


def _rel(got: np.ndarray, exact: list) -> float:
    """The largest relative error of ``got`` against ``exact`` (mpmath numbers); 1 where a 0 is missed."""
    pairs = zip(got, exact, strict=True)
    return max(float(abs(g - e) / abs(e)) if e != 0 else float(g != 0) for g, e in pairs)


def test_msle_keeps_its_digits_where_the_prediction_is_near_the_truth_and_far_from_it():
    """log1p(ŷ) - log1p(y) cancelled for ŷ near y: 25% off at y = 1000, ŷ = y + 1e-12. Value and slope within
    1e-14 of 50 digits, from ŷ ≈ y to ratios (1 + ŷ)/(1 + y) beyond float64 (1e-323, 1e323)."""
    from mpmath import mp

    pairs = [(t, t + d) for t in (0.0, 1e-3, 1.0, 1e3, 1e8) for d in (1e-12, -1e-9, 1e-6, 0.3, -0.4)]
    pairs += [(1e300, 3e300), (1e300, 1e299), (0.0, -1 + 1e-15), (-1 + 1e-15, 1e308), (1e308, -1 + 1e-15),
              (2.0, 5.0), (5.0, 2.0), (-0.5, 0.0)]  # fmt: skip
    t, p = np.array(pairs).T
    spec = losses.get("msle")
    with mp.workdps(50):
        logs = [mp.log((1 + mp.mpf(float(b))) / (1 + mp.mpf(float(a)))) for a, b in zip(t, p, strict=True)]
        values = [v * v for v in logs]
        slopes = [2 * v / (1 + mp.mpf(float(b))) for v, b in zip(logs, p, strict=True)]
    assert _rel(spec.per_sample(t, p), values) <= 1e-14
    assert _rel(spec.per_sample_derivative(t, p), slopes) <= 1e-14


def test_poisson_slope_keeps_its_digits_where_the_prediction_is_near_the_truth():
    """1 - y/ŷ cancelled (8.5% off at y = 1000, ŷ = y - 1e-12); (ŷ - y)/ŷ does not."""
    from mpmath import mp

    t = np.array([1e3, 1e3, 1.0, 1e8, 0.0])
    p = np.array([1e3 - 1e-12, 1e3 + 1e-9, 0.999999, 1e8 + 1.0, 2.0])
    with mp.workdps(30):
        exact = [(mp.mpf(float(b)) - float(a)) / float(b) for a, b in zip(t, p, strict=True)]
    assert _rel(losses.get("poisson").per_sample_derivative(t, p), exact) <= 1e-15


def test_sigmoid_ce_slope_is_minus_sigma_of_minus_x_for_a_confident_right_logit():
    """σ(x) - 1 gave 1e-3 of error at x = 30 and 0 from x = 37 on; the slope is -σ(-x) = -1/(1 + e^x)."""
    from mpmath import mp

    x = np.array([10.0, 30.0, 40.0, 700.0, -10.0, -40.0])
    t = np.array([1.0, 1.0, 1.0, 1.0, 0.0, 0.0])
    with mp.workdps(30):
        exact = [(1 - a) / (1 + mp.exp(-mp.mpf(float(b)))) - a / (1 + mp.exp(mp.mpf(float(b))))
                 for a, b in zip(t, x, strict=True)]  # fmt: skip
    assert _rel(losses.get("sigmoid_cross_entropy").per_sample_derivative(t, x), exact) <= 1e-15


def test_softmax_ce_keeps_its_digits_for_a_confident_right_answer():
    """lse(z) - z_y cancelled when the true class has the largest logit: 1e-2 off for logits 30 apart, 0 from
    40 apart (the value is 4e-18), and q_y - 1 in the slope likewise. Against 50 digits, with and without
    label smoothing, logits near 0 and near 1000."""
    from mpmath import mp

    z = np.array([[40.0, 0.0, -40.0], [30.0, 29.0, -5.0], [1010.0, 1000.0, 990.0], [0.0, 700.0, 700.0],
                  [1.0, 0.0, -1.0], [1e-12, 0.0, -1e-12], [-40.0, 0.0, 40.0]])  # fmt: skip
    labels = np.array([0.0, 0.0, 0.0, 1.0, 0.0, 2.0, 0.0])
    spec = losses.get("softmax_cross_entropy")
    for eps in (0.0, 0.1):
        values, slopes = [], []
        with mp.workdps(50):
            for row, y in zip(z, labels.astype(int), strict=True):
                zz = [mp.mpf(float(v)) for v in row]
                lse = mp.log(mp.fsum(mp.exp(v) for v in zz))
                e = mp.mpf(eps)  # the smoothed target in exact arithmetic: it sums to 1
                target = [e / 3 + (1 - e) * (j == y) for j in range(3)]
                values.append(lse - mp.fsum(w * v for w, v in zip(target, zz, strict=True)))
                slopes += [mp.exp(v - lse) - w for v, w in zip(zz, target, strict=True)]
        assert _rel(spec.per_sample(labels, z, label_smoothing=eps), values) <= 1e-15, eps
        got = spec.per_sample_derivative(labels, z, label_smoothing=eps).ravel()
        assert _rel(got, slopes) <= 1e-12, eps  # the softmax's own exp of -700: 5e-14


def test_bce_keeps_its_digits_for_a_small_probability_of_the_negative_class():
    """-log(1 - p) as the log of the rounded 1 - p was off by eps/p (5e-9 at p = 1e-8, 11% at 3e-16).
    Against 50 digits."""
    from mpmath import mp

    p = np.array([1e-8, 1e-12, 3e-16, 0.3, 0.5, 0.7, 1 - 1e-8, 1e-8, 0.3, 1 - 1e-12])
    t = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0])
    with mp.workdps(50):
        q = [mp.mpf(float(b)) for b in p]
        exact = [-mp.log(b if a == 1 else 1 - b) for a, b in zip(t, q, strict=True)]
    assert _rel(losses.get("binary_cross_entropy").per_sample(t, p), exact) <= 2.5e-16


def test_pseudo_huber_keeps_its_digits_for_tiny_residuals():
    """The naive δ²(√(1+x²) - 1) gives exactly 0 for d = 1e-9; the stable form gives d²/2."""
    assert losses.get("pseudo_huber").per_sample([0.0], [1e-9])[0] == pytest.approx(5e-19, rel=1e-12)


def test_general_robust_keeps_its_digits_for_tiny_residuals_and_alpha_near_zero():
    v = losses.get("general_robust").per_sample([0.0], [1e-9], alpha=1e-12, scale=1.0)[0]
    assert v == pytest.approx(0.5e-18, rel=1e-9)


def test_sigmoid_ce_at_logits_plus_minus_1000():
    s = losses.get("sigmoid_cross_entropy")
    np.testing.assert_array_equal(
        s.per_sample([1, 0, 1, 0], [-1000.0, 1000.0, 1000.0, -1000.0]), [1000.0, 1000.0, 0.0, 0.0]
    )
    np.testing.assert_array_equal(s.gradient([1, 0], [-1000.0, 1000.0]), [-0.5, 0.5])


def test_softmax_ce_at_logits_plus_minus_1000():
    v = losses.get("softmax_cross_entropy").per_sample([1, 0], [[1000.0, -1000.0], [1000.0, -1000.0]])
    np.testing.assert_array_equal(v, [2000.0, 0.0])


def test_logistic_at_large_margins():
    v = losses.get("logistic").per_sample([1, 1], [-1000.0, 1000.0])
    assert v[0] == 1000.0 and v[1] == 0.0


def test_exponential_overflows_to_inf_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert losses.get("exponential").cost([1.0], [-1000.0]) == math.inf


def test_focal_is_finite_for_confident_predictions():
    f = losses.get("binary_focal")
    v = f.per_sample([1, 0, 1, 0], [1000.0, -1000.0, -1000.0, 1000.0], gamma=2.0, alpha=0.25)
    np.testing.assert_allclose(v, [0.0, 0.0, 250.0, 750.0])


def test_bce_at_exact_zero_and_one_is_clipped_not_infinite():
    v = losses.get("binary_cross_entropy").per_sample([1, 0], [0.0, 1.0])
    np.testing.assert_allclose(v, -math.log(np.finfo(float).eps))


def test_msle_close_to_minus_one_is_finite():
    assert math.isfinite(losses.get("msle").cost([0.0], [-1 + 1e-15]))


def test_huge_residuals_give_inf_not_nan_for_squared_error():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert losses.get("mse").cost([0.0], [1e200]) == math.inf
        # RMSE's gradient d_i / (n·RMSE) needs the mean of the squares, here beyond float64: a RangeError, not
        # the [0, 0] it gave (0·inf avoided; the true gradient is [0.707, 7e-201]) nor NaN (issue 15)
        with pytest.raises(losses.RangeError, match="mean of the squared residuals"):
            losses.get("rmse").gradient([0.0, 0.0], [1e200, 1.0])


def test_pseudo_huber_and_its_gradient_stay_finite_where_the_square_overflows():
    spec = losses.get("pseudo_huber")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        v = spec.per_sample([0.0, 0.0], [1e200, 1.0], delta=2.0)
        g = spec.gradient([0.0, 0.0], [-1e200, 1.0], delta=2.0)
    assert v[0] == pytest.approx(2.0 * 1e200, rel=1e-12)
    assert v[1] == pytest.approx(4.0 * (math.sqrt(1 + 0.25) - 1), rel=1e-14)
    assert g[0] == pytest.approx(-2.0 / 2, rel=1e-12)  # bounded influence: δ, over n = 2


@pytest.mark.parametrize("alpha", [5e-324, -5e-324, 1e-300, -1e-200, 1e-17])
def test_general_robust_at_tiny_alpha_is_the_cauchy_limit(alpha):
    d = np.array([0.0, 1e-5, 0.5, 3.0, 1e3])
    spec = losses.get("general_robust")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = spec.per_sample(np.zeros_like(d), d, alpha=alpha, scale=1.0)
        grad = spec.gradient(np.zeros_like(d), d, alpha=alpha, scale=1.0)
    np.testing.assert_allclose(got, spec.per_sample(np.zeros_like(d), d, alpha=0.0, scale=1.0), rtol=1e-12)
    np.testing.assert_allclose(grad, spec.gradient(np.zeros_like(d), d, alpha=0.0, scale=1.0), rtol=1e-12)


@pytest.mark.parametrize("alpha", [0.0, 1.0, -2.0, 0.5, -7.0])
def test_general_robust_stays_finite_where_the_squared_residual_overflows(alpha):
    spec = losses.get("general_robust")
    d = np.array([1e200, -1e300])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        v = spec.per_sample(np.zeros(2), d, alpha=alpha, scale=1.0)
        g = spec.gradient(np.zeros(2), d, alpha=alpha, scale=1.0)
    assert np.isfinite(v).all() and np.isfinite(g).all() and not np.isnan(g).any()
    b = abs(alpha - 2)
    log_term = 2 * np.log(np.abs(d)) - math.log(b)  # log1p(d²/b) for huge d
    expected = log_term if alpha == 0 else b / alpha * np.expm1(alpha / 2 * log_term)
    np.testing.assert_allclose(v, expected, rtol=1e-12)


_UNBOUNDED = ("values", "logits", "scores", "class_logits", "class_scores")


@pytest.mark.parametrize("name", [n for n in losses.names() if losses.get(n).y_pred in _UNBOUNDED])
def test_no_nan_when_the_residual_itself_overflows(name):
    """Inputs at ±1e308 whose difference is beyond float64: an honest inf, a finite limit, never NaN."""
    spec = losses.get(name)
    big = 1e308
    t, p = sample(spec, np.random.default_rng(0), 4, 3)
    if spec.y_true == "values" and spec.y_pred == "values":
        t, p = np.array([big, -big, big, 0.0]), np.array([-big, big, big, 1.0])
    elif spec.y_pred in ("logits", "scores"):
        p = np.array([big, -big, big, -big])
    elif spec.y_pred in ("class_logits", "class_scores"):
        p = np.array([[big, -big, 0.0], [-big, big, big], [0.0, 0.0, -big], [big, big, big]])
    params = [spec.defaults()]
    if name == "pseudo_huber":
        params.append({"delta": 1e-320})
    if name == "general_robust":
        params += [{"alpha": a, "scale": 1.0} for a in (-math.inf, -2.0, 0.0, 0.5, 1.0, 3.0)]
    for kw in params:
        for fn in (spec.per_sample, spec.gradient, spec.per_sample_derivative, spec.cost):
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                try:
                    out = np.asarray(fn(t, p, **kw))
                except losses.RangeError as e:  # or a clear error where no number is right (rmse's slope)
                    assert "y_pred - y_true must be within float64" in str(e) and e.row is not None
                    continue
            assert not np.isnan(out).any(), (fn.__name__, kw, out)


def test_a_residual_beyond_float64_that_leaves_no_number_is_a_clear_error():
    with pytest.raises(losses.RangeError, match="row 1 has y_true = 1e\\+308 and y_pred = -1e\\+308"):
        losses.get("rmse").gradient([0.0, 1e308], [1.0, -1e308])
