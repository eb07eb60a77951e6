"""The classification explorers' figures: curves with samples marked, shaded wrong side, margin line, bars."""

from __future__ import annotations

import numpy as np
from numpy.testing import assert_allclose, assert_array_equal

from charts import classification as cc
from charts.style import FONT_SIZE, color_of
from tests.charts.examples import line_x

GRID = np.linspace(-3.0, 3.0, 13)
M = np.array([-1.0, 0.5, 2.0, -0.2])
NAMES = ["s1", "s2", "s3", "s4"]
WRONG = M <= 0


def _margin_fig(**kw):
    lines = [
        cc.Line(GRID, np.maximum(0.0, 1 - GRID), "hinge", "hinge", group="hinge"),
        cc.Line(GRID, (GRID <= 0).astype(float), "0-1", "zero_one", group="zero_one"),
    ]
    marks = [cc.Marks(M, np.maximum(0.0, 1 - M), NAMES, "hinge", WRONG, group="hinge", title="hinge")]
    args = {"x_title": "margin m", "y_title": "loss ℓ", "x_range": (-3.0, 3.0), "y_range": (-0.2, 4.0),
            "wrong_below": 0.0, "margin_at": 1.0, "height": 440, "hover_x": "m"} | kw  # fmt: skip
    return cc.curves(lines, marks, **args)


def test_curves_lines_and_marks_split_by_right_and_wrong():
    fig = _margin_fig()
    assert [(t.name, t.mode) for t in fig.data] == [
        ("hinge", "lines"),
        ("0-1", "lines"),
        ("hinge", "markers"),
        ("hinge", "markers"),
    ]
    hinge, zero_one, right, wrong = fig.data
    assert_allclose(line_x(hinge), GRID, atol=1e-12)
    assert hinge.y.dtype == np.float32  # a drawn curve: 4 bytes a value (charts.style.drawn)
    assert_array_equal(hinge.y, np.maximum(0.0, 1 - GRID))
    assert hinge.line.color == color_of("hinge") and hinge.line.width == 3
    assert zero_one.line.dash == "dot"
    assert hinge.hoverinfo == "skip"
    # correctly classified samples: circles at their coordinates
    assert_array_equal(right.x, M[~WRONG])
    assert_array_equal(right.y, np.maximum(0.0, 1 - M[~WRONG]))
    assert list(right.text) == ["s2", "s3"]
    assert (right.marker.symbol, right.marker.size) == ("circle", 11)
    # misclassified: larger crosses with a dark ring, said in the hover too
    assert_array_equal(wrong.x, M[WRONG])
    assert list(wrong.text) == ["s1", "s4"]
    assert (wrong.marker.symbol, wrong.marker.size) == (cc.WRONG_SYMBOL, 15)
    assert wrong.marker.line.color == "#1b1f24"
    assert "(misclassified)" in wrong.hovertemplate and "(misclassified)" not in right.hovertemplate
    assert "m = %{x:.3f}" in wrong.hovertemplate
    assert wrong.hovertemplate.endswith("<extra>hinge</extra>")
    assert right.marker.color == wrong.marker.color == color_of("hinge")
    assert right.legendgroup == hinge.legendgroup == "hinge"
    assert right.showlegend is False and wrong.showlegend is False


def test_curves_shades_the_wrong_side_and_draws_the_margin():
    fig = _margin_fig()
    rect, line = fig.layout.shapes
    assert rect.type == "rect"
    assert (rect.x0, rect.x1, rect.xref) == (-3.0, 0.0, "x")
    assert (rect.y0, rect.y1, rect.yref) == (0, 1, "y domain")  # full height, whatever the y range
    assert rect.layer == "below" and rect.line.width == 0
    assert rect.fillcolor == cc.WRONG_FILL
    assert line.type == "line"
    assert (line.x0, line.x1, line.y0, line.y1, line.yref) == (1.0, 1.0, 0, 1, "y domain")
    assert line.line.dash == "dot"
    assert fig.layout.xaxis.range == (-3.0, 3.0)
    assert fig.layout.yaxis.range == (-0.2, 4.0)
    assert fig.layout.height == 440
    assert (fig.layout.xaxis.title.text, fig.layout.yaxis.title.text) == ("margin m", "loss ℓ")


def test_curves_shapes_only_where_asked():
    assert _margin_fig(wrong_below=None, margin_at=None).layout.shapes == ()
    # no band when the range starts right of the boundary, or when there is no range to start from
    assert [s.type for s in _margin_fig(x_range=(0.5, 3.0)).layout.shapes] == ["line"]
    no_range = _margin_fig(x_range=None, margin_at=None)
    assert no_range.layout.shapes == ()
    assert no_range.layout.xaxis.range is None


