"""What every chart shares: one colour and dash per loss (so a loss looks the same everywhere), the one
layout all figures start from, and the number format of every metric."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

#: Sized for a projector at 1280x720.
FONT_SIZE = 15

_COLORS = {
    "mse": "#1f77b4",
    "rmse": "#1f77b4",
    "mae": "#ff7f0e",
    "msle": "#8c564b",
    "huber": "#2ca02c",
    "pseudo_huber": "#17becf",
    "log_cosh": "#9467bd",
    "quantile": "#e377c2",
    "general_robust": "#bcbd22",
    "poisson": "#7f7f7f",
    "zero_one": "#7f7f7f",
    "hinge": "#d62728",
    "squared_hinge": "#ff7f0e",
    "logistic": "#1f77b4",
    "sigmoid_cross_entropy": "#1f77b4",
    "binary_cross_entropy": "#1f77b4",
    "exponential": "#9467bd",
    "modified_huber": "#2ca02c",
    "binary_focal": "#e377c2",
    "categorical_cross_entropy": "#1f77b4",
    "sparse_categorical_cross_entropy": "#17becf",
    "softmax_cross_entropy": "#2ca02c",
    "kl_divergence": "#d62728",
    "categorical_hinge": "#9467bd",
    "custom": "#c51b8a",  # the user's own formula on the explorers (ui.own_loss): a colour no built-in has
    # roles on the classification pages (not losses)
    "label_0": "#1f77b4",  # binary label 0 / -1 ("no rain")
    "label_1": "#e6550d",  # binary label 1 / +1 ("rain")
    "sigmoid_squared_error": "#d62728",  # squared error applied after a sigmoid
    "probability": "#1f5fbf",  # softmax probabilities Q
    "target": "#7f7f7f",  # a target distribution P
    "smoothed": "#ff7f0e",  # with label smoothing
}
_DASHES = {"zero_one": "dot", "rmse": "dash", "pseudo_huber": "dash", "general_robust": "dashdot"}
_FALLBACK = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf")


#: The template every figure carries instead of Plotly's default (Streamlit's, 3.4 KB per chart, mostly
#: colour scales of trace types the app never draws); the browser applies Streamlit's theme either way.
TEMPLATE = {"data": {"scatter": [{"marker": {"line": {"width": 0}}}]}}


def drawn(x: np.ndarray, y: np.ndarray) -> dict:
    """A curve's points for a ``lines`` trace, as few bytes as drawing needs: y as float32 (Plotly sends
    numpy arrays as binary, 4 bytes a value), and x as ``x0``/``dx`` when it is an evenly spaced grid. For
    curves only: marks whose values are read in a tooltip keep float64."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    step = (x[-1] - x[0]) / (len(x) - 1) if len(x) > 1 else 0.0
    if len(x) > 2 and np.allclose(np.diff(x), step, rtol=1e-9, atol=0.0):
        return {"x0": float(x[0]), "dx": float(step), "y": y.astype(np.float32)}
    return {"x": x.astype(np.float32), "y": y.astype(np.float32)}


def live_meta(tag: str, ids) -> dict:
    """A trace's ``meta`` that lets the drag widget move its points during a drag (scenes.live): which
    preview series it belongs to, and which sample each of its points is."""
    return {"live": tag, "ids": [int(i) for i in ids]}


def color_of(name: str) -> str:
    return _COLORS.get(name, _FALLBACK[sum(map(ord, name)) % len(_FALLBACK)])


def dash_of(name: str) -> str:
    return _DASHES.get(name, "solid")


def _axis(title: str, extra: Mapping[str, object] | None) -> dict:
    return {
        "title": {"text": title, "font": {"size": FONT_SIZE}},
        "tickfont": {"size": FONT_SIZE - 1},
        "zeroline": True,
        "automargin": True,
        **(extra or {}),
    }


def layout(
    *,
    x_title: str,
    y_title: str,
    height: int,
    top: int = 30,
    xaxis: Mapping[str, object] | None = None,
    yaxis: Mapping[str, object] | None = None,
    **extra: object,
) -> dict:
    """The layout every figure starts from, as a plain dict for ``go.Figure(data=..., layout=...)``.

    Font sizes are set on each part (ticks, axis titles, legend): Streamlit's chart theme would otherwise
    shrink them. ``automargin`` on both axes: Streamlit's Plotly template, unlike Plotly's own, leaves it
    off, and with these thin margins tick labels and axis titles would be clipped. ``top`` leaves room for
    the legend above the plot. ``xaxis``/``yaxis`` are merged into the axes (``range``, ``type``); ``extra``
    goes into the layout as it is (``barmode``, ``shapes``, ``annotations``).
    """
    return {
        "height": height,
        "margin": {"l": 10, "r": 10, "t": top, "b": 10},
        "font": {"size": FONT_SIZE},
        "legend": {
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.02,
            "x": 0,
            "font": {"size": FONT_SIZE - 1},
        },
        "hovermode": "closest",
        "template": TEMPLATE,
        "xaxis": _axis(x_title, xaxis),
        "yaxis": _axis(y_title, yaxis),
        **extra,
    }


def format_metric(v: float) -> str:
    """The one number format of every metric on every page: 4 decimals, or 4 significant digits from 1e4."""
    if v != v:  # NaN never comes from the core; show it honestly if it ever does
        return "NaN"
    return (
        ("∞" if v > 0 else "-∞") if abs(v) == float("inf") else f"{v:,.4g}" if abs(v) >= 1e4 else f"{v:.4f}"
    )
