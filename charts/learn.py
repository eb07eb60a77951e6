"""Figures for the learning page: training animated in the browser (Plotly frames, a play/pause button and a
step slider: no server round trip per frame), the cost surface with each loss's path, cost against the
step, and each point's margin over the steps. Data in (computed by ``losses.descent``), figure out.

Built from plain dicts in one ``go.Figure(data=..., layout=..., frames=...)`` call, like every module in
``charts``. A frame changes only the animated traces (``traces``), with ``redraw`` off: the browser moves a
few points per frame. Every trace is a scatter (contours come as level lines from ``scenes.learn``):
Plotly removes a contour trace from a subplot while it animates one without a redraw.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from charts.style import FONT_SIZE, color_of, dash_of, layout

#: Milliseconds per frame when playing.
FRAME_MS = 70
#: Colour and dash of a regression loss applied after a sigmoid ("squared error after σ"): its own, not
#: the regression loss's (MSE's blue is cross-entropy's on the classification charts).
AFTER_SIGMOID = ("#8c564b", "dash")
BUTTON = {"bgcolor": "#1f5fbf", "font": {"color": "white", "size": FONT_SIZE}, "bordercolor": "#1f5fbf"}
DATA_MARKER = {"size": 10, "color": "rgba(0,0,0,0)", "line": {"width": 2, "color": "gray"}}
OUTLIER_MARKER = {"size": 14, "symbol": "x", "color": "#d62728"}
CLASS_NAMES = ("class 0", "class 1")


def _style(name: str, after_sigmoid: Collection[str] = ()) -> tuple[str, str]:
    return AFTER_SIGMOID if name in after_sigmoid else (color_of(name), dash_of(name))


def player(steps: Sequence[int], *, y: float = -0.2) -> dict:
    """Layout entries for a play/pause button and a step slider over frames named by their step."""
    play = {"frame": {"duration": FRAME_MS, "redraw": False}, "fromcurrent": True, "mode": "immediate",
            "transition": {"duration": 0}}  # fmt: skip
    jump = {"frame": {"duration": 0, "redraw": False}, "mode": "immediate", "transition": {"duration": 0}}
    buttons = [
        {"label": "▶ Play", "method": "animate", "args": [None, play], "name": "play"},
        {"label": "❚❚ Pause", "method": "animate", "args": [[None], jump], "name": "pause"},
    ]
    menu = {"type": "buttons", "direction": "left", "showactive": False, "x": 0.0, "y": y, "xanchor": "left",
            "yanchor": "top", "pad": {"t": 0, "r": 10}, "buttons": buttons, **BUTTON}  # fmt: skip
    slider = {
        "active": 0, "x": 0.2, "len": 0.8, "y": y + 0.03, "yanchor": "top", "pad": {"t": 0, "b": 0},
        "ticklen": 0, "minorticklen": 0, "font": {"color": "rgba(0,0,0,0)"},  # ticks' labels hidden: many
        "bgcolor": "#9aa4b1", "bordercolor": "#9aa4b1", "activebgcolor": "#1f5fbf",
        "currentvalue": {"visible": False},  # the step is written in the plot (theme-coloured), see _step
        "steps": [{"label": str(k), "method": "animate", "args": [[str(k)], jump]} for k in steps],
    }  # fmt: skip
    return {"updatemenus": [menu], "sliders": [slider]}


def _step(k: int, x: float, y: float) -> dict:
    """The frame's step, written in the top-left corner of the first plot (a text trace: frames update it)."""
    return {"type": "scatter", "x": [x], "y": [y], "mode": "text", "text": [f"step {k}"],
            "textposition": "bottom right", "textfont": {"size": FONT_SIZE + 3}, "showlegend": False,
            "hoverinfo": "skip", "name": "step"}  # fmt: skip


def _second_axes(lay: dict, x_title: str, y_title: str, domain: Sequence[float]) -> dict:
    """xaxis2/yaxis2 styled like the first pair (the shared layout's), side by side with it."""
    x2 = {**lay["xaxis"], "title": {**lay["xaxis"]["title"], "text": x_title}, "domain": list(domain),
          "anchor": "y2"}  # fmt: skip
    y2 = {**lay["yaxis"], "title": {**lay["yaxis"]["title"], "text": y_title}, "anchor": "x2"}
    return {"xaxis2": x2, "yaxis2": y2}


def _heading(text: str, x: float) -> dict:
    return {"text": f"<b>{text}</b>", "xref": "paper", "yref": "paper", "x": x, "y": 1.0, "xanchor": "left",
            "yanchor": "bottom", "showarrow": False, "font": {"size": FONT_SIZE}}  # fmt: skip


