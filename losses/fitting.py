"""The best line ŷ = w·x + b under a regression loss: what "this loss prefers" looks like on a scene.

- mse / rmse: least squares in closed form (``np.linalg.lstsq``).
- mae / quantile: an exact minimiser. Both are linear programs in (w, b), so an optimum passes through two
  data points; for scene-sized data every such line is tried (vectorised), which is exact, not iterative.
- every other (smooth) loss: iteratively reweighted least squares (weights ψ(r)/r from the loss's own
  derivative), then damped Newton steps with backtracking, each step accepted only if the cost falls.
  Converged when the step and the gradient are both negligible; the result says whether it converged.

Everything is evaluated through the registry (``spec.cost`` / ``spec.derivative``): no formula is repeated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from losses import get
from losses.errors import LossInputError, ShapeError

#: Up to this many points, mae/quantile fits try every line through two points (exact).
EXACT_LIMIT = 400
_FITTABLE_KINDS = {"values"}


@dataclass(frozen=True)
class LineFit:
    loss: str
    slope: float
    intercept: float
    cost: float
    iterations: int
    converged: bool
    method: str


def fittable(name: str) -> bool:
    """Whether ``fit_line`` can fit this loss (regression losses on real values)."""
    spec = get(name)
    return spec.category == "regression" and spec.y_true in _FITTABLE_KINDS and spec.y_pred in _FITTABLE_KINDS


def fit_line(name: str, x: Any, y: Any, **params: Any) -> LineFit:
    """The line minimising ``name``'s cost on the points (x, y)."""
    spec = get(name)
    if not fittable(name):
        raise LossInputError(f"fit_line fits regression losses on real values; {name} is not one.",
                             argument="name")
    kw = spec.resolve(params)
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1:
        raise ShapeError(f"x and y must be 1-D and of the same length; got {x.shape} and {y.shape}.",
                         argument="x")
    spec.cost(y, x, **kw)  # validates: empty, NaN, ... (x as a stand-in prediction of the same shape)

    def cost(theta: np.ndarray) -> float:
        return spec.cost(y, theta[0] * x + theta[1], **kw)

    if name in ("mse", "rmse"):
        theta = _least_squares(x, y, np.ones_like(x))
        return LineFit(name, *map(float, theta), cost(theta), 0, True, "closed form (least squares)")
    if name in ("mae", "quantile") and x.size <= EXACT_LIMIT:
        theta = _best_vertex(spec, x, y, kw)
        return LineFit(name, *map(float, theta), cost(theta), 0, True, "exact (best line through two points)")
    return _irls_newton(spec, x, y, kw, cost)


