"""Errors raised by the core for bad input.

Every error is a ``ValueError`` (so callers can catch one thing) and its message names the argument,
what was expected, what was received (the first offending row and value) and, where there is one, a fix.
"""

from __future__ import annotations


class LossInputError(ValueError):
    """Base class of every input error the core raises."""

    def __init__(self, message: str, *, argument: str | None = None, row: int | None = None) -> None:
        super().__init__(message)
        self.argument = argument
        self.row = row


class UnknownLossError(LossInputError, KeyError):
    """A loss name that is not in the registry."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0])


class EmptyInputError(LossInputError):
    """No samples at all."""


class ShapeError(LossInputError):
    """Wrong number of dimensions, or y_true and y_pred do not line up."""


class NonFiniteError(LossInputError):
    """A NaN or an infinity in the input."""


class NonNumericError(LossInputError):
    """Something that is not a number (a string, an object) in the input."""


class LabelError(LossInputError):
    """Labels outside the set the loss expects, or a mix of two conventions."""


class RangeError(LossInputError):
    """A value outside the domain of the loss (probabilities outside [0, 1], msle values <= -1, ...)."""


class RowSumError(LossInputError):
    """Rows of a distribution that do not sum to 1."""


class ParameterError(LossInputError):
    """An unknown parameter or a parameter value outside its range."""