def learning_lines(
    x: np.ndarray,
    y: np.ndarray,
    labels: Sequence[str],
    frames: Mapping[str, np.ndarray],
    steps: Sequence[int],
    titles: Mapping[str, str],
    *,
    surface: tuple[np.ndarray, np.ndarray, Sequence[tuple[float, np.ndarray, np.ndarray]]],
    surface_title: str,
    paths: Mapping[str, np.ndarray],
    best: Mapping[str, tuple[float, float]],
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    height: int = 500,
) -> go.Figure:
    """Left: the data and each loss's line at the frame's step. Right: the contours of one loss's cost over
    (slope, intercept), every loss's path, its best line (a star) and where it is at the frame's step.

    ``frames[name]`` is (len(steps), 2) slope and intercept per frame; ``paths[name]`` every step's;
    ``surface`` the grid's slopes and intercepts and its level lines (level, xs, ys).
    """
    names = list(frames)
    is_out = np.array([lab.startswith("outlier") for lab in labels])
    xs = np.array(x_range, dtype=float)
    data = [{"type": "scatter", "x": x[~is_out], "y": y[~is_out], "mode": "markers", "name": "data",
             "marker": DATA_MARKER, "hoverinfo": "skip"}]  # fmt: skip
    if is_out.any():
        data.append({"type": "scatter", "x": x[is_out], "y": y[is_out], "mode": "markers", "name": "outliers",
                     "marker": OUTLIER_MARKER, "hoverinfo": "skip"})  # fmt: skip
    first_line = len(data)
    for n in names:
        w, b = frames[n][0]
        data.append({"type": "scatter", "x": xs, "y": w * xs + b, "mode": "lines", "name": titles[n],
                     "legendgroup": n, "hoverinfo": "skip",
                     "line": {"color": color_of(n), "width": 3, "dash": dash_of(n)}})  # fmt: skip
    w_grid, b_grid, levels = surface
    # Viridis without its ends: the darkest is lost on a dark theme, the lightest on a light one
    shades = sample_colorscale("Viridis", list(np.linspace(0.2, 0.9, len(levels)))) if levels else []
    f4 = np.float32  # half the bytes of float64: lines are drawn, not read to 16 digits
    data += [{"type": "scatter", "x": lx.astype(f4), "y": ly.astype(f4), "mode": "lines", "xaxis": "x2",
              "yaxis": "y2", "showlegend": False, "name": f"cost {level:.4g}",
              "line": {"color": shade, "width": 1.2},
              "hovertemplate": f"{surface_title} = {level:.4g}<extra></extra>"}
             for (level, lx, ly), shade in zip(levels, shades, strict=True)]  # fmt: skip
    for n in names:
        p = paths[n].astype(f4)
        data.append({"type": "scatter", "x": p[:, 0], "y": p[:, 1], "mode": "lines", "xaxis": "x2",
                     "yaxis": "y2", "legendgroup": n, "showlegend": False, "name": titles[n],
                     "line": {"color": color_of(n), "width": 2, "dash": dash_of(n)},
                     "hovertemplate": f"w = %{{x:.3f}}<br>b = %{{y:.3f}}<extra>{titles[n]}</extra>"}
                    )  # fmt: skip
    starred = [n for n in names if n in best]
    data.append({"type": "scatter", "x": [best[n][0] for n in starred], "y": [best[n][1] for n in starred],
                 "mode": "markers", "xaxis": "x2", "yaxis": "y2", "name": "best line", "showlegend": False,
                 "text": [titles[n] for n in starred],
                 "marker": {"symbol": "star", "size": 16, "color": [color_of(n) for n in starred],
                            "line": {"width": 1, "color": "black"}},
                 "hovertemplate": "best under %{text}<br>w = %{x:.3f}<br>b = %{y:.3f}<extra></extra>"})
    corner = (x_range[0], y_range[1])
    data += [_now([frames[n][0] for n in names], names), _step(steps[0], *corner)]
    animated = [*range(first_line, first_line + len(names)), len(data) - 2, len(data) - 1]

    def frame(i: int, k: int) -> dict:  # only what changes: Plotly keeps the rest of each trace
        lines = [{"y": [float(v) for v in frames[n][i][0] * xs + frames[n][i][1]]} for n in names]
        now = {"x": [float(frames[n][i][0]) for n in names], "y": [float(frames[n][i][1]) for n in names]}
        return {"name": str(k), "data": [*lines, now, {"text": [f"step {k}"]}], "traces": animated}

    lay = layout(x_title="x", y_title="y", height=height, top=80,
                 xaxis={"range": list(x_range), "domain": [0.0, 0.5]}, yaxis={"range": list(y_range)},
                 annotations=[_heading("The lines as they learn", 0.0),
                              _heading(f"Cost surface of {surface_title}, and each loss's path", 0.58)],
                 margin={"l": 10, "r": 10, "t": 80, "b": 110}, **player(steps))  # fmt: skip
    lay["legend"]["y"] = 1.09
    lay |= _second_axes(lay, "slope w", "intercept b", [0.58, 1.0])
    lay["xaxis2"]["range"] = [float(w_grid[0]), float(w_grid[-1])]
    lay["yaxis2"]["range"] = [float(b_grid[0]), float(b_grid[-1])]
    return go.Figure(data=data, layout=lay, frames=[frame(i, k) for i, k in enumerate(steps)])


