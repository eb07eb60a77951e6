"""Regression scenes: the points a page shows, generated from a few numbers, and their URL form.

A scene is small and fully described by ``Scene`` (kind, n, seed, the targets the user moved, outliers);
predictions live beside it (free handles, or the two ends of a line); ``Edit`` is both together, what Undo
restores and what the link holds. Everything here is pure and deterministic, so a URL restores exactly what
was on screen, and parsing a hostile URL yields defaults plus the warnings to show.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

import losses
from losses.custom import CustomLoss
from scenes.own import Own, residual_only, resolve
from scenes.text import plain, quote
from scenes.url import check_choice, check_float, check_int  # noqa: F401  (re-exported)

N_MIN, N_MAX, N_DEFAULT = 3, 30, 8
SEED_MAX = 999
X_RANGE = (0.0, 10.0)
TREND_SLOPE, TREND_INTERCEPT, NOISE = 0.8, 1.0, 0.6
MAX_OUTLIERS = 5
#: An outlier sits this many times the data's spread above the trend (~15 for the default scene: 25 σ of
#: the noise, clearly an outlier, yet the chart still shows the other points' residuals).
MAGNITUDE_DEFAULT = 6.0
#: Where outliers go, in turn: the first near the right end, where it tilts a fitted line the most.
OUTLIER_XS = (9.0, 1.0, 7.0, 3.0, 5.0)
#: The page's δ for Huber and pseudo-Huber (the core's default is PyTorch's 1.0). The textbook contrast:
#: with the default outlier, Huber's best line lies between L2's (pulled up by it) and L1's (not): δ = 1
#: caps the outlier's pull at a fifteenth of its residual, so Huber's line sat on L1's.
DELTA_DEFAULT = 5.0
HISTORY_LIMIT = 100  # Undo steps kept
DECIMALS = (
    2  # values are kept to this many decimals (what the drag handles show), so a URL holds them exactly
)
ABS_LIMIT = 1e6  # largest |value| a URL may carry
Y_LIMIT = (-ABS_LIMIT, ABS_LIMIT)  # how far a handle may go: the drag chart's axis grows up to here
KINDS = ("trend", "classic")
#: How to drag, under the drag chart, by what it moves.
HOW = {
    "free": "Hollow circles are the targets y; filled handles are the predictions ŷ. Drag a handle, or focus "
    "it (Tab) and use ↑/↓ (Shift: ×10).",
    "line": "Drag the line's ends, or focus one and use ↑/↓.",
    "targets": "Rings are the targets y: drag one (an outlier too), or focus it (Tab) and use ↑/↓. Dots are "
    "the predictions ŷ.",
}
#: The general robust loss's named special cases (under its formula).
ROBUST_CASES = (
    "Special cases: α = 2 → ½(r/c)² (L2); α = 1 → √((r/c)² + 1) − 1 (Charbonnier); α = 0 → log(½(r/c)² + 1) "
    "(Cauchy); α = −2 → 2(r/c)²/((r/c)² + 4) (Geman-McClure); α → −∞ → 1 − exp(−½(r/c)²) (Welsch)."
)


#: The general robust loss's α that name a loss of their own.
NAMED_ALPHA = {2.0: "L2", 1.0: "Charbonnier (pseudo-Huber)", 0.0: "Cauchy", -2.0: "Geman-McClure"}


def robust_case(alpha: float) -> str:
    """"α = 0: Cauchy." — the general robust loss's α, and the loss it is when it names one."""
    case = "Welsch" if alpha == -math.inf else NAMED_ALPHA.get(alpha, "")
    return f"α = {'−∞' if alpha == -math.inf else f'{alpha:g}'}{': ' + case if case else ''}."


