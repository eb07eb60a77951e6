"""A loss of the user's own on the explorers: one more name ("custom") beside the registry's.

A ``CustomLoss`` lives for the session only, so ``losses.get`` does not know it. ``Own`` is what rebuilds
it: the formula's text, its kind, its labels and its parameter declarations (strings only, so a cached
function can take it as an argument and a link can hold it). ``resolve(name, own)`` is ``losses.get`` that
also knows the page's own loss; the scene functions take ``own`` and call it instead of ``losses.get``. The
parameters' values travel like a built-in's, in the page's params (name → {parameter: value}).
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import losses
from losses.custom import CustomLoss, custom, parse_params

NAME = "custom"  # the page's name of the user's loss (its metric, curves, share bars and live preview)
TITLE = "your loss"


class Own(NamedTuple):
    """Everything that rebuilds the user's loss (hashable: a cached function's argument)."""

    formula: str
    kind: str = "regression"
    labels: str = "01"
    declarations: str = ""
    name: str = NAME

    def spec(self) -> CustomLoss:
        return _build(self)


@lru_cache(maxsize=32)
def _build(own: Own) -> CustomLoss:
    return custom(own.formula, name=own.name, kind=own.kind, labels=own.labels,
                  params=parse_params(own.declarations))  # fmt: skip


def resolve(name: str, own: Own | None = None) -> losses.LossSpec:
    """The spec of ``name``: the page's own loss, or the registry's."""
    if own is not None and name == own.name:
        return own.spec()
    return losses.get(name)


def title(name: str, own: Own | None = None) -> str:
    """The short label pages show (the user's loss: "your loss")."""
    return TITLE if own is not None and name == own.name else losses.get(name).short


def uses(spec: losses.LossSpec, *variables: str) -> bool:
    """Whether a custom loss's formula uses any of ``variables`` (a built-in: False)."""
    if not isinstance(spec, CustomLoss):
        return False
    return any(s.name in variables for s in spec.expression.free_symbols)


def residual_only(spec: losses.LossSpec) -> bool:
    """Whether a loss on values is a function of the residual r = ŷ − y alone (one curve in r)."""
    return spec.finish is None and spec.y_true == spec.y_pred == "values" and not uses(spec, "y", "yhat")