def _now(points: Sequence[Sequence[float]], names: Sequence[str]) -> dict:
    """Where each run is at a frame's step, on the cost surface."""
    return {"type": "scatter", "x": [float(p[0]) for p in points], "y": [float(p[1]) for p in points],
            "mode": "markers", "xaxis": "x2", "yaxis": "y2", "showlegend": False, "name": "now",
            "marker": {"size": 12, "color": [color_of(n) for n in names],
                       "line": {"width": 2, "color": "white"}}, "hoverinfo": "skip"}  # fmt: skip


def cost_curves(
    costs: Mapping[str, np.ndarray],
    best: Mapping[str, float],
    titles: Mapping[str, str],
    *,
    log_y: bool = False,
    after_sigmoid: Collection[str] = (),
    height: int = 340,
) -> go.Figure:
    """Each run's cost against the step, and (dotted) the lowest cost its loss can reach, where known."""
    data = []
    for n, c in costs.items():
        color, dash = _style(n, after_sigmoid)
        data.append({"type": "scatter", "x": np.arange(len(c)), "y": c, "mode": "lines", "name": titles[n],
                     "legendgroup": n, "line": {"color": color, "width": 3, "dash": dash},
                     "hovertemplate": f"step %{{x}}<br>cost %{{y:.5g}}<extra>{titles[n]}</extra>"}
                    )  # fmt: skip
        if n in best:
            data.append({"type": "scatter", "x": [0, max(len(c) - 1, 1)], "y": [best[n]] * 2,
                         "mode": "lines", "legendgroup": n, "showlegend": False, "name": f"best {titles[n]}",
                         "line": {"color": color, "width": 1.5, "dash": "dot"},
                         "hovertemplate": f"lowest possible: %{{y:.5g}}<extra>{titles[n]}</extra>"}
                        )  # fmt: skip
    yaxis = {"type": "log"} if log_y else {"rangemode": "tozero"}
    return go.Figure(data=data, layout=layout(x_title="step", y_title="cost", height=height, yaxis=yaxis))


def boundaries(
    X: np.ndarray,
    labels01: np.ndarray,
    frames: Mapping[str, Sequence[tuple[list, list]]],
    steps: Sequence[int],
    titles: Mapping[str, str],
    *,
    box: float,
    outlier: int | None = None,
    after_sigmoid: Collection[str] = (),
    height: int = 520,
) -> go.Figure:
    """The two classes and each loss's decision boundary w·x + b = 0 at the frame's step.

    ``frames[name][i]`` is the boundary's two end points (xs, ys) at ``steps[i]`` (Nones: no boundary)."""
    names = list(frames)
    data = []
    for lab in (0, 1):
        sel = np.asarray(labels01) == lab
        if outlier is not None:
            sel[outlier] = False
        data.append({"type": "scatter", "x": X[sel, 0], "y": X[sel, 1], "mode": "markers",
                     "name": CLASS_NAMES[lab], "hoverinfo": "skip",
                     "marker": {"size": 11, "color": color_of(f"label_{lab}"),
                                "symbol": "circle" if lab else "square",
                                "line": {"width": 1, "color": "white"}}})  # fmt: skip
    if outlier is not None:
        lab = int(labels01[outlier])
        data.append({"type": "scatter", "x": [X[outlier, 0]], "y": [X[outlier, 1]], "mode": "markers+text",
                     "name": f"outlier ({CLASS_NAMES[lab]})", "text": ["outlier"],
                     "textposition": "top center", "hoverinfo": "skip",
                     "marker": {"size": 17, "color": color_of(f"label_{lab}"), "symbol": "circle",
                                "line": {"width": 3, "color": "#d62728"}}})  # fmt: skip
    first = len(data)
    for n in names:
        color, dash = _style(n, after_sigmoid)
        bx, by = frames[n][0]
        data.append({"type": "scatter", "x": bx, "y": by, "mode": "lines", "name": titles[n],
                     "legendgroup": n, "hoverinfo": "skip",
                     "line": {"color": color, "width": 3, "dash": dash}})  # fmt: skip
    data.append(_step(steps[0], -box, box))
    animated = [*range(first, first + len(names)), len(data) - 1]

    def frame(i: int, k: int) -> dict:  # only what changes: Plotly keeps the rest of each trace
        lines = [{"x": frames[n][i][0], "y": frames[n][i][1]} for n in names]
        return {"name": str(k), "data": [*lines, {"text": [f"step {k}"]}], "traces": animated}

    lay = layout(x_title="feature x₁", y_title="feature x₂", height=height, top=90,
                 xaxis={"range": [-box, box], "constrain": "domain"},
                 yaxis={"range": [-box, box], "scaleanchor": "x", "constrain": "domain"},
                 margin={"l": 10, "r": 10, "t": 90, "b": 110}, **player(steps))  # fmt: skip
    return go.Figure(data=data, layout=lay, frames=[frame(i, k) for i, k in enumerate(steps)])


