"""Binary classification scenes: labelled samples with a classifier score each, and their URL form.

A scene is ``Scene(n, seed)``: ``n`` samples, about half of them positive ("rain", label 1), each with a
score s (a logit). Scores are the only thing a user drags; they live beside the scene, in the URL as ``s``.
Everything here is pure and deterministic, so a link restores exactly what was on screen, and a hostile
URL yields the defaults plus the warnings to show.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

import losses
from losses import sigmoid
from losses.custom import CustomLoss
from scenes.own import Own, resolve
from scenes.text import plain, quote
from scenes.url import check_choice, check_float, check_int  # noqa: F401  (one set of URL checks)

N_MIN, N_MAX, N_DEFAULT = 4, 16, 8
SEED_MAX = 999
S_RANGE = (-6.0, 6.0)  # scores a user can drag to (and a URL may carry)
P_CLIP = 0.0025  # σ(±6) ≈ 0.0025 / 0.9975: probabilities are kept inside the score range
#: The probability axis: a handle stops where the scores do, so it never shows a p the losses do not use.
P_RANGE = (P_CLIP, 1.0 - P_CLIP)
DECIMALS = 2  # scores are kept to this many decimals, so a URL holds them exactly
CLASS_NAMES = ("no rain", "rain")  # label 0, label 1
CONVENTIONS = ("0/1", "-1/+1")  # the labels' convention (URL values and labels of the control)
#: Colours of the two labels (colour-blind safe pair: blue / orange), by label 0/1.
LABEL_COLORS = ("#1f77b4", "#e6550d")


@dataclass(frozen=True)
class Scene:
    n: int = N_DEFAULT
    seed: int = 0

    def _rng(self) -> np.random.Generator:
        # offset so that seed 0 gives a teaching scene: mostly right, one confident mistake, one near miss
        return np.random.default_rng(self.seed + 3)

    def labels01(self) -> np.ndarray:
        """Labels in the 0/1 convention (1 = "rain"): half the samples positive, in a seeded order."""
        rng = self._rng()
        y = np.zeros(self.n)
        y[rng.permutation(self.n)[: self.n // 2]] = 1.0
        return y

    def default_scores(self) -> np.ndarray:
        """Scores whose margins t·s scatter around 1: most samples right, some wrong."""
        rng = self._rng()
        rng.permutation(self.n)  # the labels' draw: keep the two streams independent of n's parity
        t = 2.0 * self.labels01() - 1.0
        m = np.clip(rng.normal(1.0, 1.8, self.n), -4.5, 4.5)
        return np.array(quantize(t * m))

    def names(self) -> list[str]:
        """One accessible name per sample, with its class: "sample 3 (rain)"."""
        return [f"sample {i + 1} ({CLASS_NAMES[int(v)]})" for i, v in enumerate(self.labels01())]


def quantize(values) -> list[float]:
    """Rounded to ``DECIMALS``, inside the score range, with no negative zero."""
    lo, hi = S_RANGE
    return [round(min(max(float(v), lo), hi), DECIMALS) + 0.0 for v in values]


def scores_of(dragged: Sequence[float], shown: Sequence[float], base: Sequence[float],
              as_prob: bool) -> list[float]:  # fmt: skip
    """The scores the drag chart's handles stand for: quantized scores; on the probability axis a handle not
    moved keeps its exact score and a moved one becomes the score of its probability."""
    if not as_prob:
        return quantize(dragged)
    return [b if v == h else quantize([logit(v)])[0] for v, h, b in zip(dragged, shown, base, strict=True)]


def in_convention(labels01: np.ndarray, convention: str) -> np.ndarray:
    """The labels as the scene gives them to the losses: 0/1, or -1/+1 (0 → -1)."""
    y = np.asarray(labels01, dtype=float)
    return 2.0 * y - 1.0 if convention == CONVENTIONS[1] else y


def as_01(labels: np.ndarray) -> np.ndarray:
    """0/1 labels from either convention (-1 → 0): what cross-entropy needs."""
    y = np.asarray(labels, dtype=float)
    return np.where(y > 0, 1.0, 0.0)


def as_pm1(labels: np.ndarray) -> np.ndarray:
    """-1/+1 labels from either convention (0 → -1): the t of the margin m = t·s."""
    y = np.asarray(labels, dtype=float)
    return np.where(y > 0, 1.0, -1.0)


def margins(labels: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """m = t·s with t = ±1: positive when the sample is on its right side."""
    return as_pm1(labels) * np.asarray(scores, dtype=float)


def logit(p) -> np.ndarray:
    """The score of a probability dragged on the probability axis, kept inside the score range."""
    return losses.logit(p, clip=P_CLIP)


# ---- URL form --------------------------------------------------------------------------------------
def format_values(values) -> str:
    return ",".join(f"{v:.{DECIMALS}f}".rstrip("0").rstrip(".") or "0" for v in values)


def parse_scores(text: str | None, count: int) -> tuple[list[float] | None, list[str]]:
    """``count`` comma-separated scores in S_RANGE, or None with a warning saying why they were ignored."""
    if text is None or text == "":
        return None, []
    lo, hi = S_RANGE
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        values = None
    if values is None or not all(math.isfinite(v) for v in values):
        return None, [f"The link's scores ({quote(text)}) are not all numbers; showing the defaults instead."]
    if len(values) != count:
        return None, [f"The link has {len(values)} scores for {count} samples; showing the defaults instead."]
    if not all(lo <= v <= hi for v in values):
        return None, [
            f"The link's scores must lie in [{lo:g}, {hi:g}]; showing the defaults instead "
            "(drag a score to the edge of the chart for a confident prediction)."
        ]
    return quantize(values), []


# ---- each loss on the scene: its inputs, its value and slope in the score, its curves in the margin ------
def labels_for(spec: losses.LossSpec | str, labels: np.ndarray) -> np.ndarray:
    """The labels a loss takes: the scene's (0/1 or -1/+1), or mapped -1 → 0 for a loss on 0/1 labels."""
    spec = losses.get(spec) if isinstance(spec, str) else spec
    return as_01(labels) if spec.y_true == "labels01" else np.asarray(labels, dtype=float)