@dataclass(frozen=True)
class Scene:
    kind: str = "trend"  # "trend": y = 0.8 x + 1 + noise; "classic": targets near 1 (the textbook example)
    n: int = N_DEFAULT
    seed: int = 0
    outliers: tuple[tuple[float, float], ...] = ()
    #: The scene's own targets as the user moved them (n values); None: as generated.
    targets: tuple[float, ...] | None = None

    def base(self) -> tuple[np.ndarray, np.ndarray]:
        """The scene's own points, before outliers."""
        rng = np.random.default_rng(self.seed)
        lo, hi = X_RANGE
        x = np.linspace(lo + 0.5, hi - 0.5, self.n)
        if self.targets is not None and len(self.targets) == self.n:
            return np.round(x, DECIMALS), np.array(self.targets, dtype=float)
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

    def target_labels(self) -> list[str]:
        """The targets' names as drag handles: "target 3", "outlier 1"."""
        return [f"target {i + 1}" for i in range(self.n)] + [
            f"outlier {i + 1}" for i in range(len(self.outliers))
        ]

    def with_targets(self, ys: Sequence[float]) -> Scene:
        """The scene with every point's target at ``ys`` (its own points', then its outliers')."""
        ys = [float(v) for v in ys]
        if len(ys) != self.n + len(self.outliers):
            raise ValueError(f"{len(ys)} targets for {self.n + len(self.outliers)} points")
        own = ys[: self.n]
        generated = [float(v) for v in replace(self, targets=None).base()[1]]
        outliers = tuple((x, y) for (x, _), y in zip(self.outliers, ys[self.n :], strict=True))
        return replace(self, targets=None if own == generated else tuple(own), outliers=outliers)

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
        """One more outlier, ``magnitude`` spreads above the trend, at the first of ``OUTLIER_XS`` that no
        other outlier uses."""
        if len(self.outliers) >= MAX_OUTLIERS:
            return self
        used = {x for x, _ in self.outliers}
        x = next(v for v in OUTLIER_XS if v not in used)
        y = float(self.trend(np.array([x]))[0]) + magnitude * self.spread()
        return replace(self, outliers=(*self.outliers, (x, round(y, DECIMALS))))

    def without_outliers(self) -> Scene:
        return replace(self, outliers=())

    def without_outlier(self, i: int) -> Scene:
        """The scene without its outlier ``i`` (0-based); the others keep their order."""
        return replace(self, outliers=self.outliers[:i] + self.outliers[i + 1 :])


def line_predictions(x: np.ndarray, ends: tuple[float, float]) -> tuple[np.ndarray, float, float]:
    """Predictions of the line through (x_lo, ends[0]) and (x_hi, ends[1]), with its slope and intercept."""
    lo, hi = Scene.line_ends()
    slope = (ends[1] - ends[0]) / (hi - lo)
    intercept = ends[0] - slope * lo
    return slope * x + intercept, slope, intercept


def moved(values, default) -> tuple[float, ...] | None:
    """``values`` if they are the right number and differ from ``default``, else None (= the default)."""
    if values is None or len(values) != len(default):
        return None
    values = tuple(float(v) for v in values)
    return None if values == tuple(float(v) for v in default) else values


def current(values, default) -> list[float]:
    """What the handles show: ``values`` when usable (see ``moved``), else ``default``."""
    kept = moved(values, default)
    return [float(v) for v in (default if kept is None else kept)]


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


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _the(title: str) -> str:
    """"the MSE", but "your loss"."""
    return title if title.startswith("your ") else f"the {title}"


def share_sentence(labels: list[str], share_by_loss: dict[str, np.ndarray], titles: dict[str, str]) -> str:
    """'Outlier 1 makes up 97% of the MSE but 40% of the MAE.' for the sample that dominates most.

    Losses shown next to each other that give it the same (rounded) share are named together ('40% of the
    MAE and the Huber'), and equal shares everywhere are said to be alike, so the sentence never sets a
    number against itself ("100% of the MSE but 100% of the MAE"); one point with all of every loss is said
    so plainly."""
    if not share_by_loss:
        return ""
    names = list(share_by_loss)
    outlier_idx = [i for i, lab in enumerate(labels) if lab.startswith("outlier")]
    candidates = outlier_idx or range(len(labels))
    first = share_by_loss[names[0]]
    i = max(candidates, key=lambda j: first[j])
    if all(float(np.sum(s)) == 0 for s in share_by_loss.values()):
        return "Every prediction is exact: every loss is zero, so no point has a share of it."
    who = labels[i].capitalize()
    if all(np.count_nonzero(s) == 1 and s[i] > 0 for s in share_by_loss.values()):
        every = _the(titles[names[0]]) if len(names) == 1 else "every loss shown"
        return f"{who} makes up all of {every}: every other prediction is exact."
    groups: list[tuple[str, list[str]]] = []  # (rounded share, the losses next to each other giving it)
    for n in names:
        pct = f"{100 * share_by_loss[n][i]:.0f}"
        if groups and groups[-1][0] == pct:
            groups[-1][1].append(_the(titles[n]))
        else:
            groups.append((pct, [_the(titles[n])]))
    parts = [f"{pct}% of {_and(who_)}" for pct, who_ in groups]
    if len(parts) == 1:
        body = parts[0] + (" alike" if len(names) > 1 else "")
    else:
        body = f"{parts[0]} but {_and(parts[1:])}"
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


