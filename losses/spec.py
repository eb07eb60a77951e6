"""The record that describes one loss: its functions and its metadata, kept together.

A loss is one ``LossSpec``: a per-sample function, the derivative of that per-sample value with respect to
the prediction, and everything the UI shows about it. ``cost`` and ``gradient`` are derived here once for all
losses (mean reduction, computed in cache-sized blocks), so a loss module only states its mathematics.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from losses import validation
from losses._numeric import LogOdds
from losses.errors import ParameterError

#: What a y_true / y_pred argument holds, by kind; the description is what the UI and errors show.
KINDS: Mapping[str, str] = {
    "values": "real values",
    "values_gt_m1": "real values greater than -1",
    "nonneg_values": "non-negative values (counts)",
    "positive_values": "positive values (rates)",
    "labels01": "binary labels 0/1",
    "labels_pm1": "binary labels -1/+1 (or all 0/1, with 0 read as -1)",
    "probabilities": "probabilities in [0, 1]",
    "logits": "logits (real scores, before the sigmoid)",
    "scores": "real classifier scores (decision values)",
    "class_labels": "integer class labels 0..k-1, shape (n,)",
    "distributions": "rows of probabilities summing to 1, shape (n, k)",
    "class_logits": "rows of logits, shape (n, k)",
    "class_scores": "rows of real class scores, shape (n, k)",
}

#: Frameworks whose equivalents each loss records (absent key: no equivalent).
FRAMEWORKS = ("pytorch", "keras", "sklearn", "optax")


@dataclass(frozen=True)
class Param:
    """A numeric parameter of a loss, with its valid range ``low .. high`` (open or closed ends)."""

    name: str
    default: float
    low: float
    high: float
    meaning: str
    symbol: str  # LaTeX, as it appears in the formula
    low_open: bool = True
    high_open: bool = True
    #: How a page offers it: a slider from ``ui_low`` to ``ui_high`` in steps of ``step`` (None: derived
    #: from the valid range), labelled with ``glyph`` (plain text, e.g. "δ"; empty: the name).
    ui_low: float | None = None
    ui_high: float | None = None
    step: float | None = None
    glyph: str = ""
    #: A closed infinite end a page offers as a toggle, and its name (general_robust: α = −∞, "Welsch").
    limit_name: str = ""

    @property
    def shown_as(self) -> str:
        """The parameter's name as a page shows it: its glyph, or its name."""
        return self.glyph or self.name

    def ui_range(self) -> tuple[float, float, float]:
        """(low, high, step) of the page's slider: inside the valid range, finite."""
        low = self.ui_low if self.ui_low is not None else self.low
        high = self.ui_high if self.ui_high is not None else self.high
        if not (math.isfinite(low) and math.isfinite(high)):
            raise ParameterError(
                f"{self.name} has an infinite range {self.describe_range()}; give it ui_low and ui_high.",
                argument=self.name,
            )
        step = self.step if self.step is not None else (high - low) / 100
        return float(low), float(high), float(step)

    def describe_range(self) -> str:
        left = "(" if self.low_open else "["
        right = ")" if self.high_open else "]"
        return f"{left}{_fmt(self.low)}, {_fmt(self.high)}{right}"

    def check(self, value: Any, loss: str) -> float:
        """``value`` as a float, or a ``ParameterError`` naming the loss, the range and the value."""
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise ParameterError(
                f"{self.name} of {loss} must be a number in {self.describe_range()}; got {value!r}.",
                argument=self.name,
            ) from None
        too_low = v <= self.low if self.low_open else v < self.low
        too_high = v >= self.high if self.high_open else v > self.high
        if math.isnan(v) or too_low or too_high:
            raise ParameterError(
                f"{self.name} of {loss} must be in {self.describe_range()} ({self.meaning}); got {_fmt(v)}. "
                f"The default is {_fmt(self.default)}.",
                argument=self.name,
            )
        return v


