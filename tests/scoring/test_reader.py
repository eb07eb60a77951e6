"""The reader over a folder of fixture files: every format it accepts and every bad input it refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

import scoring
from scoring.reader import MAX_LINE_BYTES, read_all, rescan, sniff

FIX = Path(__file__).parent / "fixtures"

# file -> (delimiter, decimal, encoding, header, first two column names)
FORMATS = {
    "regression_header.csv": (",", ".", "utf-8", True, ("y_true", "y_pred")),
    "regression_noheader.csv": (",", ".", "utf-8", False, ("column 1", "column 2")),
    "semicolon_decimal_comma.csv": (";", ",", "utf-8", True, ("actual", "predicted")),
    "tab_separated.csv": ("\t", ".", "utf-8", True, ("target", "prediction")),
    "pipe_separated.csv": ("|", ".", "utf-8", True, ("y", "yhat")),
    "utf8_bom.csv": (",", ".", "utf-8-sig", True, ("y_true", "y_pred")),
    "latin1.csv": (",", ".", "latin-1", True, ("city", "y_true")),
    "crlf.csv": (",", ".", "utf-8", True, ("y_true", "y_pred")),
    "quoted.csv": (",", ".", "utf-8", True, ("name", "y_true")),
    "pandas_index.csv": (",", ".", "utf-8", True, ("column 1", "y_true")),
    "binary_strings.csv": (";", ",", "utf-8", True, ("day", "rain_tomorrow")),
    "multiclass_headerless.csv": (",", ".", "utf-8", False, ("column 1", "column 2")),
}


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_format_is_sniffed(name):
    delimiter, decimal, encoding, header, first = FORMATS[name]
    fmt = sniff(FIX / name)
    assert (fmt.delimiter, fmt.decimal, fmt.encoding, fmt.header) == (delimiter, decimal, encoding, header)
    assert fmt.columns[:2] == first
    assert fmt.notes, "the sniffer says why"


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_reads_twelve_numeric_rows(name):
    fmt = sniff(FIX / name)
    frame = read_all(FIX / name, fmt)
    assert len(frame) == 12
    _fmt, det = scoring.inspect(FIX / name)
    result = scoring.score(FIX / name, _fmt, det)
    assert result.rows_scored == 12 and result.costs


def test_bytes_and_path_read_the_same():
    data = (FIX / "semicolon_decimal_comma.csv").read_bytes()
    a = read_all(data, sniff(data))
    b = read_all(FIX / "semicolon_decimal_comma.csv", sniff(FIX / "semicolon_decimal_comma.csv"))
    assert a.equals(b)
    assert a["actual"].dtype.kind == "f"  # decimal commas became numbers


def test_latin1_is_reported_and_text_survives():
    fmt = sniff(FIX / "latin1.csv")
    assert any("Latin-1" in n for n in fmt.notes)
    assert read_all(FIX / "latin1.csv", fmt)["city"][0].startswith("Besançon")


def test_quoted_delimiter_inside_a_field():
    frame = read_all(FIX / "quoted.csv", sniff(FIX / "quoted.csv"))
    assert frame["name"][0] == "Smith, J0"


# file -> (kind, row, column) of the ScoringError; None: not applicable to that error
BAD = {
    "empty.csv": ("empty", None, None),
    "whitespace_only.csv": ("empty", None, None),
    "header_only.csv": ("header_only", None, None),
    "binary_junk.csv": ("binary", None, None),
    "excel_workbook.csv": ("binary", None, None),
    "utf16.csv": ("encoding", None, None),
    "one_column.csv": ("one_column", None, None),
    "ragged.csv": ("parse", None, None),
    "non_numeric.csv": ("non_numeric", 3, "y_pred"),
    "missing.csv": ("missing", 2, "y_pred"),
    "probabilities_out_of_range.csv": ("probability_range", 7, "y_prob"),
    "row_sum.csv": ("row_sum", 1, None),
    "bad_labels.csv": ("labels", None, "y_true"),
    "multiclass_bad_label.csv": ("labels", 3, "y_true"),
    "all_text.csv": ("detect", None, "column 1"),
}


def _run(source, **kw):
    fmt, det = scoring.inspect(source)
    return scoring.score(source, fmt, det, chunksize=2, **kw)


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_gives_its_own_error_with_row_and_column(name):
    kind, row, column = BAD[name]
    with pytest.raises(scoring.ScoringError) as info:
        _run(FIX / name)
    err = info.value
    assert err.kind == kind, str(err)
    msg = str(err)
    assert len(msg) > 20 and "Traceback" not in msg
    if row is not None:
        assert err.row == row and f"row {row}" in msg.lower()
    if column is not None:
        assert err.column == column and repr(column) in msg


def test_messages_name_the_bad_value():
    with pytest.raises(scoring.ScoringError, match="'abc' is not a number"):
        _run(FIX / "non_numeric.csv")
    with pytest.raises(scoring.ScoringError, match=r"is 1\.3"):
        _run(FIX / "probabilities_out_of_range.csv")
    with pytest.raises(scoring.ScoringError, match=r"2 rows of 5"):
        _run(FIX / "missing.csv")
    with pytest.raises(scoring.ScoringError, match="normalise.*softmax"):
        _run(FIX / "row_sum.csv")


def test_over_the_size_limit():
    with pytest.raises(scoring.ScoringError) as info:
        sniff(FIX / "regression_header.csv", max_bytes=100)
    assert info.value.kind == "too_large" and "limit" in str(info.value)


def test_missing_rows_can_be_dropped():
    result = _run(FIX / "missing.csv", drop_missing=True)
    assert result.rows_read == 5 and result.rows_scored == 3 and result.rows_dropped == 2
    assert any("Dropped 2" in n for n in result.notes)


def test_row_sum_fixes():
    norm = _run(FIX / "row_sum.csv", fix_rows="normalise")
    soft = _run(FIX / "row_sum.csv", fix_rows="softmax")
    assert "sparse_categorical_cross_entropy" in norm.costs
    assert "softmax_cross_entropy" in soft.costs


def test_overrides_are_checked():
    with pytest.raises(scoring.ScoringError) as info:
        scoring.inspect(FIX / "regression_header.csv", y_true=["nope"])
    assert info.value.kind == "column" and "'y_true', 'y_pred'" in str(info.value)
    with pytest.raises(scoring.ScoringError):
        scoring.inspect(FIX / "regression_header.csv", task="ranking")


def test_forced_format_options():
    fmt = sniff(FIX / "regression_noheader.csv", header=True)
    assert fmt.header and fmt.columns[0] != "column 1"
    with pytest.raises(scoring.ScoringError) as info:
        sniff(FIX / "regression_header.csv", delimiter=";")
    assert info.value.kind == "one_column"


def test_missing_file_is_a_scoring_error(tmp_path):
    with pytest.raises(scoring.ScoringError):
        sniff(tmp_path / "nope.csv")


# -- issue 15: a row with more fields than the header is an error naming it, wherever it is -----------------
def _score(data: bytes, **kw):
    fmt, det = scoring.inspect(data)
    return scoring.score(data, fmt, det, **kw)


@pytest.mark.parametrize(
    ("data", "row"),
    [
        (b"y_true,y_pred\n1,2,9\n3,4\n6,7\n", 1),  # the first row: pandas' warning was silenced
        (b"y_true,y_pred\n1,2\n3,4\n6,7,8\n", 3),
        (b"y_true,y_pred,note\n" + b"1.5,2,a\n" * 30_000 + b"3,4,b,c\n", 30_001),  # beyond the sample
        (b"y_true,y_pred\n" + b"1,2\n" * 30_000 + b"3,4,5\n", 30_001),
    ],
)
def test_an_extra_field_is_a_parse_error_naming_the_row(data, row):
    with pytest.raises(scoring.ScoringError) as info:
        _score(data, chunksize=7000)
    assert info.value.kind == "parse", info.value
    assert f"Row {row} " in str(info.value) or f"Line {row + 1} " in str(info.value), str(info.value)
    assert "fields, more than" in str(info.value)


def test_a_trailing_delimiter_on_every_row_is_an_empty_column_not_an_error():
    result = _score(b"y_true,y_pred\n1,2,\n3,4,\n5,5,\n")
    assert result.costs["mse"] == pytest.approx(2 / 3)


# -- issue 14: pandas counts the fields after the first rows; the messages stay the exact count's ----------
_BODY = b"1.5,2.25\n" * 40_000  # 360 KB: beyond the first 256 KB block, where the fast way begins


@pytest.mark.parametrize(
    "data",
    [
        b"y_true,y_pred\n" + _BODY + b"3,4,5\n" + _BODY,  # a wide row the fast way (pandas' error)
        b"y_true,y_pred\n" + _BODY + b"3,4,5",  # the last row, with no line break after it
        b"y_true,y_pred\r\n" + _BODY.replace(b"\n", b"\r\n") + b"\r\n\r\n3,4,5\r\n",  # CRLF, blank lines
        b"y_true,y_pred\n" + _BODY + b'"7",2\n' + _BODY + b"3,4,5\n",  # a quote: the exact count again
        b"y_true,y_pred\n" + _BODY + b"\n\n  \n" + _BODY + b"3,4,5,6\n1,2\n",  # blank lines before it
        b"y_true,y_pred\n" + _BODY + b"3," + b"9" * (MAX_LINE_BYTES + 5) + b"\n",  # a line too long
        b"y_true,y_pred\n" + _BODY + b"3," + b"9" * (MAX_LINE_BYTES + 5),  # at the end of the file
        b"y_true,y_pred\n" + _BODY + b"\r" + b"3," * (MAX_LINE_BYTES // 2 + 5),  # after a lone CR
        b"1,2\n" + _BODY + b"3,4,5\n",  # no header row
    ],
)
def test_a_fast_read_gives_the_exact_counts_message(data, tmp_path):
    """The same error, with the same row and line, as the guard's count of every byte (``rescan``)."""
    fmt, det = scoring.inspect(data)
    want = rescan(data, fmt)
    assert want is not None
    for source in (data, _save(tmp_path, data)):
        with pytest.raises(scoring.ScoringError) as info:
            scoring.score(source, fmt, det, chunksize=7000)
        assert (info.value.kind, str(info.value)) == (want.kind, str(want))
        assert info.value.row == want.row


def test_a_fast_read_of_a_good_file_equals_the_exact_one(tmp_path):
    data = b"y_true,y_pred\n" + _BODY + b'"1",2\n\n3,4\r\n' + _BODY + b"5,6"
    fmt, det = scoring.inspect(data)
    fast = scoring.score(data, fmt, det, chunksize=9999)
    assert rescan(data, fmt) is None and fast.rows_scored == 80_003
    assert fast.costs["mse"] == pytest.approx((0.75**2 * 80_000 + 3) / 80_003, rel=1e-12)


def _save(tmp_path, data: bytes):
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    return path
