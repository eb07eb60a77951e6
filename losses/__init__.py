"""Loss Explorer's numerical core: every loss, its cost, its gradient and its metadata. numpy only.

>>> import losses
>>> losses.get("huber").cost([0.0, 0.0], [0.5, 3.0], delta=1.0)
1.3125
"""

from __future__ import annotations

import difflib

from losses import binary, multiclass, regression
from losses._malloc import tune_allocator
from losses._numeric import (
    EPS,
    ROW_SUM_TOL,
    log_softmax,
    logit,
    normalise_rows,
    one_hot,
    sigmoid,
    smooth,
    softmax,
    softplus,
)
from losses.custom import FormulaError, custom  # sympy is imported on the first call only
from losses.errors import (
    EmptyInputError,
    LabelError,
    LossInputError,
    NonFiniteError,
    NonNumericError,
    ParameterError,
    RangeError,
    RowSumError,
    ShapeError,
    UnknownLossError,
)
from losses.spec import FRAMEWORKS, KINDS, LossSpec, Param, Properties, SharedChecks, totals

CATEGORIES: tuple[str, ...] = ("regression", "binary", "multiclass")

tune_allocator()  # see losses/_malloc.py: block-sized temporaries stay in the heap

_REGISTRY: dict[str, LossSpec] = {s.name: s for s in (*regression.SPECS, *binary.SPECS, *multiclass.SPECS)}


def _check_category(value: str, argument: str) -> None:
    if value not in CATEGORIES:
        raise LossInputError(
            f"{argument} must be one of {', '.join(CATEGORIES)}; got {value!r}.", argument=argument
        )


def names(category: str | None = None, *, page: str | None = None) -> list[str]:
    """Every registered loss name, in registry order; or those of one category; or those a page shows."""
    if category is not None:
        _check_category(category, "category")
    if page is not None:
        _check_category(page, "page")
    return [
        n
        for n, s in _REGISTRY.items()
        if (category is None or s.category == category) and (page is None or s.shown_on(page))
    ]


def get(name: str) -> LossSpec:
    """The loss called ``name``; an unknown name raises ``UnknownLossError`` listing close matches."""
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        close = difflib.get_close_matches(str(name), list(_REGISTRY), n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(close)}?" if close else f" Known losses: {', '.join(_REGISTRY)}."
        raise UnknownLossError(f"Could not interpret loss name {name!r}.{hint}", argument="name") from None


__all__ = [
    "CATEGORIES",
    "EPS",
    "FRAMEWORKS",
    "KINDS",
    "ROW_SUM_TOL",
    "EmptyInputError",
    "FormulaError",
    "LabelError",
    "LossInputError",
    "LossSpec",
    "NonFiniteError",
    "NonNumericError",
    "Param",
    "ParameterError",
    "Properties",
    "RangeError",
    "RowSumError",
    "ShapeError",
    "SharedChecks",
    "UnknownLossError",
    "custom",
    "get",
    "log_softmax",
    "logit",
    "names",
    "normalise_rows",
    "one_hot",
    "sigmoid",
    "smooth",
    "softmax",
    "softplus",
    "totals",
]
