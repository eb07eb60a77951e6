"""Binary classification losses.

Two families: probability/logit losses with labels ``t ∈ {0, 1}`` (cross-entropy, focal), and margin losses
with labels ``t ∈ {-1, +1}`` and a real score ``s``, written in the margin ``m = t·s`` (hinge, logistic,
exponential, ...). Labels 0/1 given to a margin loss arrive here already mapped to -1/+1 by the validator.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

# sigmoid, softplus and EPS live in losses._numeric; importing them here keeps losses.binary.sigmoid working
# for the pages that still import it from this module (use losses.sigmoid).
from losses._numeric import EPS, LogOdds, one_minus_rounding, sigmoid, softplus
from losses.spec import LossSpec, Param, Properties, Terms


# ---- cross-entropy on probabilities ----------------------------------------------------------------
def binary_cross_entropy(t: np.ndarray, p: np.ndarray) -> np.ndarray:
    r""":math:`-(t\log p + (1-t)\log(1-p))`, p clipped to [ε, 1 - ε] (Keras semantics, ε = machine eps);
    both logs to an ulp."""
    q = np.clip(p, EPS, 1.0 - EPS)
    pt = np.abs((1.0 - t) - q)  # probability given to the true class: q for t = 1, 1 - q for t = 0 (rounded)
    # log(1 - q) = log u + δ/u with u the rounded 1 - q (as log1m): log u alone was off by up to eps/q
    # relative (5e-9 at p = 1e-8); no term where t = 1 (pt = q, exactly)
    d = one_minus_rounding(q, pt)
    d *= 1.0 - t
    np.log(pt, out=pt)
    pt += d
    return np.negative(pt, out=pt)


def binary_cross_entropy_grad(t: np.ndarray, p: np.ndarray) -> np.ndarray:
    # -1/p for t = 1, 1/(1-p) for t = 0; zero where the clip is active (what autograd gives through clip).
    q = np.clip(p, EPS, 1.0 - EPS)
    g = np.where(t == 1.0, -1.0 / q, 1.0 / (1.0 - q))
    return np.where((p >= EPS) & (p <= 1.0 - EPS), g, 0.0)


# ---- cross-entropy on logits -----------------------------------------------------------------------
def sigmoid_cross_entropy(t: np.ndarray, x: np.ndarray) -> np.ndarray:
    r""":math:`\max(x, 0) - x t + \log(1 + e^{-|x|})`: BCE of σ(x), stable for any logit (PyTorch
    ``binary_cross_entropy_with_logits``)."""
    return np.maximum(x, 0.0) - x * t + np.log1p(np.exp(-np.abs(x)))


def sigmoid_cross_entropy_grad(t: np.ndarray, x: np.ndarray) -> np.ndarray:
    # σ(x) - t written as (1 - t)σ(x) - tσ(-x): at t = 1, σ(x) - 1 cancels for large x (0 from x = 37 on,
    # where the true slope is -e^{-x}); σ(±x) share one exp
    e = np.exp(-np.abs(x))
    return (1.0 - t) * sigmoid(x, e) - t * sigmoid(-x, e)


# ---- the terms margin losses share ---------------------------------------------------------------
class Margin:
    """The margin m and the terms built from it, each computed on first use and then kept.

    The margin losses are functions of m = t·s (labels ±1); the focal loss too, whose logit of the true class
    (2t - 1)·x is the same m for labels 0/1. A scorer that runs several of them on the same rows computes
    these terms once for all (``LossSpec.terms``, shared by ``losses.SharedChecks``): e^{-|m|} once instead of
    in three losses. Losses read the terms and never write into them.
    """

    def __init__(self, m: np.ndarray) -> None:
        self.m = m

    @classmethod
    def of_pm1(cls, t: np.ndarray, s: np.ndarray) -> Margin:
        """From labels ±1 and scores."""
        return cls(t * s)

    @classmethod
    def of_01(cls, t: np.ndarray, x: np.ndarray) -> Margin:
        """From labels 0/1 and logits: the logit of the true class."""
        return cls((2.0 * t - 1.0) * x)

    @classmethod
    def of_01_log_odds(cls, t: np.ndarray, lo: LogOdds) -> Margin:
        """``of_01(t, lo.x)`` for the log-odds of probabilities, its terms written on them
        (``OfProbabilities``)."""
        return OfProbabilities(t, lo, (2.0 * t - 1.0) * lo.x)

    @classmethod
    def of_pm1_log_odds(cls, t: np.ndarray, lo: LogOdds) -> Margin:
        """``of_pm1(t, lo.x)`` for the log-odds of probabilities, its terms written on them."""
        return OfProbabilities(0.5 * (t + 1.0), lo, t * lo.x)

    @cached_property
    def e(self) -> np.ndarray:
        """e^{-|m|}, in (0, 1]: never overflows."""
        return np.exp(-np.abs(self.m))

    @cached_property
    def softplus_neg(self) -> np.ndarray:
        """log(1 + e^{-m}) = -log σ(m), as ``softplus(-m)``."""
        return softplus(-self.m, self.e)

    @cached_property
    def sigmoid_neg(self) -> np.ndarray:
        """σ(-m) = 1 - σ(m), as ``sigmoid(-m)``: never rounds to 0 or 1 early."""
        return sigmoid(-self.m, self.e)

    @cached_property
    def exp_neg(self) -> np.ndarray:
        """e^{-m}: inf for a margin below -709 (the true value is beyond float64)."""
        return np.exp(-self.m)

    @cached_property
    def hinge(self) -> np.ndarray:
        """max(0, 1 - m)."""
        return np.maximum(1.0 - self.m, 0.0)

    @cached_property
    def hinge_squared(self) -> np.ndarray:
        """max(0, 1 - m)²."""
        return self.hinge * self.hinge


class OfProbabilities(Margin):
    """The margin of the log-odds of probabilities q (``losses.LogOdds``), with the terms that need an exp or
    a log written on q and the log-odds' own two logs instead, exactly (each a select by the true class, by
    multiplying with 1 and 0, then at most one rounding): with p_t = σ(m) the probability of the true class
    (q, or 1 - q),

    - -log σ(m) = -log p_t: -log q or -log1p(-q), the logs the log-odds were made of;
    - σ(-m) = 1 - p_t; e^{-m} = (1 - p_t)/p_t; e^{-|m|} = min(q, 1 - q)/max(q, 1 - q).

    Written on m, they take three exps and a log1p more per row. They agree with ``Margin``'s to rounding,
    and are closer to the exact values: m itself carries the rounding of both logs, q does not.
    """

    def __init__(self, pos: np.ndarray, lo: LogOdds, m: np.ndarray) -> None:
        super().__init__(m)
        self._pos, self._lo = pos, lo  # pos: 1.0 where the true class is the positive one, else 0.0

    def _of_true(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """a where the true class is the positive one, else b: pos·a + (1 - pos)·b, one term exactly 0."""
        return self._pos * a + self._neg * b

    @cached_property
    def _neg(self) -> np.ndarray:
        return 1.0 - self._pos

    @cached_property
    def _one_minus_q(self) -> np.ndarray:
        return 1.0 - self._lo.q  # exact from q = 1/2 on (Sterbenz); below, 1 - q is near 1 and rounds once

    @cached_property
    def p_true(self) -> np.ndarray:
        """σ(m), the probability given to the true class."""
        return self._of_true(self._lo.q, self._one_minus_q)

    @cached_property
    def e(self) -> np.ndarray:
        q, r = self._lo.q, self._one_minus_q
        return np.minimum(q, r) / np.maximum(q, r)

    @cached_property
    def softplus_neg(self) -> np.ndarray:
        return np.negative(self._of_true(self._lo.log_q, self._lo.log_1mq))

    @cached_property
    def sigmoid_neg(self) -> np.ndarray:
        return self._of_true(self._one_minus_q, self._lo.q)

    @cached_property
    def exp_neg(self) -> np.ndarray:
        return self.sigmoid_neg / self.p_true


# ---- focal loss ------------------------------------------------------------------------------------
def binary_focal(t: np.ndarray, x: np.ndarray, *, gamma: float, alpha: float) -> np.ndarray:
    r"""Focal loss on logits (torchvision ``sigmoid_focal_loss``):

    .. math:: \ell = -\alpha_t (1 - p_t)^\gamma \log p_t,\quad p_t = \sigma(\pm x),
              \alpha_t = \alpha t + (1-\alpha)(1-t)

    ``log p_t`` and ``1 - p_t`` are computed from the signed logit, so neither rounds to 0 or 1.
    Reference: T.-Y. Lin et al., "Focal Loss for Dense Object Detection", ICCV 2017.
    """
    return _focal(Margin.of_01(t, x), t, x, gamma=gamma, alpha=alpha)


def _focal(terms: Margin, t: np.ndarray, x: np.ndarray, *, gamma: float, alpha: float) -> np.ndarray:
    # -log p_t = softplus(-z) and 1 - p_t = σ(-z), z = (2t - 1)·x the logit of the true class (the margin)
    a_t = alpha * t + (1.0 - alpha) * (1.0 - t)
    return a_t * terms.sigmoid_neg**gamma * terms.softplus_neg


def binary_focal_grad(t: np.ndarray, x: np.ndarray, *, gamma: float, alpha: float) -> np.ndarray:
    # dℓ/dx = α_t (2t-1) (1-p_t)^γ (γ p_t log p_t - (1 - p_t)); no division, so no 0/0 as p_t → 1.
    sgn = 2.0 * t - 1.0
    z = sgn * x
    log_pt = -softplus(-z)
    pt = sigmoid(z)
    one_minus_pt = sigmoid(-z)
    a_t = alpha * t + (1.0 - alpha) * (1.0 - t)
    return a_t * sgn * one_minus_pt**gamma * (gamma * pt * log_pt - one_minus_pt)


# ---- margin losses (labels ±1, real scores) --------------------------------------------------------
# Each is written once on the margin's terms (the underscored function, which a scorer calls with terms
# shared between losses); the public function builds the terms of its own inputs.
def hinge(t: np.ndarray, s: np.ndarray) -> np.ndarray:
    r""":math:`\max(0, 1 - t s)` (scikit-learn ``hinge_loss``, Keras ``Hinge``)."""
    return _hinge(Margin.of_pm1(t, s), t, s)


def _hinge(terms: Margin, t: np.ndarray, s: np.ndarray) -> np.ndarray:
    return terms.hinge


def hinge_grad(t: np.ndarray, s: np.ndarray) -> np.ndarray:
    return -t * (t * s < 1.0)  # -t inside the margin, 0 past it (0 at m = 1, as autograd gives for relu)


def squared_hinge(t: np.ndarray, s: np.ndarray) -> np.ndarray:
    r""":math:`\max(0, 1 - t s)^2` (Keras ``SquaredHinge``)."""
    return _squared_hinge(Margin.of_pm1(t, s), t, s)


def _squared_hinge(terms: Margin, t: np.ndarray, s: np.ndarray) -> np.ndarray:
    return terms.hinge_squared


def squared_hinge_grad(t: np.ndarray, s: np.ndarray) -> np.ndarray:
    return -2.0 * t * np.maximum(1.0 - t * s, 0.0)


def logistic(t: np.ndarray, s: np.ndarray) -> np.ndarray:
    r""":math:`\log(1 + e^{-t s})`: cross-entropy in margin form.

    scikit-learn ``SGDClassifier(loss='log_loss')``; PyTorch ``soft_margin_loss``."""
    return _logistic(Margin.of_pm1(t, s), t, s)


def _logistic(terms: Margin, t: np.ndarray, s: np.ndarray) -> np.ndarray:
    return terms.softplus_neg


def logistic_grad(t: np.ndarray, s: np.ndarray) -> np.ndarray:
    return -t * sigmoid(-t * s)


def exponential(t: np.ndarray, s: np.ndarray) -> np.ndarray:
    r""":math:`e^{-t s}` (AdaBoost). A margin below -709 has a loss beyond float64: it is ``inf``."""
    return _exponential(Margin.of_pm1(t, s), t, s)


def _exponential(terms: Margin, t: np.ndarray, s: np.ndarray) -> np.ndarray:
    return terms.exp_neg


def exponential_grad(t: np.ndarray, s: np.ndarray) -> np.ndarray:
    return -t * np.exp(-t * s)


def modified_huber(t: np.ndarray, s: np.ndarray) -> np.ndarray:
    r""":math:`\max(0, 1-m)^2` for m ≥ -1, else -4m: scikit-learn's ``SGDClassifier(loss='modified_huber')``.

    Reference: T. Zhang, "Solving large scale linear prediction problems using SGD", ICML 2004."""
    return _modified_huber(Margin.of_pm1(t, s), t, s)


def _modified_huber(terms: Margin, t: np.ndarray, s: np.ndarray) -> np.ndarray:
    return np.where(terms.m >= -1.0, terms.hinge_squared, -4.0 * terms.m)


def modified_huber_grad(t: np.ndarray, s: np.ndarray) -> np.ndarray:
    m = t * s
    return np.where(m >= -1.0, -2.0 * t * np.maximum(1.0 - m, 0.0), -4.0 * t)


def zero_one(t: np.ndarray, s: np.ndarray) -> np.ndarray:
    """1 for a misclassified sample (margin ≤ 0), else 0: the count every other margin loss bounds."""
    return _zero_one(Margin.of_pm1(t, s), t, s)


def _zero_one(terms: Margin, t: np.ndarray, s: np.ndarray) -> np.ndarray:
    return (terms.m <= 0.0).astype(np.float64)


def zero_one_grad(t: np.ndarray, s: np.ndarray) -> np.ndarray:
    return np.zeros_like(s)  # flat almost everywhere: why nobody trains on it


def _on_margin(value) -> Terms:
    """A margin loss's ``LossSpec.terms``: its value on the margin's terms, from labels ±1 and scores."""
    return Terms("margin", Margin.of_pm1, value, Margin.of_pm1_log_odds)


# ---- the registry entries --------------------------------------------------------------------------
_MARGIN = r"m_i = t_i s_i,\ t_i \in \{-1, +1\}"

SPECS = (
    LossSpec(
        name="binary_cross_entropy",
        label="BCE on p",
        title="Binary cross-entropy",
        category="binary",
        formula=r"\ell_i = -\left(t_i \log p_i + (1 - t_i)\log(1 - p_i)\right)",
        y_true="labels01",
        y_pred="probabilities",
        value=binary_cross_entropy,
        derivative=binary_cross_entropy_grad,
        same_as=("sigmoid_cross_entropy",),  # BCE of σ(x) is sigmoid CE of x
        properties=Properties(convex=True, symmetric=False, robust=False, smooth=True),
        summary="The negative log-probability the model gave to the true label.",
        good="A proper scoring rule: it rewards calibrated probabilities, and a confident mistake "
        "costs a lot.",
        bad="Unbounded: one confident wrong prediction can dominate the mean; needs probabilities "
        "clipped away "
        "from 0 and 1 (here by machine epsilon), where the gradient is then zero.",
        equivalents={
            "pytorch": "nn.BCELoss (clamps log at -100 instead of clipping p)",
            "keras": "keras.losses.BinaryCrossentropy (clips p at 1e-7)",
            "sklearn": "sklearn.metrics.log_loss (clips at machine eps)",
        },
    ),
    LossSpec(
        name="sigmoid_cross_entropy",
        label="sigmoid CE on s",
        title="Sigmoid cross-entropy (BCE with logits)",
        category="binary",
        formula=r"\ell_i = \max(x_i, 0) - x_i t_i + \log\left(1 + e^{-|x_i|}\right)",
        y_true="labels01",
        y_pred="logits",
        value=sigmoid_cross_entropy,
        derivative=sigmoid_cross_entropy_grad,
        same_as=("binary_cross_entropy",),  # on the log-odds of p it is BCE of p
        properties=Properties(convex=True, symmetric=False, robust=False, smooth=True, zero_at_perfect=False),
        summary="Binary cross-entropy of σ(x), computed from the logit x.",
        good="Exact for any logit (no clipping, no overflow), and its gradient is simply σ(x) - t: it never "
        "vanishes for a confident mistake.",
        bad="Never reaches zero, so it keeps pushing correct predictions to ever larger logits "
        "(overconfidence on separable data).",
        equivalents={
            "pytorch": "F.binary_cross_entropy_with_logits / nn.BCEWithLogitsLoss",
            "keras": "keras.losses.BinaryCrossentropy(from_logits=True)",
            "optax": "optax.sigmoid_binary_cross_entropy",
        },
    ),
    LossSpec(
        name="binary_focal",
        label="focal",
        title="Binary focal loss",
        category="binary",
        formula=r"\ell_i = -\alpha_t (1 - p_t)^{\gamma} \log p_t, \quad p_t = "
        r"\begin{cases}\sigma(x_i) & t_i = 1"
        r" \\ 1 - \sigma(x_i) & t_i = 0\end{cases}",
        y_true="labels01",
        y_pred="logits",
        value=binary_focal,
        derivative=binary_focal_grad,
        terms=Terms("margin", Margin.of_01, _focal, Margin.of_01_log_odds),  # z = (2t - 1)·x is the margin
        params=(
            Param(
                "gamma",
                2.0,
                0.0,
                10.0,
                "focusing: how much easy examples are down-weighted",
                r"\gamma",
                low_open=False,
                high_open=False,
                ui_high=5.0,
                step=0.5,
                glyph="γ",
            ),
            Param(
                "alpha",
                0.25,
                0.0,
                1.0,
                "weight of the positive class (1 - α for the negative)",
                r"\alpha",
                low_open=False,
                high_open=False,
                step=0.05,
                glyph="α",
            ),
        ),
        properties=Properties(
            convex=False, symmetric=False, robust=False, smooth=True, zero_at_perfect=False
        ),
        summary="Cross-entropy scaled by (1 - p_t)^γ, so well-classified samples count less.",
        good="Keeps many easy negatives from swamping the loss in heavily imbalanced detection problems.",
        bad="Two more knobs (γ, α); for γ > 0 it is not convex in the logit, and its probabilities are less "
        "calibrated than plain cross-entropy's.",
        equivalents={
            "pytorch": "torchvision.ops.sigmoid_focal_loss (same defaults)",
            "keras": "keras.losses.BinaryFocalCrossentropy(from_logits=True, apply_class_balancing=True)",
            "optax": "optax.sigmoid_focal_loss",
        },
        reference="T.-Y. Lin et al., Focal Loss for Dense Object Detection, ICCV 2017",
    ),
    LossSpec(
        name="hinge",
        label="hinge",
        title="Hinge loss",
        category="binary",
        formula=r"\ell_i = \max(0, 1 - m_i), \quad " + _MARGIN,
        y_true="labels_pm1",
        y_pred="scores",
        value=hinge,
        derivative=hinge_grad,
        terms=_on_margin(_hinge),
        properties=Properties(convex=True, symmetric=False, robust=True, smooth=False),
        summary="Zero once a sample is on the right side with margin at least 1; linear otherwise.",
        good="Stops caring about samples past the margin (the support-vector idea); grows only linearly with "
        "a mistake.",
        bad="Gives scores, not probabilities; kinked at m = 1.",
        equivalents={
            "pytorch": "nn.HingeEmbeddingLoss / nn.MultiMarginLoss (different input conventions)",
            "keras": "keras.losses.Hinge (maps 0/1 labels to -1/+1 too)",
            "sklearn": "sklearn.metrics.hinge_loss",
            "optax": "optax.hinge_loss",
        },
    ),
    LossSpec(
        name="squared_hinge",
        label="squared hinge",
        title="Squared hinge loss",
        category="binary",
        formula=r"\ell_i = \max(0, 1 - m_i)^2, \quad " + _MARGIN,
        y_true="labels_pm1",
        y_pred="scores",
        value=squared_hinge,
        derivative=squared_hinge_grad,
        terms=_on_margin(_squared_hinge),
        properties=Properties(convex=True, symmetric=False, robust=False, smooth=True),
        summary="The hinge loss squared.",
        good="Differentiable everywhere, still zero past the margin.",
        bad="Squares a mistake, so badly misclassified points and label noise weigh much more than "
        "with hinge.",
        equivalents={
            "keras": "keras.losses.SquaredHinge",
            "sklearn": "LinearSVC(loss='squared_hinge') (as a training loss)",
        },
    ),
    LossSpec(
        name="logistic",
        label="logistic",
        title="Logistic loss (margin form)",
        category="binary",
        formula=r"\ell_i = \log\left(1 + e^{-m_i}\right), \quad " + _MARGIN,
        y_true="labels_pm1",
        y_pred="scores",
        value=logistic,
        derivative=logistic_grad,
        terms=_on_margin(_logistic),
        properties=Properties(convex=True, symmetric=False, robust=False, smooth=True, zero_at_perfect=False),
        summary="Cross-entropy of σ(s) written with ±1 labels: the same number as sigmoid cross-entropy.",
        good="Smooth, convex, and its scores are log-odds; its gradient never becomes exactly zero.",
        bad="Never exactly zero, so on separable data the scores grow without bound unless regularised.",
        equivalents={
            "sklearn": "SGDClassifier(loss='log_loss') (as a training loss)",
            "pytorch": "nn.SoftMarginLoss",
            "optax": "optax.sigmoid_binary_cross_entropy (0/1 labels)",
        },
    ),
    LossSpec(
        name="exponential",
        label="exponential",
        title="Exponential loss",
        category="binary",
        formula=r"\ell_i = e^{-m_i}, \quad " + _MARGIN,
        y_true="labels_pm1",
        y_pred="scores",
        value=exponential,
        derivative=exponential_grad,
        terms=_on_margin(_exponential),
        properties=Properties(convex=True, symmetric=False, robust=False, smooth=True, zero_at_perfect=False),
        summary="The loss AdaBoost minimises.",
        good="Smooth and convex; leads to simple multiplicative re-weighting in boosting.",
        bad="Grows exponentially with a mistake, so mislabelled points dominate everything.",
        equivalents={"sklearn": "GradientBoostingClassifier(loss='exponential') (as a training loss)"},
        reference="Freund & Schapire (1997); Friedman, Hastie & Tibshirani (2000)",
    ),
    LossSpec(
        name="modified_huber",
        label="modified Huber",
        title="Modified Huber loss",
        category="binary",
        formula=r"\ell_i = \begin{cases} \max(0, 1 - m_i)^2 & m_i \ge -1 \\ -4 m_i & \text{otherwise}"
        r"\end{cases}, \quad " + _MARGIN,
        y_true="labels_pm1",
        y_pred="scores",
        value=modified_huber,
        derivative=modified_huber_grad,
        terms=_on_margin(_modified_huber),
        properties=Properties(convex=True, symmetric=False, robust=True, smooth=True),
        summary="Squared hinge near the margin, linear for bad mistakes.",
        good="Smooth like squared hinge yet grows only linearly for outliers; gives probability estimates "
        "in scikit-learn.",
        bad="Less common, so fewer tools and intuitions carry over.",
        equivalents={"sklearn": "SGDClassifier(loss='modified_huber')"},
        reference="T. Zhang, ICML 2004",
    ),
    LossSpec(
        name="zero_one",
        label="0-1",
        title="Zero-one loss",
        category="binary",
        formula=r"\ell_i = \mathbb{1}[m_i \le 0], \quad " + _MARGIN,
        y_true="labels_pm1",
        y_pred="scores",
        value=zero_one,
        derivative=zero_one_grad,
        terms=_on_margin(_zero_one),
        properties=Properties(convex=False, symmetric=False, robust=True, smooth=False),
        summary="1 for a mistake, 0 for a correct classification: its mean is the error rate.",
        good="Exactly what accuracy counts; the reference every other margin loss bounds from above.",
        bad="Its gradient is zero almost everywhere, so it cannot be trained by gradient descent.",
        equivalents={"sklearn": "sklearn.metrics.zero_one_loss"},
    ),
)