def on_scores(
    name: str, labels: np.ndarray, scores: np.ndarray, own: Own | None = None, /, **params: float
) -> tuple[np.ndarray, np.ndarray]:
    """Per-sample loss and its slope dℓ/ds in the score s: a loss on probabilities gets p = σ(s), and its
    slope by the chain rule, dℓ/dp · σ(s)(1 − σ(s)). ``own``: the page's loss of the user's own (its
    values are NaN where its formula is undefined: a curve's gap, a preview's missing mark)."""
    spec = resolve(name, own)
    t, s = labels_for(spec, labels), np.asarray(scores, dtype=float)
    grid = isinstance(spec, CustomLoss)  # its grid form reads y as given: a −1/+1 formula gets −1 for 0
    t = as_pm1(t) if grid and spec.y_true == "labels_pm1" else t
    value = (lambda t, q, **kw: spec.on_grid(t, q, **kw)[0]) if grid else spec.per_sample
    slope = (lambda t, q, **kw: spec.on_grid(t, q, **kw)[1]) if grid else spec.per_sample_derivative
    if spec.y_pred == "probabilities":
        p = sigmoid(s)
        return value(t, p, **params), slope(t, p, **params) * p * (1.0 - p)
    return value(t, s, **params), slope(t, s, **params)


def cost(name: str, labels: np.ndarray, scores: np.ndarray, own: Own | None = None, /,
         **params: float) -> float:  # fmt: skip
    """The loss's cost on the scene (probabilities σ(s) for a loss on probabilities)."""
    spec = resolve(name, own)
    s = np.asarray(scores, dtype=float)
    return spec.cost(labels_for(spec, labels), sigmoid(s) if spec.y_pred == "probabilities" else s, **params)


def totals(names, labels: np.ndarray, scores: np.ndarray, params: dict[str, dict[str, float]],
           own: Own | None = None) -> tuple[dict[str, float | str], dict[str, str]]:  # fmt: skip
    """Each loss's cost on the scene (the core's), and its metric's help: its summary, or why it is not
    defined here (a formula's log of a value ≤ 0) with the value "undefined"."""
    values: dict[str, float | str] = {}
    helps: dict[str, str] = {}
    for name in names:
        try:
            values[name] = cost(name, labels, scores, own, **params.get(name, {}))
            helps[name] = resolve(name, own).summary
        except losses.RangeError as error:
            values[name], helps[name] = "undefined", f"Not defined here: {plain(error)}"
    return values, helps


