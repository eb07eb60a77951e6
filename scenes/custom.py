"""The "Your own loss" page's data shaping: a custom loss built from the page's text, its curves on the
explorers' axes (residual, margin, the true class's probability) and its numbers on their default scenes,
beside the built-ins. Every number comes from the core (``losses.custom`` and the registry); numpy only.

The spec-taking twins of ``scenes.regression.residual_curve`` and ``scenes.binary.margin_curve`` live here:
a custom loss is not in the registry, and its curve has gaps (NaN) where the formula is undefined instead of
an error, so a plot can still show the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import losses
from losses.custom import CustomLoss, FormulaError, custom, parse_params
from scenes import binary as bsc
from scenes import multiclass as msc
from scenes import regression as rsc

KIND_LABELS = {"regression": "regression", "binary": "binary", "multiclass": "multi-class"}
LABEL_NAMES = {"01": "0/1", "pm1": "−1/+1"}
STYLE = "own"  # the colour key of the custom loss in the charts (a colour no default built-in uses)
DEFAULT_FORMULA = {
    "regression": "log(1 + r**2)",
    "binary": "-(y*log(p) + (1-y)*log(1-p))*(1 + 2*y)",
    "multiclass": "(1 - p)**2 * -log(p)",
}
#: Built-ins shown beside it by default, per kind.
COMPARE = {"regression": ["mse", "huber"], "binary": ["binary_cross_entropy", "hinge"],
           "multiclass": ["sparse_categorical_cross_entropy"]}  # fmt: skip
#: (title, formula, labels, parameter declarations) a visitor can start from.
EXAMPLES = {
    "regression": [("Cauchy", "log(1 + r**2)", "01", ""), ("L1.5", "abs(r)**1.5", "01", ""),
                   ("Huber via where", "where(abs(r) <= delta, r**2/2, delta*(abs(r) - delta/2))", "01", ""),
                   ("Asymmetric", "where(r > 0, 2*r**2, r**2)", "01", ""),
                   ("Scaled Cauchy", "c**2*log(1 + (r/c)**2)", "01", "c = 1 in [0.1, 5]")],
    "binary": [("Weighted BCE", DEFAULT_FORMULA["binary"], "01", ""), ("Hinge", "max(0, 1 - y*s)", "pm1", ""),
               ("Logistic", "softplus(-y*s)", "pm1", ""), ("Squared error on p", "(y - p)**2", "01", "")],
    "multiclass": [("Focal", DEFAULT_FORMULA["multiclass"], "01", ""), ("Cross-entropy", "-log(p)", "01", ""),
                   ("Brier (true class)", "(1 - p)**2", "01", "")],
}  # fmt: skip
MC_K = 3  # classes in the multi-class scene
MC_ROWS = 6


def options(kind: str) -> list[str]:
    """The built-ins that can be drawn beside a custom loss of this kind on its axis."""
    if kind == "regression":
        return [n for n in losses.names(page="regression") if rsc.on_residual_axis(n)]
    if kind == "binary":
        return losses.names(page="binary")
    return ["sparse_categorical_cross_entropy"]


def build(formula: str, kind: str, labels: str,
          declarations: str) -> tuple[CustomLoss | None, FormulaError | None]:  # fmt: skip
    """The custom loss, or the refusal (of the formula or of the parameter declarations)."""
    try:
        params = parse_params(declarations)
        return custom(formula, name="yours", kind=kind, labels=labels, params=params), None
    except FormulaError as error:
        return None, error


def caret(formula: str, column: int | None) -> str:
    """The formula with a caret under the refused column (plain text, for a code block)."""
    return formula if column is None else f"{formula}\n{' ' * (column - 1)}^"


# ---- curves on the explorers' axes --------------------------------------------------------------------
def residual_curve(spec: CustomLoss, params: tuple, r_max: float,
                   kind: str) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Like ``scenes.regression.residual_curve`` for a custom loss: ℓ or dℓ/dŷ over r (y = 0), NaN gaps."""
    grid = np.linspace(-r_max, r_max, 401)
    value, slope = spec.on_grid(np.zeros_like(grid), grid, **dict(params))
    return grid, value if kind == "value" else slope


def margin_curve(spec: CustomLoss, params: tuple, label01: int, limit: float):
    """Like ``scenes.binary.margin_curve`` for a custom loss: m, ℓ and dℓ/dm (s = t·m, p = σ(s))."""
    m = np.linspace(-limit, limit, 521)
    value, slope = on_scores(spec, np.full_like(m, float(label01)), (1.0 if label01 else -1.0) * m, params)
    return m, value, (1.0 if label01 else -1.0) * slope


def on_scores(spec: CustomLoss, labels01: np.ndarray, scores: np.ndarray, params: tuple):
    """Per-sample ℓ and dℓ/ds on scores (p = σ(s) and the chain rule for a loss on p), NaN where undefined."""
    s = np.asarray(scores, dtype=float)
    t = np.asarray(labels01, dtype=float)
    t = t if spec.y_true == "labels01" else 2.0 * t - 1.0
    if spec.y_pred == "probabilities":
        p = losses.sigmoid(s)
        value, slope = spec.on_grid(t, p, **dict(params))
        return value, slope * p * (1.0 - p)
    return spec.on_grid(t, s, **dict(params))


