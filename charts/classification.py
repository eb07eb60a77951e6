"""Figures for the classification explorers: loss and derivative curves against the margin with each
sample marked, cross-entropy against the probability and the logit, the vanishing-gradient comparison,
and per-class bars (probabilities, gradients, P against Q). Data in (computed by ``losses``), figure out.

Built from plain dicts in one ``go.Figure(data=..., layout=...)`` call (shapes and annotations in the layout)
like every module in ``charts``: several times faster than ``add_trace``/``update_layout``/``add_vrect``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from charts.style import FONT_SIZE, color_of, dash_of, drawn, layout

#: Marker for a misclassified sample: a larger symbol with a dark ring, so it reads without colour too.
WRONG_SYMBOL = "x"


@dataclass(frozen=True)
class Line:
    """One curve: x and y from the core, its legend title and the loss (or role) that picks its colour."""

    x: np.ndarray
    y: np.ndarray
    title: str
    style: str
    dash: str | None = None
    group: str | None = None


@dataclass(frozen=True)
class Marks:
    """Samples marked on a curve: positions, hover names, which are misclassified, and the colour role."""

    x: np.ndarray
    y: np.ndarray
    names: Sequence[str]
    style: str
    wrong: np.ndarray | None = None
    group: str | None = None
    title: str = ""


#: The misclassified side of an axis, shaded below the curves.
WRONG_FILL = "rgba(214, 39, 40, 0.08)"


def _shade(x0: float, x1: float) -> dict:
    """A band over the full height between x0 and x1, below the traces (what ``add_vrect`` draws)."""
    return {"type": "rect", "xref": "x", "yref": "y domain", "x0": x0, "x1": x1, "y0": 0, "y1": 1,
            "fillcolor": WRONG_FILL, "line": {"width": 0}, "layer": "below"}  # fmt: skip


def _marks(mk: Marks, hover_x: str) -> list[dict]:
    """One trace for the correctly classified samples and one for the misclassified, each only if any."""
    x, y = np.asarray(mk.x), np.asarray(mk.y)
    wrong = np.zeros(len(x), dtype=bool) if mk.wrong is None else np.asarray(mk.wrong, dtype=bool)
    traces = []
    for is_wrong in (False, True):
        sel = wrong == is_wrong
        if not sel.any():
            continue
        ring = {"width": 2, "color": "#1b1f24"} if is_wrong else {"width": 1.5, "color": "white"}
        traces.append(
            {"type": "scatter", "x": x[sel], "y": y[sel], "mode": "markers", "name": mk.title or "samples",
             "legendgroup": mk.group or mk.title, "showlegend": False,
             "marker": {"color": color_of(mk.style), "size": 15 if is_wrong else 11,
                        "symbol": WRONG_SYMBOL if is_wrong else "circle", "line": ring},
             "text": [n for n, s in zip(mk.names, sel, strict=True) if s],
             "hovertemplate": "%{text}" + (" (misclassified)" if is_wrong else "")
             + f"<br>{hover_x} = %{{x:.3f}}<br>%{{y:.4g}}<extra>{mk.title}</extra>"}
        )  # fmt: skip
    return traces


def curves(
    lines: Sequence[Line],
    marks: Sequence[Marks] = (),
    *,
    x_title: str,
    y_title: str,
    x_range: tuple[float, float] | None = None,
    y_range: tuple[float, float] | None = None,
    wrong_below: float | None = None,
    margin_at: float | None = None,
    height: int = 380,
    hover_x: str = "x",
) -> go.Figure:
    """Curves over a grid with the samples marked on them.

    ``wrong_below``: shade x ≤ that value (the misclassified side of the margin axis). ``margin_at``: a
    dotted vertical line there (the hinge's margin m = 1).
    """
    shapes = []
    if wrong_below is not None and x_range is not None and x_range[0] < wrong_below:
        shapes.append(_shade(x_range[0], wrong_below))
    if margin_at is not None:
        shapes.append(
            {"type": "line", "xref": "x", "yref": "y domain", "x0": margin_at, "x1": margin_at, "y0": 0,
             "y1": 1, "line": {"dash": "dot", "color": "gray", "width": 1.5}}
        )  # fmt: skip
    data = [
        {"type": "scatter", **drawn(ln.x, ln.y), "mode": "lines", "name": ln.title,
         "legendgroup": ln.group or ln.title, "hoverinfo": "skip",
         "line": {"color": color_of(ln.style), "width": 3, "dash": ln.dash or dash_of(ln.style)}}
        for ln in lines
    ]  # fmt: skip
    for mk in marks:
        data += _marks(mk, hover_x)
    xaxis = {"range": list(x_range)} if x_range is not None else {}
    yaxis = {"range": list(y_range)} if y_range is not None else {}
    lay = layout(x_title=x_title, y_title=y_title, height=height, xaxis=xaxis, yaxis=yaxis, shapes=shapes)
    return go.Figure(data=data, layout=lay)


def gradient_comparison(
    x: np.ndarray,
    ce: np.ndarray,
    squared: np.ndarray,
    *,
    at: float,
    ce_at: float,
    squared_at: float,
    x_range: tuple[float, float],
) -> go.Figure:
    """Both gradients against the logit (for a positive sample), with the chosen logit marked on each."""
    data = []
    for y, title, style, value in (
        (ce, "cross-entropy", "sigmoid_cross_entropy", ce_at),
        (squared, "squared error after σ", "sigmoid_squared_error", squared_at),
    ):
        data.append(
            {"type": "scatter", "x": x, "y": y, "mode": "lines", "name": title, "legendgroup": title,
             "hoverinfo": "skip",
             "line": {"color": color_of(style), "width": 3,
                      "dash": "dash" if style == "sigmoid_squared_error" else "solid"}}
        )  # fmt: skip
        data.append(
            {"type": "scatter", "x": [at], "y": [value], "mode": "markers", "legendgroup": title,
             "showlegend": False,
             "marker": {"color": color_of(style), "size": 13, "line": {"width": 1.5, "color": "white"}},
             "hovertemplate": f"{title}<br>s = %{{x:.2f}}<br>dℓ/ds = %{{y:.4g}}<extra></extra>"}
        )  # fmt: skip
    wrong_label = {"text": "wrong (t = 1, s < 0)", "xref": "x", "yref": "y domain", "x": x_range[0], "y": 1,
                   "xanchor": "left", "yanchor": "top", "showarrow": False,
                   "font": {"size": FONT_SIZE - 2}}  # fmt: skip
    lay = layout(x_title="logit s (true label t = 1)", y_title="dℓ/ds", height=340,
                 xaxis={"range": list(x_range)}, yaxis={"range": [-1.1, 0.15]},
                 shapes=[_shade(x_range[0], 0.0)], annotations=[wrong_label])  # fmt: skip
    return go.Figure(data=data, layout=lay)


def class_bars(
    names: Sequence[str],
    series: Mapping[str, np.ndarray],
    *,
    styles: Mapping[str, str],
    y_title: str,
    true_class: int | None = None,
    y_range: tuple[float, float] | None = None,
    height: int = 300,
    decimals: int = 3,
) -> go.Figure:
    """Grouped bars, one group per class; the true class's name is underlined and marked "(true)"."""
    labels = [f"<b><u>{n}</u></b> (true)" if i == true_class else n for i, n in enumerate(names)]
    # values on the bars while they fit; hover shows them always
    with_text = len(series) == 1 or len(names) * len(series) <= 6
    data = []
    for title, values in series.items():
        values = np.asarray(values)
        bar = {"type": "bar", "x": labels, "y": values, "name": title,
               "marker": {"color": color_of(styles[title])}, "textposition": "outside",
               "textfont": {"size": FONT_SIZE - (1 if len(series) == 1 else 3)}, "cliponaxis": False,
               "hovertemplate": f"%{{x}}: %{{y:.{decimals + 1}f}}<extra>{title}</extra>"}  # fmt: skip
        if with_text:
            bar["text"] = [f"{v:.{decimals}f}" for v in values]
        data.append(bar)
    lay = layout(x_title="", y_title=y_title, height=height,
                 yaxis={"range": list(y_range)} if y_range is not None else None, barmode="group",
                 bargap=0.25, uniformtext={"minsize": FONT_SIZE - 4, "mode": "hide"})  # fmt: skip
    if len(series) == 1:
        lay["showlegend"] = False
    return go.Figure(data=data, layout=lay)
