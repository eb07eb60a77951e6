"""Registry-driven properties: each test runs over every registered loss at once."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import losses
from tests.core.naive import NAIVE
from tests.core.support import PARAM_STRATEGIES, perfect, sample

ALL = losses.names()


def _rng(seed=0):
    return np.random.default_rng(seed)


def test_every_loss_has_a_naive_reference():
    assert set(ALL) <= set(NAIVE)


def test_every_param_has_a_strategy():
    for name in ALL:
        for p in losses.get(name).params:
            assert p.name in PARAM_STRATEGIES, (
                f"{name}.{p.name} has no hypothesis strategy in tests/core/support.py"
            )


@pytest.mark.parametrize("name", ALL)
def test_per_sample_matches_the_naive_formula(name):
    spec = losses.get(name)
    for seed in range(5):
        t, p = sample(spec, _rng(seed), 9, 4)
        kw = spec.defaults()
        np.testing.assert_allclose(
            spec.per_sample(t, p, **kw), NAIVE[name](t, p, **kw), rtol=1e-12, atol=1e-14
        )


@pytest.mark.parametrize("name", ALL)
def test_cost_is_the_mean_of_per_sample(name):
    spec = losses.get(name)
    t, p = sample(spec, _rng(3), 11, 3)
    mean = spec.per_sample(t, p).mean()
    expected = math.sqrt(mean) if name == "rmse" else mean
    assert spec.cost(t, p) == pytest.approx(expected, rel=1e-13)


@pytest.mark.parametrize("name", [n for n in ALL if losses.get(n).properties.nonnegative])
def test_nonnegative_where_declared(name):
    spec = losses.get(name)
    for seed in range(10):
        t, p = sample(spec, _rng(seed), 20, 5)
        assert (spec.per_sample(t, p) >= 0).all()


def test_poisson_is_declared_possibly_negative_and_is():
    assert not losses.get("poisson").properties.nonnegative
    assert losses.get("poisson").cost([3.0], [3.0]) < 0


@pytest.mark.parametrize("name", [n for n in ALL if losses.get(n).properties.zero_at_perfect])
def test_zero_at_a_perfect_prediction_where_declared(name):
    spec = losses.get(name)
    k = 4
    t, _ = sample(spec, _rng(1), 12, k)
    if spec.y_true == "distributions":  # the perfect prediction of a soft target still has its entropy
        t = np.eye(k)[_rng(2).integers(0, k, 12)]
    p = perfect(spec, t, k)
    # 1e-15: probability losses clip p = 1 to 1 - eps, costing -log(1 - eps) ≈ 1.1e-16
    np.testing.assert_allclose(spec.per_sample(t, p), 0.0, atol=1e-15)


@pytest.mark.parametrize("name", ALL)
def test_sample_order_does_not_change_the_cost(name):
    spec = losses.get(name)
    t, p = sample(spec, _rng(5), 15, 4)
    perm = _rng(6).permutation(15)
    assert spec.cost(t[perm], p[perm]) == pytest.approx(spec.cost(t, p), rel=1e-13)
    np.testing.assert_allclose(spec.gradient(t[perm], p[perm]), spec.gradient(t, p)[perm], rtol=1e-13)


@pytest.mark.parametrize("name", [n for n in ALL if losses.get(n).properties.symmetric])
def test_symmetric_in_the_residual_where_declared(name):
    spec = losses.get(name)
    t, p = sample(spec, _rng(7), 15, 4)
    d = p - t
    np.testing.assert_allclose(spec.per_sample(t, t + d), spec.per_sample(t, t - d), rtol=1e-12)


@pytest.mark.parametrize("name", [n for n in ALL if losses.get(n).properties.convex])
def test_convex_where_declared(name):
    """Along random segments the cost lies below the chord (midpoint convexity)."""
    spec = losses.get(name)
    rng = _rng(8)
    for _ in range(20):
        t, a = sample(spec, rng, 6, 3)
        _, b = sample(spec, rng, 6, 3)
        if spec.y_true == "labels_pm1":
            t = np.where(t == 0, -1.0, t)
        mid = spec.cost(t, (a + b) / 2)
        assert mid <= (spec.cost(t, a) + spec.cost(t, b)) / 2 + 1e-12


# ---- limits and identities -------------------------------------------------------------------------
def test_huber_is_half_squared_error_inside_delta():
    d = np.linspace(-0.9, 0.9, 19)
    np.testing.assert_allclose(losses.get("huber").per_sample(np.zeros(19), d, delta=1.0), 0.5 * d**2)


def test_huber_over_delta_squared_is_half_squared_scaled_residual():
    delta = 3.0
    d = np.linspace(-2.9, 2.9, 13)
    h = losses.get("huber").per_sample(np.zeros(13), d, delta=delta) / delta**2
    np.testing.assert_allclose(h, 0.5 * (d / delta) ** 2)


def test_huber_grows_like_delta_times_abs_residual():
    big = np.array([1e3, -1e4, 1e6])
    h = losses.get("huber").per_sample(np.zeros(3), big, delta=2.0)
    np.testing.assert_allclose(h, 2.0 * (np.abs(big) - 1.0), rtol=1e-15)  # δ(|d| - δ/2): linear beyond δ
    ratio = h / (2.0 * np.abs(big))
    assert np.all(np.diff(ratio[np.argsort(np.abs(big))]) > 0) and ratio.max() > 1 - 1e-5  # → δ|d|


def test_huber_tends_to_half_mse_as_delta_grows():
    t, p = sample(losses.get("mse"), _rng(9), 30)
    assert losses.get("huber").cost(t, p, delta=1e6) == pytest.approx(
        0.5 * losses.get("mse").cost(t, p), rel=1e-12
    )


def test_pseudo_huber_is_close_to_huber():
    d = np.linspace(-20, 20, 401)
    z = np.zeros_like(d)
    ph = losses.get("pseudo_huber").per_sample(z, d, delta=1.0)
    h = losses.get("huber").per_sample(z, d, delta=1.0)
    assert np.abs(ph - h).max() <= 0.5  # they differ by at most δ²/2 ... and agree near zero:
    np.testing.assert_allclose(ph[np.abs(d) < 0.05], h[np.abs(d) < 0.05], rtol=1e-3)


@pytest.mark.parametrize(
    ("alpha", "named"),
    [
        (2.0, lambda d, c: 0.5 * (d / c) ** 2),
        (1.0, lambda d, c: np.sqrt((d / c) ** 2 + 1) - 1),
        (0.0, lambda d, c: np.log(0.5 * (d / c) ** 2 + 1)),
        (-2.0, lambda d, c: 2 * (d / c) ** 2 / ((d / c) ** 2 + 4)),
        (-math.inf, lambda d, c: 1 - np.exp(-0.5 * (d / c) ** 2)),
    ],
    ids=["L2", "Charbonnier", "Cauchy", "Geman-McClure", "Welsch"],
)
def test_general_robust_special_cases_equal_the_named_losses(alpha, named):
    d = np.linspace(-8, 8, 161)
    for c in (0.5, 1.0, 3.0):
        got = losses.get("general_robust").per_sample(np.zeros_like(d), d, alpha=alpha, scale=c)
        np.testing.assert_allclose(got, named(d, c), rtol=1e-12, atol=1e-15)


def test_general_robust_charbonnier_is_pseudo_huber_over_scale_squared():
    d = np.linspace(-5, 5, 41)
    z = np.zeros_like(d)
    gr = losses.get("general_robust").per_sample(z, d, alpha=1.0, scale=2.0)
    ph = losses.get("pseudo_huber").per_sample(z, d, delta=2.0)
    np.testing.assert_allclose(gr, ph / 4.0, rtol=1e-12, atol=1e-16)


@pytest.mark.parametrize("alpha", [2.0, 1.0, 0.0, -2.0])
def test_general_robust_is_continuous_at_its_special_alphas(alpha):
    d = np.linspace(-6, 6, 25)
    z = np.zeros_like(d)
    spec = losses.get("general_robust")
    exact = spec.per_sample(z, d, alpha=alpha, scale=1.0)
    for eps in (1e-6, -1e-6):
        near = spec.per_sample(z, d, alpha=alpha + eps, scale=1.0)
        np.testing.assert_allclose(near, exact, rtol=1e-4, atol=1e-9)
    far = spec.per_sample(z, d, alpha=-1e9, scale=1.0)
    np.testing.assert_allclose(far, spec.per_sample(z, d, alpha=-math.inf, scale=1.0), rtol=1e-6, atol=1e-9)


def test_sparse_ce_equals_ce_on_one_hot():
    rng = _rng(10)
    q = rng.dirichlet(np.ones(5), 40)
    lab = rng.integers(0, 5, 40)
    sparse = losses.get("sparse_categorical_cross_entropy")
    cce = losses.get("categorical_cross_entropy")
    np.testing.assert_allclose(sparse.per_sample(lab, q), cce.per_sample(np.eye(5)[lab], q), rtol=1e-14)
    np.testing.assert_allclose(sparse.gradient(lab, q), cce.gradient(np.eye(5)[lab], q), rtol=1e-14)


def test_softmax_ce_equals_ce_of_softmax():
    rng = _rng(11)
    z = rng.normal(0, 3, (30, 4))
    lab = rng.integers(0, 4, 30)
    q = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    for eps in (0.0, 0.1):
        a = losses.get("softmax_cross_entropy").per_sample(lab, z, label_smoothing=eps)
        b = losses.get("categorical_cross_entropy").per_sample(np.eye(4)[lab], q, label_smoothing=eps)
        np.testing.assert_allclose(a, b, rtol=1e-12)


@pytest.mark.parametrize("name", ["categorical_cross_entropy", "softmax_cross_entropy"])
def test_label_smoothing_zero_is_plain_ce(name):
    spec = losses.get(name)
    t, p = sample(spec, _rng(12), 10, 4)
    assert spec.cost(t, p, label_smoothing=0.0) == spec.cost(t, p)


def test_logistic_equals_sigmoid_ce_with_mapped_labels():
    rng = _rng(13)
    s = rng.normal(0, 4, 50)
    t01 = rng.integers(0, 2, 50).astype(float)
    np.testing.assert_allclose(
        losses.get("logistic").per_sample(t01, s),
        losses.get("sigmoid_cross_entropy").per_sample(t01, s),
        rtol=1e-12,
    )


def test_focal_with_gamma_zero_and_alpha_half_is_half_the_cross_entropy():
    rng = _rng(14)
    x = rng.normal(0, 4, 50)
    t = rng.integers(0, 2, 50)
    f = losses.get("binary_focal").per_sample(t, x, gamma=0.0, alpha=0.5)
    np.testing.assert_allclose(f, 0.5 * losses.get("sigmoid_cross_entropy").per_sample(t, x), rtol=1e-12)


def test_kl_is_cross_entropy_minus_entropy():
    rng = _rng(15)
    p = rng.dirichlet(np.ones(4), 20)
    q = rng.dirichlet(np.ones(4), 20)
    kl = losses.get("kl_divergence").per_sample(p, q)
    ce = losses.get("categorical_cross_entropy").per_sample(p, q)
    np.testing.assert_allclose(kl, ce + (p * np.log(p)).sum(axis=1), rtol=1e-10)


def test_kl_is_not_symmetric():
    p, q = [[0.9, 0.1]], [[0.5, 0.5]]
    kl = losses.get("kl_divergence")
    assert kl.cost(p, q) != pytest.approx(kl.cost(q, p), rel=1e-3)


def test_rmse_per_sample_view_is_the_squared_error():
    t, p = [1.0, 2.0, 3.0], [1.5, 2.0, 5.0]
    np.testing.assert_allclose(losses.get("rmse").per_sample(t, p), losses.get("mse").per_sample(t, p))
    assert losses.get("rmse").cost(t, p) == pytest.approx(math.sqrt(losses.get("mse").cost(t, p)))


def test_hinge_reads_0_1_labels_as_minus_1_plus_1():
    s = [0.3, -2.0, 1.5]
    h = losses.get("hinge")
    assert h.cost([1, 0, 1], s) == h.cost([1, -1, 1], s)


def test_chunked_totals_merge_to_the_whole_cost():
    """total() gives mergeable partial sums: two halves merged equal the cost of the whole (rmse too)."""
    for name in ALL:
        spec = losses.get(name)
        t, p = sample(spec, _rng(16), 40, 3)
        s1, n1 = spec.total(t[:17], p[:17])
        s2, n2 = spec.total(t[17:], p[17:])
        assert spec.finish_cost(s1 + s2, n1 + n2) == pytest.approx(spec.cost(t, p), rel=1e-13), name


def test_large_inputs_span_many_blocks_and_agree_with_one_block(monkeypatch):
    from losses import validation

    for name in ALL:
        spec = losses.get(name)
        t, p = sample(spec, _rng(17), 1000, 3)
        whole = spec.cost(t, p), spec.gradient(t, p), spec.per_sample(t, p)
        monkeypatch.setattr(validation, "BLOCK", 7)
        blocked = spec.cost(t, p), spec.gradient(t, p), spec.per_sample(t, p)
        monkeypatch.undo()
        assert blocked[0] == pytest.approx(whole[0], rel=1e-12), name
        np.testing.assert_allclose(blocked[1], whole[1], rtol=1e-14)
        np.testing.assert_array_equal(blocked[2], whole[2])


def test_inputs_of_any_numeric_type_are_accepted():
    import pandas as pd

    mse = losses.get("mse")
    expected = mse.cost([1.0, 2.0, 3.0], [1.0, 3.0, 5.0])
    assert mse.cost([1, 2, 3], [1, 3, 5]) == expected
    assert mse.cost(np.array([1, 2, 3], dtype=np.int8), np.array([1, 3, 5], dtype=np.float32)) == expected
    assert mse.cost(pd.Series([1, 2, 3]), pd.Series([1.0, 3.0, 5.0])) == expected
    assert mse.cost((True, False), (1.0, 0.0)) == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert losses.get("sparse_categorical_cross_entropy").cost(
            pd.Series([0.0, 1.0]), pd.DataFrame([[0.5, 0.5], [0.2, 0.8]])
        ) == pytest.approx(-(math.log(0.5) + math.log(0.8)) / 2)
