"""Regression scenes: the points a page shows, generated from a few numbers, and their URL form.

A scene is small and fully described by ``Scene`` (kind, n, seed, outliers); predictions live beside it
(free handles, or the two ends of a line). Everything here is pure and deterministic, so a URL restores
exactly what was on screen, and parsing a hostile URL yields defaults plus the warnings to show.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

import losses
from scenes.text import quote
from scenes.url import check_choice, check_float, check_int  # noqa: F401  (re-exported)

N_MIN, N_MAX, N_DEFAULT = 3, 30, 8
SEED_MAX = 999
X_RANGE = (0.0, 10.0)
TREND_SLOPE, TREND_INTERCEPT, NOISE = 0.8, 1.0, 0.6
MAX_OUTLIERS = 5
MAGNITUDE_DEFAULT = 10.0  # an outlier sits this many times the data's spread off the trend
DECIMALS = (
    2  # values are kept to this many decimals (what the drag handles show), so a URL holds them exactly
)
ABS_LIMIT = 1e6  # largest |value| a URL may carry
KINDS = ("trend", "classic")


@dataclass(frozen=True)
class Scene:
    kind: str = "trend"  # "trend": y = 0.8 x + 1 + noise; "classic": targets near 1 (the textbook example)
    n: int = N_DEFAULT
    seed: int = 0
    outliers: tuple[tuple[float, float], ...] = ()

    def base(self) -> tuple[np.ndarray, np.ndarray]:
        """The scene's own points, before outliers."""
        rng = np.random.default_rng(self.seed)
        lo, hi = X_RANGE
        x = np.linspace(lo + 0.5, hi - 0.5, self.n)
        if self.kind == "classic":
            y = 1.0 + rng.uniform(-0.1, 0.1, self.n)
        else:
            y = TREND_SLOPE * x + TREND_INTERCEPT + rng.normal(0.0, NOISE, self.n)
        return np.round(x, DECIMALS), np.round(y, DECIMALS)

    def points(self) -> tuple[np.ndarray, np.ndarray]:
        """All points: the scene's, then its outliers."""
        x, y = self.base()
        if self.outliers:
            ox, oy = np.array(self.outliers, dtype=float).T
            x, y = np.concatenate([x, ox]), np.concatenate([y, oy])
        return x, y

    def labels(self) -> list[str]:
        return [f"point {i + 1}" for i in range(self.n)] + [
            f"outlier {i + 1}" for i in range(len(self.outliers))
        ]

    def trend(self, x: np.ndarray) -> np.ndarray:
        if self.kind == "classic":
            return np.ones_like(x)
        return TREND_SLOPE * x + TREND_INTERCEPT

    def default_predictions(self) -> np.ndarray:
        """Predictions on the trend: the residuals are the noise (and the outliers' offsets)."""
        x, _ = self.points()
        return np.round(self.trend(x), DECIMALS)

    def default_line(self) -> tuple[float, float]:
        """The line handles' heights at the two ends of the x range, on the trend."""
        lo, hi = self.line_ends()
        y = self.trend(np.array([lo, hi]))
        return round(float(y[0]), DECIMALS), round(float(y[1]), DECIMALS)

    @staticmethod
    def line_ends() -> tuple[float, float]:
        return X_RANGE

    def spread(self) -> float:
        _, y = self.base()
        return max(float(np.std(y)), 0.1)

    def with_outlier(self, magnitude: float = MAGNITUDE_DEFAULT) -> Scene:
        """One more outlier, ``magnitude`` spreads above the trend, at an x no other outlier uses."""
        if len(self.outliers) >= MAX_OUTLIERS:
            return self
        rng = np.random.default_rng(self.seed + 7919 * (len(self.outliers) + 1))
        lo, hi = X_RANGE
        x = float(rng.uniform(lo + 1.0, hi - 1.0))
        y = float(self.trend(np.array([x]))[0]) + magnitude * self.spread()
        return replace(self, outliers=(*self.outliers, (round(x, DECIMALS), round(y, DECIMALS))))

    def without_outliers(self) -> Scene:
        return replace(self, outliers=())


def line_predictions(x: np.ndarray, ends: tuple[float, float]) -> tuple[np.ndarray, float, float]:
    """Predictions of the line through (x_lo, ends[0]) and (x_hi, ends[1]), with its slope and intercept."""
    lo, hi = Scene.line_ends()
    slope = (ends[1] - ends[0]) / (hi - lo)
    intercept = ends[0] - slope * lo
    return slope * x + intercept, slope, intercept


def quantize(values, decimals: int = DECIMALS) -> list[float]:
    return [round(float(v), decimals) for v in values]


def snap_moved(values, base, decimals: int) -> list[float]:
    """Values the user moved, rounded to what the handles display; untouched ones exactly as they were."""
    return [
        float(b) if float(v) == float(b) else round(float(v), decimals)
        for v, b in zip(values, base, strict=True)
    ]


def y_range(*arrays: np.ndarray) -> tuple[float, float]:
    """A y axis that holds every value with a margin, and at least the trend's usual span."""
    allv = np.concatenate([np.ravel(a) for a in arrays])
    lo, hi = float(min(allv.min(), -1.0)), float(max(allv.max(), 10.0))
    pad = 0.08 * (hi - lo)
    return math.floor(lo - pad), math.ceil(hi + pad)


