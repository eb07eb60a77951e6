"""Figures for the scoring page: per-row losses of a user's file. Data in (computed by ``losses`` through
``scoring``), ``go.Figure`` out. Large files are drawn from a fixed random sample plus the worst rows, so the
browser never receives millions of points.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from charts.style import FONT_SIZE, color_of

MAX_POINTS = 4000
WORST_COLOR = "#d62728"
POINT_COLOR = "#1f5fbf"


def _text(name: object) -> str:
    """A column or class name from the user's file, as literal text: Plotly renders a subset of HTML in
    titles and legends (<b>, <a href>, <br>), so escape it."""
    return html.escape(str(name))


def _layout(fig: go.Figure, *, x_title: str, y_title: str, height: int = 360) -> go.Figure:
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 36, "b": 10},
        font={"size": FONT_SIZE},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        hovermode="closest",
    )
    fig.update_xaxes(title_text=x_title)
    fig.update_yaxes(title_text=y_title)
    return fig


def sample_rows(n: int, worst: Sequence[int] = (), limit: int = MAX_POINTS, seed: int = 0) -> np.ndarray:
    """Indexes to draw: every row when there are few, else a fixed random sample plus the worst rows."""
    if n <= limit:
        return np.arange(n)
    pick = np.random.default_rng(seed).choice(n, limit, replace=False)
    return np.unique(np.concatenate([pick, np.asarray(worst, dtype=np.intp)]))


def worst_rows(values: np.ndarray, k: int = 10) -> np.ndarray:
    """Indexes of the ``k`` largest per-row losses, largest first."""
    k = min(k, len(values))
    if k == 0:
        return np.empty(0, dtype=np.intp)
    idx = np.argpartition(-values, k - 1)[:k]
    return idx[np.argsort(-values[idx], kind="stable")]


def loss_histogram(values: np.ndarray, *, loss: str, title: str, bins: int = 50) -> go.Figure:
    """How the per-row losses are distributed; the mean (the cost) as a dashed line."""
    fig = go.Figure(
        go.Histogram(x=values, nbinsx=bins, marker={"color": color_of(loss)}, name=title, showlegend=False)
    )
    mean = float(np.mean(values)) if len(values) else 0.0
    fig.add_vline(x=mean, line={"dash": "dash", "color": "#444"}, annotation_text=f"mean {mean:.4g}")
    return _layout(fig, x_title=f"per-row {title}", y_title="rows")


def _marked(fig, x, y, rows, worst_set, name):
    """The rows as points, the worst ones in red and labelled with their row number."""
    is_worst = np.isin(np.arange(len(x)), worst_set)
    fig.add_trace(
        go.Scattergl(
            x=x[~is_worst],
            y=y[~is_worst],
            mode="markers",
            name=name,
            marker={"color": POINT_COLOR, "size": 6, "opacity": 0.6},
            customdata=rows[~is_worst],
            hovertemplate="row %{customdata}<br>x %{x:.4g}<br>y %{y:.4g}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x[is_worst],
            y=y[is_worst],
            mode="markers+text",
            name="worst rows",
            marker={"color": WORST_COLOR, "size": 10, "symbol": "x"},
            text=[str(r) for r in rows[is_worst]],
            textposition="top center",
            customdata=rows[is_worst],
            hovertemplate="row %{customdata}<br>x %{x:.4g}<br>y %{y:.4g}<extra></extra>",
        )
    )


def predicted_vs_actual(
    y_true: np.ndarray, y_pred: np.ndarray, rows: np.ndarray, worst: np.ndarray, *, names: tuple[str, str]
) -> go.Figure:
    """Each row's prediction against its target, the diagonal y = x, the worst rows marked."""
    keep = sample_rows(len(y_true), worst)
    worst_pos = np.flatnonzero(np.isin(keep, worst))
    fig = go.Figure()
    lo = float(min(np.min(y_true), np.min(y_pred))) if len(y_true) else 0.0
    hi = float(max(np.max(y_true), np.max(y_pred))) if len(y_true) else 1.0
    fig.add_trace(
        go.Scatter(
            x=[lo, hi],
            y=[lo, hi],
            mode="lines",
            name="perfect (y = x)",
            line={"color": "#888", "dash": "dash"},
        )
    )
    _marked(fig, y_true[keep], y_pred[keep], rows[keep], worst_pos, "rows")
    return _layout(fig, x_title=f"actual ({_text(names[0])})", y_title=f"predicted ({_text(names[1])})")


