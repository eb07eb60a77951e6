"""The learning page's scenes and numbers: training runs from the core (``losses.descent``), the frames an
animation shows, the cost surface's box, the two-class scene, and the sentences under each run.

The regression part trains a line on the regression page's scene (``scenes.regression.Scene``, outliers and
their URL form included); the classification part a linear classifier on a 2-D two-class scene. numpy only:
every number here comes from the core, and the sentences are built from the trajectories, not written.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

import losses
from losses.descent import OPTIMIZERS, Trajectory, cost_surface, descend
from losses.fitting import LineFit

# ---- training -------------------------------------------------------------------------------------
LR_LOG_RANGE = (-4.0, 1.0)  # the learning rate's slider, in log10
LR_LOG_STEP = 0.1
STEPS_MIN, STEPS_MAX, STEPS_DEFAULT = 10, 1000, 500
BATCH_MAX = 30
SGD_SEED_MAX = 999
OPTIMIZER_LABELS = {"gd": "Gradient descent", "momentum": "Momentum", "adam": "Adam"}
assert set(OPTIMIZER_LABELS) == set(OPTIMIZERS)
#: The most frames an animation holds (the steps between are skipped; the first and last are always in).
FRAMES = 80


@dataclass(frozen=True)
class Training:
    lr: float
    steps: int
    optimizer: str = "gd"
    batch: int | None = None  # None: full batch
    seed: int = 0

    @property
    def stochastic(self) -> bool:
        return self.batch is not None


def learning_rate(log10: float) -> float:
    """The learning rate of a slider position (log10), to 2 significant digits: 10^-1.7 → 0.02."""
    return float(f"{10.0 ** float(log10):.2g}")


def train(names: Sequence[str], x: np.ndarray, y: np.ndarray, params: Mapping[str, Mapping[str, float]],
          training: Training, *, model: str, init: Sequence[float]) -> dict[str, Trajectory]:  # fmt: skip
    """One run per loss, the same data, start and settings for each."""
    return {
        n: descend(n, x, y, model=model, lr=training.lr, steps=training.steps, init=init,
                   optimizer=training.optimizer, batch=training.batch, seed=training.seed,
                   **params.get(n, {}))
        for n in names
    }  # fmt: skip


def frame_steps(steps: int, frames: int = FRAMES) -> np.ndarray:
    """The steps an animation shows: every step up to ``frames``; beyond, denser at the start (where the
    weights move most), always including 0 and the last."""
    if steps + 1 <= frames:
        return np.arange(steps + 1)
    u = np.linspace(0.0, 1.0, frames)
    return np.unique(np.round(steps * u**1.5).astype(int))


def held(run: Trajectory, steps: np.ndarray) -> np.ndarray:
    """The weights at each of ``steps``; a run that diverged stays at its last finite weights."""
    return run.weights[np.minimum(steps, run.steps_run)]


def diverged_note(runs: Mapping[str, Trajectory], titles: Mapping[str, str]) -> str:
    """The warning for the runs that blew up, or ''."""
    gone = [n for n, r in runs.items() if r.diverged]
    if not gone:
        return ""
    lr = runs[gone[0]].lr
    which = "; ".join(f"{titles[n]} at step {runs[n].diverged_at}" for n in gone)
    return (f"Diverged: {which}. With a learning rate of {lr:g} a step overshoots the minimum by more than "
            "it gains, so the cost grows at every step; the charts stop at the last step before the "
            "blow-up. Try a smaller learning rate, or Adam (its steps are at most about the learning "
            "rate).")  # fmt: skip


# ---- regression --------------------------------------------------------------------------------------
REG_LR_LOG = -1.7  # 0.02: plain gradient descent is stable below about 0.029 on x in [0.5, 9.5]
REG_START = (0.0, 0.0)  # slope, intercept: the flat line y = 0
SURFACE_SIZE = 61


Box = tuple[tuple[float, float], tuple[float, float]]


def surface_box(runs: Mapping[str, Trajectory], fits: Mapping[str, LineFit],
                start: Sequence[float] = REG_START) -> Box:  # fmt: skip
    """(slope range, intercept range) of the contour plot: the start, every path and every best line. A run
    that diverged is left out: its path leaves the plot rather than shrink the surface to a dot."""
    pts = [np.asarray(start, dtype=float)[None, :]]
    pts += [r.weights for r in runs.values() if not r.diverged]
    pts += [np.array([[f.slope, f.intercept]]) for f in fits.values()]
    allp = np.concatenate(pts)
    lo, hi = allp.min(axis=0), allp.max(axis=0)
    pad = np.maximum(0.12 * (hi - lo), 0.5)
    return (float(lo[0] - pad[0]), float(hi[0] + pad[0])), (float(lo[1] - pad[1]), float(hi[1] + pad[1]))


def surface(name: str, x: np.ndarray, y: np.ndarray, params: Mapping[str, float], box,
            size: int = SURFACE_SIZE) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """The grid of slopes and intercepts over ``box`` and the cost of ``name`` on it (the core's)."""
    (w0, w1), (b0, b1) = box
    w, b = np.linspace(w0, w1, size), np.linspace(b0, b1, size)
    return w, b, cost_surface(name, x, y, w, b, **params)


CONTOUR_LEVELS = 14


def contour_levels(z: np.ndarray, count: int = CONTOUR_LEVELS) -> np.ndarray:
    """Levels of a cost surface, evenly spaced in log10 (a quadratic bowl gets evenly spaced rings)."""
    finite = z[np.isfinite(z) & (z > 0)]
    if finite.size == 0:
        return np.array([])
    lo, hi = np.log10(finite.min()), np.log10(finite.max())
    if hi - lo < 1e-9:
        return np.array([])
    return 10.0 ** np.linspace(lo, hi, count + 2)[1:-1]


def contour_lines(w: np.ndarray, b: np.ndarray, z: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """The level set z = ``level`` of a grid (z[i, j] at w[j], b[i]) as segments, by marching squares:
    x and y of each segment's two ends followed by a NaN (a gap in a Plotly line). Drawn as plain lines,
    a frame of the animation can leave them alone (Plotly removes a contour trace while it animates)."""
    with np.errstate(invalid="ignore"):
        d = np.where(np.isfinite(z), z - level, np.inf)
    rows, cols = d.shape[0] - 1, d.shape[1] - 1
    wi, bi = np.meshgrid(np.arange(cols), np.arange(rows))
    ends = [((0, 0), (0, 1)), ((0, 1), (1, 1)), ((1, 1), (1, 0)), ((1, 0), (0, 0))]  # each cell's 4 edges
    hits, xs, ys = [], [], []
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for (ra, ca), (rb, cb) in ends:  # (row, column) offsets of the edge's two corners
            za, zb = d[ra : ra + rows, ca : ca + cols], d[rb : rb + rows, cb : cb + cols]
            hit = (np.sign(za) != np.sign(zb)) & np.isfinite(za) & np.isfinite(zb)
            f = np.where(hit, za / (za - zb), 0.0)
            xs.append(w[wi + ca] + f * (w[wi + cb] - w[wi + ca]))
            ys.append(b[bi + ra] + f * (b[bi + rb] - b[bi + ra]))
            hits.append(hit)
    hit, xs, ys = np.array(hits), np.array(xs), np.array(ys)  # (4 edges, cells...)
    count = hit.sum(axis=0)
    order = np.argsort(~hit, axis=0, kind="stable")  # each cell's crossed edges first, in edge order
    px = np.take_along_axis(xs, order, axis=0)
    py = np.take_along_axis(ys, order, axis=0)
    segs = [(px[0][count >= 2], py[0][count >= 2], px[1][count >= 2], py[1][count >= 2]),
            (px[2][count == 4], py[2][count == 4], px[3][count == 4], py[3][count == 4])]  # a saddle: two
    x0, y0, x1, y1 = (np.concatenate(v) for v in zip(*segs, strict=True))
    gap = np.full_like(x0, np.nan)
    return np.stack([x0, x1, gap], axis=1).ravel(), np.stack([y0, y1, gap], axis=1).ravel()


def contours(w: np.ndarray, b: np.ndarray, z: np.ndarray) -> list[tuple[float, np.ndarray, np.ndarray]]:
    """Every level line of a surface: (level, xs, ys)."""
    return [(float(level), *contour_lines(w, b, z, level)) for level in contour_levels(z)]


def line_text(w: float, b: float) -> str:
    return f"{w:.2f}·x {'−' if b < 0 else '+'} {abs(b):.2f}"


def regression_sentence(runs: Mapping[str, Trajectory], fits: Mapping[str, LineFit],
                        titles: Mapping[str, str], steps: int) -> str:  # fmt: skip
    """'After 300 steps the MSE line is ŷ = 1.17·x + 2.10 (the least-squares line: 1.17·x + 2.12); ...'."""
    parts = []
    for n, r in runs.items():
        fit = fits.get(n)
        best = ""
        if fit is not None:
            whose = "the least-squares line" if fit.method.startswith("closed form") else "its best line"
            best = f" ({whose}: {line_text(fit.slope, fit.intercept)})"
        if r.diverged:
            parts.append(f"the {titles[n]} run diverged at step {r.diverged_at}{best}")
        else:
            parts.append(f"the {titles[n]} line is ŷ = {line_text(*r.final)}{best}")
    if not parts:
        return ""
    return f"After {steps} steps " + "; ".join(parts) + "."


# ---- classification ----------------------------------------------------------------------------------
CLS_LR_LOG = -0.7  # 0.2
BOX = 4.0  # the scene's square: both features in [-BOX, BOX]
PRESETS = {"separable": "Separable", "outlier": "An outlier on the wrong side", "overlap": "Overlapping"}
STARTS = {"weak": "Weak and wrong", "wrong": "Confidently wrong"}
#: "weak": a boundary across both clouds; "wrong": every cloud point on the wrong side, margins down to about
#: −10, where σ has flattened (not w = (−1, −1): its boundary would be drawn where the right one is, only
#: facing the other way).
START_WEIGHTS = {"weak": (0.5, -0.5, 0.0), "wrong": (-1.2, -3.2, 0.0)}
OUTLIER_DEFAULT = (-2.5, -2.0)  # a class-1 point deep on class 0's side
N_PER_CLASS = 10
#: A loss outside the binary category is applied to p = σ(s) ("squared error after a sigmoid").
AFTER_SIGMOID = " on σ(s)"


def classifier_title(name: str) -> str:
    spec = losses.get(name)
    return spec.short + (AFTER_SIGMOID if spec.category != "binary" else "")


@dataclass(frozen=True)
class TwoClass:
    """Two clouds of points, class 1 up-right and class 0 down-left; "outlier" adds one class-1 point at
    ``outlier`` (on class 0's side by default)."""

    preset: str = "outlier"
    seed: int = 0
    outlier: tuple[float, float] = OUTLIER_DEFAULT

    def points(self) -> tuple[np.ndarray, np.ndarray]:
        """Features (n, 2) and labels 0/1; separable presets keep every cloud point 0.4 past the diagonal."""
        rng = np.random.default_rng(self.seed + 11)
        spread = 1.1 if self.preset == "overlap" else 0.7
        t = np.r_[np.ones(N_PER_CLASS), np.zeros(N_PER_CLASS)]
        sign = 2.0 * t - 1.0
        X = sign[:, None] * 1.3 + spread * rng.standard_normal((2 * N_PER_CLASS, 2))
        if self.preset != "overlap":  # push each point to at least 0.4 on its side of x1 + x2 = 0
            u = np.array([1.0, 1.0]) / math.sqrt(2.0)
            short = np.maximum(0.4 - sign * (X @ u), 0.0)
            X = X + (sign * short)[:, None] * u
        X = np.clip(np.round(X, 2), -BOX + 0.2, BOX - 0.2)
        if self.preset == "outlier":
            X, t = np.vstack([X, self.outlier]), np.r_[t, 1.0]
        return X, t

    def outlier_index(self) -> int | None:
        return 2 * N_PER_CLASS if self.preset == "outlier" else None


def boundary(theta: Sequence[float], box: float = BOX) -> tuple[list, list]:
    """The decision boundary w·x + b = 0 inside the square [-box, box]²: two end points, or Nones."""
    w1, w2, b = (float(v) for v in theta)
    if math.hypot(w1, w2) < 1e-12:
        return [None, None], [None, None]
    if abs(w2) >= abs(w1):  # steeper in x2: solve for x2 along x1
        x1 = np.array([-box, box])
        x2 = -(w1 * x1 + b) / w2
    else:
        x2 = np.array([-box, box])
        x1 = -(w2 * x2 + b) / w1
    return [float(v) for v in x1], [float(v) for v in x2]


def margins(run: Trajectory, X: np.ndarray, labels01: np.ndarray) -> np.ndarray:
    """Each point's margin m = t·(w·x + b), t = ±1, at every recorded step: shape (steps + 1, n)."""
    t = 2.0 * np.asarray(labels01) - 1.0
    return (run.weights[:, :-1] @ X.T + run.weights[:, -1:]) * t


def margins_at(run: Trajectory, X: np.ndarray, labels01: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """The margins at ``steps`` (held at the last finite weights after a blow-up): (len(steps), n)."""
    w = held(run, steps)
    return (w[:, :-1] @ X.T + w[:, -1:]) * (2.0 * np.asarray(labels01) - 1.0)


def classification_sentence(runs: Mapping[str, Trajectory], X: np.ndarray, labels01: np.ndarray,
                            titles: Mapping[str, str], outlier: int | None, steps: int) -> str:  # fmt: skip
    """Where each classifier ended: points right and past the margin, whether it stopped, the outlier."""
    n = len(labels01)
    parts, outs = [], []
    for name, r in runs.items():
        m = margins(r, X, labels01)[-1]
        g = float(r.grad_norm[-1])
        moving = "has stopped (zero gradient)" if g == 0.0 else f"is still moving (‖∇‖ = {g:.2g})"
        end = f"diverged at step {r.diverged_at}" if r.diverged else moving
        parts.append(f"**{titles[name]}** has {int(np.sum(m > 0))} of {n} points right and "
                     f"{int(np.sum(m >= 1))} past the margin (m ≥ 1), and {end}")  # fmt: skip
        if outlier is not None:
            outs.append(f"{m[outlier]:.2f} under {titles[name]}")
    text = f"After {steps} steps " + "; ".join(parts) + "."
    if outs:
        text += " The outlier's margin: " + ", ".join(outs) + " (negative: still on the wrong side)."
    return text
