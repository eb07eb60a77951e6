"""One colour and dash per loss, shared by every chart, so a loss looks the same everywhere."""

from __future__ import annotations

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


def color_of(name: str) -> str:
    return _COLORS.get(name, _FALLBACK[sum(map(ord, name)) % len(_FALLBACK)])


def dash_of(name: str) -> str:
    return _DASHES.get(name, "solid")


def format_metric(v: float) -> str:
    """The one number format of every metric on every page: 4 decimals, or 4 significant digits from 1e4."""
    if v != v:  # NaN never comes from the core; show it honestly if it ever does
        return "NaN"
    return (
        ("∞" if v > 0 else "-∞") if abs(v) == float("inf") else f"{v:,.4g}" if abs(v) >= 1e4 else f"{v:.4f}"
    )
