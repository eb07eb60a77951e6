"""Figures for the classification explorers: loss and derivative curves against the margin with each
sample marked, cross-entropy against the probability and the logit, the vanishing-gradient comparison,
and per-class bars (probabilities, gradients, P against Q). Data in (computed by ``losses``), figure out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from charts.style import FONT_SIZE, color_of, dash_of

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


def _layout(fig: go.Figure, *, x_title: str, y_title: str, height: int) -> go.Figure:
    # sizes set on each part: Streamlit's chart theme would otherwise shrink ticks and titles
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        font={"size": FONT_SIZE},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "font": {"size": FONT_SIZE - 1}},
        hovermode="closest",
    )
    axis = {"zeroline": True, "tickfont": {"size": FONT_SIZE - 1}, "title_font": {"size": FONT_SIZE}}
    fig.update_xaxes(title_text=x_title, **axis)
    fig.update_yaxes(title_text=y_title, **axis)
    return fig


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
    fig = go.Figure()
    if wrong_below is not None and x_range is not None and x_range[0] < wrong_below:
        fig.add_vrect(
            x0=x_range[0],
            x1=wrong_below,
            fillcolor="rgba(214, 39, 40, 0.08)",
            line_width=0,
            layer="below",
        )
    if margin_at is not None:
        fig.add_vline(x=margin_at, line_dash="dot", line_color="gray", line_width=1.5)
    for ln in lines:
        fig.add_trace(
            go.Scatter(
                x=ln.x,
                y=ln.y,
                mode="lines",
                name=ln.title,
                legendgroup=ln.group or ln.title,
                line={"color": color_of(ln.style), "width": 3, "dash": ln.dash or dash_of(ln.style)},
                hoverinfo="skip",
            )
        )
    for mk in marks:
        wrong = np.zeros(len(mk.x), dtype=bool) if mk.wrong is None else np.asarray(mk.wrong, dtype=bool)
        for is_wrong in (False, True):
            sel = wrong == is_wrong
            if not sel.any():
                continue
            fig.add_trace(
                go.Scatter(
                    x=np.asarray(mk.x)[sel],
                    y=np.asarray(mk.y)[sel],
                    mode="markers",
                    name=mk.title or "samples",
                    legendgroup=mk.group or mk.title,
                    showlegend=False,
                    marker={
                        "color": color_of(mk.style),
                        "size": 15 if is_wrong else 11,
                        "symbol": WRONG_SYMBOL if is_wrong else "circle",
                        "line": {
                            "width": 2 if is_wrong else 1.5,
                            "color": "#1b1f24" if is_wrong else "white",
                        },
                    },
                    text=[n for n, s in zip(mk.names, sel, strict=True) if s],
                    hovertemplate="%{text}"
                    + (" (misclassified)" if is_wrong else "")
                    + f"<br>{hover_x} = %{{x:.3f}}<br>%{{y:.4g}}<extra>{mk.title}</extra>",
                )
            )
    _layout(fig, x_title=x_title, y_title=y_title, height=height)
    if x_range is not None:
        fig.update_xaxes(range=list(x_range))
    if y_range is not None:
        fig.update_yaxes(range=list(y_range))
    return fig


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
    fig = go.Figure()
    fig.add_vrect(
        x0=x_range[0],
        x1=0.0,
        fillcolor="rgba(214, 39, 40, 0.08)",
        line_width=0,
        layer="below",
        annotation_text="wrong (t = 1, s < 0)",
        annotation_position="top left",
        annotation_font_size=FONT_SIZE - 2,
    )
    for y, title, style, value in (
        (ce, "cross-entropy", "sigmoid_cross_entropy", ce_at),
        (squared, "squared error after σ", "sigmoid_squared_error", squared_at),
    ):
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                mode="lines",
                name=title,
                legendgroup=title,
                line={
                    "color": color_of(style),
                    "width": 3,
                    "dash": "dash" if style == "sigmoid_squared_error" else "solid",
                },
                hoverinfo="skip",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=[at],
                y=[value],
                mode="markers",
                legendgroup=title,
                showlegend=False,
                marker={"color": color_of(style), "size": 13, "line": {"width": 1.5, "color": "white"}},
                hovertemplate=f"{title}<br>s = %{{x:.2f}}<br>dℓ/ds = %{{y:.4g}}<extra></extra>",
            )
        )
    _layout(fig, x_title="logit s (true label t = 1)", y_title="dℓ/ds", height=340)
    fig.update_xaxes(range=list(x_range))
    fig.update_yaxes(range=[-1.1, 0.15])
    return fig


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
    fig = go.Figure()
    for title, values in series.items():
        fig.add_trace(
            go.Bar(
                x=labels,
                y=np.asarray(values),
                name=title,
                marker_color=color_of(styles[title]),
                # values on the bars while they fit; hover shows them always
                text=[f"{v:.{decimals}f}" for v in np.asarray(values)]
                if len(series) == 1 or len(names) * len(series) <= 6
                else None,
                textposition="outside",
                textfont={"size": FONT_SIZE - (1 if len(series) == 1 else 3)},
                cliponaxis=False,
                hovertemplate="%{x}: %{y:." + str(decimals + 1) + "f}<extra>" + title + "</extra>",
            )
        )
    fig.update_layout(barmode="group", bargap=0.25, uniformtext={"minsize": FONT_SIZE - 4, "mode": "hide"})
    _layout(fig, x_title="", y_title=y_title, height=height)
    if y_range is not None:
        fig.update_yaxes(range=list(y_range))
    if len(series) == 1:
        fig.update_layout(showlegend=False)
    return fig
