"""The shared numerics (losses._numeric): values, stability at ±1000, shapes, the one row-sum tolerance."""

from __future__ import annotations

import doctest
import math
import warnings

import numpy as np
import pytest

import losses
from losses import _numeric

BIG = np.array([-1000.0, -710.0, -40.0, -1e-300, 0.0, 1e-300, 40.0, 710.0, 1000.0])
MODERATE = np.linspace(-6.0, 6.0, 241)  # σ(6) = 0.9975: 1 - σ still has 13 good digits


@pytest.fixture
def strict():
    """Any RuntimeWarning (overflow, divide by zero, invalid) fails the test; underflow to 0 is exact."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            yield


def test_eps_is_float64_machine_epsilon():
    assert losses.EPS == np.finfo(np.float64).eps == 2.0**-52


def test_sigmoid_values_and_symmetry(strict):
    x = MODERATE
    np.testing.assert_allclose(losses.sigmoid(x), 1.0 / (1.0 + np.exp(-x)), rtol=1e-15)
    np.testing.assert_allclose(losses.sigmoid(x) + losses.sigmoid(-x), 1.0, rtol=1e-15)
    assert losses.sigmoid(np.array([0.0]))[0] == 0.5


def test_sigmoid_at_extremes(strict):
    s = losses.sigmoid(BIG)
    assert not np.isnan(s).any() and ((s >= 0) & (s <= 1)).all()
    assert s[0] == 0.0 and s[-1] == 1.0
    assert losses.sigmoid(np.array([-40.0]))[0] == pytest.approx(math.exp(-40.0), rel=1e-15)  # not 0


def test_softplus_values_and_extremes(strict):
    x = MODERATE
    np.testing.assert_allclose(losses.softplus(x), np.log1p(np.exp(x)), rtol=1e-14)
    np.testing.assert_allclose(losses.softplus(x) - losses.softplus(-x), x, atol=1e-14)  # log σ(x) identity
    s = losses.softplus(BIG)
    assert np.isfinite(s).all() and s[0] == 0.0 and s[-1] == 1000.0 and s[4] == math.log(2.0)
    assert losses.softplus(np.array([-40.0]))[0] == pytest.approx(math.exp(-40.0), rel=1e-15)


def test_log1m_is_log1p_of_minus_q_to_an_ulp(strict):
    """log(1 - q) from one log and the rounding of 1 - q (``_numeric.log1m``), against 50 digits: tiny q
    (where 1 - q rounds to 1, or nearly), q around 1/2 (where 1 - q becomes exact) and q near 1."""
    from mpmath import mp

    rng = np.random.default_rng(5)
    q = np.concatenate([10.0 ** rng.uniform(-300, 0, 3000), rng.uniform(0, 1, 3000),
                        1 - 10.0 ** rng.uniform(-16, 0, 3000),
                        [2.0**-53, 2.0**-54, 3e-17, 0.5, np.nextafter(0.5, 0), np.nextafter(0.5, 1),
                         1 - 2.0**-52, 1 - 2.0**-53, 5e-324]])  # fmt: skip
    q = q[(q > 0) & (q < 1)]
    with mp.workdps(50):
        exact = np.array([float(mp.log1p(-mp.mpf(float(v)))) for v in q])
    got = _numeric.log1m(q)
    assert np.max(np.abs(got - exact) / np.spacing(np.abs(exact))) <= 1.0
    assert _numeric.log1m(np.array([1e-17, 2.0**-60]))[1] == -(2.0**-60)
    np.testing.assert_array_equal(_numeric.log1m(np.array([0.0, 1.0])), [0.0, -np.inf])  # quietly
    assert _numeric.log1m(0.5) == math.log(0.5) and _numeric.log1m(np.full((2, 3), 0.25)).shape == (2, 3)


def test_logit_inverts_sigmoid(strict):
    np.testing.assert_allclose(losses.logit(losses.sigmoid(MODERATE)), MODERATE, rtol=0, atol=1e-12)
    p = np.array([1e-12, 0.1, 0.5, 0.9, 1 - 1e-12])
    np.testing.assert_allclose(losses.sigmoid(losses.logit(p)), p, rtol=1e-12)
    np.testing.assert_allclose(losses.logit(p), np.log(p / (1 - p)), rtol=1e-9)
    assert losses.logit(np.array([0.5]))[0] == 0.0


def test_logit_of_zero_and_one(strict):
    np.testing.assert_array_equal(losses.logit(np.array([0.0, 1.0])), [-np.inf, np.inf])  # quietly
    clipped = losses.logit(np.array([0.0, 1.0, 0.5]), clip=1e-15)
    np.testing.assert_allclose(clipped[:2], [-34.5388, 34.5396], rtol=1e-5)  # 1 - 1e-15 rounds up a little
    assert clipped[2] == 0.0


def test_logit_keeps_shape_and_takes_lists():
    assert losses.logit(np.full((3, 2), 0.25)).shape == (3, 2)
    np.testing.assert_allclose(losses.logit([0.25, 0.75]), [-math.log(3), math.log(3)], rtol=1e-15)


def test_softmax_values_shift_invariance_and_shape(strict):
    rng = np.random.default_rng(0)
    z = rng.normal(0, 3, (50, 4))
    q = losses.softmax(z)
    assert q.shape == (50, 4)
    np.testing.assert_allclose(q, np.exp(z) / np.exp(z).sum(axis=1, keepdims=True), rtol=1e-13)
    np.testing.assert_allclose(q.sum(axis=1), 1.0, rtol=1e-15)
    np.testing.assert_allclose(losses.softmax(z + 500.0), q, rtol=1e-12)
    np.testing.assert_allclose(np.exp(losses.log_softmax(z)), q, rtol=1e-15)


def test_softmax_at_extremes(strict):
    z = np.stack([BIG, -BIG, np.zeros(BIG.size)], axis=1)
    q = losses.softmax(z)
    assert not np.isnan(q).any() and np.allclose(q.sum(axis=1), 1.0)
    np.testing.assert_array_equal(q[0], [0.0, 1.0, 0.0])
    np.testing.assert_array_equal(q[-1], [1.0, 0.0, 0.0])
    assert losses.log_softmax(z)[0, 0] == -2000.0  # exact, not -inf


def test_one_hot():
    y = losses.one_hot(np.array([2.0, 0.0, 1.0, 2.0]), 3)  # integral floats, as read from a CSV
    assert y.shape == (4, 3) and y.dtype == np.float64
    np.testing.assert_array_equal(y, np.eye(3)[[2, 0, 1, 2]])
    assert losses.one_hot(np.array([0]), 5).shape == (1, 5)


def test_smooth():
    y = np.eye(4)[[0, 3]]
    assert losses.smooth(y, 0.0) is y  # no smoothing: no copy
    s = losses.smooth(y, 0.1)
    np.testing.assert_allclose(s[0], [0.925, 0.025, 0.025, 0.025], rtol=1e-15)
    np.testing.assert_allclose(s.sum(axis=1), 1.0, rtol=1e-15)
    np.testing.assert_allclose(losses.smooth(y, 1.0), 0.25)


def test_normalise_rows():
    p = np.array([[1.0, 3.0], [0.2, 0.2], [0.3, 0.7]])
    q = losses.normalise_rows(p)
    assert q.shape == p.shape
    np.testing.assert_allclose(q, [[0.25, 0.75], [0.5, 0.5], [0.3, 0.7]], rtol=1e-15)
    np.testing.assert_allclose(q.sum(axis=1), 1.0, rtol=1e-15)


def test_one_row_sum_tolerance_for_the_core():
    assert losses.ROW_SUM_TOL == 1e-6
    assert losses.validation.ROW_SUM_TOL is losses.ROW_SUM_TOL  # one definition, imported
    ce = losses.get("categorical_cross_entropy")
    y = np.array([[1.0, 0.0]])
    ce.cost(y, np.array([[0.5, 0.5 + 0.9 * losses.ROW_SUM_TOL]]))
    with pytest.raises(losses.RowSumError, match="1e-06"):
        ce.cost(y, np.array([[0.5, 0.5 + 1.1 * losses.ROW_SUM_TOL]]))


def test_the_pages_old_imports_are_the_same_functions():
    from losses import binary, multiclass

    assert binary.sigmoid is losses.sigmoid and binary.softplus is losses.softplus
    assert binary.EPS == multiclass.EPS == losses.EPS
    assert multiclass.softmax is losses.softmax


def test_module_doctest():
    result = doctest.testmod(_numeric)
    assert result.attempted and not result.failed
