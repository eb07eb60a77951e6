"""Gradient descent under each loss (losses/descent.py): it reaches the fits of losses/fitting.py, its
gradients are the cost's, a blow-up is reported (never a NaN or a warning), and the optimizers match
hand-written references."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import losses
from losses import descent
from losses.descent import cost_surface, descend
from losses.fitting import fit_line, fittable

REGRESSION = [n for n in losses.names(page="regression") if fittable(n)]
SMOOTH_REGRESSION = [n for n in REGRESSION if losses.get(n).properties.smooth]
CLASSIFIERS = [*losses.names(page="binary"), "mse"]  # "mse": squared error after the sigmoid
SMOOTH_CLASSIFIERS = [n for n in CLASSIFIERS if losses.get(n).properties.smooth]


def scene(seed: int = 0, n: int = 12, outlier: float = 15.0):
    rng = np.random.default_rng(seed)
    x = np.linspace(0.5, 9.5, n)
    y = 0.8 * x + 1.0 + rng.normal(0.0, 0.6, n)
    y[n // 3] += outlier
    return x, y


def two_class(seed: int = 0, n: int = 10):
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal(1.2, 0.8, (n, 2)), rng.normal(-1.2, 0.8, (n, 2)), [[-2.5, -2.0]]])
    t = np.r_[np.ones(n), np.zeros(n), 1.0]
    return X, t


@pytest.fixture(autouse=True)
def _no_warnings():
    """Every run here is silent: an overflow or invalid-value warning is a failure."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


# ---- where it ends -------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(3))
def test_mse_descent_reaches_numpy_lstsq(seed):
    x, y = scene(seed)
    run = descend("mse", x, y, lr=0.02, steps=6000)
    (w, b), *_ = np.linalg.lstsq(np.stack([x, np.ones_like(x)], axis=1), y, rcond=None)
    np.testing.assert_allclose(run.final, [w, b], atol=1e-6)
    assert not run.diverged and run.steps_run == 6000


@pytest.mark.parametrize("name", ["huber", "log_cosh", "pseudo_huber"])
def test_smooth_robust_losses_reach_the_fitted_line(name):
    x, y = scene(1)
    fit = fit_line(name, x, y)
    run = descend(name, x, y, lr=0.02, steps=20000, optimizer="momentum", init=[0.0, 0.0])
    np.testing.assert_allclose(run.final, [fit.slope, fit.intercept], atol=1e-5)
    assert run.cost[-1] == pytest.approx(fit.cost, rel=1e-9)


def test_mae_subgradient_descent_ends_near_the_exact_l1_line():
    """A fixed step on a kinked loss hovers around the minimum: within the step's size of it."""
    x, y = scene(2)
    fit = fit_line("mae", x, y)
    run = descend("mae", x, y, lr=0.002, steps=8000, optimizer="adam")
    assert abs(run.final[0] - fit.slope) < 0.02 and abs(run.final[1] - fit.intercept) < 0.1
    assert run.cost[-1] == pytest.approx(fit.cost, rel=5e-3)
    assert run.cost[-1] >= fit.cost - 1e-12  # never below the exact minimum


def test_the_outlier_drags_l2_but_not_l1():
    x, y = scene(0, outlier=30.0)
    l2 = descend("mse", x, y, lr=0.02, steps=3000).final
    l1 = descend("mae", x, y, lr=0.01, steps=3000, optimizer="adam").final
    clean = fit_line("mse", np.delete(x, 4), np.delete(y, 4))
    assert abs(l1[1] - clean.intercept) < abs(l2[1] - clean.intercept)


# ---- the gradient --------------------------------------------------------------------------------
def _fd(spec_name, x, y, theta, model, h=1e-6, **params):
    """Central differences of the core's cost of the model's output at θ."""
    spec = losses.get(spec_name)
    X = x.reshape(-1, 1) if x.ndim == 1 else x
    t = y if model == "line" else (y > 0).astype(float)

    def cost(th):
        s = X @ th[:-1] + th[-1]
        if model == "logistic" and spec.y_pred not in ("scores", "logits"):
            s = losses.sigmoid(s)
        return spec.cost(t, s, **params)

    out = np.empty_like(theta)
    for k in range(theta.size):
        e = np.zeros_like(theta)
        e[k] = h * max(1.0, abs(theta[k]))
        out[k] = (cost(theta + e) - cost(theta - e)) / (2 * e[k])
    return out


@pytest.mark.parametrize("name", SMOOTH_REGRESSION)
def test_every_steps_gradient_is_the_finite_difference_of_the_cost_line(name):
    x, y = scene(3)
    params = losses.get(name).defaults()
    run = descend(name, x, y, lr=0.01, steps=40, optimizer="momentum", **params)
    for k in range(0, run.steps_run + 1, 5):
        np.testing.assert_allclose(run.gradient[k], _fd(name, x, y, run.weights[k], "line", **params),
                                   rtol=1e-5, atol=1e-7, err_msg=f"{name} step {k}")  # fmt: skip
        w, b = run.weights[k]
        assert run.cost[k] == pytest.approx(losses.get(name).cost(y, w * x + b, **params))