def test_curves_marks_without_wrong_and_all_wrong():
    plain = cc.curves([], [cc.Marks(M, M, NAMES, "label_0")], x_title="p", y_title="BCE")
    (trace,) = plain.data
    assert trace.name == "samples" and trace.marker.symbol == "circle"
    assert_array_equal(trace.x, M)
    assert plain.layout.height == 380
    assert "x = %{x:.3f}" in trace.hovertemplate
    all_wrong = cc.curves([], [cc.Marks(M, M, NAMES, "label_1", np.ones(4, bool))], x_title="p", y_title="l")
    assert [t.marker.symbol for t in all_wrong.data] == [cc.WRONG_SYMBOL]


def test_gradient_comparison():
    x = np.linspace(-8.0, 8.0, 5)
    ce, sq = x / 10, x / 20
    fig = cc.gradient_comparison(x, ce, sq, at=-4.0, ce_at=-0.98, squared_at=-0.02, x_range=(-8.0, 8.0))
    assert [(t.name, t.mode) for t in fig.data] == [
        ("cross-entropy", "lines"),
        (None, "markers"),
        ("squared error after σ", "lines"),
        (None, "markers"),
    ]
    ce_line, ce_mark, sq_line, sq_mark = fig.data
    assert_array_equal(ce_line.y, ce)
    assert_array_equal(sq_line.y, sq)
    assert sq_line.line.dash == "dash" and ce_line.line.dash == "solid"
    assert sq_line.line.color == color_of("sigmoid_squared_error")
    # the chosen logit marked on each curve at the given gradient
    assert (tuple(ce_mark.x), tuple(ce_mark.y)) == ((-4.0,), (-0.98,))
    assert (tuple(sq_mark.x), tuple(sq_mark.y)) == ((-4.0,), (-0.02,))
    assert ce_mark.legendgroup == "cross-entropy" and ce_mark.showlegend is False
    (rect,) = fig.layout.shapes
    assert (rect.type, rect.x0, rect.x1, rect.yref) == ("rect", -8.0, 0.0, "y domain")
    (note,) = fig.layout.annotations
    assert note.text == "wrong (t = 1, s < 0)"
    assert (note.x, note.y, note.xanchor, note.yanchor, note.yref) == (-8.0, 1, "left", "top", "y domain")
    assert note.font.size == FONT_SIZE - 2
    assert fig.layout.xaxis.range == (-8.0, 8.0)
    assert fig.layout.yaxis.range == (-1.1, 0.15)
    assert fig.layout.xaxis.title.text == "logit s (true label t = 1)"
    assert fig.layout.height == 340


def test_class_bars_one_series():
    q = np.array([0.2, 0.5, 0.3])
    fig = cc.class_bars(
        ["cat", "dog", "bird"], {"q": q}, styles={"q": "probability"}, y_title="probability", true_class=1,
        y_range=(0.0, 1.12), height=320,
    )  # fmt: skip
    (bar,) = fig.data
    assert bar.type == "bar" and bar.name == "q"
    assert list(bar.x) == ["cat", "<b><u>dog</u></b> (true)", "bird"]
    assert_array_equal(bar.y, q)
    assert list(bar.text) == ["0.200", "0.500", "0.300"]
    assert bar.marker.color == color_of("probability")
    assert bar.hovertemplate == "%{x}: %{y:.4f}<extra>q</extra>"
    assert bar.textfont.size == FONT_SIZE - 1
    assert fig.layout.showlegend is False
    assert fig.layout.yaxis.range == (0.0, 1.12)
    assert fig.layout.yaxis.title.text == "probability"
    assert fig.layout.barmode == "group"
    assert fig.layout.height == 320


def test_class_bars_two_series_drop_values_when_crowded():
    styles = {"P": "target", "Q": "probability"}
    few = cc.class_bars(["a", "b", "c"], {"P": np.ones(3) / 3, "Q": np.ones(3) / 3}, styles=styles,
                        y_title="p", decimals=2)  # fmt: skip
    assert [t.name for t in few.data] == ["P", "Q"]
    assert list(few.data[0].text) == ["0.33"] * 3
    assert few.data[0].hovertemplate == "%{x}: %{y:.3f}<extra>P</extra>"
    assert few.data[0].textfont.size == FONT_SIZE - 3
    assert few.layout.showlegend is None  # the legend says which bar is which
    assert few.layout.yaxis.range is None
    assert list(few.data[0].x) == ["a", "b", "c"]  # no true class: no label marked
    crowded = cc.class_bars(list("abcd"), {"P": np.ones(4) / 4, "Q": np.ones(4) / 4}, styles=styles,
                            y_title="p")  # fmt: skip
    assert all(t.text is None for t in crowded.data)
