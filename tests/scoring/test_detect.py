"""Task and column detection: what was detected, from names and from values, and overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

import scoring

FIX = Path(__file__).parent / "fixtures"

# file -> (task, y_true, y_pred, pred_kind, id column)
EXPECTED = {
    "regression_header.csv": ("regression", ("y_true",), ("y_pred",), "values", None),
    "regression_noheader.csv": ("regression", ("column 1",), ("column 2",), "values", None),
    "extra_columns.csv": ("regression", ("actual",), ("prediction",), "values", "id"),
    "pandas_index.csv": ("regression", ("y_true",), ("y_pred",), "values", "column 1"),
    "binary_01_probabilities.csv": ("binary", ("y_true",), ("y_prob",), "probabilities", None),
    "binary_pm1_scores.csv": ("binary", ("label",), ("score",), "logits", None),
    "binary_bool_logits.csv": ("binary", ("actual",), ("logit",), "logits", None),
    "binary_strings.csv": ("binary", ("rain_tomorrow",), ("prob_yes",), "probabilities", "day"),
    "multiclass_names.csv": (
        "multiclass", ("label",), ("prob_cat", "prob_dog", "prob_bird"), "probabilities", None,
    ),
    "multiclass_int_logits.csv": (
        "multiclass", ("y_true",), ("logit_0", "logit_1", "logit_2"), "logits", None,
    ),
    "multiclass_onehot.csv": (
        "multiclass", ("true_cat", "true_dog", "true_bird"), ("p_cat", "p_dog", "p_bird"), "probabilities",
        None,
    ),
    "multiclass_labels_1_to_k.csv": ("multiclass", ("obs",), ("p1", "p2", "p3"), "probabilities", None),
    "multiclass_headerless.csv": (
        "multiclass", ("column 1",), ("column 2", "column 3", "column 4"), "probabilities", None,
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_detected(name):
    _fmt, det = scoring.inspect(FIX / name)
    assert (det.task, det.y_true, det.y_pred, det.pred_kind, det.id_column) == EXPECTED[name]
    assert any(r.startswith("Task:") for r in det.reasons), "detection says why"


def test_binary_string_classes_choose_the_positive_by_the_column_name():
    _fmt, det = scoring.inspect(FIX / "binary_strings.csv")
    assert det.classes == ("no", "yes")
    assert dict(det.label_map) == {"no": 0, "yes": 1}
    assert any("prob_yes" in r for r in det.reasons)


def test_labels_one_to_k_map_to_columns_in_order():
    _fmt, det = scoring.inspect(FIX / "multiclass_labels_1_to_k.csv")
    assert dict(det.label_map) == {1.0: 0, 2.0: 1, 3.0: 2}


def test_multiclass_classes_match_labels_by_name():
    _fmt, det = scoring.inspect(FIX / "multiclass_names.csv")
    assert det.classes == ("cat", "dog", "bird")
    assert dict(det.label_map)["bird"] == 2


def test_override_task_and_columns():
    _fmt, det = scoring.inspect(FIX / "binary_01_probabilities.csv", task="regression")
    assert det.task == "regression" and det.y_true == ("y_true",) and det.y_pred == ("y_prob",)
    _fmt, det = scoring.inspect(FIX / "regression_header.csv", y_true=["y_pred"], y_pred=["y_true"])
    assert det.y_true == ("y_pred",) and det.y_pred == ("y_true",)


def test_override_positive_class_and_prediction_kind():
    _fmt, det = scoring.inspect(FIX / "binary_strings.csv", positive="no")
    assert dict(det.label_map) == {"yes": 0, "no": 1}
    _fmt, det = scoring.inspect(FIX / "binary_01_probabilities.csv", pred_kind="logits")
    assert det.pred_kind == "logits"
    with pytest.raises(scoring.ScoringError) as info:
        scoring.inspect(FIX / "binary_strings.csv", positive="maybe")
    assert info.value.kind == "labels"


def test_same_column_twice_is_refused():
    with pytest.raises(scoring.ScoringError) as info:
        scoring.inspect(FIX / "regression_header.csv", y_true=["y_true"], y_pred=["y_true"])
    assert info.value.kind == "column"


def test_applicable_losses_follow_the_registry():
    import losses

    _f, det = scoring.inspect(FIX / "regression_header.csv")
    assert [p.name for p in scoring.plans(det)] == losses.names("regression")
    _f, det = scoring.inspect(FIX / "binary_01_probabilities.csv")
    names = [p.name for p in scoring.plans(det)]
    assert "binary_cross_entropy" in names and "sigmoid_cross_entropy" not in names
    _f, det = scoring.inspect(FIX / "binary_bool_logits.csv")
    names = [p.name for p in scoring.plans(det)]
    assert "sigmoid_cross_entropy" in names and "binary_cross_entropy" not in names
    _f, det = scoring.inspect(FIX / "multiclass_int_logits.csv")
    assert "softmax_cross_entropy" in [p.name for p in scoring.plans(det)]
    with pytest.raises(scoring.ScoringError) as info:
        scoring.plans(det, only=["mse"])
    assert info.value.kind == "loss" and "does not apply" in str(info.value)


# -- issue 15: explicit names win; no loss that applies is an error, not an empty table --------------------
def test_named_y_true_and_y_pred_win_over_per_class_columns():
    data = b"y_true,y_pred,c1,c2\n1,1.5,3,4\n2,2.5,5,6\n3,2,1,1\n"
    _fmt, det = scoring.inspect(data)
    assert (det.task, det.y_true, det.y_pred) == ("regression", ("y_true",), ("y_pred",))
    assert "Not used: 'c1', 'c2'." in det.reasons
    data = b"y_true,p,c1,c2\n1,0.5,3,4\n0,0.2,5,6\n1,0.9,1,1\n"
    _fmt, det = scoring.inspect(data)
    assert (det.task, det.y_true, det.y_pred) == ("binary", ("y_true",), ("p",))
    assert det.pred_kind == "probabilities"


def test_a_named_prediction_of_labels_leaves_the_class_columns_to_multiclass():
    data = b"target,prediction,prob_a,prob_b\na,a,0.9,0.1\nb,a,0.6,0.4\nb,b,0.2,0.8\n"
    _fmt, det = scoring.inspect(data)
    assert (det.task, det.y_true, det.y_pred) == ("multiclass", ("target",), ("prob_a", "prob_b"))


def test_when_no_loss_applies_it_is_an_error_that_says_why():
    data = b"y_true,y_pred,c1,c2\n1,1.5,3,4\n2,2.5,5,6\n3,2,1,1\n"
    fmt, det = scoring.inspect(data, y_true=["y_true", "y_pred"], y_pred=["c1", "c2"])
    with pytest.raises(scoring.ScoringError) as info:
        scoring.score(data, fmt, det)
    assert info.value.kind == "no_loss" and "Categorical cross-entropy needs" in str(info.value)


# -- issue 15: numeric binary labels: the greater is the positive class, and the reasons always say so -------
def _bce(y01, p):
    import numpy as np

    p = np.clip(np.asarray(p, float), np.finfo(float).eps, 1 - np.finfo(float).eps)
    y = np.asarray(y01, float)
    return float(np.mean(-(y * np.log(p) + (1 - y) * np.log1p(-p))))


@pytest.mark.parametrize("pred", ["p", "score", "yhat"])
def test_labels_one_and_two_make_two_the_positive_class(pred):
    y, p = [1, 2, 1, 2, 2], [0.3, 0.8, 0.1, 0.7, 0.6]
    data = (f"y,{pred}\n" + "".join(f"{a},{b}\n" for a, b in zip(y, p, strict=True))).encode()
    fmt, det = scoring.inspect(data)
    assert det.task == "binary" and det.classes == ("1", "2") and dict(det.label_map) == {1.0: 0, 2.0: 1}
    assert any(r.startswith("Positive class: 2 (the greater of the two numeric labels") for r in det.reasons)
    costs = scoring.score(data, fmt, det).costs
    y01 = [int(v == 2) for v in y]
    if det.pred_kind == "probabilities":
        assert costs["binary_cross_entropy"] == pytest.approx(_bce(y01, p), rel=1e-12)
        assert costs["zero_one"] == 0.0


@pytest.mark.parametrize(
    ("labels", "positive"), [((0, 1), "1"), ((-1, 1), "1"), ((3, 7), "7"), (("no", "yes"), "yes")]
)
def test_the_positive_class_is_always_stated(labels, positive):
    rows = "".join(f"{labels[i % 2]},{0.2 + 0.6 * (i % 2)}\n" for i in range(6))
    _fmt, det = scoring.inspect(("label,prob\n" + rows).encode())
    assert det.task == "binary" and det.classes[1] == positive
    shown = positive if positive[0].isdigit() else repr(positive)
    assert any(r.startswith(f"Positive class: {shown} (") for r in det.reasons), det.reasons


def test_a_regression_on_two_integer_values_stays_a_regression():
    _fmt, det = scoring.inspect(b"y,yhat\n1,1.3\n2,1.8\n1,0.9\n2,2.4\n")
    assert det.task == "regression"


# -- issue 15: labels from the whole file, and NA as a value where it is one --------------------------------
def _sorted_binary(labels: tuple[str, str], n: int = 25_000) -> tuple[bytes, list[int], list[float]]:
    y = [0] * n + [1] * n
    p = [0.2 + 0.6 * v - 0.1 * (i % 2) for i, v in enumerate(y)]
    rows = "".join(f"{labels[v]},{q:.3f}\n" for v, q in zip(y, p, strict=True))
    return ("y_true,y_prob\n" + rows).encode(), y, p


@pytest.mark.parametrize("labels", [("no", "yes"), ("1", "2"), ("0", "1")])
def test_a_sorted_file_is_detected_from_all_its_labels(labels):
    """The first 20,000 rows held one class: the file was refused ('no' then 'yes') or misread."""
    data, y, p = _sorted_binary(labels)
    fmt, det = scoring.inspect(data)
    assert det.task == "binary" and det.classes == labels
    costs = scoring.score(data, fmt, det).costs
    assert costs["binary_cross_entropy"] == pytest.approx(_bce(y, [round(q, 3) for q in p]), rel=1e-12)


def test_sorted_multiclass_labels_are_all_seen():
    labels = [0] * 21_000 + [1, 2] * 10
    rows = "".join(f"{k},0.6,0.3,0.1\n" if k == 0 else f"{k},0.2,0.3,0.5\n" for k in labels)
    fmt, det = scoring.inspect(("y_true,p_0,p_1,p_2\n" + rows).encode())
    assert det.task == "multiclass" and dict(det.label_map) == {0.0: 0, 1.0: 1, 2.0: 2}


def test_na_is_a_value_in_text_columns_and_missing_in_numeric_ones():
    data = (b"country,label,prob_NA,prob_US\n" + b"NA,NA,0.9,0.1\nUS,US,0.3,0.7\nNA,US,0.6,0.4\n"
            b"DE,NA,0.5,0.5\n")  # fmt: skip
    fmt, det = scoring.inspect(data, id_column="country")
    assert det.task == "multiclass" and det.classes == ("NA", "US")
    result = scoring.score(data, fmt, det, per_row=True)
    assert list(result.report["country"]) == ["NA", "US", "NA", "DE"]
    import numpy as np

    want = -np.mean(np.log([0.9, 0.7, 0.4, 0.5]))
    assert result.costs["categorical_cross_entropy"] == pytest.approx(want, rel=1e-12)
    # a numeric column's NA is a missing value, as before; a yes/no column's NA too (it names no class)
    data = b"y_true,y_pred\n1,2\nNA,3\n4,NA\n5,5\n"
    fmt, det = scoring.inspect(data)
    assert scoring.score(data, fmt, det, drop_missing=True).rows_scored == 2
    data = b"label,prob\nyes,0.9\nno,0.2\nNA,0.5\nyes,0.7\n"
    fmt, det = scoring.inspect(data)
    assert det.classes == ("no", "yes") and scoring.score(data, fmt, det, drop_missing=True).rows_scored == 3


# -- issue 14: the labels of the whole file checked while scoring reads it, not in a pass of their own ------
def _binary_rows(n: int, last: str | None = None) -> bytes:
    rows = [f"{i % 2},{0.25 + 0.5 * (i % 2)}\n" for i in range(n)]
    if last is not None:
        rows[-1] = f"{last},0.5\n"
    return ("y_true,y_prob\n" + "".join(rows)).encode()


def test_the_sample_stands_for_the_labels_of_a_file_that_has_no_others():
    from scoring.detect import detect_deferred, detect_file

    data = _binary_rows(50_000, last="1.0")  # another spelling of a label seen: nothing new
    fmt = scoring.sniff(data)
    deferred_fmt, det = detect_deferred(data, fmt)
    assert deferred_fmt.labels is not None and deferred_fmt == fmt  # a check to make, nothing else
    assert det == detect_file(data, fmt)
    got, want = scoring.score(data, deferred_fmt, det).costs, scoring.score(data, fmt, det).costs
    assert got == want


@pytest.mark.parametrize("last", ["2", "-1"])
def test_a_label_beyond_the_sample_gives_the_whole_files_message(last):
    """The error detection from the whole file gives, while scoring reads it (it was raised before)."""
    from scoring.detect import detect_file

    data = _binary_rows(50_000, last=last)
    fmt = scoring.sniff(data)
    with pytest.raises(scoring.ScoringError) as before:
        detect_file(data, fmt)
    with pytest.raises(scoring.ScoringError) as now:
        fmt, det = scoring.inspect(data)
        scoring.score(data, fmt, det, chunksize=7000)
    assert (now.value.kind, str(now.value)) == (before.value.kind, str(before.value))


def test_a_class_number_beyond_the_sample_is_named_without_a_row():
    labels = [0, 1, 2] * 8_000 + [3]
    rows = "".join(f"{k},0.2,0.3,0.5\n" for k in labels)
    data = ("y_true,p_0,p_1,p_2\n" + rows).encode()
    with pytest.raises(scoring.ScoringError) as info:  # was an IndexError: the sample has no such row
        fmt, det = scoring.inspect(data)
        scoring.score(data, fmt, det)
    assert info.value.kind == "labels" and "the label 3 is not a class" in str(info.value)
