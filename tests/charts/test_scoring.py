"""The scoring page's figures: sampling, worst rows, the histogram (and its log axis), the scatter plots."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from charts import scoring
from charts.style import color_of

T = np.array([1.0, 2.0, 3.0, 4.0, 10.0])
P = np.array([1.5, 2.0, 2.0, 4.0, 3.0])
ROWS = np.array([1, 2, 3, 4, 5])
NAMES = ("actual_price_k", "predicted_price_k")


def test_sample_rows_small_and_large():
    assert_array_equal(scoring.sample_rows(5), np.arange(5))
    worst = [7, 99_999, 12]
    picked = scoring.sample_rows(100_000, worst, limit=1000)
    assert 1000 <= len(picked) <= 1003
    assert set(worst) <= set(picked.tolist())
    assert np.all(np.diff(picked) > 0)  # unique and sorted
    assert_array_equal(picked, scoring.sample_rows(100_000, worst, limit=1000))  # the same every rerun


def test_worst_rows():
    values = np.array([0.5, 3.0, 0.1, 3.0, 2.0])
    assert_array_equal(scoring.worst_rows(values, 3), [1, 3, 4])  # largest first, ties in row order
    assert_array_equal(scoring.worst_rows(values, 10), [1, 3, 4, 0, 2])
    assert scoring.worst_rows(np.array([]), 10).size == 0


def test_loss_histogram():
    values = np.array([0.0, 1.0, 1.0, 2.0, 16.0])
    fig = scoring.loss_histogram(values, loss="mae", title="MAE", bins=20)
    (hist,) = fig.data
    assert hist.type == "histogram"
    assert_array_equal(hist.x, values)
    assert hist.nbinsx == 20
    assert hist.marker.color == color_of("mae")
    assert hist.showlegend is False
    # the mean (the cost) as a dashed vertical line over the full height, labelled above the plot
    (line,) = fig.layout.shapes
    assert (line.type, line.x0, line.x1, line.y0, line.y1, line.yref) == ("line", 4.0, 4.0, 0, 1, "y domain")
    assert line.line.dash == "dash"
    (label,) = fig.layout.annotations
    assert label.text == "mean 4"
    assert (label.x, label.y, label.yanchor) == (4.0, 1, "bottom")
    assert fig.layout.xaxis.title.text == "per-row MAE"
    assert fig.layout.yaxis.title.text == "rows"
    assert fig.layout.yaxis.type is None  # linear unless asked


def test_loss_histogram_log_axis():
    fig = scoring.loss_histogram(np.array([1.0, 2.0, 1e6]), loss="mse", title="MSE", log_y=True)
    assert fig.layout.yaxis.type == "log"
    assert fig.layout.yaxis.title.text == "rows (log scale)"
    assert fig.layout.xaxis.type is None
    assert fig.layout.shapes[0].x0 == pytest.approx((3.0 + 1e6) / 3)


def test_loss_histogram_empty():
    fig = scoring.loss_histogram(np.array([]), loss="mse", title="MSE")
    assert fig.layout.shapes[0].x0 == 0.0
    assert fig.layout.annotations[0].text == "mean 0"


def test_predicted_vs_actual():
    worst = scoring.worst_rows((T - P) ** 2, 2)  # rows at index 4 and 2
    fig = scoring.predicted_vs_actual(T, P, ROWS, worst, names=NAMES)
    assert [(t.type, t.name) for t in fig.data] == [
        ("scatter", "perfect (y = x)"),
        ("scattergl", "rows"),
        ("scatter", "worst rows"),
    ]
    diagonal, rows, worst_trace = fig.data
    assert (tuple(diagonal.x), tuple(diagonal.y)) == ((1.0, 10.0), (1.0, 10.0))
    assert diagonal.line.dash == "dash"
    assert_array_equal(rows.x, T[[0, 1, 3]])
    assert_array_equal(rows.y, P[[0, 1, 3]])
    assert_array_equal(rows.customdata, [1, 2, 4])
    assert_array_equal(worst_trace.x, T[[2, 4]])
    assert_array_equal(worst_trace.y, P[[2, 4]])
    assert list(worst_trace.text) == ["3", "5"]  # labelled with their row numbers
    assert worst_trace.mode == "markers+text"
    assert worst_trace.marker.color == scoring.WORST_COLOR
    assert worst_trace.cliponaxis is False  # a label at the top edge is not cut off
    assert fig.layout.xaxis.title.text == "actual (actual_price_k)"
    assert fig.layout.yaxis.title.text == "predicted (predicted_price_k)"
    assert fig.layout.height == scoring.HEIGHT
    assert fig.layout.margin.t == scoring.TOP


def test_titles_from_the_file_are_escaped():
    fig = scoring.predicted_vs_actual(T, P, ROWS, np.array([4]), names=("<b>y</b>", 'a&"b'))
    assert fig.layout.xaxis.title.text == "actual (&lt;b&gt;y&lt;/b&gt;)"
    # quotes stay quotes: Plotly would show an &quot; entity literally (issue 15, defect 14)
    assert fig.layout.yaxis.title.text == 'predicted (a&amp;"b)'


def test_predicted_vs_actual_large_file_is_sampled_but_keeps_the_worst():
    rng = np.random.default_rng(3)
    n = 20_000
    t, p = rng.normal(size=n), rng.normal(size=n)
    worst = scoring.worst_rows((t - p) ** 2, 10)
    fig = scoring.predicted_vs_actual(t, p, np.arange(1, n + 1), worst, names=NAMES)
    _, rows, worst_trace = fig.data
    assert len(rows.x) + len(worst_trace.x) <= scoring.MAX_POINTS + 10
    assert sorted(worst_trace.customdata.tolist()) == sorted((worst + 1).tolist())


def test_predicted_vs_actual_empty():
    empty = np.array([])
    fig = scoring.predicted_vs_actual(empty, empty, empty.astype(int), empty.astype(int), names=NAMES)
    assert tuple(fig.data[0].x) == (0.0, 1.0)
    assert len(fig.data[1].x) == 0


def test_residual_plot():
    fig = scoring.residual_plot(T, P, ROWS, np.array([4]), names=NAMES)
    rows, worst_trace = fig.data
    assert_array_equal(rows.x, P[:4])
    # r = ŷ - y, the Regression page's convention (it was actual - predicted here: issue 9)
    assert_array_equal(rows.y, (P - T)[:4])
    assert (tuple(worst_trace.x), tuple(worst_trace.y)) == ((3.0,), (-7.0,))
    (zero,) = fig.layout.shapes
    assert (zero.type, zero.y0, zero.y1, zero.xref, zero.x0, zero.x1) == ("line", 0, 0, "x domain", 0, 1)
    assert fig.layout.xaxis.title.text == "predicted (predicted_price_k)"
    assert fig.layout.yaxis.title.text == "residual r = ŷ − y (predicted − actual)"


def test_calibration_bins():
    prob = np.array([0.05, 0.15, 0.12, 0.95, 1.0])
    hit = np.array([False, True, False, True, True])
    mean_p, freq, count = scoring.calibration_bins(prob, hit, bins=10)
    assert_allclose(mean_p, [0.05, 0.135, 0.975])  # empty bins are left out
    assert_allclose(freq, [0.0, 0.5, 1.0])
    assert_array_equal(count, [1, 2, 2])


def test_calibration_plot():
    prob = np.array([0.05, 0.15, 0.12, 0.95, 1.0])
    hit = np.array([False, True, False, True, True])
    fig = scoring.calibration_plot(prob, hit, what="class <rain>")
    diagonal, model = fig.data
    assert diagonal.name == "perfectly calibrated" and tuple(diagonal.x) == (0, 1)
    assert model.name == "this model" and model.mode == "lines+markers"
    assert_allclose(model.x, [0.05, 0.135, 0.975])
    assert_allclose(model.y, [0.0, 0.5, 1.0])
    assert_array_equal(model.customdata, [1, 2, 2])
    assert model.marker.size[0] < model.marker.size[1] == 20  # bigger markers for fuller bins
    assert fig.layout.xaxis.range == (-0.03, 1.03)
    assert fig.layout.yaxis.range == (-0.03, 1.03)
    assert fig.layout.xaxis.title.text == "predicted probability (class &lt;rain&gt;)"
    assert fig.layout.yaxis.title.text == "observed frequency"


def test_loss_vs_probability():
    prob = np.array([0.9, 0.2, 0.6, 0.7])
    values = -np.log(prob)
    classes = np.array([0, 2, 0, 2])  # class 1 has no rows: no trace for it
    fig = scoring.loss_vs_probability(
        prob, values, classes, np.array([11, 12, 13, 14]), loss="categorical_cross_entropy", title="CE",
        class_names=["setosa", "<i>versicolor</i>", "virginica"], what="true class",
    )  # fmt: skip
    assert [(t.type, t.name) for t in fig.data] == [
        ("scattergl", "true class: setosa"),
        ("scattergl", "true class: virginica"),
    ]
    setosa, virginica = fig.data
    assert_array_equal(setosa.x, [0.9, 0.6])
    assert_array_equal(setosa.y, values[[0, 2]])
    assert_array_equal(virginica.customdata, [12, 14])
    assert setosa.marker.color == scoring.PALETTE[0]
    assert virginica.marker.color == scoring.PALETTE[2]
    assert fig.layout.xaxis.range == (-0.02, 1.02)
    assert fig.layout.xaxis.title.text == "predicted probability (true class)"
    assert fig.layout.yaxis.title.text == "per-row CE"


def test_class_names_from_the_file_are_escaped_in_the_legend():
    fig = scoring.loss_vs_probability(
        np.array([0.5]), np.array([0.7]), np.array([0]), np.array([1]), loss="binary_cross_entropy",
        title="BCE", class_names=["<b>x</b>"], what="class 1",
    )  # fmt: skip
    assert fig.data[0].name == "true class: &lt;b&gt;x&lt;/b&gt;"


def _boxes(x, y, texts, where, size):
    px = scoring._to_pixels(x, x, size[0])
    py = scoring._to_pixels(y, y, size[1])
    return [scoring._label_box(a, b, scoring._DIGIT_PX * len(t), scoring._LINE_PX, w)
            for a, b, t, w in zip(px, py, texts, where, strict=True)]  # fmt: skip


def test_labels_of_neighbouring_worst_rows_do_not_overlap():
    """Rows 145 and 83 sat on one another on the residual chart (issue 9): each label finds its place."""
    x = np.array([250.0, 252.0, 249.0, 400.0, 251.0, 100.0])
    y = np.array([60.0, 58.0, -55.0, 0.0, 62.0, 10.0])
    texts = ["145", "83", "112", "17", "7", "1"]
    where = scoring.label_positions(x, y, texts, size=scoring.FULL)
    assert set(where) <= set(scoring.POSITIONS) and len(set(where[:2])) == 2
    boxes = _boxes(x, y, texts, where, scoring.FULL)
    for i in range(len(boxes)):
        for j in range(i):
            a, b = boxes[i], boxes[j]
            apart = min(a[2], b[2]) <= max(a[0], b[0]) or min(a[3], b[3]) <= max(a[1], b[1])
            assert apart, (texts[i], texts[j])


def test_a_lone_worst_row_is_labelled_above_its_marker():
    assert scoring.label_positions(np.array([0.5]), np.array([0.5]), ["9"]) == ["top center"]


def test_worst_row_labels_are_placed_and_readable_over_the_points():
    worst = scoring.worst_rows((T - P) ** 2, 2)
    fig = scoring.predicted_vs_actual(T, P, ROWS, worst, names=NAMES)
    labels = fig.data[2]
    assert len(labels.textposition) == 2 and set(labels.textposition) <= set(scoring.POSITIONS)
    assert labels.textfont.shadow == "auto"


def test_quotes_in_a_column_name_are_shown_as_quotes_and_tags_stay_inert():
    from charts import scoring as cs

    fig = cs.predicted_vs_actual(np.array([1.0, 2.0]), np.array([1.5, 2.5]), np.array([1, 2]), [],
                                 names=('the "true" <b>y</b>', "it's ŷ"))  # fmt: skip
    title = fig.layout.xaxis.title.text
    assert '"true"' in title and "&quot;" not in title and "&lt;b&gt;" in title
    assert "it's ŷ" in fig.layout.yaxis.title.text
