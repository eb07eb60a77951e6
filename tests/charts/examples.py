"""One representative call per figure builder in ``charts``, for the checks every figure must pass."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import plotly.graph_objects as go

from charts import classification, regression, scoring

_X = np.linspace(-3.0, 3.0, 7)
_R = np.array([-1.0, 0.5, 2.0])
_TITLES = {"mse": "L2", "huber": "Huber"}
_LABELS = ["point 1", "point 2", "outlier 1"]
_T = np.array([1.0, 2.0, 3.0, 10.0])
_P = np.array([1.5, 2.0, 2.0, 4.0])
_PROB = np.array([0.1, 0.4, 0.8, 0.95])
_HIT = np.array([False, True, True, True])
_ROWS = np.arange(1, 5)

FIGURES: dict[str, Callable[[], go.Figure]] = {
    "regression.curves_with_points": lambda: regression.curves_with_points(
        {"mse": (_X, _X**2)}, {"mse": (_R, _R**2)}, _TITLES, point_labels=_LABELS, x_title="r", y_title="loss"
    ),
    "regression.share_bars": lambda: regression.share_bars(
        _LABELS, {"mse": np.array([0.2, 0.3, 0.5])}, _TITLES
    ),
    "regression.best_lines": lambda: regression.best_lines(
        _R, _R, _LABELS, {"mse": (1.0, 0.0)}, _TITLES, user_line=None, x_range=(-3, 3), y_range=(-3, 3)
    ),
    "classification.curves": lambda: classification.curves(
        [classification.Line(_X, np.maximum(0, 1 - _X), "hinge", "hinge")],
        [classification.Marks(_R, np.maximum(0, 1 - _R), ["a", "b", "c"], "hinge", _R <= 0)],
        x_title="m",
        y_title="loss",
        x_range=(-3, 3),
        wrong_below=0.0,
        margin_at=1.0,
    ),
    "classification.gradient_comparison": lambda: classification.gradient_comparison(
        _X, -np.ones(7) / 2, -np.ones(7) / 4, at=-1.0, ce_at=-0.7, squared_at=-0.2, x_range=(-3, 3)
    ),
    "classification.class_bars": lambda: classification.class_bars(
        ["a", "b"], {"q": np.array([0.3, 0.7])}, styles={"q": "probability"}, y_title="probability"
    ),
    "scoring.loss_histogram": lambda: scoring.loss_histogram((_T - _P) ** 2, loss="mse", title="MSE"),
    "scoring.predicted_vs_actual": lambda: scoring.predicted_vs_actual(
        _T, _P, _ROWS, np.array([3]), names=("y", "yhat")
    ),
    "scoring.residual_plot": lambda: scoring.residual_plot(_T, _P, _ROWS, np.array([3]), names=("y", "yhat")),
    "scoring.calibration_plot": lambda: scoring.calibration_plot(_PROB, _HIT, what="class 1"),
    "scoring.loss_vs_probability": lambda: scoring.loss_vs_probability(
        _PROB, -np.log(_PROB), _HIT.astype(int), _ROWS, loss="binary_cross_entropy", title="BCE",
        class_names=["0", "1"], what="class 1",
    ),
}  # fmt: skip


def line_x(trace) -> np.ndarray:
    """A line trace's x: its array, or its evenly spaced grid ``x0 + i·dx`` (charts.style.drawn)."""
    if trace.x is not None:
        return np.asarray(trace.x)
    return trace.x0 + trace.dx * np.arange(len(trace.y))