@dataclass(frozen=True)
class Edit:
    """Everything the user did to a scene: what Undo restores and what a link holds."""

    scene: Scene = Scene()
    preds: tuple[float, ...] | None = None  # the free handles (None: on the trend)
    line: tuple[float, float] | None = None  # the line's two ends (None: on the trend)

    def with_outlier(self, magnitude: float = MAGNITUDE_DEFAULT) -> Edit:
        """One more outlier (see ``Scene.with_outlier``); moved predictions stay, its own is on the trend."""
        scene = self.scene.with_outlier(magnitude)
        preds = None if self.preds is None else (*self.preds, float(scene.default_predictions()[-1]))
        return Edit(scene, moved(preds, scene.default_predictions()), self.line)

    def without_outlier(self, i: int) -> Edit:
        """Outlier ``i`` (0-based) and its prediction gone; everything else as it was."""
        scene, cut = self.scene.without_outlier(i), self.scene.n + i
        preds = None if self.preds is None else self.preds[:cut] + self.preds[cut + 1 :]
        return Edit(scene, moved(preds, scene.default_predictions()), self.line)

    def without_outliers(self) -> Edit:
        scene = self.scene.without_outliers()
        preds = None if self.preds is None else self.preds[: scene.n]
        return Edit(scene, moved(preds, scene.default_predictions()), self.line)

    def values(self, what: str) -> list[float]:
        """What the handles of ``what`` show: "free" the predictions, "line" the line's ends, "targets"
        every point's target (the scene's own, then the outliers')."""
        if what == "targets":
            return [float(v) for v in self.scene.points()[1]]
        if what == "line":
            return current(self.line, self.scene.default_line())
        return current(self.preds, self.scene.default_predictions())

    def move(self, what: str, values: Sequence[float]) -> Edit:
        """The edit with the handles of ``what`` (see ``values``) at ``values``."""
        if what == "targets":
            return replace(self, scene=self.scene.with_targets(values))
        if what == "line":
            return replace(self, line=moved(values, self.scene.default_line()))
        return replace(self, preds=moved(values, self.scene.default_predictions()))


