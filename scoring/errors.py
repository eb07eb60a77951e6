"""The one error type of the scoring package.

Every problem with a user's file is a ``ScoringError`` (a ``ValueError``) with a ``kind`` code that tests and
callers can branch on, and a message for a person: what is wrong, where (row and column), and what to do.
Rows are counted as the user sees them: data row 1 is the first row below the header.
"""

from __future__ import annotations

#: Every kind of problem, with a short title shown before the message ("**title.** message" on the page,
#: "error: title: message" in the terminal): a message says what and where, and never restates its title.
KINDS = {
    "empty": "The file is empty",
    "header_only": "The file has a header but no data rows",
    "binary": "This is not a CSV text file",
    "encoding": "The file's text encoding could not be read",
    "one_column": "The file has only one column",
    "parse": "The file could not be parsed as CSV",
    "non_numeric": "A cell that should be a number is not",
    "missing": "Some cells are empty or NaN",
    "probability_range": "Probabilities outside [0, 1]",
    "row_sum": "Class probabilities that do not sum to 1",
    "labels": "Labels outside the expected set",
    "too_large": "The file is over the size limit",
    "too_wide": "The file has too many columns",
    "too_long": "A line of the file is too long",
    "column": "A column choice does not fit the file",
    "detect": "The task or the columns could not be detected",
    "value": "A value outside what the losses accept",
    "loss": "A loss or parameter choice is not valid",
    "no_loss": "No loss applies to this file",
    "write": "The report could not be written",
    # many files, other formats, other engines (scoring/formats.py, dataset.py, engine_dask.py)
    "damaged": "The file is damaged or cut short",
    "no_files": "No file to score",
    "schema": "The files do not share their columns",
    "dependency": "An optional package is not installed",
    "option": "An option does not fit the input",
    "engine": "The Dask engine failed",
}


class ScoringError(ValueError):
    """A problem with the user's file or choices, with a message meant for a person."""

    def __init__(
        self,
        kind: str,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
        count: int | None = None,
    ) -> None:
        if kind not in KINDS:  # a programming error, not a user error
            raise AssertionError(f"unknown ScoringError kind {kind!r}")
        super().__init__(message)
        self.kind = kind
        self.row = row
        self.column = column
        self.value = value
        self.count = count

    @property
    def title(self) -> str:
        return KINDS[self.kind]

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "title": self.title,
            "message": str(self),
            "row": self.row,
            "column": self.column,
            "count": self.count,
        }
