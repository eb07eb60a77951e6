"""The Score page's data shaping (scoring.present), without Streamlit: choices, parameter inputs, metrics,
the worst rows, and the charts' inputs from the probabilities the losses used."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import losses
import scoring
from scoring import present as pr

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def _result(data: bytes, **kw) -> scoring.Result:
    fmt, det = scoring.inspect(data)
    return scoring.score(data, fmt, det, per_row=True, **kw)


def _example(name: str) -> scoring.Result:
    return _result((EXAMPLES / name).read_bytes(), drop_missing=name == "messy.csv")


def test_choices_as_the_scorer_takes_them():
    assert pr.format_choices(pr.AUTO, pr.AUTO, pr.AUTO, pr.AUTO) == {
        "delimiter": None, "header": None, "decimal": None, "encoding": None}  # fmt: skip
    assert pr.format_choices("tab", "no", ",", "latin-1") == {
        "delimiter": "\t", "header": False, "decimal": ",", "encoding": "latin-1"}  # fmt: skip
    assert pr.task_choices(pr.AUTO, pr.AUTO, [], pr.AUTO, pr.AUTO) == pr.UNFORCED
    assert pr.task_choices("binary", "y", ["p"], "logits", "rain") == {
        "task": "binary", "y_true": ["y"], "y_pred": ["p"], "pred_kind": "logits",
        "positive": "rain"}  # fmt: skip
    assert tuple(pr.FIXES) == scoring.FIXES
    assert [c[0] for c in pr.FORMAT_CONTROLS] == ["delimiter", "header", "decimal", "encoding"]


def test_inspect_keeps_the_format_when_detection_fails():
    data = (ROOT / "tests" / "scoring" / "fixtures" / "all_text.csv").read_bytes()
    info = pr.inspect(data, {**pr.format_choices(pr.AUTO, pr.AUTO, pr.AUTO, pr.AUTO), **pr.UNFORCED}, 2**20)
    assert info["fmt"] is not None and info["det"] is None and info["error"]["kind"] == "detect"


def test_parameter_inputs_are_labelled_from_the_metadata_and_stay_in_the_valid_range():
    plans = scoring.plans(_example("regression_outliers.csv").detection)
    fields = {f.param: f for f in pr.param_fields(plans)}
    huber = fields["huber.delta"]
    assert huber.name == "param_huber_delta"  # the page's key and URL name: score_param_huber_delta
    assert huber.label == "δ (Huber)" and "huber" not in huber.label and "delta" not in huber.label
    assert huber.default == 1.0 and huber.low == pr.RESOLUTION and huber.high == pr.FAR
    tau = fields["quantile.tau"]
    assert tau.low == pytest.approx(0.001) and tau.high == pytest.approx(0.999)
    assert fields["general_robust.alpha"].low == -pr.FAR and fields["general_robust.alpha"].high == 10.0
    for f in fields.values():  # both ends are values the loss accepts
        loss, _, name = f.param.partition(".")
        p = losses.get(loss).param(name)
        assert p.check(f.low, loss) == f.low and p.check(f.high, loss) == f.high
        assert f.low <= f.default <= f.high


def test_metrics_by_title_with_the_cost_to_six_digits():
    r = _example("rain_tomorrow.csv")
    values, titles, helps = pr.metric_texts(r)
    assert list(values) == list(r.costs)
    assert all(float(values[n]) == float(f"{c:.6g}") for n, c in r.costs.items())
    assert titles["binary_cross_entropy"] == "Binary cross-entropy"
    assert "Computed on the log-odds" in helps["hinge"]


def test_poisson_is_explained_and_its_deviance_is_shown():
    r = _example("regression_outliers.csv")
    values, titles, helps = pr.metric_texts(r)
    assert float(values["poisson"]) < 0 and float(values["poisson_deviance"]) > 0  # -1257.63 and 7.6
    assert "negative log-likelihood" in titles["poisson"] and "can be < 0" in titles["poisson"]
    assert "without its constant" in helps["poisson"]


def test_rmse_is_not_a_focus_and_the_caption_says_why():
    r = _example("regression_outliers.csv")
    assert "rmse" in r.costs and "rmse" not in pr.focus_options(r) and "mse" in pr.focus_options(r)
    caption = pr.table_caption(200, "mse", r)
    assert "Mean squared error (L2)" in caption and "RMSE has no column" in caption and "mse" not in caption
    assert "RMSE has" not in pr.table_caption(365, "hinge", _example("rain_tomorrow.csv"))


def test_worst_rows_first_and_columns_by_short_label():
    r = _example("regression_outliers.csv")
    shown = pr.worst_first(r.report, "mae", 5)
    assert shown["row"].tolist()[0] == 17 and list(shown["mae"]) == sorted(shown["mae"], reverse=True)
    cols = pr.loss_columns(r.report, r)
    assert cols["huber"] == ("Huber", "Huber loss") and "rmse" not in cols


def test_chart_data_regression():
    r = _example("regression_outliers.csv")
    cd = pr.chart_data(r, "mse")
    assert cd.names == ("actual_price_k", "predicted_price_k") and cd.calibration is None
    assert_array_equal(cd.values, r.per_row["mse"])
    assert_allclose(cd.values, (cd.y_pred - cd.y_true) ** 2, rtol=1e-12)


def test_chart_data_binary_uses_the_probabilities_the_losses_used():
    data = b"y,score\n1,2\n0,-1\n1,0.5\n0,-3\n"
    r = _result(data)
    cd = pr.chart_data(r, "sigmoid_cross_entropy")
    prob, hit, what = cd.calibration
    assert_array_equal(prob, r.probabilities) and what == "class 1"
    assert_allclose(prob, losses.sigmoid(np.array([2.0, -1.0, 0.5, -3.0])), rtol=1e-15)
    assert_array_equal(hit, [True, False, True, False])
    assert_array_equal(cd.true_class[1], [1, 0, 1, 0])


def test_chart_data_multiclass_after_normalising_rows():
    data = b"label,prob_a,prob_b\na,0.6,0.6\nb,0.25,0.5\nb,0.9,0.3\n"
    r = _result(data, fix_rows="normalise")
    cd = pr.chart_data(r, "sparse_categorical_cross_entropy")
    top, hit, what = cd.calibration
    assert_allclose(top, [0.5, 2 / 3, 0.75]) and what == "top class"
    assert_array_equal(hit, [True, True, False])
    p_true, cls, _ = cd.true_class
    assert_allclose(p_true, [0.5, 2 / 3, 0.25])
    assert_allclose(cd.values, -np.log(p_true), rtol=1e-12)  # the loss on exactly these probabilities
    assert_array_equal(cls, [0, 1, 1])


def test_detected_text_names_losses_by_title():
    r = _example("rain_tomorrow.csv")
    fmt = r.fmt
    text = pr.detected_text(fmt, r.detection, r)
    assert text.startswith("File: ") and "Hinge loss" in text and "hinge," not in text


def test_chart_names_are_titles_unless_too_long_for_an_axis():
    assert pr.chart_name("mse") == "Mean squared error (L2)"
    assert pr.chart_name("poisson") == "Poisson NLL"
    assert all(len(pr.chart_name(n)) <= pr.CHART_NAME_CHARS for n in losses.names())


def test_headline():
    r = _example("species_multiclass.csv")
    assert pr.headline("f.csv", r.detection) == (
        "f.csv: multiclass; y_true = species; y_pred = prob_setosa, prob_versicolor, prob_virginica "
        "(probabilities)"
    )
    assert math.isfinite(sum(r.costs.values()))
