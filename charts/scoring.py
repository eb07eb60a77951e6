"""Figures for the scoring page: per-row losses of a user's file. Data in (computed by ``losses`` through
``scoring``), ``go.Figure`` out. Large files are drawn from a fixed random sample plus the worst rows, so the
browser never receives millions of points.

Built from plain dicts in one ``go.Figure(data=..., layout=...)`` call (reference lines as layout shapes),
like every module in ``charts``.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from charts.style import color_of, layout

MAX_POINTS = 4000
WORST_COLOR = "#d62728"
POINT_COLOR = "#1f5fbf"
#: One colour per true class on the loss-against-probability chart.
PALETTE = ("#1f5fbf", "#e07b00", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f")
HEIGHT = 360
#: Room above the plot for a legend that wraps in a half-width column, and the histogram's mean label.
TOP = 36
#: The residual's one convention, the Regression page's: r = ŷ - y (positive: the model predicted too much).
RESIDUAL_TITLE = "residual r = ŷ − y (predicted − actual)"
#: Where a worst row's number may sit around its marker (Plotly's textposition), in the order tried.
POSITIONS = ("top center", "bottom center", "middle right", "middle left", "top right", "top left",
             "bottom right", "bottom left")  # fmt: skip
#: A label box's size in pixels as Chromium draws it (a digit at FONT_SIZE - 1, its line), its gap to the
#: marker, and the marker's size.
_DIGIT_PX, _LINE_PX, _GAP_PX, _MARK_PX = 7.5, 20.0, 6.0, 12.0
#: The plotting area of a chart the page's width, in pixels, at its narrowest: 1280x720 at 150% zoom (at 200%
#: the sidebar folds away and it is wider). Labels kept apart there are apart at every wider size too.
FULL = (430.0, 244.0)


def _text(name: object) -> str:
    """A column or class name from the user's file, as literal text: Plotly renders a subset of HTML in
    titles and legends (<b>, <a href>, <br>), so escape it; quotes stay as they are (Plotly shows &quot;
    literally: it is not an entity its text renderer knows)."""
    return html.escape(str(name), quote=False)


def _line(*, color: str = "#888", **where: object) -> dict:
    """A dashed reference line as a layout shape (``add_vline``/``add_hline`` draw the same)."""
    return {"type": "line", **where, "line": {"color": color, "dash": "dash"}}


def sample_rows(n: int, worst: Sequence[int] = (), limit: int = MAX_POINTS, seed: int = 0) -> np.ndarray:
    """Indexes to draw: every row when there are few, else a fixed random sample plus the worst rows."""
    if n <= limit:
        return np.arange(n)
    pick = np.random.default_rng(seed).choice(n, limit, replace=False)
    return np.unique(np.concatenate([pick, np.asarray(worst, dtype=np.intp)]))


def _positions_in(keep: np.ndarray, worst: np.ndarray) -> np.ndarray:
    """Where each worst row sits in ``keep`` (the rows drawn), in the worst rows' order (worst first)."""
    where = {int(r): i for i, r in enumerate(keep)}
    return np.array([where[int(w)] for w in worst if int(w) in where], dtype=np.intp)


def worst_rows(values: np.ndarray, k: int = 10) -> np.ndarray:
    """Indexes of the ``k`` largest per-row losses, largest first."""
    k = min(k, len(values))
    if k == 0:
        return np.empty(0, dtype=np.intp)
    idx = np.argpartition(-values, k - 1)[:k]
    return idx[np.argsort(-values[idx], kind="stable")]


def loss_histogram(
    values: np.ndarray, *, loss: str, title: str, bins: int = 50, log_y: bool = False
) -> go.Figure:
    """How the per-row losses are distributed; the mean (the cost) as a dashed line.

    ``log_y``: a log count axis, so the few rows in a long tail stay visible next to the bulk.
    """
    mean = float(np.mean(values)) if len(values) else 0.0
    data = [
        {"type": "histogram", "x": values, "nbinsx": bins, "marker": {"color": color_of(loss)}, "name": title,
         "showlegend": False}
    ]  # fmt: skip
    # above the plot, not inside it, where it would sit on the tallest bars
    label = {"text": f"mean {mean:.4g}", "xref": "x", "yref": "y domain", "x": mean, "y": 1,
             "xanchor": "left", "yanchor": "bottom", "showarrow": False}  # fmt: skip
    vline = _line(color="#444", xref="x", yref="y domain", x0=mean, x1=mean, y0=0, y1=1)
    lay = layout(x_title=f"per-row {title}", y_title="rows (log scale)" if log_y else "rows", height=HEIGHT,
                 top=TOP, yaxis={"type": "log"} if log_y else None, shapes=[vline],
                 annotations=[label])  # fmt: skip
    return go.Figure(data=data, layout=lay)