@pytest.mark.parametrize("name", SMOOTH_CLASSIFIERS)
def test_every_steps_gradient_is_the_finite_difference_of_the_cost_logistic(name):
    X, t = two_class()
    params = losses.get(name).defaults()
    run = descend(name, X, t, model="logistic", lr=0.1, steps=30, init=[0.3, -0.4, 0.1], **params)
    for k in range(0, run.steps_run + 1, 5):
        np.testing.assert_allclose(run.gradient[k], _fd(name, X, t, run.weights[k], "logistic", **params),
                                   rtol=1e-5, atol=1e-8, err_msg=f"{name} step {k}")  # fmt: skip


def test_rmse_gradient_goes_through_the_square_root():
    x, y = scene(4)
    run = descend("rmse", x, y, lr=0.05, steps=10, init=[0.5, 0.5])
    np.testing.assert_allclose(run.gradient[3], _fd("rmse", x, y, run.weights[3], "line"), rtol=1e-6)


def test_a_loss_on_probabilities_trains_like_the_same_loss_on_logits():
    """BCE of σ(s) (chain rule through the sigmoid) and sigmoid CE on s, and the logistic loss in margin form
    on ±1 labels: one loss written three ways, so one trajectory."""
    X, t = two_class(1)
    kw = dict(model="logistic", lr=0.3, steps=50, init=[0.2, 0.1, 0.0])
    bce = descend("binary_cross_entropy", X, t, **kw)
    sce = descend("sigmoid_cross_entropy", X, t, **kw)
    margin = descend("logistic", X, 2 * t - 1, **kw)
    np.testing.assert_allclose(bce.weights, sce.weights, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(margin.weights, sce.weights, rtol=1e-9, atol=1e-12)


def test_hinge_stops_once_every_point_is_past_the_margin_while_logistic_keeps_pushing():
    X = np.array([[2.0, 2.0], [1.5, 2.5], [-2.0, -2.0], [-2.5, -1.5]])
    t = np.array([1.0, 1.0, 0.0, 0.0])
    hinge = descend("hinge", X, t, model="logistic", lr=0.1, steps=200)
    logistic = descend("logistic", X, t, model="logistic", lr=0.1, steps=200)
    assert hinge.grad_norm[-1] == 0.0 and np.array_equal(hinge.weights[-1], hinge.weights[-50])
    assert logistic.grad_norm[-1] > 0.0
    assert np.linalg.norm(logistic.final) > np.linalg.norm(logistic.weights[-50])


# ---- divergence ----------------------------------------------------------------------------------
@pytest.mark.parametrize("lr", [0.05, 1.0, 1e6])
def test_a_divergent_learning_rate_is_reported_not_nan(lr):
    x, y = scene(0)
    run = descend("mse", x, y, lr=lr, steps=500)
    assert run.diverged and 1 <= run.diverged_at <= 500
    assert run.steps_run == run.diverged_at - 1 and len(run.weights) == run.diverged_at
    for a in (run.weights, run.cost, run.gradient):
        assert np.all(np.isfinite(a))
    assert run.cost[-1] <= descent.BLOW_UP * (run.cost[0] + 1.0)


def test_divergence_of_a_classifier_with_an_exploding_loss():
    X, t = two_class()
    run = descend("exponential", X, t, model="logistic", lr=1e4, steps=100, init=[-1.0, -1.0, 0.0])
    assert run.diverged and np.all(np.isfinite(run.weights)) and np.all(np.isfinite(run.cost))


def test_a_stable_learning_rate_does_not_diverge():
    x, y = scene(0)
    assert not descend("mse", x, y, lr=0.02, steps=500).diverged
    assert not descend("huber", x, y, lr=1.0, steps=500).diverged  # bounded gradient: bounded steps


# ---- the optimizers against hand-written references (MSE's gradient written by hand) ---------------
def _mse_grad(x, y, th):
    r = th[0] * x + th[1] - y
    return np.array([2 * np.mean(r * x), 2 * np.mean(r)])


def test_gd_momentum_and_adam_match_a_hand_written_reference_on_three_steps():
    x, y = np.array([0.0, 1.0, 2.0, 4.0]), np.array([1.0, 2.5, 2.0, 6.0])
    lr, start = 0.05, np.array([0.5, -0.5])
    gd, mom, adam = [start.copy()], [start.copy()], [start.copy()]
    v, m, s = np.zeros(2), np.zeros(2), np.zeros(2)
    for k in (1, 2, 3):
        gd.append(gd[-1] - lr * _mse_grad(x, y, gd[-1]))
        v = 0.9 * v + _mse_grad(x, y, mom[-1])
        mom.append(mom[-1] - lr * v)
        g = _mse_grad(x, y, adam[-1])
        m = 0.9 * m + 0.1 * g
        s = 0.999 * s + 0.001 * g**2
        adam.append(adam[-1] - lr * (m / (1 - 0.9**k)) / (np.sqrt(s / (1 - 0.999**k)) + 1e-8))
    for name, ref in (("gd", gd), ("momentum", mom), ("adam", adam)):
        run = descend("mse", x, y, lr=lr, steps=3, init=start, optimizer=name)
        np.testing.assert_allclose(run.weights, np.array(ref), rtol=1e-12, atol=1e-14, err_msg=name)


# ---- stochastic ----------------------------------------------------------------------------------
def test_minibatches_are_reproducible_by_seed_and_full_batch_is_plain_descent():
    x, y = scene(0)
    a = descend("huber", x, y, lr=0.02, steps=100, batch=4, seed=7)
    b = descend("huber", x, y, lr=0.02, steps=100, batch=4, seed=7)
    c = descend("huber", x, y, lr=0.02, steps=100, batch=4, seed=8)
    np.testing.assert_array_equal(a.weights, b.weights)
    assert not np.array_equal(a.weights, c.weights)
    full = descend("huber", x, y, lr=0.02, steps=100)
    np.testing.assert_array_equal(descend("huber", x, y, lr=0.02, steps=100, batch=len(x)).weights,
                                  full.weights)  # fmt: skip
    np.testing.assert_array_equal(descend("huber", x, y, lr=0.02, steps=100, batch=10 * len(x)).weights,
                                  full.weights)  # fmt: skip
    k = 40  # the recorded cost is on all the data, whatever the batch
    assert a.cost[k] == pytest.approx(losses.get("huber").cost(y, a.weights[k][0] * x + a.weights[k][1]))


# ---- the cost surface ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["mse", "rmse", "mae", "huber", "quantile"])
def test_cost_surface_is_the_cost_at_every_grid_point(name, monkeypatch):
    monkeypatch.setattr(descent, "SURFACE_BLOCK", 50)  # several blocks, one ending mid-grid
    x, y = scene(0, n=7)
    w, b = np.linspace(-1.0, 3.0, 9), np.linspace(-2.0, 4.0, 5)
    z = cost_surface(name, x, y, w, b)
    assert z.shape == (5, 9)
    spec = losses.get(name)
    for i, bi in enumerate(b):
        for j, wj in enumerate(w):
            assert z[i, j] == pytest.approx(spec.cost(y, wj * x + bi), rel=1e-12)


def test_cost_surface_of_a_one_feature_classifier():
    x, t = np.array([-2.0, -0.5, 0.5, 2.0]), np.array([0.0, 1.0, 0.0, 1.0])
    z = cost_surface("binary_cross_entropy", x, t, [0.0, 1.0], [0.0], model="logistic")
    bce = losses.get("binary_cross_entropy")
    assert z[0, 1] == pytest.approx(bce.cost(t, losses.sigmoid(x)))
    assert z[0, 0] == pytest.approx(np.log(2.0))


# ---- bad arguments -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"lr": 0.0}, "lr"),
        ({"lr": float("nan")}, "lr"),
        ({"steps": -1}, "steps"),
        ({"steps": 2.5}, "steps"),
        ({"optimizer": "sgd"}, "optimizer"),
        ({"model": "tree"}, "model"),
        ({"batch": 0}, "batch"),
        ({"init": [1.0]}, "init"),
        ({"init": [1.0, float("inf")]}, "init"),
        ({"delta": -1.0}, "delta"),
    ],
)
def test_bad_arguments_raise_the_cores_errors(kwargs, argument):
    x, y = scene(0)
    args = {"lr": 0.01, "steps": 5} | kwargs
    with pytest.raises(losses.LossInputError) as err:
        descend("huber", x, y, **args)
    assert err.value.argument == argument


def test_a_line_takes_a_regression_loss_and_a_classifier_takes_labels():
    x, y = scene(0)
    with pytest.raises(losses.LossInputError, match="regression loss"):
        descend("hinge", x, y, lr=0.1, steps=1)
    with pytest.raises(losses.LabelError, match="labels 0/1 or -1/"):
        descend("hinge", x, y, model="logistic", lr=0.1, steps=1)
    with pytest.raises(losses.ShapeError):
        descend("mse", np.ones((3, 2)), np.ones(3), lr=0.1, steps=1)
    with pytest.raises(losses.UnknownLossError):
        descend("hubber", x, y, lr=0.1, steps=1)