@dataclass(frozen=True)
class Properties:
    """Facts about a loss that the UI states and the property tests check."""

    convex: bool  # convex in y_pred
    symmetric: bool  # value unchanged when the residual changes sign (regression losses)
    robust: bool  # bounded or linear growth: outliers do not dominate
    smooth: bool  # differentiable everywhere in y_pred
    nonnegative: bool = True
    zero_at_perfect: bool = True  # zero when y_pred equals the perfect prediction for y_true


def _fmt(v: float) -> str:
    if math.isinf(v):
        return "∞" if v > 0 else "-∞"
    return f"{v:g}"


PerSample = Callable[..., np.ndarray]


@dataclass(frozen=True)
class Terms:
    """A loss's value written on terms it shares with other losses of the same inputs.

    ``make(t, p)`` builds the terms of a block (an object whose attributes are computed on first use, such
    as ``losses.binary.Margin``); ``value(terms, t, p, **params)`` is the loss's per-sample value from them,
    reading the terms and never writing into them. Losses of one ``family`` on the same arrays get the
    same terms object per block from ``SharedChecks``, so what they share is computed once; a family's
    ``make`` functions must give equal terms for any inputs that pass the losses' checks (the focal loss on
    labels 0/1 and the hinge loss on the same labels mapped to ±1 both give the margin).

    ``of_log_odds(t, lo)``, if given, makes the same terms when p is the log-odds of probabilities
    (``losses.LogOdds``, whose ``x`` is p): from those probabilities and logs, where that is cheaper
    (``SharedChecks.log_odds``).

    ``total(terms, t, p, **params)``, if given, is the sum of ``value`` over the block, computed without
    every row's value where that is cheaper (log-cosh: a log per 512 rows, not per row); ``total`` and
    ``cost`` use it, ``per_sample`` does not. It must equal that sum to rounding; a NaN from it is explained
    from the rows' values (``_no_nan``).
    """

    family: str
    make: Callable[[np.ndarray, np.ndarray], Any]
    value: Callable[..., np.ndarray]
    of_log_odds: Callable[[np.ndarray, LogOdds], Any] | None = None
    total: Callable[..., float] | None = None


def _quiet_overflow() -> np.errstate:
    """Silence overflow, underflow and invalid operations; divide-by-zero stays visible.

    Overflow means the true value is beyond float64 (e^1000, (1e200)²): inf is the honest answer; underflow
    to 0 is exact to double precision. An invalid operation (inf - inf) can only come from inputs whose
    residual overflows, or from a bug: every block is checked for NaN (``_no_nan``), which turns either into
    a clear error instead of a NaN in the result.
    """
    return np.errstate(over="ignore", under="ignore", invalid="ignore")


def _no_nan(spec: LossSpec, block: np.ndarray, t: np.ndarray, p: np.ndarray, sl: slice) -> float:
    """The block's sum; if it is NaN, raise the reason (cheap: one reduction of a block still in cache)."""
    s = float(np.add.reduce(block, axis=None))
    if s != s:
        validation.explain_nan(spec, block, t, p, sl.start)
    return s