def _to_pixels(v: np.ndarray, ref: np.ndarray, length: float) -> np.ndarray:
    """Data values as pixels along an axis of ``length`` that spans ``ref`` with Plotly's ~5% padding."""
    lo, hi = (float(np.min(ref)), float(np.max(ref))) if len(ref) else (0.0, 1.0)
    pad = 0.05 * (hi - lo) if hi > lo else 0.5 * max(1.0, abs(lo))
    return (np.asarray(v, dtype=np.float64) - (lo - pad)) / (hi - lo + 2 * pad) * length


def _label_box(px: float, py: float, w: float, h: float, where: str) -> tuple[float, float, float, float]:
    """(left, bottom, right, top) in pixels (y up) of a label of size w x h at ``where`` around (px, py)."""
    vertical, horizontal = where.split()
    g = _GAP_PX
    if horizontal == "center":
        left = px - w / 2
    else:
        left = px + g / 2 if horizontal == "right" else px - g / 2 - w
    if vertical == "middle":
        bottom = py - h / 2
    else:
        near = g if horizontal == "center" else g / 2
        bottom = py + near if vertical == "top" else py - near - h
    return left, bottom, left + w, bottom + h


def _overlap(a: tuple[float, ...], b: np.ndarray) -> np.ndarray:
    """Overlap areas of box ``a`` with each box in ``b`` (rows of left, bottom, right, top)."""
    if not len(b):
        return np.zeros(0)
    dx = np.minimum(a[2], b[:, 2]) - np.maximum(a[0], b[:, 0])
    dy = np.minimum(a[3], b[:, 3]) - np.maximum(a[1], b[:, 1])
    return np.clip(dx, 0, None) * np.clip(dy, 0, None)


def label_positions(x: np.ndarray, y: np.ndarray, texts: Sequence[str], *, others: tuple = ((), ()),
                    size: tuple[float, float] = FULL) -> list[str]:  # fmt: skip
    """A Plotly textposition for each label of the points (x, y), so the labels overlap neither each other nor
    the labelled markers, and cover as few of the ``others`` points and stay inside the plot where possible.

    Greedy in the given order (the worst row first): each label takes the first of ``POSITIONS`` with the
    least overlap, estimated in pixels on a plot of ``size`` whose axes span every point.
    """
    w_px, h_px = size
    ox, oy = (np.asarray(o, dtype=np.float64) for o in others)
    all_x = np.concatenate([np.asarray(x, dtype=np.float64), ox])
    all_y = np.concatenate([np.asarray(y, dtype=np.float64), oy])
    px, py = _to_pixels(x, all_x, w_px), _to_pixels(y, all_y, h_px)
    qx, qy = _to_pixels(ox, all_x, w_px), _to_pixels(oy, all_y, h_px)
    m = _MARK_PX / 2
    marks = np.column_stack([px - m, py - m, px + m, py + m]) if len(px) else np.zeros((0, 4))
    placed: list[tuple[float, ...]] = []
    out: list[str] = []
    for i, text in enumerate(texts):
        w = _DIGIT_PX * len(text)
        best, best_cost = POSITIONS[0], math.inf
        for where in POSITIONS:
            box = _label_box(px[i], py[i], w, _LINE_PX, where)
            cost = 10.0 * (_overlap(box, np.array(placed).reshape(-1, 4)).sum()
                           + _overlap(box, np.delete(marks, i, axis=0)).sum())  # fmt: skip
            inside = (max(0.0, min(box[2], w_px) - max(box[0], 0.0))
                      * max(0.0, min(box[3], h_px) - max(box[1], 0.0)))  # fmt: skip
            cost += (w * _LINE_PX - inside)  # outside the plot: may be clipped by the figure's margins
            covered = (qx >= box[0]) & (qx <= box[2]) & (qy >= box[1]) & (qy <= box[3])
            cost += 4.0 * int(covered.sum())  # hiding ordinary points matters least
            if cost < best_cost - 1e-9:
                best, best_cost = where, cost
        out.append(best)
        placed.append(_label_box(px[i], py[i], w, _LINE_PX, best))
    return out


