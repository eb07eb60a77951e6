"""Reference values, each with its source.

Unless noted, computed by PyTorch 2.13.0 (CPU, float64) or scikit-learn 1.9.1 on the data below, or with
mpmath at 40 digits where no framework has the loss (script: torch/sklearn calls listed per value).
The frameworks are not test dependencies: the numbers are written down here.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import losses

T = [0.5, -1.2, 3.0, 2.0, 0.0]
P = [0.7, -3.0, 2.5, 6.5, 0.1]
T_LOG = [0.5, 1.2, 3.0, 2.0, 0.0]
P_LOG = [0.7, 3.0, 2.5, 6.5, 0.1]
T_COUNT = [0.0, 1.0, 3.0, 2.0, 5.0]
P_RATE = [0.5, 1.5, 2.5, 2.0, 3.0]
Y01 = [1, 0, 1, 0, 1]
YPM = [1, -1, 1, -1, 1]
PROB = [0.9, 0.2, 0.3, 0.6, 0.99]
LOGIT = [-1000.0, 1000.0, 3.0, -2.0, 0.0]
LOGIT_F = [2.0, -1.0, -0.5, 0.3, 4.0]
SCORE = [0.3, -2.0, -0.5, 0.8, 2.5]
SCORE2 = [0.3, -2.0, -0.5, 0.8, -2.5]
Q = [[0.7, 0.2, 0.1], [0.1, 0.3, 0.6], [0.25, 0.5, 0.25], [0.05, 0.05, 0.9]]
LAB = [0, 2, 0, 1]
ONEHOT = np.eye(3)[LAB]
PDIST = [[0.5, 0.5, 0.0], [0.2, 0.3, 0.5], [1.0, 0.0, 0.0], [0.1, 0.1, 0.8]]
Z = [[2.0, 1.0, -1.0], [1000.0, -1000.0, 0.0], [0.0, 0.0, 0.0], [-3.0, 5.0, 1.0]]
SC = [[2.0, 1.0, -1.0], [0.5, 0.2, 0.1], [0.0, 3.0, 0.0], [-3.0, -1.0, -2.0]]

CASES = [
    # (loss, y_true, y_pred, params, expected, source)
    ("mse", T, P, {}, 4.758, "torch F.mse_loss"),
    ("rmse", T, P, {}, 2.181284025522582, "sqrt of torch F.mse_loss"),
    ("mae", T, P, {}, 1.42, "torch F.l1_loss"),
    ("msle", T_LOG, P_LOG, {}, 0.24791565206713045, "sklearn mean_squared_log_error"),
    ("huber", T, P, {"delta": 1.0}, 1.09, "torch F.huber_loss(delta=1)"),
    ("huber", T, P, {"delta": 1.5}, 1.47, "torch F.huber_loss(delta=1.5)"),
    ("pseudo_huber", T, P, {"delta": 1.0}, 0.962344742084877, "mpmath 40 digits"),
    ("pseudo_huber", T, P, {"delta": 2.0}, 1.4756720347183525, "mpmath 40 digits"),
    ("log_cosh", T, P, {}, 1.0171520803395944, "mpmath log(cosh(d))"),
    ("quantile", T, P, {"tau": 0.5}, 0.71, "sklearn mean_pinball_loss(alpha=0.5)"),
    ("quantile", T, P, {"tau": 0.9}, 0.51, "sklearn mean_pinball_loss(alpha=0.9)"),
    ("poisson", T_COUNT, P_RATE, {}, -0.1067386216382138, "torch F.poisson_nll_loss(log(p), log_input=True)"),
    # 2·(y·ln(y/ŷ) - (y - ŷ)) averaged, by hand in Python decimal at 50 digits (0.478251072441461165...);
    # the definition of sklearn.metrics.mean_poisson_deviance
    ("poisson_deviance", T_COUNT, P_RATE, {}, 0.47825107244146116, "Python decimal, 50 digits"),
    ("general_robust", T, P, {"alpha": 1.0, "scale": 1.0}, 0.962344742084877, "mpmath Barron eq. 1"),
    ("general_robust", T, P, {"alpha": -2.0, "scale": 1.0}, 0.5415134574573033, "mpmath Barron eq. 1"),
    ("general_robust", T, P, {"alpha": 0.5, "scale": 2.0}, 0.34354657598551935, "mpmath Barron eq. 1"),
    ("general_robust", T, P, {"alpha": 3.0, "scale": 0.5}, 52.989255143394196, "mpmath Barron eq. 1"),
    ("general_robust", T, P, {"alpha": -5.0, "scale": 1.5}, 0.36216754670446877, "mpmath Barron eq. 1"),
    ("general_robust", T, P, {"alpha": 0.0, "scale": 1.0}, 0.7029884700577823, "mpmath log(d²/2 + 1)"),
    (
        "general_robust",
        T,
        P,
        {"alpha": -math.inf, "scale": 1.0},
        0.38887063610699185,
        "mpmath 1 - exp(-d²/2)",
    ),
    (
        "binary_cross_entropy",
        Y01,
        PROB,
        {},
        0.49176358780512575,
        "torch F.binary_cross_entropy; sklearn log_loss",
    ),
    ("sigmoid_cross_entropy", Y01, LOGIT, {}, 400.17373250863534, "torch F.binary_cross_entropy_with_logits"),
    (
        "binary_focal",
        Y01,
        LOGIT_F,
        {"gamma": 2.0, "alpha": 0.25},
        0.06464832082501326,
        "torchvision sigmoid_focal_loss's code run in torch",
    ),
    (
        "binary_focal",
        Y01,
        LOGIT_F,
        {"gamma": 0.5, "alpha": 0.7},
        0.16266653336524062,
        "torchvision sigmoid_focal_loss's code run in torch",
    ),
    ("hinge", YPM, SCORE, {}, 0.8, "sklearn hinge_loss"),
    ("hinge", Y01, SCORE, {}, 0.8, "sklearn hinge_loss with 0/1 labels"),
    ("squared_hinge", YPM, SCORE, {}, 1.196, "torch relu(1 - t s)**2 mean"),
    ("logistic", YPM, SCORE, {}, 0.5810701279863867, "torch F.soft_margin_loss"),
    ("exponential", YPM, SCORE, {}, 0.9665001403469651, "torch exp(-t s) mean"),
    ("modified_huber", YPM, SCORE, {}, 1.196, "sklearn _sgd_fast.ModifiedHuber.py_loss"),
    ("modified_huber", YPM, SCORE2, {}, 3.196, "sklearn _sgd_fast.ModifiedHuber.py_loss"),
    ("zero_one", YPM, SCORE, {}, 0.4, "sklearn zero_one_loss(y, sign(s))"),
    ("categorical_cross_entropy", ONEHOT, Q, {}, 1.3123818005946513, "sklearn log_loss; torch"),
    (
        "categorical_cross_entropy",
        ONEHOT,
        Q,
        {"label_smoothing": 0.1},
        1.3298823075020059,
        "torch F.cross_entropy(log q, y, label_smoothing=0.1)",
    ),
    ("sparse_categorical_cross_entropy", LAB, Q, {}, 1.312381800594651, "torch F.nll_loss(log q, y)"),
    ("kl_divergence", PDIST, Q, {}, 0.4420188185120639, "torch F.kl_div(log q, p, reduction='batchmean')"),
    (
        "kl_divergence",
        Q,
        PDIST,
        {},
        7.374041687481351,
        "torch F.kl_div(log clamp(p, eps), q, reduction='batchmean')",
    ),
    ("softmax_cross_entropy", LAB, Z, {}, 250.36652595200775, "torch F.cross_entropy"),
    (
        "softmax_cross_entropy",
        LAB,
        Z,
        {"label_smoothing": 0.2},
        250.63319261867443,
        "torch F.cross_entropy(label_smoothing=0.2)",
    ),
    ("categorical_hinge", ONEHOT, SC, {}, 1.85, "Keras CategoricalHinge's formula run in torch"),
]


@pytest.mark.parametrize(
    ("name", "y_true", "y_pred", "params", "expected", "source"),
    CASES,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)],
)
def test_cost_matches_reference_value(name, y_true, y_pred, params, expected, source):
    assert losses.get(name).cost(y_true, y_pred, **params) == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_every_required_loss_has_a_reference_value():
    covered = {c[0] for c in CASES}
    assert set(losses.names()) <= covered


def test_docstring_example_of_the_package():
    assert losses.get("huber").cost([0.0, 0.0], [0.5, 3.0], delta=1.0) == 1.3125


# -- the Poisson deviance beyond the reference data: near-perfect, zero counts, extreme ratios ---------


def test_poisson_deviance_keeps_its_digits_for_a_near_perfect_prediction():
    """2(y log(y/ŷ) - (y - ŷ)) computed directly cancels to 0 or noise; the series gives ≈ (y - ŷ)²/ŷ."""
    y, d = 3.0, 1e-7
    v = losses.get("poisson_deviance").per_sample([y], [y + d])[0]
    u = -d / (y + d)
    assert v == pytest.approx(2 * (y + d) * (u * u / 2 - u**3 / 6 + u**4 / 12), rel=1e-12)


def test_poisson_deviance_at_zero_counts_and_extreme_ratios():
    spec = losses.get("poisson_deviance")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(divide="raise", invalid="raise"):
            v = spec.per_sample([0.0, 0.0, 1e300, 1e-300, 5.0], [2.5, 1e-300, 1e-300, 1e300, 1e-300])
    assert v[0] == 5.0 and v[1] == 2e-300  # 2ŷ at y = 0: y log(y/ŷ) is 0 there
    # y/ŷ beyond float64 both ways: the logs apart, log y - log ŷ, stay finite
    assert v[2] == pytest.approx(2e300 * (600 * math.log(10) - 1), rel=1e-12)  # y/ŷ = 1e600 overflows
    assert v[3] == pytest.approx(2e300, rel=1e-12)  # ≈ 2ŷ: the y log(y/ŷ) term is -1.4e-297
    assert v[4] == pytest.approx(2 * (5 * (math.log(5) + 300 * math.log(10)) - 5), rel=1e-12)


def test_poisson_deviance_is_twice_the_poisson_nll_above_a_perfect_prediction():
    """The deviance is the negative log-likelihood measured from the saturated model (ŷ = y):
    2(NLL(ŷ) - NLL(y))."""
    rng = np.random.default_rng(18)
    t = rng.poisson(4.0, 30).astype(float) + 1.0  # y > 0: the NLL at ŷ = y needs a positive rate
    p = rng.uniform(0.5, 9.0, 30)
    nll = losses.get("poisson")
    np.testing.assert_allclose(
        losses.get("poisson_deviance").per_sample(t, p), 2 * (nll.per_sample(t, p) - nll.per_sample(t, t)),
        rtol=1e-9, atol=1e-12,
    )  # fmt: skip
    assert losses.get("poisson_deviance").cost([3.0], [3.0]) == 0.0