def nice_ceiling(v: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^k that is ≥ v (axis limits that read well)."""
    k = 10.0 ** math.floor(math.log10(v))
    return next(m * k for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * k >= v)


# ---- shares of the total ---------------------------------------------------------------------------
def shares(per_sample: np.ndarray) -> np.ndarray:
    """Each sample's fraction of the total loss (all zeros when the total is zero)."""
    total = float(np.sum(per_sample))
    if total <= 0 or not math.isfinite(total):
        return np.zeros_like(per_sample)
    return per_sample / total


def share_sentence(labels: list[str], share_by_loss: dict[str, np.ndarray], titles: dict[str, str]) -> str:
    """'Outlier 1 makes up 97% of the MSE but 40% of the MAE.' for the sample that dominates most."""
    if not share_by_loss:
        return ""
    names = list(share_by_loss)
    outlier_idx = [i for i, lab in enumerate(labels) if lab.startswith("outlier")]
    candidates = outlier_idx or range(len(labels))
    first = share_by_loss[names[0]]
    i = max(candidates, key=lambda j: first[j])
    if all(float(np.sum(s)) == 0 for s in share_by_loss.values()):
        return "Every prediction is exact: every loss is zero, so no point has a share of it."
    parts = [f"{100 * share_by_loss[n][i]:.0f}% of the {titles[n]}" for n in names]
    if len(parts) == 1:
        body = parts[0]
    elif len(parts) == 2:
        body = f"{parts[0]} but {parts[1]}"
    else:
        body = f"{parts[0]} but {', '.join(parts[1:-1])} and {parts[-1]}"
    who = labels[i].capitalize()
    fair = 100 / len(labels)
    return f"{who} makes up {body} (an even share would be {fair:.0f}%)."


# ---- URL form --------------------------------------------------------------------------------------
def _number(text: str) -> float:
    v = float(text)
    if not math.isfinite(v) or abs(v) > ABS_LIMIT:
        raise ValueError(text)
    return round(v, DECIMALS)


def format_values(values) -> str:
    return ",".join(f"{v:.{DECIMALS}f}".rstrip("0").rstrip(".") for v in values)


def parse_values(text: str | None, count: int, what: str) -> tuple[list[float] | None, list[str]]:
    """``count`` comma-separated numbers, or None with a warning saying why they were ignored."""
    if text is None or text == "":
        return None, []
    try:
        values = [_number(v) for v in text.split(",")]
    except ValueError:
        return None, [
            f"The link's {what} ({quote(text)}) are not finite numbers within ±{ABS_LIMIT:g}; "
            "showing the defaults instead."
        ]
    if len(values) != count:
        return None, [f"The link has {len(values)} {what} for {count} points; showing the defaults instead."]
    return values, []


def format_outliers(outliers) -> str:
    return ";".join(f"{format_values([x])}:{format_values([y])}" for x, y in outliers)


def parse_outliers(text: str | None) -> tuple[tuple[tuple[float, float], ...], list[str]]:
    if not text:
        return (), []
    try:
        pairs = []
        for item in text.split(";"):
            x, y = item.split(":")
            pairs.append((_number(x), _number(y)))
    except ValueError:
        return (), [f"The link's outliers ({quote(text)}) could not be read; the scene has none."]
    if len(pairs) > MAX_OUTLIERS:
        return (), [
            f"The link has {len(pairs)} outliers; at most {MAX_OUTLIERS} are allowed, so none are shown."
        ]
    lo, hi = X_RANGE
    if any(not lo <= x <= hi for x, _ in pairs):
        return (), [f"The link's outliers must have x in [{lo:g}, {hi:g}]; the scene has none."]
    return tuple(pairs), []


# ---- the numbers a page shows, from the core ---------------------------------------------------------
@dataclass(frozen=True)
class Evaluation:
    """Each loss's cost (None where it is undefined), per-point values and per-point derivatives."""

    costs: dict[str, float | None]
    per_sample: dict[str, np.ndarray]
    derivative: dict[str, np.ndarray]


def evaluate(names, y: np.ndarray, preds: np.ndarray, params: dict[str, dict[str, float]]) -> Evaluation:
    """The core's numbers for every loss in ``names``. A loss undefined on the scene (MSLE at a value ≤ −1)
    gets cost None and no per-point values, instead of an error."""
    costs: dict[str, float | None] = {}
    per: dict[str, np.ndarray] = {}
    slope: dict[str, np.ndarray] = {}
    for name in names:
        spec, kw = losses.get(name), params.get(name, {})
        try:
            costs[name] = spec.cost(y, preds, **kw)
            per[name] = spec.per_sample(y, preds, **kw)
            slope[name] = spec.per_sample_derivative(y, preds, **kw)
        except losses.RangeError:
            costs[name] = None
    return Evaluation(costs, per, slope)


def on_residual_axis(name: str) -> bool:
    """Whether a loss is a function of the residual r = ŷ − y alone, per point (so it has a curve in r)."""
    spec = losses.get(name)
    return spec.finish is None and spec.y_true == spec.y_pred == "values"


def why_not_on_residual_axis(name: str) -> str:
    spec = losses.get(name)
    if spec.finish is not None:
        return f"{spec.short} is computed from the mean of the points, not a per-point loss"
    return f"{spec.short} depends on the target itself, not only on ŷ − y"


def residual_curve(name: str, params: tuple, r_max: float, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """A loss (``kind`` "value") or its derivative dℓ/dŷ (``kind`` "slope") over r in [−r_max, r_max]."""
    spec = losses.get(name)
    grid = np.linspace(-r_max, r_max, 401)
    zeros = np.zeros_like(grid)
    fn = spec.per_sample if kind == "value" else spec.per_sample_derivative
    return grid, fn(zeros, grid, **dict(params))


def drag_y_range(y: np.ndarray, *predictions) -> tuple[float, float, float]:
    """The drag chart's y axis (low, high) holding targets and predictions, and a handle step of ~1/100."""
    lo, hi = y_range(y, *predictions)
    return lo, hi, 10 ** math.floor(math.log10((hi - lo) / 100))
