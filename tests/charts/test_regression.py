"""The regression explorer's figures: traces, marks at the scene's coordinates, axes and ranges."""

from __future__ import annotations

import numpy as np
from numpy.testing import assert_allclose, assert_array_equal

from charts import regression
from charts.style import color_of
from tests.charts.examples import line_x

TITLES = {"mse": "L2 (MSE)", "pseudo_huber": "pseudo-Huber", "mae": "L1 (MAE)"}
GRID = np.linspace(-4.0, 4.0, 9)
RESID = np.array([-1.5, 0.25, 3.0])
LABELS = ["point 1", "point 2", "outlier 1"]


def _curves(**kw):
    curves = {"mse": (GRID, GRID**2), "pseudo_huber": (GRID, np.abs(GRID))}
    points = {"mse": (RESID, RESID**2), "pseudo_huber": (RESID, np.abs(RESID))}
    return regression.curves_with_points(
        curves, points, TITLES, point_labels=LABELS, x_title="residual r", y_title="loss ℓ(r)", **kw
    )


def test_curves_with_points_lines_then_marks():
    fig = _curves()
    assert [(t.type, t.mode, t.name) for t in fig.data] == [
        ("scatter", "lines", "L2 (MSE)"),
        ("scatter", "lines", "pseudo-Huber"),
        ("scatter", "markers", "L2 (MSE)"),
        ("scatter", "markers", "pseudo-Huber"),
    ]
    mse_line, ph_line, mse_pts, ph_pts = fig.data
    assert_allclose(line_x(mse_line), GRID, atol=1e-12)
    assert mse_line.y.dtype == np.float32  # a drawn curve: 4 bytes a value (charts.style.drawn)
    assert_array_equal(mse_line.y, GRID**2)
    assert mse_line.line.color == color_of("mse") and mse_line.line.dash == "solid"
    assert ph_line.line.dash == "dash"  # pseudo-Huber is dashed everywhere
    # the marks sit at the scene's residuals and per-point losses, in the line's colour and legend group
    assert_array_equal(mse_pts.x, RESID)
    assert_array_equal(mse_pts.y, RESID**2)
    assert_array_equal(ph_pts.y, np.abs(RESID))
    assert mse_pts.marker.color == mse_line.line.color
    assert mse_pts.legendgroup == mse_line.legendgroup == "mse"
    assert mse_pts.showlegend is False
    assert list(mse_pts.text) == LABELS
    assert mse_pts.hovertemplate.endswith("<extra>L2 (MSE)</extra>")


def test_curves_with_points_axes_and_range():
    fig = _curves()
    assert fig.layout.xaxis.title.text == "residual r"
    assert fig.layout.yaxis.title.text == "loss ℓ(r)"
    assert fig.layout.height == 380
    assert fig.layout.yaxis.range is None
    assert _curves(y_range=(-0.5, 9.0)).layout.yaxis.range == (-0.5, 9.0)


def test_share_bars():
    shares = {"mse": np.array([0.1, 0.2, 0.7]), "mae": np.array([0.3, 0.3, 0.4])}
    fig = regression.share_bars(LABELS, shares, TITLES)
    assert [(t.type, t.name) for t in fig.data] == [("bar", "L2 (MSE)"), ("bar", "L1 (MAE)")]
    assert list(fig.data[0].x) == LABELS
    assert_allclose(fig.data[0].y, [10.0, 20.0, 70.0])  # percentages
    assert fig.data[1].marker.color == color_of("mae")
    assert "% of the L1 (MAE)" in fig.data[1].hovertemplate
    assert fig.layout.barmode == "group"
    assert fig.layout.yaxis.range == (0, 100)
    assert fig.layout.yaxis.title.text == "share of the total (%)"
    assert fig.layout.height == 320


def test_best_lines_points_outliers_and_lines():
    x, y = np.array([0.0, 1.0, 2.0]), np.array([0.5, 1.5, 9.0])
    fig = regression.best_lines(
        x, y, LABELS, {"mse": (2.0, 1.0), "mae": (1.0, 0.5)}, TITLES, user_line=(0.5, -1.0),
        x_range=(-1.0, 3.0), y_range=(0.0, 10.0),
    )  # fmt: skip
    names = [t.name for t in fig.data]
    assert names == ["data", "outliers", "best under L2 (MSE)", "best under L1 (MAE)", "your line"]
    data, outliers, mse, mae, user = fig.data
    assert_array_equal(data.x, [0.0, 1.0])
    assert_array_equal(data.y, [0.5, 1.5])
    assert list(data.text) == ["point 1", "point 2"]
    assert_array_equal(outliers.x, [2.0])
    assert_array_equal(outliers.y, [9.0])
    assert outliers.marker.symbol == "x"
    # each line spans the x range: y = w·x + b at both ends
    assert_array_equal(mse.x, [-1.0, 3.0])
    assert_allclose(mse.y, [-1.0, 7.0])
    assert_allclose(mae.y, [-0.5, 3.5])
    assert mse.line.color == color_of("mse") and mse.mode == "lines"
    assert "ŷ = 2.000·x + 1.000" in mse.hovertemplate
    assert_allclose(user.y, [-1.5, 0.5])
    assert user.line.dash == "dot"
    assert fig.layout.xaxis.range == (-1.0, 3.0)
    assert fig.layout.yaxis.range == (0.0, 10.0)
    assert (fig.layout.xaxis.title.text, fig.layout.yaxis.title.text) == ("x", "y")


def test_best_lines_without_outliers_or_user_line():
    fig = regression.best_lines(
        np.array([0.0, 1.0]), np.array([0.0, 1.0]), ["point 1", "point 2"], {"mse": (1.0, 0.0)}, TITLES,
        user_line=None, x_range=(0.0, 1.0), y_range=(0.0, 1.0),
    )  # fmt: skip
    assert [t.name for t in fig.data] == ["data", "best under L2 (MSE)"]


def test_share_bars_drawn_by_the_widget_are_sent_empty_with_their_samples():
    shares = {"mse": np.array([0.1, 0.2, 0.7]), "mae": np.array([0.3, 0.3, 0.4])}
    fig = regression.share_bars(LABELS, shares, TITLES, drawn_by_widget=True)
    assert [list(t.y) for t in fig.data] == [[0.0] * 3] * 2  # the same figure on every drag
    assert [t.meta for t in fig.data] == [{"live": n, "ids": [0, 1, 2]} for n in shares]
