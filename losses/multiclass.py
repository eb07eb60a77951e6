"""Multi-class losses: rows of k class probabilities, logits or scores.

Distributions are (n, k) with rows summing to 1; class labels are (n,) integers 0..k-1 (integral floats,
as read from a CSV, are accepted). Per-sample values are row sums; the derivative has the shape of y_pred.
"""

from __future__ import annotations

import numpy as np

# softmax lives in losses._numeric; importing it here keeps losses.multiclass.softmax working for the pages
# that still import it from this module (use losses.softmax).
from losses._numeric import EPS, one_hot, smooth, softmax
from losses.spec import LossSpec, Param, Properties

_SMOOTHING = Param(
    "label_smoothing",
    0.0,
    0.0,
    1.0,
    "mix the targets with the uniform distribution: y(1 - ε) + ε/k",
    r"\varepsilon",
    low_open=False,
    high_open=False,
    ui_high=0.5,
    step=0.05,
    glyph="ε",
)


# ---- cross-entropy on probabilities ----------------------------------------------------------------
def categorical_cross_entropy(y: np.ndarray, q: np.ndarray, *, label_smoothing: float) -> np.ndarray:
    r""":math:`-\sum_j y_j \log q_j`, q clipped to [ε, 1 - ε], targets smoothed (Keras semantics)."""
    y = smooth(y, label_smoothing)
    return -(y * np.log(np.clip(q, EPS, 1.0 - EPS))).sum(axis=1)


def categorical_cross_entropy_grad(y: np.ndarray, q: np.ndarray, *, label_smoothing: float) -> np.ndarray:
    y = smooth(y, label_smoothing)
    inside = (q >= EPS) & (q <= 1.0 - EPS)
    return np.where(inside, -y / np.clip(q, EPS, 1.0 - EPS), 0.0)


def sparse_categorical_cross_entropy(labels: np.ndarray, q: np.ndarray) -> np.ndarray:
    r""":math:`-\log q_{y}`: the cross-entropy of a one-hot target, given as the class index."""
    qy = q[np.arange(q.shape[0]), labels.astype(np.intp)]
    return -np.log(np.clip(qy, EPS, 1.0 - EPS))


def sparse_categorical_cross_entropy_grad(labels: np.ndarray, q: np.ndarray) -> np.ndarray:
    return categorical_cross_entropy_grad(one_hot(labels, q.shape[1]), q, label_smoothing=0.0)


