"""Scoring users' CSV files: read them as they are, detect the task and the columns, score in chunks.

>>> import scoring
>>> fmt, det = scoring.inspect(b"y_true,y_pred\\n1,1.5\\n2,2\\n")
>>> det.task, det.y_true, det.y_pred
('regression', ('y_true',), ('y_pred',))
>>> round(scoring.score(b"y_true,y_pred\\n1,1.5\\n2,2\\n", fmt, det).costs["mse"], 6)
0.125

Every number comes from ``losses``; every problem with the file is a ``ScoringError`` with a message for a
person. No Streamlit here: the page (views/score.py) and the command line (``python -m scoring``) share it.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from scoring.detect import TASKS, Detection, detect, detect_deferred, detect_file
from scoring.errors import KINDS, ScoringError
from scoring.reader import CsvFormat, Source, read_sample, sniff

if TYPE_CHECKING:
    from scoring.chunked import Plan, Result, has_rows, plans, safe_cell, to_csv_bytes

#: The fixes for rows of class probabilities that do not sum to 1: ``scoring.chunked.FIXES`` (tested equal),
#: here so that the command line's options need not import the scorer (and pandas) to be listed.
FIXES = ("normalise", "softmax")
#: Names from ``scoring.chunked``, imported on first use: pandas is not needed to parse options or --help.
_CHUNKED = frozenset({"Plan", "Result", "has_rows", "plans", "safe_cell", "to_csv_bytes"})


def __getattr__(name: str) -> Any:
    if name in _CHUNKED:
        value = getattr(importlib.import_module("scoring.chunked"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'scoring' has no attribute {name!r}")


def score(source: Source, fmt: CsvFormat, det: Detection, **options: Any) -> Result:
    """Score ``source`` in chunks with every applicable loss: ``scoring.chunked.score`` (see there), imported
    on the first call."""
    from scoring.chunked import score as score_chunks

    return score_chunks(source, fmt, det, **options)


def inspect(
    source: Source,
    *,
    max_bytes: int | None = None,
    delimiter: str | None = None,
    header: bool | None = None,
    encoding: str | None = None,
    decimal: str | None = None,
    task: str | None = None,
    y_true: Sequence[str] | None = None,
    y_pred: Sequence[str] | None = None,
    id_column: str | None = None,
    positive: str | None = None,
    pred_kind: str | None = None,
) -> tuple[CsvFormat, Detection]:
    """Sniff the format and detect the task and columns; every argument given overrides the guess."""
    fmt = sniff(source, max_bytes=max_bytes, delimiter=delimiter, header=header, encoding=encoding,
                decimal=decimal)  # fmt: skip
    # the labels of the whole file are checked as scoring reads it, where the sample's can stand for them
    fmt, det = detect_deferred(source, fmt, task=task, y_true=y_true, y_pred=y_pred, id_column=id_column,
                               positive=positive, pred_kind=pred_kind)  # fmt: skip
    return fmt, det


__all__ = [
    "FIXES", "KINDS", "TASKS", "CsvFormat", "Detection", "Plan", "Result", "ScoringError", "Source", "detect",
    "detect_file", "has_rows", "inspect", "plans", "read_sample", "safe_cell", "score", "sniff",
    "to_csv_bytes",
]  # fmt: skip