def margins(
    steps: np.ndarray,
    margins_by_loss: Mapping[str, np.ndarray],
    labels01: np.ndarray,
    titles: Mapping[str, str],
    *,
    outlier: int | None = None,
    per_row: int = 3,
    height_per_row: int = 300,
) -> go.Figure:
    """One panel per loss: every point's margin m = t·s against the step (class-coloured; the outlier thick),
    with m = 0 (the boundary) and m = 1 (the hinge's margin) marked. ``margins_by_loss[name]`` is
    (len(steps), n)."""
    names = list(margins_by_loss)
    rows = max(1, -(-len(names) // per_row))
    cols = min(per_row, max(1, len(names)))
    gap_x, gap_y = 0.06, 0.18 / rows
    data, shapes, notes, axes = [], [], [], {}
    for i, n in enumerate(names):
        r, c = divmod(i, cols)
        x0 = c / cols + (gap_x / 2 if c else 0)
        x1 = (c + 1) / cols - (gap_x / 2 if c < cols - 1 else 0)
        y1 = 1 - r / rows - (gap_y if r else 0)
        y0 = 1 - (r + 1) / rows + (gap_y / 2 if r < rows - 1 else 0)
        sx = "" if i == 0 else str(i + 1)
        m = margins_by_loss[n]
        for j in range(m.shape[1]):
            lab = int(labels01[j])
            is_out = j == outlier
            data.append({"type": "scatter", "x": steps, "y": m[:, j], "mode": "lines", "xaxis": f"x{sx}",
                         "yaxis": f"y{sx}", "showlegend": False, "name": f"point {j + 1}",
                         "line": {"color": "#d62728" if is_out else color_of(f"label_{lab}"),
                                  "width": 3.5 if is_out else 1.2},
                         "opacity": 1.0 if is_out else 0.75,
                         "hovertemplate": ("outlier" if is_out else f"point {j + 1} ({CLASS_NAMES[lab]})")
                         + "<br>step %{x}<br>m = %{y:.3f}<extra>" + titles[n] + "</extra>"})  # fmt: skip
        for level, dash in ((0.0, "solid"), (1.0, "dot")):
            shapes.append({"type": "line", "xref": f"x{sx} domain", "yref": f"y{sx}", "x0": 0, "x1": 1,
                           "y0": level, "y1": level, "line": {"color": "gray", "width": 1.5, "dash": dash}})
        notes.append(_heading(titles[n], x0) | {"y": y1, "xref": "paper"})
        base = layout(x_title="step" if r == rows - 1 else "", y_title="" if c else "margin m", height=1)
        axes[f"xaxis{sx}"] = {**base["xaxis"], "domain": [x0, x1], "anchor": f"y{sx}"}
        axes[f"yaxis{sx}"] = {**base["yaxis"], "domain": [y0, y1], "anchor": f"x{sx}",
                              **({"matches": "y"} if i else {})}  # fmt: skip
    lay = layout(x_title="step", y_title="margin m", height=height_per_row * rows + 40, top=40, shapes=shapes,
                 annotations=notes)  # fmt: skip
    lay |= axes
    return go.Figure(data=data, layout=lay)