def margin_curve(
    name: str, params: tuple, label01: int, limit: float, own: Own | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Loss and dℓ/dm against the margin m in [−limit, limit] for a sample of label ``label01``.

    m = t·s with t = ±1, so s = t·m and dℓ/dm = t·dℓ/ds.
    """
    m = np.linspace(-limit, limit, 261)  # a node every 0.05: m = 0 and m = 1 (the kinks) among them
    t = 1.0 if label01 == 1 else -1.0
    value, slope = on_scores(name, np.full_like(m, t), t * m, own, **dict(params))
    return m, value, t * slope


def splits_by_label(name: str, params: tuple, limit: float, own: Own | None = None) -> bool:
    """Whether the loss at a margin depends on the label too (focal's α ≠ ½): then it needs a curve each."""
    _, v1, _ = margin_curve(name, params, 1, limit, own)
    _, v0, _ = margin_curve(name, params, 0, limit, own)
    return not np.allclose(v1, v0, rtol=1e-12, atol=1e-12, equal_nan=True)


def conventions_table(labels01: np.ndarray, labels: np.ndarray, convention: str, scores: np.ndarray) -> dict:
    """Each sample's labels in every convention, score, probability, margin, hinge and BCE: the table that
    shows a convention is a spelling, not a model."""
    s = np.asarray(scores, dtype=float)
    p = sigmoid(s)
    signed = convention != CONVENTIONS[0]
    return {
        "sample": [f"{i + 1}" for i in range(len(s))],
        "class": [CLASS_NAMES[int(v)] for v in labels01],
        f"label ({convention})": [f"{v:+.0f}" if signed else f"{v:.0f}" for v in labels],
        "t for hinge": [f"{v:+.0f}" for v in as_pm1(labels)],
        "y for CE": [f"{v:.0f}" for v in as_01(labels)],
        "score s": s,
        "p = σ(s)": p,
        "margin m": margins(labels, s),
        "hinge": losses.get("hinge").per_sample(labels, s),
        "BCE": losses.get("binary_cross_entropy").per_sample(as_01(labels), p),
    }


def sigmoid_gradients(s) -> tuple[np.ndarray, np.ndarray]:
    """dℓ/ds for a positive sample: cross-entropy on the logit, and squared error after the sigmoid.

    The second by the chain rule: the core's MSE derivative with respect to p, times dp/ds = σ(s)(1 − σ(s)).
    """
    x = np.asarray(s, dtype=float)
    ones = np.ones_like(x)
    ce = losses.get("sigmoid_cross_entropy").per_sample_derivative(ones, x)
    p = sigmoid(x)
    return ce, losses.get("mse").per_sample_derivative(ones, p) * (p * (1.0 - p))


def cross_entropy_curves(label01: int, limit: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """BCE against p in (0, 1) and sigmoid cross-entropy against the logit s in [−limit, limit], one label."""
    p = np.linspace(0.001, 0.999, 250)
    s = np.linspace(-limit, limit, 261)
    bce = losses.get("binary_cross_entropy").per_sample(np.full_like(p, label01), p)
    sce = losses.get("sigmoid_cross_entropy").per_sample(np.full_like(s, label01), s)
    return p, bce, s, sce


def convention_notes(convention: str, labels: np.ndarray, scores: np.ndarray, fmt) -> list[str]:
    """What the label convention means for the losses, as Markdown paragraphs (numbers from the core)."""
    s = np.asarray(scores, dtype=float)
    if convention == CONVENTIONS[0]:
        as_given, as_pm = (losses.get("hinge").cost(t, s) for t in (labels, as_pm1(labels)))
        return [
            f"The scene gives labels as **0/1**. Hinge reads **0 as −1** before it forms the margin (as "
            f"Keras does): hinge with the 0/1 labels is **{fmt(as_given)}**, with −1/+1 labels "
            f"**{fmt(as_pm)}**, the same number."
        ]
    try:
        losses.get("binary_cross_entropy").cost(labels, sigmoid(s))
        message = ""
    except losses.LabelError as err:
        message = str(err)
    return [
        "The scene gives labels as **−1/+1**: what hinge-type losses use directly. Cross-entropy needs 0/1; "
        "handed −1/+1 labels, the core refuses:",
        f"> `LabelError`: {message}",
        "So this page maps **−1 → 0** for BCE, sigmoid CE and focal (the column *y for CE*).",
    ]


def vanishing_note(x0: float, ce_at: float, sq_at: float) -> str:
    """The sentence under the vanishing-gradient chart, for a rain sample at logit ``x0``."""
    p0 = float(sigmoid(np.array([x0]))[0])
    ratio = ce_at / sq_at if sq_at != 0 else math.inf
    if x0 < 0 and math.isfinite(ratio):
        return (
            f"At s = {x0:g} the model gives rain only p = {p0:.4f}. Cross-entropy's gradient is σ(s) − 1 = "
            f"{ce_at:.4f}: nearly the largest push there is. Squared error's is {sq_at:.4f}, "
            f"**{ratio:,.0f}× smaller**: the sigmoid's slope σ(1 − σ) has flattened, so the worse the "
            "mistake, the less it learns."
        )
    return (
        f"At s = {x0:g} the prediction is right (p = {p0:.4f}); both gradients are small. Slide s to a "
        "negative value to see a confident mistake."
    )


#: Under the margin charts' heading.
MARGIN_NOTE = (
    "t = +1 for rain and −1 for no rain, so m > 0 means the right side of the boundary and m ≥ 1 means "
    "right with room to spare. Crosses mark misclassified samples (m ≤ 0, shaded); the dotted line is m = 1."
)
#: Under the cross-entropy charts.
CE_NOTE = (
    "The same samples on both: BCE at p = σ(s) equals sigmoid cross-entropy at s. A confident mistake (p "
    "near 0 for rain) costs −log p, which grows without bound; on the logit axis it becomes a straight line."
)


def margin_note(m: np.ndarray) -> str:
    """What the margins say: how many samples hinge no longer moves, and how many are misclassified."""
    return (
        f"**{int(np.sum(m >= 1.0))} of {len(m)}** samples are past the margin (m ≥ 1): hinge and squared "
        "hinge give them zero loss and zero gradient, so they stop moving the classifier. The logistic loss "
        "(cross-entropy) still pushes them a little: its slope −σ(−m) shrinks but never reaches zero. "
        f"**{int(np.sum(m <= 0))}** misclassified: the 0-1 loss counts them but its slope is zero, so it "
        "cannot be trained by gradient descent."
    )