# ---- Kullback-Leibler divergence -------------------------------------------------------------------
def kl_divergence(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    r""":math:`\mathrm{KL}(P\|Q) = \sum_j P_j \log(P_j / Q_j)`, with 0·log 0 = 0 and Q clipped to [ε, 1]."""
    p_log_p = p * np.log(np.where(p > 0, p, 1.0))  # 0 log 0 = 0 without a divide warning
    return (p_log_p - p * np.log(np.clip(q, EPS, 1.0))).sum(axis=1)


def kl_divergence_grad(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    return np.where(q >= EPS, -p / np.clip(q, EPS, 1.0), 0.0)


# ---- cross-entropy on logits -----------------------------------------------------------------------
def softmax_cross_entropy(labels: np.ndarray, z: np.ndarray, *, label_smoothing: float) -> np.ndarray:
    r"""Cross-entropy of softmax(z) with a one-hot (optionally smoothed) target, by log-sum-exp:
    :math:`\operatorname{lse}(z) - (1-\varepsilon) z_y - \frac{\varepsilon}{k}\sum_j z_j`, computed as
    :math:`\operatorname{log1p}\big(\sum_{j \ne j^*} e^{z_j - m}\big) + (1-\varepsilon)(m - z_y)
    + \frac{\varepsilon}{k}\sum_j (m - z_j)`, m = z_{j^*} the largest logit: terms that are all ≥ 0, so
    nothing cancels (lse(z) - z_y lost every digit of a confident right answer: 0 for logits 40 apart, where
    the value is 4e-18).

    Written with the true class's logit, not ``y · log_softmax(z)``: a class whose log-probability is -inf
    (logits 1e308 apart) then costs nothing instead of 0·(-inf) = NaN.
    PyTorch ``cross_entropy``; optax ``softmax_cross_entropy_with_integer_labels``."""
    rows = np.arange(z.shape[0])
    top = z.argmax(axis=1)
    m = z[rows, top]
    e = np.exp(z - m[:, None])
    e[rows, top] = 0.0  # the others' share, without the 1 of the largest (1 + tiny - 1 loses the tiny)
    out = np.log1p(e.sum(axis=1))
    out += (1.0 - label_smoothing) * (m - z[rows, labels.astype(np.intp)])
    if label_smoothing:  # halves first: m - z_j itself may pass 1.8e308 where the term does not
        out += 2.0 * (label_smoothing / z.shape[1] * (0.5 * m[:, None] - 0.5 * z)).sum(axis=1)
    return out


def softmax_cross_entropy_grad(labels: np.ndarray, z: np.ndarray, *, label_smoothing: float) -> np.ndarray:
    # softmax(z) - the smoothed one-hot row; the true class's entry q_y - 1 + ε(1 - 1/k) as
    # ε(1 - 1/k) - Σ_{j≠y} q_j: q_y - 1 cancels when q_y is near 1 (0 for logits 40 apart)
    q = softmax(z)
    k = z.shape[1]
    rows, y = np.arange(z.shape[0]), labels.astype(np.intp)
    g = q - label_smoothing / k
    q[rows, y] = 0.0
    g[rows, y] = label_smoothing * (1.0 - 1.0 / k) - q.sum(axis=1)
    return g


# ---- categorical hinge -----------------------------------------------------------------------------
def categorical_hinge(y: np.ndarray, s: np.ndarray) -> np.ndarray:
    r"""Keras ``CategoricalHinge``: :math:`\max(0, 1 + \max_j (1 - y_j) s_j - \sum_j y_j s_j)`."""
    pos = (y * s).sum(axis=1)
    neg = ((1.0 - y) * s).max(axis=1)
    return np.maximum(neg - pos + 1.0, 0.0)


def categorical_hinge_grad(y: np.ndarray, s: np.ndarray) -> np.ndarray:
    w = (1.0 - y) * s
    j = w.argmax(axis=1)
    rows = np.arange(s.shape[0])
    g = -y.copy()
    g[rows, j] += 1.0 - y[rows, j]
    active = (w[rows, j] - (y * s).sum(axis=1) + 1.0) > 0
    g[~active] = 0.0
    return g


# ---- the registry entries --------------------------------------------------------------------------
SPECS = (
    LossSpec(
        name="categorical_cross_entropy",
        label="CE",
        title="Categorical cross-entropy",
        category="multiclass",
        formula=r"\ell_i = -\sum_{j=1}^{k} \tilde y_{ij} \log q_{ij}, \quad \tilde y_{ij} = "
        r"y_{ij}(1-\varepsilon)"
        r" + \frac{\varepsilon}{k}",
        y_true="distributions",
        y_pred="distributions",
        value=categorical_cross_entropy,
        derivative=categorical_cross_entropy_grad,
        same_as=("softmax_cross_entropy",),  # CE of one-hot rows and softmax(z) is softmax CE of z
        params=(_SMOOTHING,),
        properties=Properties(convex=True, symmetric=False, robust=False, smooth=True),
        summary="The negative log-probability of the true class (for one-hot targets), averaged over "
        "samples.",
        good="Rewards calibrated class probabilities; with softmax its gradient is simply q - y. "
        "Label smoothing "
        "stops it pushing probabilities all the way to 1.",
        bad="Unbounded for a confident mistake; with soft targets its minimum is the targets' "
        "entropy, not 0.",
        equivalents={
            "keras": "keras.losses.CategoricalCrossentropy (renormalises rows, clips at 1e-7)",
            "pytorch": "F.cross_entropy with probability targets takes logits, not probabilities",
            "sklearn": "sklearn.metrics.log_loss",
            "optax": "optax.softmax_cross_entropy (logits)",
        },
    ),
    LossSpec(
        name="sparse_categorical_cross_entropy",
        label="sparse CE",
        title="Sparse categorical cross-entropy",
        category="multiclass",
        formula=r"\ell_i = -\log q_{i, y_i}",
        y_true="class_labels",
        y_pred="distributions",
        value=sparse_categorical_cross_entropy,
        derivative=sparse_categorical_cross_entropy_grad,
        same_as=("softmax_cross_entropy",),  # on softmax(z) it is softmax CE of z
        properties=Properties(convex=True, symmetric=False, robust=False, smooth=True),
        summary="Categorical cross-entropy with the true class given as an index instead of a one-hot row.",
        good="The same number as one-hot cross-entropy, without building the one-hot matrix.",
        bad="Only for hard labels: soft targets and label smoothing need the one-hot form.",
        equivalents={
            "keras": "keras.losses.SparseCategoricalCrossentropy",
            "pytorch": "F.nll_loss(torch.log(q), y)",
        },
    ),
    LossSpec(
        name="kl_divergence",
        label="KL",
        title="Kullback-Leibler divergence",
        category="multiclass",
        formula=r"\ell_i = \mathrm{KL}(P_i \,\|\, Q_i) = \sum_{j} P_{ij} \log\frac{P_{ij}}{Q_{ij}}",
        y_true="distributions",
        y_pred="distributions",
        value=kl_divergence,
        derivative=kl_divergence_grad,
        same_as=("sparse_categorical_cross_entropy", "softmax_cross_entropy"),  # KL(one-hot ‖ q) = CE
        properties=Properties(convex=True, symmetric=False, robust=False, smooth=True),
        summary="How many extra nats it costs to code samples of P with a code built for Q.",
        good="Zero exactly when Q = P; equals cross-entropy minus the entropy of P, so it has the same "
        "gradient in Q.",
        bad="Not symmetric (KL(P‖Q) ≠ KL(Q‖P)) and infinite where Q gives zero probability to what P allows "
        "(here Q is clipped at machine epsilon).",
        equivalents={
            "pytorch": "F.kl_div(torch.log(q), p, reduction='batchmean') (input is log Q; "
            "reduction='mean' divides by n·k)",
            "keras": "keras.losses.KLDivergence (clips P and Q at 1e-7)",
            "optax": "optax.kl_divergence (takes log Q)",
        },
    ),
    LossSpec(
        name="softmax_cross_entropy",
        label="softmax CE",
        title="Softmax cross-entropy (from logits)",
        category="multiclass",
        formula=r"\ell_i = \log\sum_{j} e^{z_{ij}} - \sum_j \tilde y_{ij} z_{ij}, \quad \tilde y_{ij} = "
        r"[j = y_i](1-\varepsilon) + \frac{\varepsilon}{k}",
        y_true="class_labels",
        y_pred="class_logits",
        value=softmax_cross_entropy,
        derivative=softmax_cross_entropy_grad,
        same_as=("sparse_categorical_cross_entropy",),  # on log q it is sparse CE of q
        params=(_SMOOTHING,),
        properties=Properties(convex=True, symmetric=False, robust=False, smooth=True, zero_at_perfect=False),
        summary="Cross-entropy of softmax(z), computed from the logits with log-sum-exp.",
        good="Exact for any logits (no overflow at ±1000); gradient softmax(z) - y.",
        bad="Only reaches zero as the true logit goes to infinity, so it keeps pushing logits apart.",
        equivalents={
            "pytorch": "F.cross_entropy / nn.CrossEntropyLoss (label_smoothing=ε)",
            "keras": "keras.losses.SparseCategoricalCrossentropy(from_logits=True)",
            "optax": "optax.softmax_cross_entropy_with_integer_labels",
        },
    ),
    LossSpec(
        name="categorical_hinge",
        label="categorical hinge",
        pages=(),  # not on the multi-class page (yet): its sample view is about cross-entropy and KL
        title="Categorical hinge loss",
        category="multiclass",
        formula=r"\ell_i = \max\left(0,\ 1 + \max_j (1 - y_{ij}) s_{ij} - \sum_j y_{ij} s_{ij}\right)",
        y_true="distributions",
        y_pred="class_scores",
        value=categorical_hinge,
        derivative=categorical_hinge_grad,
        properties=Properties(convex=True, symmetric=False, robust=True, smooth=False),
        summary="The multi-class hinge, as Keras computes it: the true class's score must beat max(0, the "
        "best other score) by 1.",
        good="Zero once the margin is met, so confidently correct samples stop contributing.",
        bad="Gives scores, not probabilities; only the single strongest rival class gets a gradient.",
        equivalents={
            "keras": "keras.losses.CategoricalHinge",
            "pytorch": "nn.MultiMarginLoss (sums over all rivals instead of the max, divided by the number "
            "of classes)",
            "optax": "optax.losses.multiclass_hinge_loss is Crammer & Singer's max(0, 1 + max_{j≠y} s_j − "
            "s_y): the same unless every rival score is negative (Keras then takes 0 for the rivals' max)",
        },
        reference="Keras CategoricalHinge (keras/src/losses/losses.py); cf. K. Crammer and Y. Singer, JMLR 2 "
        "(2001), without the 0 in the rivals' max",
    ),
)