def splits_by_label(spec: CustomLoss, params: tuple, limit: float) -> bool:
    """Whether the loss at a margin depends on the label too: then it is drawn once per label."""
    v1, v0 = margin_curve(spec, params, 1, limit)[1], margin_curve(spec, params, 0, limit)[1]
    return not np.allclose(v1, v0, rtol=1e-12, atol=1e-12, equal_nan=True)


def probability_curve(spec: CustomLoss, params: tuple, k: int = MC_K):
    """ℓ and dℓ/dp against p, the true class's probability (the other classes share the rest)."""
    p = np.linspace(0.005, 1.0, 400)
    q = np.column_stack([p, *([(1.0 - p) / (k - 1)] * (k - 1))])
    value, slope = spec.on_grid(np.zeros_like(p), q, **dict(params))
    return p, value, slope  # per row: d ℓ / d p of the true class


def builtin_probability_curve(name: str, k: int = MC_K):
    p = np.linspace(0.005, 1.0, 400)
    q = np.column_stack([p, *([(1.0 - p) / (k - 1)] * (k - 1))])
    spec = losses.get(name)
    return p, spec.per_sample(np.zeros_like(p), q), spec.per_sample_derivative(np.zeros_like(p), q)[:, 0]


# ---- the explorers' default scenes ---------------------------------------------------------------------
@dataclass(frozen=True)
class OnScene:
    """Costs on a default scene (None: undefined there, with ``why``), and each point for the charts."""

    costs: dict[str, float | None]
    why: str  # the core's message when the custom loss is undefined on the scene
    x: np.ndarray  # each point on the chart's axis: residual, margin, or the true class's probability
    values: dict[str, np.ndarray]
    slopes: dict[str, np.ndarray]
    names: list[str]


def _mine(spec: CustomLoss, kw: dict, t, x) -> tuple[float | None, str, np.ndarray, np.ndarray]:
    value, slope = spec.on_grid(np.asarray(t, dtype=float), x, **kw)
    try:
        return spec.cost(t, x, **kw), "", value, slope
    except losses.LossInputError as error:
        return None, str(error), value, slope


def on_regression_scene(spec: CustomLoss, kw: dict, compare: list[str], params: dict) -> OnScene:
    """The regression page's default scene: targets and predictions on the trend."""
    scene = rsc.Scene()
    _, y = scene.points()
    preds = scene.default_predictions()
    ev = rsc.evaluate(compare, y, preds, params)
    mine, why, value, slope = _mine(spec, kw, y, preds)
    return OnScene({STYLE: mine, **ev.costs}, why, preds - y, {STYLE: value, **ev.per_sample},
                   {STYLE: slope, **ev.derivative}, scene.labels())  # fmt: skip


def on_binary_scene(spec: CustomLoss, kw: dict, compare: list[str], params: dict) -> OnScene:
    """The binary page's default scene: labels 0/1 (read as −1/+1 by a loss on −1/+1) and scores."""
    scene = bsc.Scene()
    y, s = scene.labels01(), scene.default_scores()
    x = losses.sigmoid(s) if spec.y_pred == "probabilities" else s
    mine, why, _, _ = _mine(spec, kw, y, x)
    value, slope = on_scores(spec, y, s, tuple(kw.items()))
    costs = {STYLE: mine, **{n: bsc.cost(n, y, s, **params.get(n, {})) for n in compare}}
    per = {n: bsc.on_scores(n, y, s, **params.get(n, {})) for n in compare}
    pm = bsc.as_pm1(y)
    values = {STYLE: value, **{n: v for n, (v, _) in per.items()}}
    slopes = {STYLE: pm * slope, **{n: pm * d for n, (_, d) in per.items()}}  # dℓ/dm = t·dℓ/ds
    return OnScene(costs, why, bsc.margins(y, s), values, slopes, scene.names())


def on_multiclass_scene(spec: CustomLoss, kw: dict, compare: list[str], params: dict) -> OnScene:
    """A batch like the multi-class page's: softmax probabilities of its logits, integer labels."""
    z, labels = msc.default_batch(MC_K, rows=MC_ROWS)
    q = losses.softmax(z)
    t = labels.astype(float)
    mine, why, value, slope = _mine(spec, kw, t, q)
    rows = np.arange(len(t))
    costs = {STYLE: mine, **{n: losses.get(n).cost(t, q) for n in compare}}
    values = {STYLE: value, **{n: losses.get(n).per_sample(t, q) for n in compare}}
    slopes = {STYLE: slope,
              **{n: losses.get(n).per_sample_derivative(t, q)[rows, labels] for n in compare}}  # fmt: skip
    names = [f"sample {i + 1} ({msc.names(MC_K)[c]})" for i, c in enumerate(labels)]
    return OnScene(costs, why, q[rows, labels], values, slopes, names)


ON_SCENE = {"regression": on_regression_scene, "binary": on_binary_scene, "multiclass": on_multiclass_scene}
SCENE_NAMES = {"regression": "the regression page's default scene",
               "binary": "the binary page's default scene",
               "multiclass": f"a batch of {MC_ROWS} samples, {MC_K} classes"}  # fmt: skip
