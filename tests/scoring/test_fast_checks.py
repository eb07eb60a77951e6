"""The per-chunk checks' fast paths (issue 14): a chunk is proved clean by reductions (bounds of integer
labels, a finite sum, min and max of probabilities), and only a chunk that fails them goes through the masks
that name the row. Every refusal here keeps the message and the row it had before the fast paths, in the
first chunk or a later one, and data that only looks suspicious to a reduction (a sum beyond float64) is
scored as before."""

from __future__ import annotations

import math

import pytest

import scoring
from scoring.errors import ScoringError

#: Chunk sizes: the bad row in the second chunk (of 4 rows), and the whole file in one chunk.
CHUNKS = (4, 1000)
_LABEL_FIX = "Fix the label, or choose the task and columns yourself."
_PROB_TAIL = (
    "but the column was read as probabilities, which must lie in [0, 1]. If the predictions are logits or "
    "scores, choose 'logits' as the prediction kind."
)


def _file(header: str, rows: list[str]) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def _binary(labels=("0", "1")) -> list[str]:
    """Ten rows of labels and probabilities, alternating between the two classes."""
    probs = ["0.2", "0.7", "0.4", "0.9", "0.1", "0.6", "0.3", "0.8", "0.25", "0.75"]
    return [f"{labels[i % 2]},{p}" for i, p in enumerate(probs)]


def _with(rows: list[str], row: int, text: str) -> list[str]:
    """``rows`` with the file's data row ``row`` (1-based, as messages count) replaced by ``text``."""
    out = list(rows)
    out[row - 1] = text
    return out


def _refused(clean: bytes, bad: bytes, **options) -> ScoringError:
    """The error scoring ``bad`` raises, with the format and detection of ``clean``."""
    fmt, det = scoring.inspect(clean)
    with pytest.raises(ScoringError) as info:
        scoring.score(bad, fmt, det, **options)
    return info.value


def _label_error(row: int, label: str, classes: str) -> str:
    return (
        f"Row {row}, column 'y_true': the label {label!r} is not one of the expected classes ({classes}). "
        + _LABEL_FIX
    )


@pytest.mark.parametrize("chunksize", CHUNKS)
@pytest.mark.parametrize(
    ("labels", "bad", "classes"),
    [
        (("0", "1"), "2", "'0', '1'"),
        (("0", "1"), "-1", "'0', '1'"),
        (("-1", "1"), "0", "'-1', '1'"),  # between the bounds of -1/+1: the one integer that is no label
        (("-1", "1"), "3", "'-1', '1'"),
        (("1", "2"), "0", "'1', '2'"),
    ],
)
def test_an_integer_label_outside_the_classes_names_its_row(labels, bad, classes, chunksize):
    rows = _binary(labels)
    err = _refused(_file("y_true,y_prob", rows), _file("y_true,y_prob", _with(rows, 6, f"{bad},0.5")),
                   chunksize=chunksize)  # fmt: skip
    assert err.kind == "labels" and (err.row, err.column) == (6, "y_true")
    assert str(err) == _label_error(6, bad, classes)


@pytest.mark.parametrize("chunksize", CHUNKS)
def test_a_multiclass_integer_label_beyond_the_last_class_names_its_row(chunksize):
    rows = [f"{i % 3},{i % 5 - 2.5},{2 - i % 4},{1.5 * (i % 3)}" for i in range(10)]  # logits
    header = "y_true,logit_0,logit_1,logit_2"
    fmt, det = scoring.inspect(_file(header, rows))
    assert det.task == "multiclass"
    err = _refused(_file(header, rows), _file(header, _with(rows, 7, "3,-1.5,2,0.5")), chunksize=chunksize)
    assert (err.kind, err.row) == ("labels", 7)
    assert str(err) == _label_error(7, "3", "'0', '1', '2'")


