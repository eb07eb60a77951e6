"""What the Score page and the per-row report show from a result (issue 9): the probabilities the losses used,
no column that repeats another, the losses by their titles, rows to normalise, messages that do not repeat
their titles."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import losses
import scoring

FIX = Path(__file__).resolve().parent / "fixtures"
REGRESSION = b"actual,predicted\n1.5,2.25\n3.0,3.5\n10.25,4.0\n7.5,7.0\n"


def _score(data: bytes, **kw) -> scoring.Result:
    fmt, det = scoring.inspect(data)
    return scoring.score(data, fmt, det, per_row=True, **kw)


# -- the probabilities the losses used -----------------------------------------------------------------
def test_binary_probabilities_are_the_files_own():
    r = _score(b"y,p\n1,0.9\n0,0.2\n1,0.4\n")
    assert_array_equal(r.probabilities, [0.9, 0.2, 0.4])


def test_binary_logits_give_their_sigmoid():
    s = np.array([2.0, -1.0, 0.5, -30.0])
    r = _score(b"y,score\n1,2\n0,-1\n1,0.5\n0,-30\n")
    assert r.detection.pred_kind == "logits"
    assert_allclose(r.probabilities, losses.sigmoid(s), rtol=1e-15)


def test_multiclass_rows_are_the_rows_the_losses_used():
    data = b"label,prob_a,prob_b\na,0.6,0.6\nb,0.25,0.5\n"
    norm = _score(data, fix_rows="normalise")
    assert_allclose(norm.probabilities, [[0.5, 0.5], [1 / 3, 2 / 3]], rtol=1e-15)
    soft = _score(data, fix_rows="softmax")
    assert_allclose(soft.probabilities, losses.softmax(np.array([[0.6, 0.6], [0.25, 0.5]])), rtol=1e-15)
    # the probabilities are what the cross-entropy was computed on
    ce = losses.get("sparse_categorical_cross_entropy").per_sample([0, 1], norm.probabilities)
    assert_allclose(norm.per_row["sparse_categorical_cross_entropy"], ce, rtol=1e-15)


def test_regression_has_no_probabilities():
    assert _score(REGRESSION).probabilities is None


# -- the per-row report: no RMSE column (it repeated the squared error) ---------------------------------
def test_report_leaves_out_rmse_whose_per_row_view_is_the_squared_error():
    r = _score(REGRESSION)
    assert "rmse" in r.costs and "rmse" in r.per_row  # the result keeps it (per-row values add up)
    report = r.report
    assert "rmse" not in report.columns and "mse" in report.columns
    assert [c for c in report.columns if c in r.costs] == [n for n in r.costs if n != "rmse"]
    assert not scoring.has_rows("rmse") and scoring.has_rows("mse")


def test_the_streamed_report_leaves_out_rmse_too():
    data = REGRESSION
    fmt, det = scoring.inspect(data)
    out = io.StringIO()
    scoring.score(data, fmt, det, per_row_out=out, chunksize=2)
    header = next(csv.reader(io.StringIO(out.getvalue())))
    assert "mse" in header and "rmse" not in header


# -- the losses by their titles -----------------------------------------------------------------------
def test_a_skipped_loss_is_named_by_its_title():
    r = _score(b"y_true,y_pred\n1,2\n2,3\n3,-4\n4,5\n")
    assert r.skipped["msle"].startswith("Mean squared logarithmic error needs ")
    assert "msle" not in r.skipped["msle"]


def test_notes_name_the_losses_by_title_on_the_page_and_by_name_in_the_terminal():
    r = _score((FIX / "binary_01_probabilities.csv").read_bytes())
    by_name = [n for n in r.notes if "computed on" in n]
    by_title = [n for n in r.notes_naming(lambda n: losses.get(n).title) if "computed on" in n]
    assert by_name and "hinge" in by_name[0]
    assert "Hinge loss" in by_title[0] and "hinge," not in by_title[0]


# -- rows that do not sum to 1 are offered normalisation, even with a value above 1 -----------------------
def test_a_row_summing_to_1_3_with_a_value_above_1_is_a_row_sum_error_not_a_logit():
    data = b"label,prob_a,prob_b\na,0.5,0.5\nb,0.2,0.8\na,1.2,0.1\n"
    fmt, det = scoring.inspect(data, pred_kind="probabilities")  # as chosen on the page
    with pytest.raises(scoring.ScoringError) as info:
        scoring.score(data, fmt, det, chunksize=2)
    assert info.value.kind == "row_sum" and "sum to 1.3" in str(info.value) and "normalise" in str(info.value)
    fixed = scoring.score(data, fmt, det, chunksize=2, fix_rows="normalise", per_row=True)
    assert_allclose(fixed.probabilities[2], [1.2 / 1.3, 0.1 / 1.3], rtol=1e-15)


def test_a_negative_class_probability_is_still_out_of_range():
    data = b"label,prob_a,prob_b\na,0.5,0.5\nb,0.2,0.8\na,1.1,-0.1\n"
    fmt, det = scoring.inspect(data, pred_kind="probabilities")
    with pytest.raises(scoring.ScoringError) as info:
        scoring.score(data, fmt, det, chunksize=2)
    assert info.value.kind == "probability_range"


# -- an error's message never repeats its title -------------------------------------------------------
BAD_FILES = sorted(p.name for p in FIX.glob("*.csv")) + ["<empty bytes>", "<blank lines>", "<header only>"]
INLINE = {"<empty bytes>": b"", "<blank lines>": b"  \n\n", "<header only>": b"a,b\n"}


@pytest.mark.parametrize("name", BAD_FILES)
def test_messages_do_not_repeat_their_titles(name):
    data = INLINE[name] if name in INLINE else (FIX / name).read_bytes()
    try:
        fmt, det = scoring.inspect(data)
        scoring.score(data, fmt, det)
    except scoring.ScoringError as exc:
        title, message = exc.title.lower(), str(exc).lower()
        assert title not in message, (exc.title, str(exc))
        assert message.split()[:3] != title.split()[:3], (exc.title, str(exc))  # "The file is empty. The..."
    else:
        assert math.isfinite(sum(scoring.score(data, fmt, det).costs.values()))


# -- issue 15: an input column named like a loss keeps its values in the report ----------------------------
@pytest.mark.parametrize("names", [("mse", "mae"), ("huber", "row"), ("input mse", "mse")])
def test_input_columns_named_like_a_loss_are_not_overwritten(names, tmp_path):
    t, p = [1.5, 3.0, 10.25, 7.5], [2.25, 3.5, 4.0, 7.0]
    data = (",".join(names) + "\n" + "".join(f"{a},{b}\n" for a, b in zip(t, p, strict=True))).encode()
    fmt, det = scoring.inspect(data, y_true=[names[0]], y_pred=[names[1]])
    report = scoring.score(data, fmt, det, per_row=True).report
    inputs = [c for c in report.columns if c not in losses.names() and c != "row"]
    assert len(inputs) == 2 and len(set(report.columns)) == len(report.columns)
    assert_array_equal(report[inputs[0]], t)
    assert_array_equal(report[inputs[1]], p)
    assert_allclose(report["mse"], (np.array(p) - np.array(t)) ** 2)
    out = tmp_path / "rows.csv"
    from scoring.cli import main

    path = tmp_path / "in.csv"
    path.write_bytes(data)
    assert main([str(path), "--y-true", names[0], "--y-pred", names[1], "--per-row", str(out)]) == 0
    header = next(csv.reader(out.open(encoding="utf-8")))
    assert len(set(header)) == len(header) and header.count("mse") == 1
