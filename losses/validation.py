"""The one validation helper at the core's boundary.

``canonical`` turns whatever the caller passed (lists, pandas Series, numpy arrays of any numeric dtype) into
float64 arrays of the shapes the loss expects; ``blocks`` walks them in cache-sized blocks and checks each
block's values against the loss's input kinds just before the block is used, so validation and computation
share one pass over memory. Every failure raises a ``LossInputError`` subclass whose message names the
argument, what was expected, what was received (first offending row and value) and a fix.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any, Protocol

import numpy as np

from losses._numeric import ROW_SUM_TOL
from losses.errors import (
    EmptyInputError,
    LabelError,
    NonFiniteError,
    NonNumericError,
    RangeError,
    RowSumError,
    ShapeError,
)


class Inputs(Protocol):
    """What validation needs to know about a loss: its name (for messages) and the kinds of its inputs.

    A ``LossSpec`` is one; naming the protocol here, not the spec, keeps this module below losses.spec.
    """

    @property
    def name(self) -> str: ...

    @property
    def y_true(self) -> str: ...

    @property
    def y_pred(self) -> str: ...


#: Rows per block: 2**15 float64 = 256 KiB per array, so a block and its temporaries stay in the 2 MiB L2
#: cache, and the per-block Python overhead stays small (see losses/_malloc.py for the allocator side).
BLOCK = 1 << 15

_MATRIX_KINDS = {"distributions", "class_logits", "class_scores"}


def _fmt(v: float) -> str:
    return f"{v:.6g}"


def _as_float_array(x: Any, arg: str) -> np.ndarray:
    if hasattr(x, "to_numpy"):  # pandas Series / DataFrame
        x = x.to_numpy()
    try:
        a = np.asarray(x)
    except ValueError as e:  # ragged nested lists
        raise ShapeError(
            f"{arg} must be a rectangular array of numbers; got rows of different lengths ({e}).",
            argument=arg,
        ) from None
    if a.dtype == np.float64:
        return a
    if a.dtype.kind in "biuf":
        return a.astype(np.float64)
    if a.dtype.kind == "c":  # casting would drop the imaginary part without a word
        flat = a.reshape(-1)
        i = int(np.flatnonzero(flat.imag != 0)[0]) if np.any(flat.imag != 0) else 0
        row = i // (a.shape[1] if a.ndim == 2 and a.shape[1] else 1)
        raise NonNumericError(
            f"{arg} must hold real numbers; got complex numbers (row {row} is {flat[i]!r}). Pass the real "
            "part (np.real) if the imaginary parts are all 0, or the magnitude (np.abs) if that is meant.",
            argument=arg,
            row=row,
        )
    # object or string arrays: find the first cell that is not a number
    flat = a.reshape(-1)
    for i, v in enumerate(flat):
        try:
            float(v)
        except (TypeError, ValueError):
            row = i // (a.shape[1] if a.ndim == 2 and a.shape[1] else 1)
            raise NonNumericError(
                f"{arg} must hold numbers; row {row} is {v!r}. Convert or drop non-numeric values.",
                argument=arg,
                row=row,
            ) from None
    try:
        return a.astype(np.float64)
    except (TypeError, ValueError):
        raise NonNumericError(f"{arg} must hold numbers; got dtype {a.dtype}.", argument=arg) from None


def canonical(spec: Inputs, y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    """Return y_true and y_pred as float64 arrays of the shapes the loss needs, or raise a clear error."""
    t = _as_float_array(y_true, "y_true")
    p = _as_float_array(y_pred, "y_pred")
    for a, arg, kind in ((t, "y_true", spec.y_true), (p, "y_pred", spec.y_pred)):
        want = 2 if kind in _MATRIX_KINDS else 1
        if a.ndim == 0:
            raise ShapeError(
                f"{arg} must be an array, got the scalar {a!r}. Wrap it in a list.", argument=arg
            )
        if a.ndim != want:
            shape = (
                "(n, k): one row per sample, one column per class" if want == 2 else "(n,): one per sample"
            )
            raise ShapeError(
                f"{arg} for {spec.name} must have shape {shape}; got shape {a.shape}.", argument=arg
            )
        if a.shape[0] == 0:
            raise EmptyInputError(f"{arg} is empty: {spec.name} needs at least one sample.", argument=arg)
    if t.shape[0] != p.shape[0]:
        raise ShapeError(
            f"y_true and y_pred must have one entry per sample; got {t.shape[0]} and {p.shape[0]} samples.",
            argument="y_pred",
        )
    if t.ndim == 2 and p.ndim == 2 and t.shape[1] != p.shape[1]:
        raise ShapeError(
            f"y_true and y_pred must have the same number of classes; got {t.shape[1]} and "
            f"{p.shape[1]} columns.",
            argument="y_pred",
        )
    if p.ndim == 2 and p.shape[1] < 2:
        raise ShapeError(
            f"y_pred for {spec.name} needs at least 2 classes (columns); got {p.shape[1]}.", argument="y_pred"
        )
    return t, p


def blocks(
    spec: Inputs, t: np.ndarray, p: np.ndarray, checked: Checked | None = None
) -> Iterator[tuple[slice, np.ndarray, np.ndarray]]:
    """Yield ``(slice, t_block, p_block)`` over the rows, each block checked against the loss's kinds.

    Labels in the 0/1 convention are mapped to -1/+1 for ``labels_pm1`` losses; a mix of both conventions
    across the whole input is an error (raised once the mix is seen). With ``checked``, a block that passed
    the same check for an earlier loss (same array, kind, rows) is not checked again (see ``Checked``).
    """
    n = t.shape[0]
    k = p.shape[1] if p.ndim == 2 else 0
    seen: set[str] = set()
    for start in range(0, n, BLOCK):
        sl = slice(start, min(start + BLOCK, n))
        if checked is None:
            tb = _check(spec.y_true, t[sl], "y_true", start, spec, k, seen)
            pb = _check(spec.y_pred, p[sl], "y_pred", start, spec, k, seen)
        else:
            tb = checked.check(spec.y_true, t, sl, "y_true", spec, k, seen)
            pb = checked.check(spec.y_pred, p, sl, "y_pred", spec, k, seen)
        yield sl, tb, pb


#: Kinds whose check is the same (finite values, the block returned as it is): one check serves them all.
_FINITE_KINDS = ("values", "logits", "scores", "class_logits", "class_scores")
_SAME_CHECK = dict.fromkeys(_FINITE_KINDS, "finite")


class Checked:
    """The input checks already passed, shared by several losses on the same arrays (one span of a file).

    A block's check is a function of the array's values in the block, the kind, the argument, the first row,
    the number of classes and (for -1/+1 labels only) the conventions seen in earlier blocks; only its outcome
    on success is kept (the block as the loss takes it, and the conventions seen after it), keyed by exactly
    those, with the array by identity. A failed check is not kept: the next loss checks again and raises its
    own message (messages name the loss). The arrays must not change while this object is in use; it keeps
    a reference to each, so that an identity is never reused for another array.
    """

    def __init__(self) -> None:
        self._passed: dict[tuple, tuple[np.ndarray, frozenset[str]]] = {}
        self._arrays: dict[int, np.ndarray] = {}

    def check(
        self, kind: str, a: np.ndarray, sl: slice, arg: str, spec: Inputs, k: int, seen: set[str]
    ) -> np.ndarray:
        """``_check(kind, a[sl], ...)``, or its kept outcome."""
        pm1 = kind == "labels_pm1"  # the only kind whose check reads and adds to ``seen``
        conventions = frozenset(seen) if pm1 else None
        key = (id(a), _SAME_CHECK.get(kind, kind), arg, sl.start, sl.stop, k, conventions)
        hit = self._passed.get(key)
        if hit is not None:
            seen.update(hit[1])
            return hit[0]
        block = _check(kind, a[sl], arg, sl.start, spec, k, seen)
        self._arrays[id(a)] = a
        self._passed[key] = (block, frozenset(seen) if pm1 else frozenset())
        return block


#: Kinds whose difference y_pred - y_true is a residual (regression).
_RESIDUAL_KINDS = {"values", "values_gt_m1", "nonneg_values", "positive_values"}


def explain_nan(spec: Inputs, out: np.ndarray, t: np.ndarray, p: np.ndarray, start: int) -> None:
    """A loss block came out with NaN: raise why. Returns only when there is no NaN (inf - inf in a sum)."""
    nan = np.isnan(out)
    if not nan.any():
        return
    i = _first(nan)
    residuals = spec.y_true in _RESIDUAL_KINDS and spec.y_pred in _RESIDUAL_KINDS
    if residuals:
        with np.errstate(over="ignore", invalid="ignore"):
            beyond = nan & ~np.isfinite(p - t)
        if beyond.any():
            i = _first(beyond)
            raise RangeError(
                f"y_pred - y_true must be within float64 (±1.8e308); row {start + i} has y_true = "
                f"{_fmt(t[i])} and y_pred = {_fmt(p[i])}, whose difference is not. Rescale the data (e.g. "
                "divide by 1e6).",
                argument="y_pred",
                row=start + i,
            )
    if residuals and getattr(spec, "finish", None) is not None:  # rmse: its slope needs the mean (NaN: over)
        raise RangeError(
            f"{spec.name}'s gradient needs the mean of the squared residuals, which is beyond float64 "
            "(1.8e308) here. Rescale the data (e.g. divide by 1e6).",
            argument="y_pred",
        )
    raise FloatingPointError(  # never expected: every loss is written to stay finite or honestly infinite
        f"{spec.name} gave NaN at row {start + i} (y_true = {_value_repr(t, i)}, "
        f"y_pred = {_value_repr(p, i)}). This is a bug in Loss Explorer's core; please report it with "
        "these values."
    )


def _first(mask: np.ndarray) -> int:
    """Index of the first True row of a (rows,) or (rows, k) mask."""
    if mask.ndim == 2:
        mask = mask.any(axis=1)
    return int(np.flatnonzero(mask)[0])


def _value_repr(a: np.ndarray, i: int) -> str:
    if a.ndim == 2:
        return "[" + ", ".join(_fmt(v) for v in a[i][:10]) + (", ..." if a.shape[1] > 10 else "") + "]"
    return _fmt(a[i])


def _check_finite(a: np.ndarray, arg: str, start: int) -> None:
    s = np.add.reduce(a, axis=None)
    if math.isfinite(s):
        return
    bad = ~np.isfinite(a)
    if not bad.any():  # the sum overflowed; every value is finite
        return
    i = _first(bad)
    raise NonFiniteError(
        f"{arg} must be finite numbers; row {start + i} is {_value_repr(a, i)}. "
        "Drop or fill rows with missing values.",
        argument=arg,
        row=start + i,
    )


def _range_error(a, mask, arg, start, expected, fix):
    i = _first(mask)
    raise RangeError(
        f"{arg} must be {expected}; row {start + i} is {_value_repr(a, i)}.{(' ' + fix) if fix else ''}",
        argument=arg,
        row=start + i,
    )


def _check(
    kind: str, a: np.ndarray, arg: str, start: int, spec: Inputs, k: int, seen: set[str]
) -> np.ndarray:
    _check_finite(a, arg, start)
    if kind in _FINITE_KINDS:
        return a
    if kind == "values_gt_m1":
        if a.min() <= -1:
            _range_error(
                a,
                a <= -1,
                arg,
                start,
                "greater than -1 (the loss takes log(1 + value))",
                "Use mse on such data, or shift it so every value is above -1.",
            )
        return a
    if kind == "nonneg_values":
        if a.min() < 0:
            _range_error(a, a < 0, arg, start, "non-negative (counts)", "")
        return a
    if kind == "positive_values":
        if a.min() <= 0:
            _range_error(
                a,
                a <= 0,
                arg,
                start,
                "positive (a predicted rate)",
                "Predict log-rates and exponentiate them, or clip at a small positive value.",
            )
        return a
    if kind == "probabilities":
        if a.min() < 0 or a.max() > 1:
            _range_error(
                a,
                (a < 0) | (a > 1),
                arg,
                start,
                "probabilities in [0, 1]",
                "If these are logits or scores, use sigmoid_cross_entropy instead.",
            )
        return a
    if kind == "labels01":
        bad = (a != 0) & (a != 1)
        if bad.any():
            i = _first(bad)
            raise LabelError(
                f"{arg} for {spec.name} must be labels 0 or 1; row {start + i} is {_fmt(a[i])}. "
                "Map -1 to 0 (or use a margin loss such as hinge).",
                argument=arg,
                row=start + i,
            )
        return a
    if kind == "labels_pm1":
        return _labels_pm1(a, arg, start, spec, seen)
    if kind == "class_labels":
        bad = (a != np.floor(a)) | (a < 0) | (a >= k)
        if bad.any():
            i = _first(bad)
            raise LabelError(
                f"{arg} for {spec.name} must be integer class labels 0..{k - 1} (y_pred has {k} columns); "
                f"row {start + i} is {_fmt(a[i])}.",
                argument=arg,
                row=start + i,
            )
        return a
    if kind == "distributions":
        if a.min() < 0 or a.max() > 1:
            _range_error(
                a,
                (a < 0) | (a > 1),
                arg,
                start,
                "rows of probabilities in [0, 1]",
                "If these are logits, use softmax_cross_entropy.",
            )
        dev = np.abs(a.sum(axis=1) - 1.0)
        if dev.max() > ROW_SUM_TOL:
            i = int(np.flatnonzero(dev > ROW_SUM_TOL)[0])
            raise RowSumError(
                f"{arg} rows must sum to 1 (±{ROW_SUM_TOL:g}); row {start + i} sums to {_fmt(a[i].sum())} "
                f"({_value_repr(a, i)}). Normalise each row by its sum, or pass logits to "
                f"softmax_cross_entropy.",
                argument=arg,
                row=start + i,
            )
        return a
    raise AssertionError(f"unknown input kind {kind!r} in {spec.name}")  # a bug in a registry entry


def _labels_pm1(a: np.ndarray, arg: str, start: int, spec: Inputs, seen: set[str]) -> np.ndarray:
    if "0" not in seen and not np.count_nonzero(np.abs(a) != 1.0):  # fast path: all ±1 (the usual case)
        if "-1" not in seen and a.min() < 0:
            seen.add("-1")
        return a
    if "-1" not in seen and not ((a != 0) & (a != 1)).any():  # fast path: all 0/1 (a scorer's labels)
        if a.min() == 0:
            seen.add("0")
            return 2.0 * a - 1.0
        return a
    is_pos = a == 1
    is_neg = a == -1
    is_zero = a == 0
    bad = ~(is_pos | is_neg | is_zero)
    if bad.any():
        i = _first(bad)
        raise LabelError(
            f"{arg} for {spec.name} must be labels -1/+1 (or 0/1); row {start + i} is {_fmt(a[i])}.",
            argument=arg,
            row=start + i,
        )
    if is_neg.any():
        seen.add("-1")
    if is_zero.any():
        seen.add("0")
    if len(seen) == 2:
        i = _first(is_zero if "-1" in seen and is_zero.any() else is_neg)
        raise LabelError(
            f"{arg} for {spec.name} mixes the 0/1 and -1/+1 label conventions (row {start + i} is "
            f"{_fmt(a[i])}). Use one: all labels in {{-1, +1}}, or all in {{0, 1}} (0 is read as -1).",
            argument=arg,
            row=start + i,
        )
    if "0" in seen:
        return np.where(is_zero, -1.0, a)
    return a
