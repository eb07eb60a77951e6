"""Figures for the regression explorer: loss and influence curves with the scene's points on them, each
point's share of every loss, and the best line under each loss. Data in (computed by ``losses``), figure out.

Built from plain dicts in one ``go.Figure(data=..., layout=...)`` call, as every module in ``charts`` is:
about 4x faster than adding trace objects and updating the layout step by step, which matters because every
drag rebuilds these figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from charts.style import color_of, dash_of, drawn, layout, live_meta

Curve = tuple[np.ndarray, np.ndarray]


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
    data = [
        {"type": "scatter", **drawn(x, y), "mode": "lines", "name": titles[name], "legendgroup": name,
         "line": {"color": color_of(name), "width": 3, "dash": dash_of(name)}}
        for name, (x, y) in curves.items()
    ]  # fmt: skip
    data += [
        {"type": "scatter", "x": x, "y": y, "mode": "markers", "name": titles[name], "legendgroup": name,
         "showlegend": False, "text": list(point_labels),
         "marker": {"color": color_of(name), "size": 11, "line": {"width": 1.5, "color": "white"}},
         "hovertemplate": "%{text}<br>r = %{x:.3f}<br>%{y:.4g}<extra>" + titles[name] + "</extra>"}
        for name, (x, y) in points.items()
    ]  # fmt: skip
    yaxis = {"range": list(y_range)} if y_range is not None else {}
    return go.Figure(data=data, layout=layout(x_title=x_title, y_title=y_title, height=380, yaxis=yaxis))


def share_bars(
    labels: Sequence[str], shares: Mapping[str, np.ndarray], titles: Mapping[str, str], *,
    drawn_by_widget: bool = False,
) -> go.Figure:
    """Grouped bars: each point's percentage of each loss's total. ``drawn_by_widget``: the bars are sent
    empty (the axes, groups and legend only, the same on every drag) and the drag widget draws them over
    the chart from the live preview's exact shares (scenes.live), so a drag does not redraw the chart."""
    data = [
        {"type": "bar", "x": list(labels), "name": titles[name], "marker": {"color": color_of(name)},
         "y": np.zeros(len(labels)) if drawn_by_widget else 100 * np.asarray(s),
         "meta": live_meta(name, range(len(labels))),
         **({"hoverinfo": "skip"} if drawn_by_widget else
            {"hovertemplate": "%{x}: %{y:.1f}% of the " + titles[name] + "<extra></extra>"})}
        for name, s in shares.items()
    ]  # fmt: skip
    lay = layout(x_title="", y_title="share of the total (%)", height=320, yaxis={"range": [0, 100]},
                 barmode="group", bargap=0.25)  # fmt: skip
    return go.Figure(data=data, layout=lay)


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
    is_outlier = np.array([lab.startswith("outlier") for lab in labels])
    names = np.array(labels)
    data = [
        {"type": "scatter", "x": x[~is_outlier], "y": y[~is_outlier], "mode": "markers", "name": "data",
         "marker": {"size": 11, "color": "rgba(0,0,0,0)", "line": {"width": 2, "color": "gray"}},
         "text": list(names[~is_outlier]), "hovertemplate": "%{text}<extra></extra>"}
    ]  # fmt: skip
    if is_outlier.any():
        data.append(
            {"type": "scatter", "x": x[is_outlier], "y": y[is_outlier], "mode": "markers", "name": "outliers",
             "marker": {"size": 14, "symbol": "x", "color": "#d62728"}, "text": list(names[is_outlier]),
             "hovertemplate": "%{text}<extra></extra>"}
        )  # fmt: skip
    xs = np.array(x_range, dtype=float)
    for name, (w, b) in lines.items():
        data.append(
            {"type": "scatter", "x": xs, "y": w * xs + b, "mode": "lines",
             "name": f"best under {titles[name]}",
             "line": {"color": color_of(name), "width": 3, "dash": dash_of(name)},
             "hovertemplate": f"ŷ = {w:.3f}·x + {b:.3f}<extra>{titles[name]}</extra>"}
        )  # fmt: skip
    if user_line is not None:
        w, b = user_line
        data.append(
            {"type": "scatter", "x": xs, "y": w * xs + b, "mode": "lines", "name": "your line",
             "line": {"color": "gray", "width": 2, "dash": "dot"}}
        )  # fmt: skip
    lay = layout(x_title="x", y_title="y", height=380, xaxis={"range": list(x_range)},
                 yaxis={"range": list(y_range)})  # fmt: skip
    return go.Figure(data=data, layout=lay)