@pytest.mark.parametrize("chunksize", CHUNKS)
def test_boolean_labels_are_scored_as_zeros_and_ones(chunksize):
    as_bool = scoring.inspect(_file("y_true,y_prob", _binary(("False", "True"))))
    as_int = scoring.inspect(_file("y_true,y_prob", _binary()))
    a = scoring.score(_file("y_true,y_prob", _binary(("False", "True"))), *as_bool, chunksize=chunksize)
    b = scoring.score(_file("y_true,y_prob", _binary()), *as_int, chunksize=chunksize)
    assert a.costs == b.costs and a.rows_scored == 10


@pytest.mark.parametrize("chunksize", CHUNKS)
def test_float_labels_with_holes_are_counted_or_dropped(chunksize):
    clean = _binary(("0.0", "1.0"))
    holed = _with(_with(clean, 6, ",0.6"), 9, ",0.25")
    fmt, det = scoring.inspect(_file("y_true,y_prob", clean))
    with pytest.raises(ScoringError) as info:
        scoring.score(_file("y_true,y_prob", holed), fmt, det, chunksize=chunksize)
    err = info.value
    assert (err.kind, err.row, err.column, err.count) == ("missing", 6, "y_true", 2)
    assert str(err) == (
        "2 rows of 10 have a missing (empty or NaN) value, the first at row 6, column 'y_true'. Drop those "
        "rows to score the rest."
    )
    got = scoring.score(_file("y_true,y_prob", holed), fmt, det, chunksize=chunksize, drop_missing=True,
                        per_row=True)  # fmt: skip
    kept = [r for i, r in enumerate(clean, start=1) if i not in (6, 9)]
    want = scoring.score(_file("y_true,y_prob", kept), fmt, det, chunksize=chunksize)
    assert (got.rows_read, got.rows_scored, got.rows_dropped) == (10, 8, 2)
    assert got.costs.keys() == want.costs.keys()  # the chunks' boundaries differ: sums in another order
    assert all(math.isclose(got.costs[n], want.costs[n], rel_tol=1e-12) for n in want.costs)
    assert got.per_row["row"].tolist() == [1, 2, 3, 4, 5, 7, 8, 10]  # the file's rows, not the kept ones'
    assert got.notes[0] == "Dropped 2 row(s) with missing values (the first at row 6)."


@pytest.mark.parametrize("chunksize", CHUNKS)
def test_a_float_label_between_the_classes_is_refused(chunksize):
    clean = _binary(("0.0", "1.0"))
    err = _refused(_file("y_true,y_prob", clean), _file("y_true,y_prob", _with(clean, 7, "0.5,0.3")),
                   chunksize=chunksize)  # fmt: skip
    assert (err.kind, err.row, err.column) == ("labels", 7, "y_true")
    assert str(err) == _label_error(7, "0.5", "'0', '1'")


@pytest.mark.parametrize("chunksize", CHUNKS)
@pytest.mark.parametrize("value", ["inf", "-inf"])
def test_an_infinite_prediction_is_refused_with_its_row(value, chunksize):
    message = "Row 6, column {!r} is infinite. Replace it with a finite number or drop the row."
    rows = _binary()
    err = _refused(_file("y_true,y_prob", rows), _file("y_true,y_prob", _with(rows, 6, f"1,{value}")),
                   chunksize=chunksize)  # fmt: skip
    assert (err.kind, err.row, err.column) == ("value", 6, "y_prob")
    assert str(err) == message.format("y_prob")
    reg = [f"{i + 1}.5,{i + 2}.25" for i in range(10)]
    err = _refused(_file("y_true,y_pred", reg), _file("y_true,y_pred", _with(reg, 6, f"2.5,{value}")),
                   chunksize=chunksize)  # fmt: skip
    assert (err.kind, err.row, err.column) == ("value", 6, "y_pred")
    assert str(err) == message.format("y_pred")


