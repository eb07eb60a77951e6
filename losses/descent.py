"""Gradient descent on a small model under a loss: how the choice of loss shapes what a model learns.

Two models, both linear in their weights θ = (w, b):

- ``"line"``: ŷ = w·x + b on 1-D inputs, trained under a regression loss (the regression page's scene).
- ``"logistic"``: a score s = w·x + b on (n, d) inputs, fed to a binary loss: margin losses (hinge, logistic,
  ...) and losses on logits take s, a loss on probabilities (BCE) or a regression loss ("squared error after
  a sigmoid") takes p = σ(s). Labels are 0/1 or -1/+1; every loss gets them as 0/1 (a margin loss reads 0
  as -1).

The gradient is the core's own: d cost / d prediction from ``spec.gradient``, then the chain rule through
the model, ∂cost/∂w = Xᵀg and ∂cost/∂b = Σg (through σ: g·σ(s)σ(−s)). No loss formula is written here.

>>> import numpy as np
>>> x = np.array([0.0, 1.0, 2.0]); y = 2.0 * x + 1.0
>>> run = descend("mse", x, y, lr=0.1, steps=2000)
>>> [round(float(v), 6) for v in run.weights[-1]], run.diverged
([2.0, 1.0], False)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from losses import get
from losses._numeric import sigmoid
from losses.errors import LabelError, LossInputError, ShapeError
from losses.spec import LossSpec

MODELS = ("line", "logistic")
OPTIMIZERS = ("gd", "momentum", "adam")
#: Heavy-ball momentum (PyTorch ``SGD(momentum=0.9)``): v ← βv + g, θ ← θ − ηv.
MOMENTUM = 0.9
#: Adam (Kingma & Ba 2015, PyTorch defaults): β₁, β₂, ε.
ADAM_BETA1, ADAM_BETA2, ADAM_EPS = 0.9, 0.999, 1e-8
#: A run has diverged once its cost is not finite or exceeds this many times (its starting cost + 1).
BLOW_UP = 1e8
STEPS_MAX = 100_000
#: Cost surfaces are computed in blocks of at most this many (grid point × sample) values.
SURFACE_BLOCK = 1 << 16
#: Inputs a logistic model's loss takes as they are; any other input kind gets p = σ(s).
_SCORE_KINDS = ("scores", "logits")


@dataclass(frozen=True)
class Trajectory:
    """A run: the weights, the cost and its gradient (on all the data) before the first step and after each.

    ``weights[k]`` are θ after k steps, shape (d + 1,), the intercept (bias) last. A diverged run stops at
    the last step whose cost was finite and below the blow-up limit: ``diverged_at`` is the step whose cost
    blew up, and the arrays hold the ``diverged_at`` steps before it (never a NaN or an inf).
    """

    loss: str
    model: str
    optimizer: str
    lr: float
    steps: int  # steps asked for
    weights: np.ndarray  # (k + 1, d + 1)
    cost: np.ndarray  # (k + 1,)
    gradient: np.ndarray  # (k + 1, d + 1)
    diverged_at: int | None = None

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    @property
    def steps_run(self) -> int:
        return len(self.cost) - 1

    @property
    def grad_norm(self) -> np.ndarray:
        """‖∇cost‖ at every recorded step."""
        return np.sqrt(np.einsum("ij,ij->i", self.gradient, self.gradient))

    @property
    def final(self) -> np.ndarray:
        return self.weights[-1]


def descend(
    loss: str | LossSpec,
    x: Any,
    y: Any,
    *,
    model: str = "line",
    lr: float,
    steps: int,
    init: Sequence[float] | None = None,
    optimizer: str = "gd",
    batch: int | None = None,
    seed: int = 0,
    **params: Any,
) -> Trajectory:
    """Train ``model`` on (x, y) under ``loss``: ``steps`` steps of ``optimizer`` at learning rate ``lr``.

    ``batch`` None (or n) is full-batch descent; a smaller batch draws that many samples without replacement
    at every step from ``np.random.default_rng(seed)``, so a run is reproducible. ``init`` defaults to zeros.
    The recorded cost and gradient are always on all the data. Bad arguments raise the core's errors.
    """
    spec = get(loss) if isinstance(loss, str) else loss
    kw = spec.resolve(params)
    X, t = _inputs(spec, model, x, y)
    n, width = X.shape[0], X.shape[1] + 1
    lr, steps, batch, theta = _settings(lr, steps, batch, n, init, width, optimizer)
    rng = np.random.default_rng(seed)

    weights = np.empty((steps + 1, width))
    cost = np.empty(steps + 1)
    grad = np.empty((steps + 1, width))
    c, g = _cost_and_gradient(spec, model, X, t, theta, kw)  # the start must be valid: errors surface here
    limit = BLOW_UP * (abs(c) + 1.0)
    weights[0], cost[0], grad[0] = theta, c, g
    first, second = np.zeros(width), np.zeros(width)  # momentum's velocity; Adam's moments
    diverged_at = None
    with np.errstate(over="ignore", invalid="ignore"):  # a blow-up is detected below and reported, not warned
        for k in range(1, steps + 1):
            if batch < n:
                idx = rng.choice(n, batch, replace=False)
                _, g = _cost_and_gradient(spec, model, X[idx], t[idx], theta, kw, with_cost=False)
            theta = theta - _step(optimizer, g, first, second, k, lr)
            result = _guarded(spec, model, X, t, theta, kw, limit)
            if result is None:
                diverged_at = k
                break
            c, g = result
            weights[k], cost[k], grad[k] = theta, c, g
    end = steps + 1 if diverged_at is None else diverged_at
    return Trajectory(spec.name, model, optimizer, lr, steps, weights[:end], cost[:end], grad[:end],
                      diverged_at)  # fmt: skip


def cost_surface(
    loss: str | LossSpec, x: Any, y: Any, w: Any, b: Any, *, model: str = "line", **params: Any
) -> np.ndarray:
    """The cost at every (w[j], b[i]) of a grid, shape (len(b), len(w)): for contour plots of a 1-D model.

    Computed in blocks of grid points (at most ``SURFACE_BLOCK`` values at a time) with the core's
    ``per_sample`` and the loss's own reduction (``finish_cost``: RMSE's square root). A point of the grid
    where the cost overflows is ``inf``.
    """
    spec = get(loss) if isinstance(loss, str) else loss
    kw = spec.resolve(params)
    X, t = _inputs(spec, model, x, y)
    if X.shape[1] != 1:
        raise ShapeError(f"cost_surface needs 1-D x (one weight and a bias); got shape {X.shape}.",
                         argument="x")  # fmt: skip
    xs = X[:, 0]
    n = xs.size
    ww, bb = np.meshgrid(np.asarray(w, dtype=float), np.asarray(b, dtype=float))
    flat_w, flat_b = ww.ravel(), bb.ravel()
    out = np.empty(flat_w.size)
    rows = max(1, SURFACE_BLOCK // n)
    with np.errstate(over="ignore", invalid="ignore"):
        for start in range(0, flat_w.size, rows):
            sl = slice(start, start + rows)
            s = flat_w[sl, None] * xs[None, :] + flat_b[sl, None]
            inp, _ = _model_input(spec, model, s)
            per = spec.per_sample(np.broadcast_to(t, s.shape).ravel(), inp.ravel(), **kw).reshape(s.shape)
            totals = per.sum(axis=1)
            out[sl] = [spec.finish_cost(v, n) for v in totals] if spec.finish else totals / n
    return out.reshape(ww.shape)


# ---- the model and its chain rule ----------------------------------------------------------------
def _model_input(spec: LossSpec, model: str, s: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """What the loss takes from the model's output s, and d(that)/ds (None: s itself)."""
    if model == "logistic" and spec.y_pred not in _SCORE_KINDS:
        p = sigmoid(s)
        return p, p * sigmoid(-s)  # σ'(s) = σ(s)σ(−s): no cancellation in 1 − σ(s) for large s
    return s, None