def classic(n: int, seed: int, at: float) -> Edit:
    """The textbook example: targets near 1, every prediction on them but the middle one, at ``at``."""
    scene = Scene("classic", n, seed)
    preds = scene.default_predictions()
    preds[len(preds) // 2] = at
    return Edit(scene, tuple(quantize(preds)))


def marks(x, ys, labels: Sequence[str]) -> list[dict[str, float | str]]:
    """Points for the drag chart (its handles or targets): ``{"x", "y", "label"}`` each."""
    return [{"x": float(a), "y": float(b), "label": lab} for a, b, lab in zip(x, ys, labels, strict=True)]


def drag_chart(what: str, scene: Scene, base, shown, lines: list[dict]) -> dict:
    """The drag chart's handles (at ``base``), targets, styles and ``lines`` when ``what`` is dragged:
    "free" the predictions, "line" the line's ends, "targets" the targets (``shown``: the predictions)."""
    x, y = scene.points()
    names = [f"prediction {i + 1}" for i in range(len(x))]
    if what == "targets":
        return dict(handles=marks(x, base, scene.target_labels()), targets=marks(x, shown, names),
                    handle_style="hollow", target_style="filled", lines=lines)  # fmt: skip
    handles = marks(X_RANGE, base, ("line start", "line end")) if what == "line" else marks(x, base, names)
    return dict(handles=handles, targets=marks(x, y, scene.labels()), lines=lines,
                connect="line" if what == "line" else "residuals")  # fmt: skip


def line_table(rows: Sequence[tuple[str, float, float]]) -> str:
    """A Markdown table of lines: name, slope, intercept (3 decimals)."""
    body = "\n".join(f"| {name} | {slope:.3f} | {intercept:.3f} |" for name, slope, intercept in rows)
    return "| line | slope | intercept |\n|---|--:|--:|\n" + body


def record(history: list[Edit], last: Edit | None, now: Edit) -> list[Edit]:
    """The Undo history once the page shows ``now``: ``last`` added if it differs (oldest dropped first)."""
    if last is None or last == now:
        return history
    return [*history, last][-HISTORY_LIMIT:]


def parse_n(text: str | None) -> int:
    """The link's number of points, or the default for anything unusable (the slider reports it)."""
    try:
        n = int(text or N_DEFAULT)
    except ValueError:
        return N_DEFAULT
    return n if N_MIN <= n <= N_MAX else N_DEFAULT


def read_link(get: Callable[[str], str | None]) -> tuple[Edit, list[str]]:
    """The scene and predictions a link describes (``get(name)``: its value of ``reg_<name>``), and the
    warnings about anything in it that could not be used (that part falls back to its default)."""
    kind = get("scene") or "trend"
    warnings = check_choice(kind, KINDS, "scene")
    outliers, w = parse_outliers(get("out"))
    n = parse_n(get("n"))
    targets, w2 = parse_values(get("y"), n, "targets")
    preds, w3 = parse_values(get("p"), n + len(outliers), "predictions")
    line, w4 = parse_values(get("ends"), 2, "line ends")
    own = None if targets is None else tuple(targets)
    scene = Scene(kind if kind in KINDS else "trend", n, 0, outliers, own)
    edit = Edit(scene, None if preds is None else tuple(preds), None if line is None else (line[0], line[1]))
    return edit, warnings + w + w2 + w3 + w4


def link_values(edit: Edit) -> dict[str, str | None]:
    """The link's parameters for ``edit`` (n and seed are the sliders'); None: at the default, left out."""
    s = edit.scene
    return {
        "scene": None if s.kind == "trend" else s.kind,
        "out": format_outliers(s.outliers) or None,
        "y": None if s.targets is None else format_values(s.targets),
        "p": None if edit.preds is None else format_values(edit.preds),
        "ends": None if edit.line is None else format_values(edit.line),
    }


# ---- the numbers a page shows, from the core ---------------------------------------------------------
@dataclass(frozen=True)
class Evaluation:
    """Each loss's cost (None where it is undefined), per-point values and per-point derivatives, and why a
    loss is undefined (a metric's help)."""

    costs: dict[str, float | None]
    per_sample: dict[str, np.ndarray]
    derivative: dict[str, np.ndarray]
    problems: dict[str, str] = field(default_factory=dict)


MSLE_UNDEFINED = "Not defined here: MSLE takes log(1 + value), and a target or prediction is ≤ −1."


def evaluate(names, y: np.ndarray, preds: np.ndarray, params: dict[str, dict[str, float]],
             own: Own | None = None) -> Evaluation:  # fmt: skip
    """The core's numbers for every loss in ``names`` (``own``: the page's loss of the user's own). A loss
    undefined on the scene (MSLE at a value ≤ −1, a formula's log of a value ≤ 0) gets cost None, no
    per-point values and the reason, instead of an error."""
    costs: dict[str, float | None] = {}
    per: dict[str, np.ndarray] = {}
    slope: dict[str, np.ndarray] = {}
    problems: dict[str, str] = {}
    for name in names:
        spec, kw = resolve(name, own), params.get(name, {})
        try:
            costs[name] = spec.cost(y, preds, **kw)
            per[name] = spec.per_sample(y, preds, **kw)
        except losses.RangeError as error:
            costs[name] = None
            problems[name] = MSLE_UNDEFINED if name == "msle" else f"Not defined here: {plain(error)}"
            continue
        try:
            slope[name] = spec.per_sample_derivative(y, preds, **kw)
        except losses.RangeError as error:  # a formula's derivative: √|r| at r = 0
            problems[name] = f"Its derivative is not defined here: {plain(error)}"
    return Evaluation(costs, per, slope, problems)


def on_residual_axis(name: str, own: Own | None = None) -> bool:
    """Whether a loss is a function of the residual r = ŷ − y alone, per point (so it has a curve in r)."""
    return residual_only(resolve(name, own))


def why_not_on_residual_axis(name: str, own: Own | None = None) -> str:
    spec = resolve(name, own)
    if spec.finish is not None:
        return f"{spec.short} is computed from the mean of the points, not a per-point loss"
    short = "your loss" if own is not None and name == own.name else spec.short
    return f"{short} depends on the target itself, not only on ŷ − y"


def residual_curve(name: str, params: tuple, r_max: float, kind: str,
                   own: Own | None = None) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """A loss (``kind`` "value") or its derivative dℓ/dŷ (``kind`` "slope") over r in [−r_max, r_max]; a
    formula of the user's own has gaps (NaN) where it is undefined."""
    spec = resolve(name, own)
    grid = np.linspace(-r_max, r_max, 201)  # odd: r = 0 (L1's kink) is a node
    zeros = np.zeros_like(grid)
    if isinstance(spec, CustomLoss):
        value, slope = spec.on_grid(zeros, grid, **dict(params))
        return grid, value if kind == "value" else slope
    fn = spec.per_sample if kind == "value" else spec.per_sample_derivative
    return grid, fn(zeros, grid, **dict(params))


def drag_y_range(y: np.ndarray, *predictions) -> tuple[float, float, float]:
    """The drag chart's y axis (low, high) holding targets and predictions, and a handle step of ~1/100.

    Any value arrays may be passed (line ends, a move not yet applied): the axis holds them all, so a handle
    pushed past the top (the chart grows its axis while it is held there) keeps the grown axis."""
    lo, hi = y_range(y, *predictions)
    lo, hi = max(lo, Y_LIMIT[0]), min(hi, Y_LIMIT[1])  # within what a handle may reach (and a link hold)
    return lo, hi, 10 ** math.floor(math.log10((hi - lo) / 100))