@dataclass(frozen=True)
class LossSpec:
    """One loss: the mathematics (``value``, ``derivative``) and the metadata the app shows.

    ``value(t, p, **params)`` returns per-sample losses for canonical float arrays (already validated);
    ``derivative(t, p, **params)`` returns d value_i / d p_i (same shape as ``p``). Both work on any block
    of rows, which lets ``cost`` and ``gradient`` stream through large inputs in cache-sized blocks.
    """

    name: str
    title: str
    category: str  # "regression" | "binary" | "multiclass"
    formula: str  # LaTeX, as displayed by the app
    y_true: str  # a key of KINDS
    y_pred: str  # a key of KINDS
    value: PerSample
    derivative: PerSample
    properties: Properties
    summary: str  # one sentence: what it measures
    good: str  # what it is good at
    bad: str  # what it is bad at
    params: tuple[Param, ...] = ()
    equivalents: Mapping[str, str] = field(default_factory=dict)
    reference: str = ""
    #: Turns the mean of the per-sample values into the cost (rmse: the square root). None: identity.
    finish: Callable[[float], float] | None = None
    #: d cost / d mean, given the mean (rmse: 1 / (2 sqrt(mean))). None: 1.
    finish_slope: Callable[[float], float] | None = None
    #: Short label: a metric's title, a legend entry, a control's option (so also its URL value). Empty:
    #: the title.
    label: str = ""
    #: The explorer pages that show this loss (names of CATEGORIES). None: its category's page.
    pages: tuple[str, ...] | None = None
    #: Losses that give this loss's number on inputs converted from theirs: sigmoid cross-entropy on the
    #: log-odds of p is binary cross-entropy on p. Where a file's columns fit one of them as they are, the
    #: scorer computes that one and not this loss on converted columns. Only equalities the scorer should not
    #: show twice are listed: logistic (sigmoid CE on ±1 labels) and CE on one-hot rows (sparse CE) are shown
    #: beside their twins, because the pages compare them.
    same_as: tuple[str, ...] = ()
    #: ``value`` written on terms shared with other losses (``Terms``); None: it shares nothing. ``value``
    #: must be ``terms.value(terms.make(t, p), t, p, **params)``.
    terms: Terms | None = None

    @property
    def short(self) -> str:
        """The short label pages show (metric titles, legends, options)."""
        return self.label or self.title

    def shown_on(self, page: str) -> bool:
        """Whether the explorer page ``page`` (a category's page) shows this loss."""
        return page in (self.pages if self.pages is not None else (self.category,))

    # -- metadata helpers -------------------------------------------------------------------------
    def defaults(self) -> dict[str, float]:
        return {p.name: p.default for p in self.params}

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise ParameterError(
            f"{self.name} has no parameter {name!r}; its parameters are {self._param_list()}.", argument=name
        )

    def _param_list(self) -> str:
        return ", ".join(p.name for p in self.params) or "none"

    def resolve(self, params: Mapping[str, Any]) -> dict[str, float]:
        """Check ``params`` against this loss and fill in defaults."""
        out = self.defaults()
        for key, value in params.items():
            out[key] = self.param(key).check(value, self.name)
        return out

    # -- the numbers ------------------------------------------------------------------------------
    def per_sample(self, y_true: Any, y_pred: Any, **params: Any) -> np.ndarray:
        """Per-sample losses, shape (n,)."""
        t, p, kw = self._prepare(y_true, y_pred, params)
        return self._blockwise(self.value, t, p, kw, np.empty(len(t)))

    def per_sample_derivative(self, y_true: Any, y_pred: Any, **params: Any) -> np.ndarray:
        """d loss_i / d y_pred_i for each sample (the influence of each sample), the shape of y_pred."""
        t, p, kw = self._prepare(y_true, y_pred, params)
        return self._blockwise(self.derivative, t, p, kw, np.empty(p.shape))

    def total(self, y_true: Any, y_pred: Any, **params: Any) -> tuple[float, int]:
        """Sum of the per-sample losses and the count: a mergeable partial result for chunked scoring."""
        t, p, kw = self._prepare(y_true, y_pred, params)
        return self._sum(t, p, kw), len(t)

    def finish_cost(self, total: float, count: int) -> float:
        """The cost from merged partial sums (see ``total``)."""
        mean = total / count
        return float(self.finish(mean)) if self.finish else float(mean)

    def cost(self, y_true: Any, y_pred: Any, **params: Any) -> float:
        """The cost: the mean of the per-sample losses (rmse: its square root)."""
        return self.finish_cost(*self.total(y_true, y_pred, **params))

    def gradient(self, y_true: Any, y_pred: Any, **params: Any) -> np.ndarray:
        """d cost / d y_pred, the shape of y_pred: what autograd gives for the mean-reduced loss."""
        t, p, kw = self._prepare(y_true, y_pred, params)
        n = len(t)
        scale = 1.0 / n
        if self.finish_slope is not None:  # rmse: the chain rule through the square root needs the mean
            scale *= self.finish_slope(self._sum(t, p, kw) / n)
        return self._blockwise(self.derivative, t, p, kw, np.empty(p.shape), scale=scale)

    def _sum(
        self,
        t: np.ndarray,
        p: np.ndarray,
        kw: dict[str, float],
        checked: validation.Checked | None = None,
        kept: _KeptTerms | None = None,
    ) -> float:
        """Sum of the per-sample values, block by block, each block checked for NaN."""
        s = 0.0
        with _quiet_overflow():
            for sl, tb, pb in validation.blocks(self, t, p, checked):
                s += self._block_sum(tb, pb, kw, kept, t, p, sl)
        return s

    def _block_sum(
        self, tb: np.ndarray, pb: np.ndarray, kw: dict, kept: _KeptTerms | None, t: np.ndarray, p: np.ndarray,
        sl: slice,
    ) -> float:  # fmt: skip
        """The sum of ``value`` over one block, checked for NaN: from ``Terms.total`` where there is one."""
        terms = self.terms
        if terms is not None and terms.total is not None:
            made = kept.get(terms, t, p, sl, tb, pb) if kept is not None else terms.make(tb, pb)
            s = terms.total(made, tb, pb, **kw)
            if s == s:
                return s
        return _no_nan(self, self._value_of(tb, pb, kw, kept, t, p, sl), tb, pb, sl)

    def _value_of(
        self, tb: np.ndarray, pb: np.ndarray, kw: dict, kept: _KeptTerms | None, t: np.ndarray, p: np.ndarray,
        sl: slice,
    ) -> np.ndarray:  # fmt: skip
        """``value`` of one block; with ``kept``, on the terms other losses share (see ``Terms``)."""
        if kept is None or self.terms is None:
            return self.value(tb, pb, **kw)
        return self.terms.value(kept.get(self.terms, t, p, sl, tb, pb), tb, pb, **kw)

    def _blockwise(
        self,
        fn: PerSample,
        t: np.ndarray,
        p: np.ndarray,
        kw: dict,
        out: np.ndarray,
        *,
        scale: float = 1.0,
        checked: validation.Checked | None = None,
        kept: _KeptTerms | None = None,
    ) -> np.ndarray:
        """``scale · fn`` block by block into the rows of ``out``, each block checked for NaN (``fn`` is
        ``value`` when ``kept`` is given)."""
        with _quiet_overflow():
            for sl, tb, pb in validation.blocks(self, t, p, checked):
                got = fn(tb, pb, **kw) if kept is None else self._value_of(tb, pb, kw, kept, t, p, sl)
                np.multiply(got, scale, out=out[sl])  # the copy into out, fused with the scale
                _no_nan(self, out[sl], tb, pb, sl)
        return out

    def _prepare(self, y_true: Any, y_pred: Any, params: Mapping[str, Any]):
        kw = self.resolve(params)
        t, p = validation.canonical(self, y_true, y_pred)
        return t, p, kw