def _cost_and_gradient(spec, model, X, t, theta, kw, *, with_cost: bool = True) -> tuple[float, np.ndarray]:
    s = X @ theta[:-1] + theta[-1]
    inp, slope = _model_input(spec, model, s)
    g = spec.gradient(t, inp, **kw)  # d cost / d (the loss's input)
    if slope is not None:
        g = g * slope
    c = spec.cost(t, inp, **kw) if with_cost else 0.0
    return c, np.append(X.T @ g, g.sum())


def _guarded(spec, model, X, t, theta, kw, limit: float) -> tuple[float, np.ndarray] | None:
    """Cost and gradient at θ, or None when the run has blown up (θ, the output or the cost not usable)."""
    if not np.all(np.isfinite(theta)):
        return None
    s = X @ theta[:-1] + theta[-1]
    if not np.all(np.isfinite(s)):
        return None
    c, g = _cost_and_gradient(spec, model, X, t, theta, kw)
    if not (math.isfinite(c) and c <= limit and np.all(np.isfinite(g))):
        return None
    return c, g


def _step(optimizer: str, g: np.ndarray, first: np.ndarray, second: np.ndarray, k: int, lr: float):
    """The change of θ at step k (subtracted); ``first``/``second`` hold the optimizer's state, updated."""
    if optimizer == "gd":
        return lr * g
    if optimizer == "momentum":
        first *= MOMENTUM
        first += g
        return lr * first
    first *= ADAM_BETA1
    first += (1.0 - ADAM_BETA1) * g
    second *= ADAM_BETA2
    second += (1.0 - ADAM_BETA2) * g * g
    m_hat = first / (1.0 - ADAM_BETA1**k)
    v_hat = second / (1.0 - ADAM_BETA2**k)
    return lr * m_hat / (np.sqrt(v_hat) + ADAM_EPS)