def _marked(x: np.ndarray, y: np.ndarray, rows: np.ndarray, worst_pos: np.ndarray, name: str,
            size: tuple[float, float] = FULL) -> list[dict]:  # fmt: skip
    """The rows as points, the worst ones in red and labelled with their row number, labels kept apart."""
    is_worst = np.isin(np.arange(len(x)), worst_pos)
    order = np.asarray(worst_pos, dtype=np.intp)  # worst first: the worst row's label is placed first
    where = label_positions(x[order], y[order], [str(r) for r in rows[order]],
                            others=(x[~is_worst], y[~is_worst]), size=size)  # fmt: skip
    placed = dict(zip(order.tolist(), where, strict=True))
    shown = np.flatnonzero(is_worst)  # the trace in row order
    hover = "row %{customdata}<br>x %{x:.4g}<br>y %{y:.4g}<extra></extra>"
    return [
        {"type": "scattergl", "x": x[~is_worst], "y": y[~is_worst], "mode": "markers", "name": name,
         "marker": {"color": POINT_COLOR, "size": 6, "opacity": 0.6}, "customdata": rows[~is_worst],
         "hovertemplate": hover},
        {"type": "scatter", "x": x[shown], "y": y[shown], "mode": "markers+text", "name": "worst rows",
         "marker": {"color": WORST_COLOR, "size": 10, "symbol": "x"}, "text": [str(r) for r in rows[shown]],
         "textposition": [placed[i] for i in shown.tolist()], "customdata": rows[shown],
         "textfont": {"shadow": "auto"},  # readable over the points and lines beneath it
         "hovertemplate": hover, "cliponaxis": False},  # a row number at the top edge is not cut off
    ]  # fmt: skip


def _layout(*, x_title: str, y_title: str, **extra: object) -> dict:
    return layout(x_title=x_title, y_title=y_title, height=HEIGHT, top=TOP, **extra)


def predicted_vs_actual(
    y_true: np.ndarray, y_pred: np.ndarray, rows: np.ndarray, worst: np.ndarray, *, names: tuple[str, str]
) -> go.Figure:
    """Each row's prediction against its target, the diagonal y = x, the worst rows marked."""
    keep = sample_rows(len(y_true), worst)
    worst_pos = _positions_in(keep, worst)
    lo = float(min(np.min(y_true), np.min(y_pred))) if len(y_true) else 0.0
    hi = float(max(np.max(y_true), np.max(y_pred))) if len(y_true) else 1.0
    data = [
        {"type": "scatter", "x": [lo, hi], "y": [lo, hi], "mode": "lines", "name": "perfect (y = x)",
         "line": {"color": "#888", "dash": "dash"}},
        *_marked(y_true[keep], y_pred[keep], rows[keep], worst_pos, "rows"),
    ]  # fmt: skip
    lay = _layout(x_title=f"actual ({_text(names[0])})", y_title=f"predicted ({_text(names[1])})")
    return go.Figure(data=data, layout=lay)


def residual_plot(
    y_true: np.ndarray, y_pred: np.ndarray, rows: np.ndarray, worst: np.ndarray, *, names: tuple[str, str]
) -> go.Figure:
    """The residual r = ŷ - y (the Regression page's convention) against the prediction; noise around 0 is
    what good looks like, and a point above 0 was predicted too high."""
    keep = sample_rows(len(y_true), worst)
    worst_pos = _positions_in(keep, worst)
    data = _marked(y_pred[keep], (y_pred - y_true)[keep], rows[keep], worst_pos, "rows")
    zero = _line(xref="x domain", yref="y", x0=0, x1=1, y0=0, y1=0)
    lay = _layout(x_title=f"predicted ({_text(names[1])})", y_title=RESIDUAL_TITLE, shapes=[zero])
    return go.Figure(data=data, layout=lay)


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
    size = np.clip(6 + 14 * np.sqrt(count / max(1, count.max())), 6, 20)  # by the rows in the bin
    data = [
        {"type": "scatter", "x": [0, 1], "y": [0, 1], "mode": "lines", "name": "perfectly calibrated",
         "line": {"color": "#888", "dash": "dash"}},
        {"type": "scatter", "x": mean_p, "y": freq, "mode": "lines+markers", "name": "this model",
         "marker": {"size": size, "color": POINT_COLOR},
         "customdata": count,
         "hovertemplate": "predicted %{x:.3f}<br>observed %{y:.3f}<br>%{customdata} rows<extra></extra>"},
    ]  # fmt: skip
    unit = {"range": [-0.03, 1.03]}  # markers at 0 and 1 are not cut in half
    lay = _layout(x_title=f"predicted probability ({_text(what)})", y_title="observed frequency", xaxis=unit,
                  yaxis=unit)  # fmt: skip
    return go.Figure(data=data, layout=lay)


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
    data = []
    for j, name in enumerate(class_names):
        sel = keep[classes[keep] == j]
        if not len(sel):
            continue
        data.append(
            {"type": "scattergl", "x": prob[sel], "y": values[sel], "mode": "markers",
             "name": f"true class: {_text(name)}",
             "marker": {"color": PALETTE[j % len(PALETTE)], "size": 6, "opacity": 0.7},
             "customdata": rows[sel],
             "hovertemplate": "row %{customdata}<br>p %{x:.3f}<br>loss %{y:.4g}<extra></extra>"}
        )  # fmt: skip
    lay = _layout(x_title=f"predicted probability ({_text(what)})", y_title=f"per-row {title}",
                  xaxis={"range": [-0.02, 1.02]})  # fmt: skip
    return go.Figure(data=data, layout=lay)
