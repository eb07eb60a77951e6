"""Every equivalence the registry lists (``LossSpec.equivalents``), checked against the other library's
function as its source computes it (tests/core/frameworks.py), on inputs where the two could differ: labels
0/1 and -1/+1, probabilities at 0, 1 and 1e-9, residuals on both sides of δ, a score of exactly 0, rival
scores all negative, soft targets.

Each check says how the two relate: ``same`` (the same numbers), ``stated`` (they differ, and the listed text
says how: it must contain the given words), or ``unstated`` (they differ in a way the text does not say yet:
the difference is asserted, so the entry stays true, and ``UNSTATED`` lists them for the metadata's owners).
A listed equivalence without a check fails ``test_every_listed_equivalence_has_a_check``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import losses
from tests.core import frameworks as fw

CHECKS: dict[tuple[str, str], tuple[str, Callable[[], None]]] = {}


def check(name: str, framework: str, how: str):
    def register(fn):
        CHECKS[(name, framework)] = (how, fn)
        return fn

    return register


def cost(name, t, p, **kw):
    return losses.get(name).cost(np.asarray(t, float), np.asarray(p, float), **kw)


def rows(name, t, p, **kw):
    return losses.get(name).per_sample(np.asarray(t, float), np.asarray(p, float), **kw)


def same(a, b, rtol=1e-12):
    np.testing.assert_allclose(a, b, rtol=rtol, atol=1e-300)


def differ(a, b):
    assert not np.allclose(a, b, rtol=1e-6, atol=0), (a, b)


A = np.array
# residuals 2, 0, 2, 0, -14, 7: both sides of δ = 1 and of δ = 5, zeros, a sign change
RT, RP = A([-3.0, 0.0, 0.5, 2.0, 10.0, 1000.0]), A([-1.0, 0.0, 2.5, 2.0, -4.0, 1007.0])
POS_T, POS_P = A([0.0, 0.5, 2.0, 10.0, 1000.0]), A([0.1, 2.5, 2.0, 4.0, 1007.0])
COUNTS, RATES = A([0.0, 1.0, 3.0, 10.0]), A([0.5, 2.0, 3.0, 7.0])
T01, PROB = A([0.0, 1.0, 1.0, 0.0, 1.0, 0.0]), A([0.1, 0.9, 0.6, 0.3, 0.999, 0.02])
EDGE_P = A([1e-9, 0.0, 1.0, 1.0 - 1e-9, 1.0, 0.5])  # clipped differently by every library
LOGIT = A([-3.0, 2.0, 0.5, -0.1, 8.0, -30.0])
TPM, SCORE = A([-1.0, 1.0, 1.0, -1.0, 1.0, -1.0]), A([-0.5, 2.0, 0.5, 0.0, 0.2, 1.5])
LABELS = A([0.0, 2.0, 1.0, 2.0])
ONEHOT = np.eye(3)[LABELS.astype(int)]
SOFT = A([[0.7, 0.2, 0.1], [0.0, 0.5, 0.5], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6]])
Q = A([[0.6, 0.3, 0.1], [0.2, 0.2, 0.6], [0.1, 0.7, 0.2], [0.05, 0.05, 0.9]])
Q0 = A([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.5, 0.5, 0.0], [0.0, 0.0, 1.0]])  # zeros where the labels are
Z = A([[2.0, -1.0, 0.5], [-3.0, 0.0, 4.0], [0.1, 0.2, 0.3], [10.0, -10.0, 0.0]])
S_NEG = A([[0.5, -0.3, -0.2], [-0.1, -0.4, 0.2], [-2.0, 0.3, -1.0], [-0.5, -0.5, 0.1]])  # rivals < 0


# -- regression ------------------------------------------------------------------------------------------
@check("mse", "pytorch", "same")
def _():
    same(cost("mse", RT, RP), fw.torch_mse_loss(RT, RP))


@check("mse", "keras", "same")
def _():
    same(cost("mse", RT, RP), fw.torch_mse_loss(RT, RP))  # MeanSquaredError: mean((y_true - y_pred)^2)


@check("mse", "sklearn", "same")
def _():
    same(cost("mse", RT, RP), np.average((RT - RP) ** 2))  # mean_squared_error


@check("mse", "optax", "stated: no mean; optax.l2_loss is half of it")
def _():
    same(rows("mse", RT, RP), fw.per_optax_squared_error(RT, RP))
    same(rows("mse", RT, RP) / 2, fw.per_optax_l2_loss(RT, RP))


@check("rmse", "pytorch", "same")
def _():
    same(cost("rmse", RT, RP), np.sqrt(fw.torch_mse_loss(RT, RP)))


@check("rmse", "keras", "same")
def _():
    same(cost("rmse", RT, RP), np.sqrt(np.mean((RT - RP) ** 2)))  # RootMeanSquaredError on one batch


@check("rmse", "sklearn", "same")
def _():
    same(cost("rmse", RT, RP), np.sqrt(np.average((RT - RP) ** 2)))  # root_mean_squared_error


@check("mae", "pytorch", "same")
def _():
    same(cost("mae", RT, RP), fw.torch_l1_loss(RT, RP))


@check("mae", "keras", "same")
def _():
    same(cost("mae", RT, RP), fw.torch_l1_loss(RT, RP))


@check("mae", "sklearn", "same")
def _():
    same(cost("mae", RT, RP), np.average(np.abs(RT - RP)))


@check("msle", "pytorch", "stated: mse_loss on log1p")
def _():
    same(cost("msle", POS_T, POS_P), fw.torch_mse_loss(np.log1p(POS_T), np.log1p(POS_P)))


@check("msle", "keras", "stated: clips values at 0")
def _():
    same(cost("msle", POS_T + 1, POS_P + 1), fw.keras_msle(POS_T + 1, POS_P + 1))  # away from the clip
    t, p = A([-0.5, 0.2, 3.0]), A([0.3, -0.9, 3.0])
    differ(cost("msle", t, p), fw.keras_msle(t, p))
    same(fw.keras_msle(t, p), cost("msle", np.maximum(t, fw.K_EPS), np.maximum(p, fw.K_EPS)))


@check("msle", "sklearn", "same")
def _():
    same(cost("msle", POS_T, POS_P), fw.sklearn_msle(POS_T, POS_P))


@check("huber", "pytorch", "stated: smooth_l1_loss with beta=δ is this divided by δ")
def _():
    for delta in (1.0, 5.0, 0.3):
        same(cost("huber", RT, RP, delta=delta), fw.torch_huber_loss(RT, RP, delta))
        same(cost("huber", RT, RP, delta=delta) / delta, fw.torch_smooth_l1_loss(RT, RP, delta))


@check("huber", "keras", "same")
def _():
    for delta in (1.0, 5.0):
        same(cost("huber", RT, RP, delta=delta), fw.torch_huber_loss(RT, RP, delta))


@check("huber", "sklearn", "unstated: HuberRegressor's objective is twice Huber's (at σ = 1) plus σ")
def _():
    same(rows("huber", RT, RP, delta=1.35), fw.sklearn_sgd_huber(RT, RP, 1.35))  # SGDRegressor: the same
    differ(cost("huber", RT, RP, delta=1.35), fw.sklearn_huber_regressor_objective(RT, RP, 1.35))
    same(2 * cost("huber", RT, RP, delta=1.35) + 1, fw.sklearn_huber_regressor_objective(RT, RP, 1.35))


@check("huber", "optax", "same")
def _():
    same(cost("huber", RT, RP, delta=2.0), fw.torch_huber_loss(RT, RP, 2.0))  # optax.huber_loss, per element


@check("log_cosh", "keras", "same")
def _():
    same(cost("log_cosh", RT[:5], RP[:5]), fw.keras_log_cosh(RT[:5], RP[:5]))


@check("log_cosh", "optax", "same")
def _():
    x = RP[:5] - RT[:5]
    same(rows("log_cosh", RT[:5], RP[:5]), np.logaddexp(x, -x) - np.log(2.0))  # optax.log_cosh


@check("quantile", "sklearn", "stated: alpha=τ")
def _():
    for tau in (0.1, 0.5, 0.9):
        same(cost("quantile", RT, RP, tau=tau), fw.sklearn_pinball(RT, RP, tau))


@check("poisson", "pytorch", "stated: adds eps=1e-8")
def _():
    same(cost("poisson", COUNTS, RATES), fw.torch_poisson_nll(COUNTS, RATES), rtol=1e-7)
    t, p = A([3.0]), A([1e-6])
    differ(cost("poisson", t, p), fw.torch_poisson_nll(t, p))
    same(cost("poisson", t, p + 1e-8) - 1e-8, fw.torch_poisson_nll(t, p))


@check("poisson", "keras", "stated: adds 1e-7")
def _():
    t, p = A([3.0]), A([1e-6])
    differ(cost("poisson", t, p), fw.keras_poisson(t, p))
    same(cost("poisson", t, p + 1e-7) - 1e-7, fw.keras_poisson(t, p))


@check("poisson", "sklearn", "stated: mean_poisson_deviance is the deviance form")
def _():
    nll = rows("poisson", COUNTS, RATES)
    saturated = rows("poisson", COUNTS, np.maximum(COUNTS, 1e-300))  # ŷ = y: the constant of the data
    deviance = np.mean(2 * (nll - np.where(COUNTS > 0, saturated, 0.0)))
    same(deviance, fw.sklearn_poisson_deviance(COUNTS, RATES))


@check("poisson_deviance", "pytorch", "stated: 2·(PoissonNLLLoss(y_pred) - PoissonNLLLoss(y_true))")
def _():
    def nll(t, p):
        return fw.torch_poisson_nll(A([t]), A([p]), eps=0.0) if t or p != t else 0.0  # 0·log 0 = 0

    via_torch = 2 * np.mean([nll(t, p) - nll(t, t) for t, p in zip(COUNTS, RATES, strict=True)])
    same(cost("poisson_deviance", COUNTS, RATES), via_torch)


@check("poisson_deviance", "sklearn", "same")
def _():
    same(cost("poisson_deviance", COUNTS, RATES), fw.sklearn_poisson_deviance(COUNTS, RATES))


@check("general_robust", "none", "same")  # no library lists it: a placeholder the registry never has
def _():
    pass


# -- binary --------------------------------------------------------------------------------------------
@check("binary_cross_entropy", "pytorch", "stated: clamps log at -100 instead of clipping p")
def _():
    same(cost("binary_cross_entropy", T01, PROB), fw.torch_bce(T01, PROB))
    differ(cost("binary_cross_entropy", T01, EDGE_P), fw.torch_bce(T01, EDGE_P))  # p = 0 for t = 1: 100 vs 36


@check("binary_cross_entropy", "keras", "stated: clips p at 1e-7")
def _():
    same(cost("binary_cross_entropy", T01, PROB), fw.keras_bce(T01, PROB))
    differ(cost("binary_cross_entropy", T01, EDGE_P), fw.keras_bce(T01, EDGE_P))
    same(fw.keras_bce(T01, EDGE_P), cost("binary_cross_entropy", T01, np.clip(EDGE_P, 1e-7, 1 - 1e-7)))


@check("binary_cross_entropy", "sklearn", "stated: clips at machine eps")
def _():
    same(cost("binary_cross_entropy", T01, PROB), fw.sklearn_log_loss(T01, PROB))
    same(cost("binary_cross_entropy", T01, EDGE_P), fw.sklearn_log_loss(T01, EDGE_P), rtol=1e-9)


@check("sigmoid_cross_entropy", "pytorch", "same")
def _():
    same(cost("sigmoid_cross_entropy", T01, LOGIT), fw.torch_bce_with_logits(T01, LOGIT))


@check("sigmoid_cross_entropy", "keras", "same")
def _():
    same(cost("sigmoid_cross_entropy", T01, LOGIT), fw.torch_bce_with_logits(T01, LOGIT))


@check("sigmoid_cross_entropy", "optax", "same")
def _():
    same(rows("sigmoid_cross_entropy", T01, LOGIT), fw.per_optax_sigmoid_bce(LOGIT, T01))


# The libraries take 1 - p_t as 1 - σ(x), which cancels for a confident right answer (x = -30, t = 0: 3e-4
# off); the core computes σ(-x) itself. The same numbers elsewhere, and to 1e-3 there.
@check("binary_focal", "pytorch", "stated: same defaults")
def _():
    same(rows("binary_focal", T01, LOGIT), fw.per_torchvision_focal(LOGIT, T01), rtol=1e-3)
    same(rows("binary_focal", T01[:5], LOGIT[:5], gamma=0.5, alpha=0.6),
         fw.per_torchvision_focal(LOGIT[:5], T01[:5], alpha=0.6, gamma=0.5), rtol=1e-9)  # fmt: skip


@check("binary_focal", "keras", "stated: apply_class_balancing=True")
def _():
    same(cost("binary_focal", T01, LOGIT), fw.keras_binary_focal(T01, LOGIT), rtol=1e-9)


@check("binary_focal", "optax", "unstated: optax's alpha defaults to None (no weighting), not 0.25")
def _():
    differ(rows("binary_focal", T01, LOGIT), fw.per_optax_focal(LOGIT, T01))
    same(rows("binary_focal", T01, LOGIT), fw.per_optax_focal(LOGIT, T01, alpha=0.25), rtol=1e-3)


@check("hinge", "pytorch", "stated: different input conventions")
def _():
    differ(cost("hinge", TPM, SCORE), fw.torch_hinge_embedding(TPM, SCORE))  # HingeEmbeddingLoss: distances


@check("hinge", "keras", "stated: maps 0/1 labels to -1/+1 too")
def _():
    same(cost("hinge", TPM, SCORE), fw.keras_hinge(TPM, SCORE))
    same(cost("hinge", (TPM + 1) / 2, SCORE), fw.keras_hinge((TPM + 1) / 2, SCORE))


@check("hinge", "sklearn", "same")
def _():
    same(cost("hinge", TPM, SCORE), fw.sklearn_hinge_loss(TPM, SCORE))
    same(cost("hinge", (TPM + 1) / 2, SCORE), fw.sklearn_hinge_loss((TPM + 1) / 2, SCORE))


@check("hinge", "optax", "unstated: optax.hinge_loss takes targets -1/+1 as they are: a 0 label is not -1")
def _():
    same(rows("hinge", TPM, SCORE), fw.per_optax_hinge(SCORE, TPM))
    differ(rows("hinge", (TPM + 1) / 2, SCORE), fw.per_optax_hinge(SCORE, (TPM + 1) / 2))


@check("squared_hinge", "keras", "same")
def _():
    same(cost("squared_hinge", TPM, SCORE), fw.keras_squared_hinge(TPM, SCORE))
    same(cost("squared_hinge", (TPM + 1) / 2, SCORE), fw.keras_squared_hinge((TPM + 1) / 2, SCORE))


@check("squared_hinge", "sklearn", "stated: as a training loss")
def _():
    same(rows("squared_hinge", TPM, SCORE), fw.sklearn_linearsvc_squared_hinge(TPM, SCORE))


@check("logistic", "sklearn", "stated: as a training loss")
def _():
    same(rows("logistic", TPM, SCORE), fw.sklearn_sgd_log_loss(TPM, SCORE))


@check("logistic", "pytorch", "same")
def _():
    same(cost("logistic", TPM, SCORE), fw.torch_soft_margin(TPM, SCORE))


@check("logistic", "optax", "stated: 0/1 labels")
def _():
    same(rows("logistic", TPM, SCORE), fw.per_optax_sigmoid_bce(SCORE, (TPM + 1) / 2))


@check("exponential", "sklearn", "stated: as a training loss")
def _():
    same(rows("exponential", TPM, SCORE), fw.sklearn_exponential(TPM, SCORE))


@check("modified_huber", "sklearn", "same")
def _():
    s = A([-3.0, -1.0, -0.5, 0.0, 0.99, 1.0, 2.0])
    t = A([1.0, 1.0, -1.0, 1.0, 1.0, -1.0, 1.0])
    same(rows("modified_huber", t, s), fw.sklearn_modified_huber(t, s))


@check("zero_one", "sklearn", "unstated: a score of exactly 0 is the negative class to sklearn's predict")
def _():
    t, s = A([1.0, -1.0, 1.0, -1.0]), A([0.5, -2.0, -0.1, 3.0])
    same(cost("zero_one", t, s), fw.sklearn_zero_one(t, s))
    t0, s0 = A([-1.0]), A([0.0])  # predict gives -1: right; the loss counts t·s = 0 as a mistake
    differ(cost("zero_one", t0, s0), fw.sklearn_zero_one(t0, s0))


# -- multi-class ---------------------------------------------------------------------------------------
@check("categorical_cross_entropy", "keras", "stated: renormalises rows, clips at 1e-7")
def _():
    same(cost("categorical_cross_entropy", SOFT, Q), fw.keras_categorical_ce(SOFT, Q))
    differ(cost("categorical_cross_entropy", ONEHOT, Q0[[1, 0, 2, 3]]),
           fw.keras_categorical_ce(ONEHOT, Q0[[1, 0, 2, 3]]))  # fmt: skip


@check("categorical_cross_entropy", "pytorch", "stated: takes logits, not probabilities")
def _():
    same(cost("categorical_cross_entropy", SOFT, Q), fw.torch_cross_entropy_probs(SOFT, np.log(Q)))
    differ(cost("categorical_cross_entropy", SOFT, Q), fw.torch_cross_entropy_probs(SOFT, Q))


@check("categorical_cross_entropy", "sklearn",
       "unstated: log_loss takes class labels, so soft targets have no equivalent")  # fmt: skip
def _():
    same(cost("categorical_cross_entropy", ONEHOT, Q), fw.sklearn_log_loss_multi(LABELS, Q))
    differ(cost("categorical_cross_entropy", SOFT, Q), fw.sklearn_log_loss_multi(SOFT.argmax(axis=1), Q))


@check("categorical_cross_entropy", "optax", "stated: (logits)")
def _():
    same(rows("categorical_cross_entropy", SOFT, Q), fw.per_optax_softmax_ce(np.log(Q), SOFT))


@check("sparse_categorical_cross_entropy", "keras",
       "unstated: Keras clips q at 1e-7 (a 0 for the true class costs 16.1, here 36.0)")  # fmt: skip
def _():
    same(cost("sparse_categorical_cross_entropy", LABELS, Q), fw.keras_sparse_ce(LABELS, Q))
    q = Q0[[1, 0, 2, 3]]
    differ(cost("sparse_categorical_cross_entropy", LABELS, q), fw.keras_sparse_ce(LABELS, q))


@check("sparse_categorical_cross_entropy", "pytorch",
       "unstated: log(0) is -inf in torch, so a 0 for the true class costs inf, here 36.0")  # fmt: skip
def _():
    same(cost("sparse_categorical_cross_entropy", LABELS, Q), fw.torch_nll_log(LABELS, Q))
    q = Q0[[1, 0, 2, 3]]
    assert np.isinf(fw.torch_nll_log(LABELS, q))
    assert np.isfinite(cost("sparse_categorical_cross_entropy", LABELS, q))


@check("kl_divergence", "pytorch", "stated: reduction='mean' divides by n·k")
def _():
    same(cost("kl_divergence", SOFT, Q), fw.torch_kl_div_batchmean(SOFT, Q))
    same(cost("kl_divergence", SOFT, Q) / 3, fw.torch_kl_div_mean(SOFT, Q))


@check("kl_divergence", "keras", "stated: clips P and Q at 1e-7")
def _():
    p = A([[0.7, 0.2, 0.1], [0.2, 0.5, 0.3]])
    same(cost("kl_divergence", p, Q[:2]), fw.keras_kl(p, Q[:2]))
    differ(cost("kl_divergence", SOFT, Q0), fw.keras_kl(SOFT, Q0))


@check("kl_divergence", "optax", "stated: takes log Q")
def _():
    same(rows("kl_divergence", SOFT, Q), fw.per_optax_kl(np.log(Q), SOFT))


@check("softmax_cross_entropy", "pytorch", "stated: label_smoothing=ε")
def _():
    for eps in (0.0, 0.1, 0.5):
        same(cost("softmax_cross_entropy", LABELS, Z, label_smoothing=eps),
             fw.torch_cross_entropy_labels(LABELS, Z, label_smoothing=eps))  # fmt: skip


@check("softmax_cross_entropy", "keras", "same")
def _():
    same(cost("softmax_cross_entropy", LABELS, Z), fw.keras_sparse_ce_logits(LABELS, Z))


@check("softmax_cross_entropy", "optax", "same")
def _():
    same(rows("softmax_cross_entropy", LABELS, Z), fw.per_optax_softmax_ce_int(Z, LABELS))


@check("categorical_hinge", "keras", "same")
def _():
    for s in (Z, S_NEG):
        same(cost("categorical_hinge", ONEHOT, s), fw.keras_categorical_hinge(ONEHOT, s))


@check("categorical_hinge", "pytorch", "stated: sums over all rivals")
def _():
    differ(cost("categorical_hinge", ONEHOT, Z), fw.torch_multi_margin(LABELS, Z))
    s = A([[3.0, 0.5, 0.0]])  # one rival inside the margin: its term, divided by k = 3
    same(cost("categorical_hinge", A([[1.0, 0.0, 0.0]]), s - A([[2.0, 0, 0]])) / 3,
         fw.torch_multi_margin(A([0.0]), s - A([[2.0, 0, 0]])))  # fmt: skip


@check("categorical_hinge", "optax", "stated: unless every rival score is negative")
def _():
    same(rows("categorical_hinge", ONEHOT, Z), fw.per_optax_multiclass_hinge(Z, LABELS))
    differ(rows("categorical_hinge", ONEHOT, S_NEG), fw.per_optax_multiclass_hinge(S_NEG, LABELS))


del CHECKS[("general_robust", "none")]
UNSTATED = {pair: how.removeprefix("unstated: ") for pair, (how, _fn) in CHECKS.items()
            if how.startswith("unstated")}  # fmt: skip
LISTED = sorted((n, f) for n in losses.names() for f in losses.get(n).equivalents)


def test_every_listed_equivalence_has_a_check():
    assert sorted(CHECKS) == LISTED


@pytest.mark.parametrize("pair", LISTED, ids=lambda p: f"{p[0]}-{p[1]}")
def test_the_listed_equivalence_holds_as_stated(pair):
    how, fn = CHECKS[pair]
    text = losses.get(pair[0]).equivalents[pair[1]]
    if how.startswith("stated: "):
        assert how.removeprefix("stated: ") in text, f"the stated difference is not in {text!r}"
    fn()


def test_categorical_hinge_follows_keras_and_says_how_optax_differs():
    """Keras: max(0, 1 + max(0, max_{j≠y} s_j) − s_y); optax (Crammer & Singer) leaves out the 0 in the inner
    max, so the two differ when every rival score is negative. Its metadata claimed optax's function and
    Crammer & Singer (issue 15)."""
    spec = losses.get("categorical_hinge")
    y, s = A([[0.0, 1.0, 0.0]]), A([[-0.2, 0.1, -0.5]])
    assert spec.cost(y, s) == pytest.approx(0.9)  # 1 + max(0, -0.2) - 0.1
    assert fw.per_optax_multiclass_hinge(s, A([1.0]))[0] == pytest.approx(0.7)  # 1 + (-0.2) - 0.1
    assert "Keras" in spec.reference and "max(0," in spec.summary