@pytest.mark.parametrize("chunksize", CHUNKS)
@pytest.mark.parametrize(("value", "shown"), [("1.0000001", "1"), ("-0.0000001", "-1e-07"), ("1.5", "1.5")])
def test_a_probability_just_outside_zero_to_one_is_refused(value, shown, chunksize):
    rows = _binary()
    err = _refused(_file("y_true,y_prob", rows), _file("y_true,y_prob", _with(rows, 8, f"1,{value}")),
                   chunksize=chunksize)  # fmt: skip
    assert (err.kind, err.row, err.column, err.value) == ("probability_range", 8, "y_prob", float(value))
    assert str(err) == f"Row 8, column 'y_prob' is {shown}, " + _PROB_TAIL


@pytest.mark.parametrize("chunksize", CHUNKS)
def test_probabilities_of_exactly_zero_and_one_are_scored(chunksize):
    rows = _with(_with(_binary(), 5, "0,0"), 6, "1,1")
    data = _file("y_true,y_prob", rows)
    result = scoring.score(data, *scoring.inspect(data), chunksize=chunksize)
    assert result.rows_scored == 10 and not result.skipped


@pytest.mark.parametrize("chunksize", CHUNKS)
@pytest.mark.filterwarnings("error")  # nor warned of: the overflow is the check's own, not the user's
def test_huge_finite_values_whose_sum_overflows_are_scored(chunksize):
    # the columns' sums are beyond float64 (inf), though every value is finite: no value is refused
    rows = [f"{v},{v}" for v in ("1e308", "1.5e308", "1e308", "1.7e308", "1e308", "1.5e308")] + ["1,2", "3,5"]
    data = _file("y_true,y_pred", rows)
    fmt, det = scoring.inspect(data)
    result = scoring.score(data, fmt, det, chunksize=chunksize, loss_names=["mae"])
    assert result.rows_scored == 8 and not result.skipped
    assert math.isclose(result.costs["mae"], 3 / 8, rel_tol=1e-15)


@pytest.mark.parametrize("chunksize", CHUNKS)
def test_multiclass_row_sums_are_checked_past_the_first_chunk(chunksize):
    rows = ["a,0.2,0.3,0.5", "b,0.1,0.8,0.1", "c,0.3,0.3,0.4", "a,0.6,0.2,0.2"] * 3
    header = "label,prob_a,prob_b,prob_c"
    bad = _with(rows, 6, "b,0.2,0.3,0.51")
    err = _refused(_file(header, rows), _file(header, bad), chunksize=chunksize)
    assert (err.kind, err.row) == ("row_sum", 6)
    assert str(err) == (
        "Row 6: the class probabilities sum to 1.01, not 1. Choose 'normalise' to divide each row by its "
        "sum, or 'softmax' to read the columns as logits."
    )
    rounded = _with(_with(rows, 6, "b,0.333333,0.333333,0.333333"), 11, "c,0.333333,0.333333,0.333333")
    fmt, det = scoring.inspect(_file(header, rows))
    result = scoring.score(_file(header, rounded), fmt, det, chunksize=chunksize)
    assert result.notes[0].startswith("2 row(s) of class probabilities summed to within")
    err = _refused(_file(header, rows), _file(header, _with(rows, 7, "c,0,0,0")), chunksize=chunksize,
                   fix_rows="normalise")  # fmt: skip
    assert (err.kind, err.row) == ("row_sum", 7)
    assert str(err) == "Row 7: every class probability is 0, so the row cannot be normalised."


@pytest.mark.parametrize("chunksize", CHUNKS)
def test_a_skipped_loss_names_the_file_row_after_dropped_rows(chunksize):
    rows = [f"{i + 1},{i + 2}" for i in range(10)]
    bad = _with(_with(rows, 3, "4,"), 7, "8,-3")  # a hole before the row where msle leaves its domain
    fmt, det = scoring.inspect(_file("y_true,y_pred", rows))
    result = scoring.score(_file("y_true,y_pred", bad), fmt, det, chunksize=chunksize, drop_missing=True)
    assert result.skipped["msle"].endswith("row 7 of column 'y_pred' is outside that.")
    assert result.rows_dropped == 1 and "mse" in result.costs