class _KeptTerms:
    """The shared terms of the last few blocks (``Terms``), by family, arrays (by identity) and rows.

    Only the most recent ``KEEP`` are kept: a scorer runs every loss on a span of a few blocks, so those hit;
    on a longer input, losses that stream through it one after the other recompute (the same numbers).
    """

    KEEP = 8

    def __init__(self) -> None:
        self._kept: dict[tuple, Any] = {}
        self._arrays: dict[int, np.ndarray] = {}  # an identity in a key is never reused for another array
        self._log_odds: dict[int, LogOdds] = {}  # arrays known to be log-odds (by identity): what they are of

    def know(self, lo: LogOdds) -> None:
        """From now on, terms of ``lo.x`` are made from ``lo`` where the loss's ``Terms`` can."""
        self._log_odds[id(lo.x)] = lo
        self._arrays[id(lo.x)] = lo.x

    def get(
        self, terms: Terms, t: np.ndarray, p: np.ndarray, sl: slice, tb: np.ndarray, pb: np.ndarray
    ) -> Any:
        """The terms of ``tb``, ``pb`` (rows ``sl`` of ``t``, ``p``): kept, or made now."""
        key = (terms.family, id(t), id(p), sl.start, sl.stop)
        got = self._kept.get(key)
        if got is None:
            lo = self._log_odds.get(id(p)) if terms.of_log_odds is not None else None
            got = terms.make(tb, pb) if lo is None else terms.of_log_odds(tb, lo.rows(sl))
            if len(self._kept) >= self.KEEP:
                del self._kept[next(iter(self._kept))]
            self._kept[key] = got
            self._arrays[id(t)], self._arrays[id(p)] = t, p
        return got