def residual_plot(
    y_true: np.ndarray, y_pred: np.ndarray, rows: np.ndarray, worst: np.ndarray, *, names: tuple[str, str]
) -> go.Figure:
    """Residual (actual - predicted) against the prediction; noise around 0 is what good looks like."""
    keep = sample_rows(len(y_true), worst)
    worst_pos = np.flatnonzero(np.isin(keep, worst))
    fig = go.Figure()
    fig.add_hline(y=0, line={"color": "#888", "dash": "dash"})
    _marked(fig, y_pred[keep], (y_true - y_pred)[keep], rows[keep], worst_pos, "rows")
    return _layout(fig, x_title=f"predicted ({_text(names[1])})", y_title="residual (actual - predicted)")


def calibration_bins(prob: np.ndarray, hit: np.ndarray, bins: int = 10) -> tuple[np.ndarray, ...]:
    """Per equal-width bin of predicted probability: mean prediction, observed frequency, row count."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(prob, edges[1:-1]), 0, bins - 1)
    count = np.bincount(which, minlength=bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_p = np.bincount(which, weights=prob, minlength=bins) / count
        freq = np.bincount(which, weights=hit.astype(np.float64), minlength=bins) / count
    full = count > 0
    return mean_p[full], freq[full], count[full]


def calibration_plot(prob: np.ndarray, hit: np.ndarray, *, what: str, bins: int = 10) -> go.Figure:
    """Reliability diagram: in each bin of predicted probability, how often the event really happened."""
    mean_p, freq, count = calibration_bins(prob, hit, bins)
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=[0, 1],
            y=[0, 1],
            mode="lines",
            name="perfectly calibrated",
            line={"color": "#888", "dash": "dash"},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=mean_p,
            y=freq,
            mode="lines+markers",
            name="this model",
            marker={
                "size": np.clip(6 + 14 * np.sqrt(count / max(1, count.max())), 6, 20),
                "color": POINT_COLOR,
            },
            customdata=count,
            hovertemplate="predicted %{x:.3f}<br>observed %{y:.3f}<br>%{customdata} rows<extra></extra>",
        )
    )
    fig.update_xaxes(range=[-0.03, 1.03])
    fig.update_yaxes(range=[-0.03, 1.03])  # markers at 0 and 1 are not cut in half
    return _layout(fig, x_title=f"predicted probability ({_text(what)})", y_title="observed frequency")


def loss_vs_probability(
    prob: np.ndarray,
    values: np.ndarray,
    classes: np.ndarray,
    rows: np.ndarray,
    *,
    loss: str,
    title: str,
    class_names: Sequence[str],
    what: str,
) -> go.Figure:
    """Per-row loss against the predicted probability, one colour per true class."""
    keep = sample_rows(len(prob), worst_rows(values))
    fig = go.Figure()
    palette = ("#1f5fbf", "#e07b00", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f")
    for j, name in enumerate(class_names):
        sel = keep[classes[keep] == j]
        if not len(sel):
            continue
        fig.add_trace(
            go.Scattergl(
                x=prob[sel],
                y=values[sel],
                mode="markers",
                name=f"true class: {_text(name)}",
                marker={"color": palette[j % len(palette)], "size": 6, "opacity": 0.7},
                customdata=rows[sel],
                hovertemplate="row %{customdata}<br>p %{x:.3f}<br>loss %{y:.4g}<extra></extra>",
            )
        )
    fig.update_xaxes(range=[-0.02, 1.02])
    return _layout(fig, x_title=f"predicted probability ({_text(what)})", y_title=f"per-row {title}")
