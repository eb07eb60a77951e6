"""Property-based: whatever bytes arrive, the reader returns a result or raises its own ScoringError."""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scoring

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _whole_pipeline(data: bytes) -> None:
    try:
        fmt, det = scoring.inspect(data)
        scoring.score(data, fmt, det, chunksize=3, per_row=True)
    except scoring.ScoringError as exc:
        assert str(exc) and exc.kind in scoring.KINDS


@SETTINGS
@given(st.binary(max_size=600))
def test_random_bytes(data):
    _whole_pipeline(data)


_cells = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-3, 3).map(str),
    st.sampled_from(
        ["", "NaN", "NA", "null", "True", "false", "yes", "no", "cat", "dog", "1,5", "=1+1", "é", '"']
    ),
    st.text(max_size=6),
)


@st.composite
def small_csvs(draw) -> bytes:
    width = draw(st.integers(1, 5))
    n = draw(st.integers(0, 8))
    header = draw(st.booleans())
    names = draw(st.lists(st.sampled_from(["y_true", "y_pred", "label", "prob", "id", "x", "p_a", "p_b", ""]),
                          min_size=width, max_size=width))  # fmt: skip
    rows = [draw(st.lists(_cells, min_size=width, max_size=width)) for _ in range(n)]
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    if header:
        w.writerow(names)
    w.writerows(rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "latin-1"]))
    return buf.getvalue().encode(encoding, errors="replace")


@SETTINGS
@given(small_csvs())
def test_random_small_csvs(data):
    _whole_pipeline(data)


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from([0, 1]), st.floats(0, 1)), min_size=1, max_size=30))
def test_valid_binary_files_always_score(rows):
    data = ("y_true,y_prob\n" + "".join(f"{t},{p!r}\n" for t, p in rows)).encode()
    fmt, det = scoring.inspect(data)
    result = scoring.score(data, fmt, det, chunksize=4)
    assert det.task == "binary" and result.rows_scored == len(rows)
    assert all(v >= 0 for v in result.costs.values())