class SharedChecks:
    """Several losses on the same rows, each distinct input checked once: what a scorer runs per span.

    ``total`` and ``per_sample`` give exactly ``spec.total`` / ``spec.per_sample`` (the same arithmetic,
    block by block), and raise the same errors; only an input block (an array, as a kind, in some rows) that
    passed its check for an earlier loss here is not checked again (``validation.Checked``), and the terms
    losses share (``Terms``: the margin of the margin losses and the focal loss) are computed once per
    block. The losses of a binary file check four arrays (labels, ±1 labels, probabilities, log-odds)
    instead of sixteen. The arrays passed must not change while the object is in use; use one per span of
    rows (not shared by threads). A loss that blocks by itself (``losses.custom``) is computed as
    ``spec.total`` would.
    """

    def __init__(self) -> None:
        self._checked = validation.Checked()
        self._kept = _KeptTerms()

    def log_odds(self, p: np.ndarray, clip: float) -> np.ndarray:
        """``losses.logit(p, clip)``, known here as the log-odds of p: losses given it as y_pred whose terms
        can be written on the probabilities (``Terms.of_log_odds``: the margin losses, the focal loss) take
        them from p and the log-odds' own logs, with no exp or log of their own. ``clip`` > 0 keeps every
        log finite."""
        if not clip > 0.0:
            raise ValueError(f"clip must be positive, got {clip!r}")
        lo = LogOdds(p, clip)
        self._kept.know(lo)
        return lo.x

    def total(self, spec: LossSpec, y_true: Any, y_pred: Any, **params: Any) -> tuple[float, int]:
        """``spec.total(y_true, y_pred, **params)``, with the checks and terms shared."""
        if type(spec)._sum is not LossSpec._sum:
            return spec.total(y_true, y_pred, **params)
        t, p, kw = spec._prepare(y_true, y_pred, params)
        return spec._sum(t, p, kw, self._checked, self._kept), len(t)

    def per_sample(self, spec: LossSpec, y_true: Any, y_pred: Any, **params: Any) -> np.ndarray:
        """``spec.per_sample(y_true, y_pred, **params)``, with the checks and terms shared."""
        if type(spec)._blockwise is not LossSpec._blockwise:
            return spec.per_sample(y_true, y_pred, **params)
        t, p, kw = spec._prepare(y_true, y_pred, params)
        return spec._blockwise(spec.value, t, p, kw, np.empty(len(t)), checked=self._checked, kept=self._kept)


def totals(
    specs: Iterable[LossSpec], y_true: Any, y_pred: Any, params: Mapping[str, Mapping[str, Any]] | None = None
) -> list[tuple[float, int]]:
    """``[spec.total(y_true, y_pred, **params[spec.name]) for spec in specs]``, each input checked once.

    ``params`` maps a loss's name to its parameters (absent: the defaults). The first loss whose inputs are
    bad raises, with the message ``spec.total`` gives.
    """
    shared = SharedChecks()
    params = params or {}
    return [shared.total(spec, y_true, y_pred, **params.get(spec.name, {})) for spec in specs]
