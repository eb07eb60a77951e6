"""The best line under each loss: exact where a closed form exists, and never beaten by nearby lines."""

from __future__ import annotations

import math

import numpy as np
import pytest

import losses
from losses.fitting import LineFit, fit_line, fittable

FITTABLE = [n for n in losses.names(category="regression") if fittable(n)]
PARAMS = [{}, {"delta": 0.5}, {"tau": 0.2}, {"alpha": -2.0, "scale": 0.5}, {"alpha": 0.5, "scale": 2.0},
          {"alpha": 3.0, "scale": 1.0}, {"alpha": -math.inf, "scale": 1.0}, {"alpha": 0.0, "scale": 1.0}]


def scene(seed: int, n: int = 12, outlier: float = 0.0):
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(0, 10, n))
    y = 0.8 * x + 1.0 + rng.normal(0, 0.5, n)
    y[n // 2] += outlier
    return x, y


def test_the_regression_losses_on_real_values_are_fittable():
    wanted = {"mse", "rmse", "mae", "huber", "pseudo_huber", "log_cosh", "quantile", "general_robust"}
    assert wanted <= set(FITTABLE)
    assert not fittable("msle") and not fittable("hinge")


@pytest.mark.parametrize("seed", range(5))
def test_l2_fit_equals_numpy_lstsq(seed):
    x, y = scene(seed, outlier=20.0)
    fit = fit_line("mse", x, y)
    (w, b), *_ = np.linalg.lstsq(np.stack([x, np.ones_like(x)], axis=1), y, rcond=None)
    assert fit.slope == pytest.approx(w, rel=1e-12) and fit.intercept == pytest.approx(b, rel=1e-12)
    assert fit_line("rmse", x, y).slope == pytest.approx(w, rel=1e-12)


def test_l1_fit_on_a_line_with_one_outlier_is_the_line():
    """Known answer: points exactly on y = 2x + 1 but one far off; the L1 line ignores it, L2 does not."""
    x = np.arange(9.0)
    y = 2 * x + 1
    y[4] = 100.0
    l1 = fit_line("mae", x, y)
    assert l1.slope == pytest.approx(2.0, abs=1e-12) and l1.intercept == pytest.approx(1.0, abs=1e-12)
    assert abs(fit_line("mse", x, y).intercept - 1.0) > 5


def test_l1_fit_of_a_constant_is_the_median():
    x = np.zeros(5)
    y = np.array([1.0, 2.0, 3.0, 50.0, 60.0])
    fit = fit_line("mae", x, y)
    assert fit.slope == 0.0 and fit.intercept == 3.0


def test_quantile_fit_puts_the_right_share_of_points_below():
    x, y = scene(3, n=40)
    fit = fit_line("quantile", x, y, tau=0.9)
    below = np.mean(y <= fit.slope * x + fit.intercept + 1e-9)
    assert 0.85 <= below <= 0.95


@pytest.mark.parametrize("name", FITTABLE)
@pytest.mark.parametrize("params", PARAMS, ids=str)
@pytest.mark.parametrize("seed", range(3))
def test_fit_is_not_beaten_by_50_random_nearby_lines(name, params, seed):
    spec = losses.get(name)
    params = {k: v for k, v in params.items() if k in spec.defaults()}
    x, y = scene(seed, outlier=[0.0, 8.0, 40.0][seed])
    fit = fit_line(name, x, y, **params)
    assert isinstance(fit, LineFit) and fit.converged
    rng = np.random.default_rng(100 + seed)
    for dw, db in rng.normal(0, 1, (50, 2)) * np.array([0.05, 0.3]):
        nearby = spec.cost(y, (fit.slope + dw) * x + fit.intercept + db, **params)
        assert fit.cost <= nearby + 1e-12 * (1 + abs(nearby))


def test_huber_fit_resists_the_outlier_more_than_l2():
    x, y = scene(1, n=10, outlier=50.0)
    clean_x, clean_y = np.delete(x, 5), np.delete(y, 5)
    truth = fit_line("mse", clean_x, clean_y)
    l2 = fit_line("mse", x, y)
    hub = fit_line("huber", x, y, delta=1.0)
    assert abs(hub.intercept - truth.intercept) < abs(l2.intercept - truth.intercept) / 3


def test_degenerate_scenes_do_not_crash():
    for name in FITTABLE:
        f = fit_line(name, [1.0, 1.0, 1.0], [2.0, 2.0, 2.0])
        assert f.slope == pytest.approx(0.0, abs=1e-9) and f.intercept == pytest.approx(2.0, abs=1e-6)
        f = fit_line(name, [1.0], [3.0])
        assert f.slope * 1.0 + f.intercept == pytest.approx(3.0, abs=1e-6)


def test_bad_input_to_the_fit_raises_the_core_errors():
    with pytest.raises(losses.LossInputError):
        fit_line("hinge", [1.0], [1.0])
    with pytest.raises(losses.ShapeError):
        fit_line("mse", [1.0, 2.0], [1.0])
    with pytest.raises(losses.NonFiniteError):
        fit_line("huber", [1.0, 2.0], [1.0, math.nan])
    with pytest.raises(losses.EmptyInputError):
        fit_line("mae", [], [])