def _least_squares(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted least squares for (slope, intercept); a single distinct x gives a flat line."""
    sw = np.sqrt(w)
    a = np.stack([x * sw, sw], axis=1)
    theta, *_ = np.linalg.lstsq(a, y * sw, rcond=None)
    if np.ptp(x) == 0:  # one distinct x: any slope fits; choose the flat line through the weighted mean
        theta = np.array([0.0, float(np.sum(w * y) / np.sum(w))])
    return theta


def _best_vertex(spec, x: np.ndarray, y: np.ndarray, kw: dict) -> np.ndarray:
    """Exact L1 / pinball line: try every line through two points, and every flat line through one."""
    i, j = np.triu_indices(x.size, k=1)
    ok = x[i] != x[j]
    i, j = i[ok], j[ok]
    slopes = np.concatenate([(y[j] - y[i]) / (x[j] - x[i]), np.zeros(x.size)])
    intercepts = np.concatenate([y[i] - slopes[: i.size] * x[i], y])
    best, best_cost = None, np.inf
    for start in range(0, slopes.size, 2048):  # blocks of candidate lines x all points
        s, b = slopes[start : start + 2048], intercepts[start : start + 2048]
        pred = s[:, None] * x[None, :] + b[:, None]
        c = spec.value(np.broadcast_to(y, pred.shape).ravel(), pred.ravel(), **kw).reshape(pred.shape)
        costs = c.mean(axis=1)
        k = int(np.argmin(costs))
        if costs[k] < best_cost:
            best, best_cost = np.array([s[k], b[k]]), costs[k]
    return best


def _irls_newton(spec, x, y, kw, cost, max_iter: int = 200) -> LineFit:
    scale = max(float(np.std(y)), 1e-12)
    # curvature of the loss at r = 0, the IRLS weight of an exactly fitted point
    h = 1e-6 * scale
    w0 = float(spec.derivative(np.zeros(1), np.array([h]), **kw)[0] / h)
    start = [_least_squares(x, y, np.ones_like(x))]
    if not spec.properties.convex and x.size >= 2:  # non-convex: also start from the robust L1 line
        start.append(_best_vertex(get("mae"), x, y, {}) if x.size <= EXACT_LIMIT else start[0])
    best = min(start, key=cost)
    theta, c = best, cost(best)
    it = 0
    converged = False
    for it in range(1, max_iter + 1):  # noqa: B007 (it is reported) IRLS: a majorise-minimise step for losses with ψ(r)/r falling
        r = theta[0] * x + theta[1] - y
        d = spec.derivative(y, theta[0] * x + theta[1], **kw)
        w = np.where(np.abs(r) > h, d / np.where(np.abs(r) > h, r, 1.0), w0)
        if not np.all(np.isfinite(w)) or np.all(w <= 0):
            break
        cand = _least_squares(x, y, np.maximum(w, 1e-300))
        cc = cost(cand)
        if not cc < c:
            break
        step = np.abs(cand - theta).max()
        theta, c = cand, cc
        if step <= 1e-13 * (1.0 + np.abs(theta).max()):
            break
    theta, c, newton_iters, converged = _newton(spec, x, y, kw, cost, theta, c)
    return LineFit(spec.name, float(theta[0]), float(theta[1]), c, it + newton_iters, converged,
                   "IRLS + Newton")


def _grad(spec, x, y, kw, theta) -> np.ndarray:
    g = spec.gradient(y, theta[0] * x + theta[1], **kw)  # d cost / d prediction
    return np.array([np.dot(g, x), g.sum()])


def _newton(spec, x, y, kw, cost, theta, c, max_iter: int = 60):
    """Damped Newton on (w, b) with a finite-difference Hessian of the analytic gradient."""
    scale = 1.0 + np.abs(theta).max()
    for it in range(1, max_iter + 1):
        g = _grad(spec, x, y, kw, theta)
        eps = 1e-6 * scale
        hess = np.empty((2, 2))
        for k in range(2):
            e = np.zeros(2)
            e[k] = eps
            hess[:, k] = (_grad(spec, x, y, kw, theta + e) - _grad(spec, x, y, kw, theta - e)) / (2 * eps)
        hess = (hess + hess.T) / 2
        try:
            step = -np.linalg.solve(hess, g)
            if not np.all(np.isfinite(step)) or step @ g >= 0:  # not a descent direction: use the gradient
                step = -g
        except np.linalg.LinAlgError:
            step = -g
        t = 1.0
        while t > 1e-12:
            cand = theta + t * step
            cc = cost(cand)
            if cc <= c:
                break
            t *= 0.5
        else:
            return theta, c, it, _stationary(g, c, x)
        moved = np.abs(cand - theta).max()
        theta, c = cand, cc
        if moved <= 1e-12 * scale:
            return theta, c, it, _stationary(_grad(spec, x, y, kw, theta), c, x)
    return theta, c, max_iter, _stationary(_grad(spec, x, y, kw, theta), c, x)


def _stationary(g: np.ndarray, c: float, x: np.ndarray) -> bool:
    return bool(np.abs(g).max() <= 1e-6 * (1.0 + abs(c)) * (1.0 + np.abs(x).max()))
