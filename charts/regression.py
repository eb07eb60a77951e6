"""Figures for the regression explorer: loss and influence curves with the scene's points on them, each
point's share of every loss, and the best line under each loss. Data in (computed by ``losses``), figure out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from charts.style import FONT_SIZE, color_of, dash_of

Curve = tuple[np.ndarray, np.ndarray]


def _layout(fig: go.Figure, *, x_title: str, y_title: str, height: int = 380) -> go.Figure:
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        font={"size": FONT_SIZE},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        hovermode="closest",
    )
    fig.update_xaxes(title_text=x_title, zeroline=True)
    fig.update_yaxes(title_text=y_title, zeroline=True)
    return fig


def curves_with_points(
    curves: Mapping[str, Curve],
    points: Mapping[str, Curve],
    titles: Mapping[str, str],
    *,
    point_labels: Sequence[str],
    x_title: str,
    y_title: str,
    y_range: tuple[float, float] | None = None,
) -> go.Figure:
    """One line per loss over a grid, and the scene's samples marked on it (same colour)."""
    fig = go.Figure()
    for name, (x, y) in curves.items():
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                mode="lines",
                name=titles[name],
                legendgroup=name,
                line={"color": color_of(name), "width": 3, "dash": dash_of(name)},
            )
        )
    for name, (x, y) in points.items():
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                mode="markers",
                name=titles[name],
                legendgroup=name,
                showlegend=False,
                marker={"color": color_of(name), "size": 11, "line": {"width": 1.5, "color": "white"}},
                text=list(point_labels),
                hovertemplate="%{text}<br>r = %{x:.3f}<br>%{y:.4g}<extra>" + titles[name] + "</extra>",
            )
        )
    _layout(fig, x_title=x_title, y_title=y_title)
    if y_range is not None:
        fig.update_yaxes(range=list(y_range))
    return fig


def share_bars(
    labels: Sequence[str], shares: Mapping[str, np.ndarray], titles: Mapping[str, str]
) -> go.Figure:
    """Grouped bars: each point's percentage of each loss's total."""
    fig = go.Figure()
    for name, s in shares.items():
        fig.add_trace(
            go.Bar(
                x=list(labels),
                y=100 * np.asarray(s),
                name=titles[name],
                marker_color=color_of(name),
                hovertemplate="%{x}: %{y:.1f}% of the " + titles[name] + "<extra></extra>",
            )
        )
    fig.update_layout(barmode="group", bargap=0.25)
    _layout(fig, x_title="", y_title="share of the total (%)", height=320)
    fig.update_yaxes(range=[0, 100])
    return fig


def best_lines(
    x: np.ndarray,
    y: np.ndarray,
    labels: Sequence[str],
    lines: Mapping[str, tuple[float, float]],
    titles: Mapping[str, str],
    *,
    user_line: tuple[float, float] | None,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
) -> go.Figure:
    """The data, the user's line, and the line each loss would choose."""
    fig = go.Figure()
    is_outlier = np.array([lab.startswith("outlier") for lab in labels])
    fig.add_trace(
        go.Scatter(
            x=x[~is_outlier],
            y=y[~is_outlier],
            mode="markers",
            name="data",
            marker={"size": 11, "color": "rgba(0,0,0,0)", "line": {"width": 2, "color": "gray"}},
            text=[lab for lab, o in zip(labels, is_outlier, strict=True) if not o],
            hovertemplate="%{text}<extra></extra>",
        )
    )
    if is_outlier.any():
        fig.add_trace(
            go.Scatter(
                x=x[is_outlier],
                y=y[is_outlier],
                mode="markers",
                name="outliers",
                marker={"size": 14, "symbol": "x", "color": "#d62728"},
                text=[lab for lab, o in zip(labels, is_outlier, strict=True) if o],
                hovertemplate="%{text}<extra></extra>",
            )
        )
    xs = np.array(x_range, dtype=float)
    for name, (w, b) in lines.items():
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=w * xs + b,
                mode="lines",
                name=f"best under {titles[name]}",
                line={"color": color_of(name), "width": 3, "dash": dash_of(name)},
                hovertemplate=f"ŷ = {w:.3f}·x + {b:.3f}<extra>{titles[name]}</extra>",
            )
        )
    if user_line is not None:
        w, b = user_line
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=w * xs + b,
                mode="lines",
                name="your line",
                line={"color": "gray", "width": 2, "dash": "dot"},
            )
        )
    _layout(fig, x_title="x", y_title="y", height=380)
    fig.update_yaxes(range=list(y_range))
    fig.update_xaxes(range=list(x_range))
    return fig
