"""The learning page's figures: frames that move only the animated traces, a play/pause button and a step
slider over the frames, the shared layout, and one construction call per figure."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest
from numpy.testing import assert_allclose

from charts import learn
from charts.style import FONT_SIZE, color_of

STEPS = [0, 1, 3, 6]
TITLES = {"mse": "MSE", "mae": "MAE"}
X = np.array([1.0, 2.0, 3.0, 5.0])
Y = np.array([1.5, 2.0, 3.5, 12.0])
LABELS = ["point 1", "point 2", "point 3", "outlier 1"]
FRAMES = {"mse": np.array([[0.0, 0.0], [0.5, 0.2], [1.0, 0.4], [1.2, 0.5]]),
          "mae": np.array([[0.0, 0.0], [0.3, 0.1], [0.8, 0.2], [0.9, 0.3]])}  # fmt: skip
LEVEL = (1.0, np.array([0.0, 1.0, np.nan]), np.array([0.0, 1.0, np.nan]))


def _lines() -> go.Figure:
    surface = (np.linspace(-1, 2, 5), np.linspace(-1, 3, 4), [LEVEL])
    return learn.learning_lines(
        X, Y, LABELS, FRAMES, STEPS, TITLES, surface=surface, surface_title="MSE", paths=FRAMES,
        best={"mse": (1.3, 0.6)}, x_range=(0.0, 10.0), y_range=(-1.0, 13.0),
    )  # fmt: skip


X2 = np.array([[1.0, 1.0], [2.0, 0.5], [-1.0, -1.5], [-2.0, -2.0]])
T2 = np.array([1.0, 1.0, 0.0, 1.0])
BOUNDS = {"hinge": [([-4.0, 4.0], [4.0, -4.0])] * 4,
          "mse": [([None, None], [None, None])] + [([-4.0, 4.0], [1.0, 2.0])] * 3}  # fmt: skip


def _boundaries() -> go.Figure:
    titles = {"hinge": "hinge", "mse": "MSE on σ(s)"}
    return learn.boundaries(X2, T2, BOUNDS, STEPS, titles, box=4.0, outlier=3, after_sigmoid={"mse"})


def _costs() -> go.Figure:
    return learn.cost_curves({"mse": np.array([5.0, 3.0, 2.5]), "mae": np.array([2.0, 1.5, 1.4])},
                             {"mse": 2.4}, TITLES, log_y=True)  # fmt: skip


def _margins() -> go.Figure:
    m = np.arange(12, dtype=float).reshape(3, 4)
    by_loss = {"hinge": m, "logistic": m + 1, "mse": m - 1, "exponential": m}
    titles = {"hinge": "hinge", "logistic": "logistic", "mse": "MSE", "exponential": "exp"}
    return learn.margins(np.array([0, 5, 10]), by_loss, T2, titles, outlier=3)


FIGURES = {"learning_lines": _lines, "boundaries": _boundaries, "cost_curves": _costs, "margins": _margins}


def _player_ok(fig: go.Figure, steps) -> None:
    menu, = fig.layout.updatemenus
    assert [b.label for b in menu.buttons] == ["▶ Play", "❚❚ Pause"]
    play, pause = menu.buttons
    assert play.method == "animate" and play.args[0] is None and play.args[1]["fromcurrent"] is True
    assert play.args[1]["frame"]["redraw"] is False  # every trace is a scatter: no redraw per frame
    assert tuple(pause.args[0]) == (None,)
    slider, = fig.layout.sliders
    assert [tuple(s.args[0]) for s in slider.steps] == [(str(k),) for k in steps]
    assert [f.name for f in fig.frames] == [str(k) for k in steps]


def test_learning_lines_move_each_loss_line_and_its_point_on_the_surface():
    fig = _lines()
    _player_ok(fig, STEPS)
    names = [t.name for t in fig.data]
    assert names[:4] == ["data", "outliers", "MSE", "MAE"]
    assert all(t.type == "scatter" for t in fig.data)  # Plotly drops a contour trace while it animates
    frame = fig.frames[2]
    animated = list(frame.traces)
    assert [fig.data[i].name for i in animated] == ["MSE", "MAE", "now", "step"]
    mse_line = frame.data[0]
    assert_allclose(mse_line.y, FRAMES["mse"][2][0] * np.array([0.0, 10.0]) + FRAMES["mse"][2][1])
    now = frame.data[2]
    assert_allclose(now.x, [1.0, 0.8]) and assert_allclose(now.y, [0.4, 0.2])
    assert frame.data[3].text == ("step 3",)
    # the first frame's state is the figure's own
    assert_allclose(fig.data[2].y, [0.0, 0.0])
    level = next(t for t in fig.data if t.name == "cost 1")
    assert level.xaxis == "x2" and level.yaxis == "y2"
    star = next(t for t in fig.data if t.name == "best line")
    assert star.x == (1.3,) and star.marker.color == (color_of("mse"),)
    assert fig.layout.xaxis2.range == (-1.0, 2.0) and fig.layout.yaxis2.range == (-1.0, 3.0)
    assert fig.layout.xaxis2.title.text == "slope w"


def test_boundaries_move_each_loss_boundary_and_mark_the_outlier():
    fig = _boundaries()
    _player_ok(fig, STEPS)
    names = [t.name for t in fig.data]
    assert names == ["class 0", "class 1", "outlier (class 1)", "hinge", "MSE on σ(s)", "step"]
    assert list(fig.data[1].x) == [1.0, 2.0]  # the outlier is drawn once, on its own
    mse = fig.data[4]
    assert (mse.line.color, mse.line.dash) == learn.AFTER_SIGMOID  # not MSE's blue (cross-entropy's)
    assert mse.x == (None, None)  # no boundary at w = 0
    assert fig.frames[1].data[1].y == (1.0, 2.0)
    assert fig.layout.yaxis.scaleanchor == "x"


def test_cost_curves_with_the_best_cost_dotted_and_a_log_axis():
    fig = _costs()
    assert [t.name for t in fig.data] == ["MSE", "best MSE", "MAE"]
    assert fig.data[1].y == (2.4, 2.4) and fig.data[1].line.dash == "dot"
    assert fig.layout.yaxis.type == "log"
    assert learn.cost_curves({"mse": np.ones(3)}, {}, TITLES).layout.yaxis.type is None


def test_margins_one_panel_per_loss_in_rows_of_three():
    fig = _margins()
    assert len(fig.data) == 4 * 4  # four points in each of four panels
    axes = {t.xaxis for t in fig.data}
    assert axes == {"x", "x2", "x3", "x4"}
    assert fig.layout.yaxis4.domain[1] < fig.layout.yaxis.domain[0]  # the fourth panel on a second row
    out = [t for t in fig.data if t.name == "point 4"]
    assert all(t.line.width > 3 for t in out)
    assert [a.text for a in fig.layout.annotations] == ["<b>hinge</b>", "<b>logistic</b>", "<b>MSE</b>",
                                                        "<b>exp</b>"]  # fmt: skip


@pytest.mark.parametrize("name", list(FIGURES))
def test_every_figure_uses_the_shared_layout(name):
    fig = FIGURES[name]()
    assert fig.layout.font.size == FONT_SIZE and fig.layout.legend.font.size == FONT_SIZE - 1
    for axis in (fig.layout.xaxis, fig.layout.yaxis):
        assert axis.automargin is True and axis.tickfont.size == FONT_SIZE - 1


def test_figures_are_built_in_one_call():
    source = Path(learn.__file__).read_text(encoding="utf-8")
    assert re.findall(r"\.(add_\w+|update_\w+|for_each_\w+)\(", source) == []
    assert source.count("return go.Figure(") == len(FIGURES)
