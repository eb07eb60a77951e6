"""Bounded work per file (issue 15, defect 1): a small upload must not tie up the server.

Detection is linear in the number of columns; more than ``MAX_COLUMNS`` columns, or a line longer than
``MAX_LINE_BYTES``, is refused at once with a message that says what to do; the detector's sample is bounded
in cells, not only in rows.
"""

from __future__ import annotations

import time

import pytest

import scoring
from scoring.cli import main
from scoring.reader import MAX_COLUMNS, MAX_LINE_BYTES, SAMPLE_CELLS, read_sample, sniff


def _wide(k: int, cell: str, rows: int = 2) -> bytes:
    header = ",".join(f"c{i}" for i in range(k))
    return (header + "\n" + "\n".join(",".join(cell for _ in range(k)) for _ in range(rows)) + "\n").encode()


def _timed(fn):
    """``fn()`` (or the ScoringError it raised) and the CPU seconds it took: other people's work on a shared
    machine does not count against it, as wall time would."""
    start = time.process_time()
    try:
        out = fn()
    except scoring.ScoringError as exc:
        out = exc
    return out, time.process_time() - start


@pytest.mark.parametrize("cell", ["", "a", "1", "0.5"])
def test_8000_columns_are_refused_in_under_a_second(cell, tmp_path, capsys):
    data = _wide(8000, cell)
    assert len(data) < 128_000  # a tiny upload
    err, seconds = _timed(lambda: scoring.inspect(data))
    assert isinstance(err, scoring.ScoringError) and err.kind == "too_wide", err
    assert seconds < 1.0
    assert "8,000" in str(err) and f"{MAX_COLUMNS:,}" in str(err)
    path = tmp_path / "wide.csv"
    path.write_bytes(data)
    code, seconds = _timed(lambda: main([str(path)]))
    assert code == 2 and seconds < 1.0
    assert "too many columns" in capsys.readouterr().err


@pytest.mark.parametrize("cell", ["", "a", "1"])
def test_detection_at_the_column_limit_is_fast(cell):
    """At the limit detection finishes well within a second: it was quadratic (1.3 s here, 32 s at 8,000)."""
    data = _wide(MAX_COLUMNS, cell, rows=3)
    _out, seconds = _timed(lambda: scoring.inspect(data))
    assert seconds < 1.0


def test_a_huge_single_line_is_refused_before_it_is_parsed():
    data = b"y_true,y_pred\n1,\"" + b"x" * (3 * MAX_LINE_BYTES) + b"\"\n"
    err, seconds = _timed(lambda: scoring.inspect(data))
    assert isinstance(err, scoring.ScoringError) and err.kind == "too_long", err
    assert seconds < 1.0 and "Line 2" in str(err)
    one_line = b"1," * (2 * MAX_LINE_BYTES)
    err, seconds = _timed(lambda: scoring.inspect(one_line))
    assert isinstance(err, scoring.ScoringError) and err.kind in ("too_long", "too_wide"), err
    assert seconds < 1.0


def test_a_long_line_far_into_the_file_is_refused_while_scoring():
    data = b"y_true,y_pred\n" + b"1,2\n" * 30_000 + b"3,\"" + b"y" * (MAX_LINE_BYTES + 10) + b"\"\n"
    with pytest.raises(scoring.ScoringError) as info:  # detection reads the labels to the end
        fmt, det = scoring.inspect(data)
        scoring.score(data, fmt, det)
    assert info.value.kind == "too_long" and "Line 30002" in str(info.value)


def test_the_sample_is_bounded_in_cells():
    data = _wide(500, "0.25", rows=10_000)
    sample = read_sample(data, sniff(data))
    assert len(sample) * 500 <= SAMPLE_CELLS


def test_a_header_longer_than_the_sniffed_block_is_read_whole():
    names = [f"feature_{i}_" + "x" * 300 for i in range(900)]  # ~280 KB of header, under MAX_LINE_BYTES
    header = ",".join(["y_true", "y_pred", *names])
    rows = "".join(f"{i},{i + 0.5}," + ",".join("a" * 900) + "\n" for i in range(5))
    data = (header + "\n" + rows).encode()
    fmt, det = scoring.inspect(data)
    assert len(fmt.columns) == 902 and det.y_true == ("y_true",)
    assert scoring.score(data, fmt, det).costs["mse"] == 0.25