# ---- checking the arguments ----------------------------------------------------------------------
def _inputs(spec: LossSpec, model: str, x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    """x as an (n, d) float array and y as the targets each loss takes (0/1 labels for a logistic model)."""
    if model not in MODELS:
        raise LossInputError(f"model must be one of {', '.join(MODELS)}; got {model!r}.", argument="model")
    try:
        X = np.asarray(x, dtype=np.float64)
        t = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError):
        raise LossInputError("x and y must be numbers.", argument="x") from None
    if model == "line" and X.ndim != 1:
        raise ShapeError(f"x of a line must be 1-D; got shape {X.shape}.", argument="x")
    X = X.reshape(-1, 1) if X.ndim == 1 else X
    if X.ndim != 2 or t.ndim != 1 or X.shape[0] != t.shape[0] or X.shape[0] == 0:
        raise ShapeError(f"x must be (n,) or (n, d) and y (n,), n ≥ 1; got {X.shape} and {t.shape}.",
                         argument="x")  # fmt: skip
    if not np.all(np.isfinite(X)):
        raise LossInputError("x must be finite numbers; it holds a NaN or an infinity.", argument="x")
    if model == "line":
        if spec.category != "regression":
            raise LossInputError(f"A line is trained under a regression loss; {spec.name} is "
                                 f"{spec.category}. Use model='logistic' for a binary loss.",
                                 argument="loss")  # fmt: skip
        return X, t
    if spec.category == "multiclass":
        raise LossInputError(f"A logistic model takes a binary or regression loss; {spec.name} is "
                             "multi-class.", argument="loss")  # fmt: skip
    labels = set(np.unique(t).tolist())
    if not (labels <= {0.0, 1.0} or labels <= {-1.0, 1.0}):
        raise LabelError(f"y of a logistic model must be labels 0/1 or -1/+1; got {sorted(labels)[:5]}.",
                         argument="y")  # fmt: skip
    return X, (t > 0).astype(np.float64)


def _settings(lr, steps, batch, n, init, width, optimizer):
    if optimizer not in OPTIMIZERS:
        raise LossInputError(f"optimizer must be one of {', '.join(OPTIMIZERS)}; got {optimizer!r}.",
                             argument="optimizer")  # fmt: skip
    lr = float(lr)
    if not (math.isfinite(lr) and lr > 0):
        raise LossInputError(f"lr must be a positive finite number; got {lr!r}.", argument="lr")
    if int(steps) != steps or not 0 <= steps <= STEPS_MAX:
        raise LossInputError(f"steps must be a whole number from 0 to {STEPS_MAX}; got {steps!r}.",
                             argument="steps")  # fmt: skip
    batch = n if batch is None else batch
    if int(batch) != batch or not 1 <= batch:
        raise LossInputError(f"batch must be None or a whole number ≥ 1; got {batch!r}.", argument="batch")
    theta = np.zeros(width) if init is None else np.asarray(init, dtype=np.float64).copy()
    if theta.shape != (width,) or not np.all(np.isfinite(theta)):
        raise ShapeError(f"init must be {width} finite weights (the bias last); got {init!r}.",
                         argument="init")  # fmt: skip
    return lr, int(steps), min(int(batch), n), theta
