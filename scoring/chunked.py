"""Scoring a file chunk by chunk with mergeable partial sums.

Each chunk is turned into the arrays the losses take (labels mapped once for the whole file, predictions
checked), then every applicable loss adds ``spec.total`` (sum of per-row losses, count) to its running
totals; ``spec.finish_cost`` turns the merged totals into the cost (RMSE takes its square root there). Memory
holds one chunk at a time unless per-row values are asked for. Every number comes from ``losses``.

Which losses apply, and how the file's columns are converted for each, follows from the specs' input kinds
and ``same_as`` (see ``plans``): no loss is named here, so a loss registered in the core is scored as it is.
A loss that is not registered (a user's formula, ``losses.custom``) is passed as a spec (``custom=``); its
plan carries it, so every lookup here goes through ``spec_of`` rather than the registry.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any, TextIO

import numpy as np
import pandas as pd

import losses
from scoring.detect import ROW_SUM_ROUNDING_TOL, Detection, _show, label_key
from scoring.errors import ScoringError
from scoring.reader import CHUNK_ROWS, NA_TEXTS, CsvFormat, Source, iter_chunks, numeric

FIXES = ("normalise", "softmax")
#: Probabilities are kept in [clip, 1 - clip] before taking their log-odds, so a 0 or 1 in the file gives a
#: large finite score (±34.5) that margin losses can take, not ±inf.
_LOGIT_CLIP = 1e-15


@dataclass(frozen=True)
class Plan:
    """One loss to compute, and the form of the inputs it takes."""

    name: str
    true_form: str  # values | labels01 | labels_pm1 | class_labels | onehot | distributions
    pred_form: str  # values | probabilities | log_odds | sigmoid | logits | probs | log_probs | class_logits
    #                 | softmax
    note: str = ""
    #: a loss that is not in the registry (``losses.custom``): its spec; None: ``losses.get(name)``
    spec: losses.LossSpec | None = field(default=None, compare=False, repr=False)


def spec_of(plan: Plan) -> losses.LossSpec:
    """The loss a plan computes: its own spec (a custom loss) or the registry's."""
    return plan.spec if plan.spec is not None else losses.get(plan.name)


# -- which losses apply, and in what form ------------------------------------------------------------
#: The kinds of real values a regression loss may take; the core checks their ranges (msle: > -1).
_REAL_KINDS = ("values", "values_gt_m1", "nonneg_values", "positive_values")
_LOG_ODDS = "on the log-odds log(p / (1 - p)) of the probabilities"

#: The file's truth as a loss's y_true kind: (how the file holds it, the kind) -> form (see ``_Chunk``).
_TRUE_FORMS: dict[tuple[str, str], str] = {
    **{("values", kind): "values" for kind in _REAL_KINDS},
    ("labels", "labels01"): "labels01",
    ("labels", "labels_pm1"): "labels_pm1",
    ("labels", "class_labels"): "class_labels",
    ("labels", "distributions"): "onehot",
    ("distributions", "distributions"): "distributions",
}
#: The file's predictions as a loss's y_pred kind: (how the file holds them, the kind) -> (form, note).
#: Binary and multi-class losses take different kinds, so one table serves both tasks.
_PRED_FORMS: dict[tuple[str, str], tuple[str, str]] = {
    **{("values", kind): ("values", "") for kind in _REAL_KINDS},
    ("probabilities", "probabilities"): ("probabilities", ""),
    ("probabilities", "logits"): ("log_odds", _LOG_ODDS),
    ("probabilities", "scores"): ("log_odds", _LOG_ODDS),
    ("logits", "probabilities"): ("sigmoid", "on the sigmoid σ(x) of the logits"),
    ("logits", "logits"): ("logits", ""),
    ("logits", "scores"): ("logits", ""),
    ("probabilities", "distributions"): ("probs", ""),
    ("probabilities", "class_scores"): ("probs", ""),
    ("probabilities", "class_logits"): ("log_probs", "on the log of the probabilities"),
    ("logits", "distributions"): ("softmax", "on the softmax of the logits"),
    ("logits", "class_logits"): ("class_logits", ""),
    ("logits", "class_scores"): ("class_logits", ""),
}
#: Forms that are a chunk's arrays as read (labels already mapped to class indexes): no conversion. Binary
#: class indexes are labels 0/1, which the core maps to ±1 itself for labels_pm1 losses, once per block
#: shared by them all (and the focal loss and the margin losses then share one margin: losses.binary.Margin).
_TRUE_AS_READ = frozenset({"values", "labels01", "labels_pm1", "class_labels", "distributions"})
_PRED_AS_READ = frozenset({"values", "probabilities", "logits", "probs", "class_logits"})


def effective_pred_kind(det: Detection, fix_rows: str | None) -> str:
    """The predictions' kind once the row fix is applied: class probabilities under 'softmax' are logits."""
    if det.task == "multiclass" and det.pred_kind == "probabilities" and fix_rows == "softmax":
        return "logits"
    return det.pred_kind


def _read_as(det: Detection, fix_rows: str | None) -> tuple[str, str]:
    """How the file holds truth (values | labels | distributions) and predictions (values | probabilities |
    logits): a classifier's predictions are probabilities or else read as logits (scores included)."""
    if det.task == "regression":
        return "values", "values"
    truth = "labels" if det.task == "binary" or det.true_kind == "labels" else "distributions"
    pred = "probabilities" if effective_pred_kind(det, fix_rows) == "probabilities" else "logits"
    return truth, pred


def _plan_for(spec: losses.LossSpec, truth: str, pred: str) -> Plan | None:
    """The loss on this file's columns, converted to its kinds; None if they cannot be."""
    true_form = _TRUE_FORMS.get((truth, spec.y_true))
    pred_form, note = _PRED_FORMS.get((pred, spec.y_pred), (None, ""))
    if true_form is None or pred_form is None:
        return None
    return Plan(spec.name, true_form, pred_form, note)


def has_rows(name: str | losses.LossSpec) -> bool:
    """Whether a loss's cost is the mean of its per-row values, so that a per-row column is its share.

    Not for a loss with a ``finish`` (RMSE: the square root of the mean of the squared errors): its per-row
    view would repeat another loss's column (the MSE's), so reports leave it out and say why.
    """
    return (name if isinstance(name, losses.LossSpec) else losses.get(name)).finish is None


def _as_read(plan: Plan) -> bool:
    return plan.true_form in _TRUE_AS_READ and plan.pred_form in _PRED_AS_READ


def plans(det: Detection, fix_rows: str | None = None, only: Iterable[str] | None = None,
          custom: Iterable[losses.LossSpec] = ()) -> list[Plan]:  # fmt: skip
    """The losses that apply to this file, each with the input forms it takes (registry order).

    A loss of the file's task applies when the file's columns convert to its kinds (``_TRUE_FORMS``,
    ``_PRED_FORMS``). One that needs converted columns is left out when a loss in its ``same_as`` takes the
    columns as they are: that loss gives the same number, so the file would show it twice (sigmoid
    cross-entropy on the log-odds of probabilities is binary cross-entropy again).

    ``custom``: losses that are not registered (``losses.custom``), after the built-ins; each must fit the
    file as a built-in must. With ``custom``, an empty ``only`` means no built-in at all.
    """
    custom = list(custom)
    extra = _custom_plans(det, fix_rows, custom)
    if custom and only is not None and not list(only):
        return extra
    return [*_builtin_plans(det, fix_rows, only), *extra]


def _custom_plans(det: Detection, fix_rows: str | None, custom: list[losses.LossSpec]) -> list[Plan]:
    truth, pred = _read_as(det, fix_rows)
    out: list[Plan] = []
    for spec in custom:
        if spec.name in losses.names() or spec.name in {p.name for p in out}:
            raise ScoringError("loss", f"Two losses are called {spec.name}; give each its own name.")
        plan = _plan_for(spec, truth, pred) if spec.category == det.task else None
        if plan is None:
            kind = effective_pred_kind(det, fix_rows)
            raise ScoringError(
                "loss",
                f"{spec.name} is a {spec.category} loss taking y_true as {losses.KINDS[spec.y_true]} and "
                f"y_pred as {losses.KINDS[spec.y_pred]}; it does not apply to this file ({det.task}, {kind} "
                "predictions).",
            )  # fmt: skip
        out.append(replace(plan, spec=spec))
    return out


def _builtin_plans(det: Detection, fix_rows: str | None, only: Iterable[str] | None) -> list[Plan]:
    """The registered losses that apply (all, or ``only``, in that order)."""
    truth, pred = _read_as(det, fix_rows)
    fits = [p for p in (_plan_for(losses.get(n), truth, pred) for n in losses.names(det.task)) if p]
    direct = {p.name for p in fits if _as_read(p)}
    out = [p for p in fits if _as_read(p) or not direct.intersection(losses.get(p.name).same_as)]
    if only:
        kind = effective_pred_kind(det, fix_rows)
        wanted = list(dict.fromkeys(only))
        known = {p.name: p for p in out}
        missing = [w for w in wanted if w not in known]
        for w in missing:
            try:
                spec = losses.get(w)
            except losses.UnknownLossError as exc:
                raise ScoringError("loss", str(exc)) from None
            raise ScoringError(
                "loss",
                f"{w} does not apply to this file ({det.task}, {kind} predictions); "
                f"it takes y_true as {losses.KINDS[spec.y_true]} and y_pred as {losses.KINDS[spec.y_pred]}. "
                f"Losses that apply: {', '.join(known)}.",
            )
        out = [known[w] for w in wanted]
    return out


def resolve_params(
    names: Iterable[str], params: Mapping[str, Any] | None, specs: Mapping[str, losses.LossSpec] | None = None
) -> dict[str, dict[str, float]]:
    """``{"delta": 2}`` (every loss with a delta) or ``{"huber.delta": 2}`` -> per-loss checked parameters.
    ``specs``: the losses by name where they are not the registry's (custom losses)."""
    names = list(names)
    specs = {n: (specs or {}).get(n) or losses.get(n) for n in names}
    out: dict[str, dict[str, float]] = {n: {} for n in names}
    used: set[str] = set()
    for key, value in (params or {}).items():
        loss, _, pname = key.rpartition(".")
        targets = [loss] if loss else names
        for n in targets:
            if n not in out:
                continue
            spec = specs[n]
            if any(p.name == pname for p in spec.params):
                out[n][pname] = value
                used.add(key)
    unknown = [k for k in (params or {}) if k not in used]
    if unknown:
        have = sorted({f"{n}.{p.name}" for n in names for p in specs[n].params})
        raise ScoringError(
            "loss",
            f"No loss being computed takes the parameter {unknown[0]!r}. Parameters here: "
            + (", ".join(have) or "none") + ".",
        )  # fmt: skip
    try:
        return {n: specs[n].resolve(kw) for n, kw in out.items()}
    except losses.ParameterError as exc:
        raise ScoringError("loss", str(exc)) from None


# -- the result --------------------------------------------------------------------------------------
@dataclass
class Result:
    detection: Detection
    fmt: CsvFormat
    params: dict[str, dict[str, float]]
    totals: dict[str, tuple[float, int]]
    skipped: dict[str, str]
    rows_read: int
    rows_scored: int
    rows_dropped: int
    notes: list[str] = field(default_factory=list)
    plans: list[Plan] = field(default_factory=list)
    per_row: pd.DataFrame | None = None
    #: with ``per_row``: the inputs as the losses saw them (labels as class indexes, predictions after fixes)
    y_true: np.ndarray | None = None
    y_pred: np.ndarray | None = None
    #: with ``per_row``, for a classifier: the probabilities the losses used, (n,) of the positive class or
    #: (n, k) rows summing to 1 (the file's, normalised if asked; the sigmoid or softmax of logits)
    probabilities: np.ndarray | None = None
    #: the notes that name no loss (rows dropped or fixed); ``notes`` adds what each loss is computed on
    row_notes: list[str] = field(default_factory=list)

    def spec(self, name: str) -> losses.LossSpec:
        """The loss called ``name`` here: a custom loss's own spec (from its plan), else the registry's."""
        plan = next((p for p in self.plans if p.name == name and p.spec is not None), None)
        return plan.spec if plan is not None else losses.get(name)

    @property
    def custom(self) -> dict[str, losses.LossSpec]:
        """The losses computed that are not registered (``losses.custom``), by name."""
        return {p.name: p.spec for p in self.plans if p.spec is not None}

    @property
    def costs(self) -> dict[str, float]:
        return {n: self.spec(n).finish_cost(s, c) for n, (s, c) in self.totals.items() if c}

    def notes_naming(self, name_of: Callable[[str], str]) -> list[str]:
        """The notes with each loss called ``name_of(name)`` (the page: its title; ``notes``: its name)."""
        return [*self.row_notes, *conversion_notes(self.plans, name_of)]

    @property
    def report(self) -> pd.DataFrame | None:
        """The per-row report a person reads (the page's table and download): ``per_row`` without the
        columns of losses whose cost is not a mean of per-row values (see ``has_rows``)."""
        if self.per_row is None:
            return None
        hidden = [n for n in self.totals if not has_rows(self.spec(n)) and n in self.per_row]
        return self.per_row.drop(columns=hidden)

    def summary(self) -> dict:
        """Everything but the per-row values, JSON-ready."""
        return {
            "task": self.detection.task,
            "rows_read": self.rows_read,
            "rows_scored": self.rows_scored,
            "rows_dropped": self.rows_dropped,
            "losses": {
                n: {
                    "cost": c,
                    "sum": self.totals[n][0],
                    "count": self.totals[n][1],
                    "params": self.params.get(n, {}),
                    "note": next((p.note for p in self.plans if p.name == n), ""),
                    **({"formula": self.custom[n].source} if n in self.custom else {}),
                }
                for n, c in self.costs.items()
            },
            "skipped": dict(self.skipped),
            "detection": self.detection.to_dict(),
            "format": self.fmt.to_dict(),
            "notes": list(self.notes),
        }


    def to_json(self, indent: int | None = 2) -> str:
        """``summary`` as strict JSON: a value beyond float64 (a cost of e^800) is null, with a note saying so
        (JSON has no Infinity or NaN, and parsers refuse them)."""
        notes: list[str] = []
        data = _finite(self.summary(), "", notes)
        data["notes"] = [*data["notes"], *notes]
        return json.dumps(data, indent=indent, allow_nan=False, default=str)


def _finite(value: Any, path: str, notes: list[str]) -> Any:
    """``value`` with every non-finite float replaced by None, and a note for each (by its path)."""
    if isinstance(value, dict):
        return {k: _finite(v, f"{path}.{k}" if path else str(k), notes) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v, f"{path}[{i}]", notes) for i, v in enumerate(value)]
    if isinstance(value, (float, np.floating)) and not math.isfinite(value):
        what = "NaN" if math.isnan(value) else ("+infinity" if value > 0 else "-infinity")
        notes.append(f"{path} is {what} (beyond the largest double); written as null.")
        return None
    return value


# -- per chunk ---------------------------------------------------------------------------------------
#: Label maps where a label's class index is ``a * label + b``: 0/1 and 0..k-1, -1/+1, 1..k.
_AFFINE = ((1.0, 0.0), (0.5, 0.5), (1.0, -1.0))


def _labels(series: pd.Series, det: Detection, first: int) -> np.ndarray:
    """Class indexes (float, NaN where missing) for the label column of one chunk."""
    col = det.y_true[0]
    mapping = dict(det.label_map)
    n_classes = len(det.classes) if det.task == "multiclass" else 2
    if pd.api.types.is_bool_dtype(series.dtype) or pd.api.types.is_numeric_dtype(series.dtype):
        keys = [k for k in mapping if isinstance(k, float)]
        for a, b in _AFFINE:  # fast paths: labels that are an affine map of the index
            if keys and all(mapping[k] == a * k + b for k in keys) and len(keys) == n_classes:
                return _affine_labels(series, a, b, n_classes, first, col, mapping)
        v = series.to_numpy(dtype=np.float64, na_value=np.nan)
        idx = (
            pd.Series(v)
            .map({k: float(i) for k, i in mapping.items() if isinstance(k, float)})
            .to_numpy(dtype=np.float64, na_value=np.nan)
        )
    else:
        text = series.astype("string").str.strip()
        direct = {k: float(i) for k, i in mapping.items() if isinstance(k, str)}
        direct.update({_show(k): float(i) for k, i in mapping.items() if isinstance(k, float)})
        idx = text.map(direct).to_numpy(dtype=np.float64, na_value=np.nan)
        # NA, null, ...: a class where detection found one of that name, else a missing label
        na = (text.isin(NA_TEXTS).to_numpy(dtype=bool, na_value=False)) & np.isnan(idx)
        present = (text.notna() & (text != "")).to_numpy(dtype=bool, na_value=False) & ~na
        slow = present & np.isnan(idx)
        for i in np.flatnonzero(slow):  # spellings such as "1.0" or "TRUE": the label's canonical key
            idx[i] = float(mapping.get(label_key(text.iloc[i]), -1.0))
        v = np.where(present, 0.0, np.nan)
    bad = ~np.isnan(v) & (np.isnan(idx) | (idx < 0))
    if bad.any():
        _bad_label(series, np.flatnonzero(bad)[0], first, col, mapping)
    return idx


def _affine_labels(series: pd.Series, a: float, b: float, n_classes: int, first: int, col: str,
                   mapping: dict) -> np.ndarray:  # fmt: skip
    """Class indexes ``a * label + b`` of a column of numbers (NaN where missing); a label whose index is not
    one of 0..n_classes-1 raises, naming the chunk's first such row.

    This runs on every chunk, so the common cases are proved valid by reductions (a few cheap passes) and
    only a chunk that fails them goes through the mask that finds the row. Integers (and booleans) have no
    NaN and map to integers when ``a`` is 1: their bounds suffice. The values are the same in every case
    (``a * v + b`` in float64; ``1.0 * v`` is ``v``)."""
    x = series.to_numpy()
    if isinstance(series.dtype, np.dtype) and series.dtype.kind in "biu" and len(x):
        lo, hi = int(x.min()), int(x.max())
        # -1/+1 labels: the bounds and no 0 (the only integer between them that is not a label)
        pm1 = (a, b, n_classes) == (0.5, 0.5, 2) and lo >= -1 and hi <= 1 and np.count_nonzero(x) == len(x)
        if (a == 1.0 and lo >= -b and hi <= n_classes - 1 - b) or pm1:
            idx = x.astype(np.float64)
            if a != 1.0:
                idx *= a
            if b:
                idx += b
            return idx
    v = series.to_numpy(dtype=np.float64, na_value=np.nan)
    idx = v + b if a == 1.0 else a * v + b
    if n_classes == 2:  # every index is 0 or 1 (so none is NaN): its nonzeros are its ones
        ok = np.count_nonzero(idx) == np.count_nonzero(idx == 1.0)
    else:  # a NaN makes min() NaN, so not >= 0
        ok = bool(idx.min() >= 0 and idx.max() <= n_classes - 1) and bool((np.rint(idx) == idx).all())
    if not ok:  # missing labels, or a bad one: the exact test, which names the first bad row
        bad = ~np.isnan(v) & ((idx != np.round(idx)) | (idx < 0) | (idx > n_classes - 1))
        if bad.any():
            _bad_label(series, np.flatnonzero(bad)[0], first, col, mapping)
    return idx


def _bad_label(series, i, first, col, mapping) -> None:
    cell = series.iloc[int(i)]
    expected = ", ".join(repr(_show(k)) for k in mapping)
    raise ScoringError(
        "labels",
        f"Row {first + int(i)}, column {col!r}: the label {str(cell)[:40]!r} is not one of the expected "
        f"classes ({expected}). Fix the label, or choose the task and columns yourself.",
        row=first + int(i),
        column=col,
        value=cell,
    )


def _matrix(frame: pd.DataFrame, cols: tuple[str, ...], first: int) -> np.ndarray:
    if len(cols) == 1:
        return numeric(frame[cols[0]], cols[0], first)
    return np.column_stack([numeric(frame[c], c, first) for c in cols])


#: The file's row numbers of a chunk's rows: a range while no row is dropped (built as an array only where
#: rows are dropped or listed), else an array. Either gives ``int(rows[i])``, ``len`` and ``rows[a:b]``.
Rows = np.ndarray | range


def _row_array(rows: Rows) -> np.ndarray:
    """The row numbers as an int64 array (the per-row report's column)."""
    return np.arange(rows.start, rows.stop) if isinstance(rows, range) else rows


def _all_finite(a: np.ndarray) -> bool:
    """True proves ``a`` has no NaN and no infinity (either makes the sum NaN or infinite); False may be a sum
    of finite values beyond float64 too, so it only means: look with the exact test. One cheap pass."""
    with np.errstate(over="ignore", invalid="ignore"):  # inf + -inf is NaN: a warning the user has no use for
        return math.isfinite(float(np.add.reduce(a, axis=None)))


def _nonfinite_check(a: np.ndarray, cols: tuple[str, ...], rows: Rows) -> None:
    if _all_finite(a):
        return
    bad = np.isinf(a)
    if bad.any():
        i = int(np.flatnonzero(bad.any(axis=1) if a.ndim == 2 else bad)[0])
        j = int(np.flatnonzero(bad[i])[0]) if a.ndim == 2 else 0
        raise ScoringError(
            "value",
            f"Row {int(rows[i])}, column {cols[j]!r} is infinite. "
            "Replace it with a finite number or drop the row.",
            row=int(rows[i]),
            column=cols[j],
        )


class _Chunk:
    """One chunk's inputs in every form some loss needs (each conversion computed once, on first use)."""

    def __init__(self, det: Detection, t: np.ndarray, p: np.ndarray):
        self.det, self.t, self.p = det, t, p
        self._cache: dict[str, np.ndarray] = {}

    def true(self, form: str) -> np.ndarray:
        """The truth in ``form`` (a value of ``_TRUE_FORMS``)."""
        if form in _TRUE_AS_READ:
            return self.t
        if form not in self._cache:
            if form == "onehot":
                self._cache[form] = losses.one_hot(self.t, len(self.det.y_pred))
        return self._cache[form]

    def probabilities(self, kind: str) -> np.ndarray | None:
        """The probabilities the losses used, for a classifier (None for regression): the predictions as
        checked when they are probabilities (``kind``, after the row fix), else their sigmoid or softmax."""
        if self.det.task == "regression":
            return None
        if kind == "probabilities":
            return self.p
        return self.pred("sigmoid" if self.det.task == "binary" else "softmax")

    def pred(self, form: str, shared: losses.SharedChecks | None = None) -> np.ndarray:
        """The predictions in ``form`` (a value of ``_PRED_FORMS``): changes of variable, not losses. The
        log-odds are made known to ``shared`` as such, whose losses then write their terms on p."""
        if form in _PRED_AS_READ:
            return self.p
        if form not in self._cache:
            if form == "log_odds":  # the score whose sigmoid is p
                to_log_odds = losses.logit if shared is None else shared.log_odds
                self._cache[form] = to_log_odds(self.p, clip=_LOGIT_CLIP)
            elif form == "sigmoid":
                self._cache[form] = losses.sigmoid(self.p)
            elif form == "softmax":
                self._cache[form] = losses.softmax(self.p)
            elif form == "log_probs":  # logits whose softmax is the row (rows sum to 1 by now)
                self._cache[form] = np.log(np.maximum(self.p, losses.EPS))
        return self._cache[form]


def _check_pred(p: np.ndarray, det: Detection, kind: str, fix: str | None, rows: Rows,
                notes: dict) -> np.ndarray:  # fmt: skip
    """Check predictions for the detected kind; returns them ready for the losses (rows normalised).
    Each check is a reduction first (min, max); the mask that names the row only where it fails."""
    cols = det.y_pred
    if kind != "probabilities" or det.task == "regression" or not len(p):
        return p
    # A class probability above 1 makes its row sum above 1: the row-sum check below offers to normalise it.
    # (A NaN makes min() NaN: the mask then decides, as it did before the reductions.)
    binary = det.task == "binary"
    if not (p.min() >= 0 and (not binary or p.max() <= 1)):
        bad = (p < 0) | (p > 1) if binary else p < 0
        if bad.any():
            i = int(np.flatnonzero(bad.any(axis=1) if p.ndim == 2 else bad)[0])
            j = int(np.flatnonzero(bad[i])[0]) if p.ndim == 2 else 0
            val = p[i, j] if p.ndim == 2 else p[i]
            raise ScoringError(
                "probability_range",
                f"Row {int(rows[i])}, column {cols[j]!r} is {val:g}, but the column was read "
                "as probabilities, which must lie in [0, 1]. If the predictions are logits or scores, choose "
                "'logits' as the prediction kind.",
                row=int(rows[i]),
                column=cols[j],
                value=float(val),
            )
    if det.task != "multiclass":
        return p
    sums = p.sum(axis=1)
    dev = np.abs(sums - 1.0)
    if fix == "normalise":
        if not sums.min() > 0:  # a row of zeros (or a NaN): find it
            zero = sums <= 0
            if zero.any():
                i = int(np.flatnonzero(zero)[0])
                raise ScoringError(
                    "row_sum",
                    f"Row {int(rows[i])}: every class probability is 0, so the row cannot be normalised.",
                    row=int(rows[i]),
                )  # fmt: skip
        notes["normalised"] = notes.get("normalised", 0) + int((dev > losses.ROW_SUM_TOL).sum())
        return losses.normalise_rows(p)
    if dev.max() <= losses.ROW_SUM_TOL:  # every row sums to 1 as the core wants (a NaN fails this test)
        return p
    far = dev > ROW_SUM_ROUNDING_TOL
    if far.any():
        i = int(np.flatnonzero(far)[0])
        raise ScoringError(
            "row_sum",
            f"Row {int(rows[i])}: the class probabilities sum to {sums[i]:.6g}, not 1. Choose 'normalise' to "
            "divide each row by its sum, or 'softmax' to read the columns as logits.",
            row=int(rows[i]),
            value=float(sums[i]),
        )
    near = dev > losses.ROW_SUM_TOL  # the core would refuse these rows
    if near.any():  # rounding in the CSV: within ROW_SUM_ROUNDING_TOL of 1
        notes["rounded"] = notes.get("rounded", 0) + int(near.sum())
        return losses.normalise_rows(p)
    return p


def _skip_reason(exc: losses.LossInputError, spec, chunk_rows: Rows, det: Detection) -> str:
    """Why a loss does not apply, with the file's row and column (the core's row is within the chunk)."""
    arg = getattr(exc, "argument", None)
    row = getattr(exc, "row", None)
    if arg in ("y_true", "y_pred") and row is not None and 0 <= row < len(chunk_rows):
        kind = spec.y_true if arg == "y_true" else spec.y_pred
        col = (det.y_true if arg == "y_true" else det.y_pred)[0]
        return (
            f"{spec.title} needs {losses.KINDS[kind]} in {arg}; row {int(chunk_rows[row])} of column {col!r} "
            "is outside that."
        )
    return f"{spec.title}: {exc}"


# -- the driver --------------------------------------------------------------------------------------
@dataclass
class _Tally:
    """What scoring has gathered so far: per-loss sums and counts, skipped losses, rows read and missing."""

    plans: list[Plan]
    sums: dict[str, float]
    counts: dict[str, int]
    skipped: dict[str, str] = field(default_factory=dict)
    fixes: dict[str, int] = field(default_factory=dict)  # rows "rounded" / "normalised" to sum to 1
    rows_read: int = 0
    rows_scored: int = 0
    missing: int = 0
    first_missing: tuple[int, str] | None = None  # (file row, column)

    @classmethod
    def start(cls, todo: list[Plan]) -> _Tally:
        """Nothing gathered yet: a zero sum and count for each loss to compute."""
        return cls(todo, {p.name: 0.0 for p in todo}, {p.name: 0 for p in todo})

    def live(self) -> list[Plan]:
        """The plans not skipped so far, in order."""
        return [p for p in self.plans if p.name not in self.skipped]


class _RowSink:
    """Where per-row values go: kept as frames (``per_row``) and/or streamed as formula-safe CSV (the report:
    without the ``hidden`` columns of losses that have no per-row values of their own)."""

    def __init__(self, keep: bool, out: TextIO | None, hidden: Iterable[str] = ()):
        self.keep, self.out, self.hidden = keep, out, tuple(hidden)
        self.frames: list[pd.DataFrame] = []
        self.t: list[np.ndarray] = []
        self.p: list[np.ndarray] = []
        self.q: list[np.ndarray] = []  # the probabilities the losses used (classifiers)
        self._writer = None

    @property
    def wanted(self) -> bool:
        """Whether per-row values are asked for at all (then losses give per-row values, not totals)."""
        return self.keep or self.out is not None

    def add(self, frame: pd.DataFrame, t: np.ndarray, p: np.ndarray, q: np.ndarray | None) -> None:
        """One chunk's per-row frame, with the inputs as the losses saw them and their probabilities."""
        if self.keep:
            self.frames.append(frame)
            self.t.append(t)
            self.p.append(p)
            if q is not None:
                self.q.append(q)
        if self.out is not None:
            frame = frame.drop(columns=[c for c in self.hidden if c in frame.columns])
            if self._writer is None:  # the header comes from the first chunk's columns
                self._writer = csv.writer(self.out, lineterminator="\n")
                self._writer.writerow([safe_cell(c) for c in frame.columns])
            write_rows(self._writer, frame)

    def frame(self, skipped: Mapping[str, str]) -> pd.DataFrame | None:
        """All kept rows, without the columns of losses skipped after their first chunks."""
        if not self.frames:
            return None
        per = pd.concat(self.frames, ignore_index=True)
        return per.drop(columns=[c for c in skipped if c in per.columns])


def _setup(
    det: Detection, fix_rows: str | None, loss_names: Iterable[str] | None, params: Mapping[str, Any] | None,
    custom: Iterable[losses.LossSpec] = (),
) -> tuple[str | None, list[Plan], dict[str, dict[str, float]]]:
    """Check the options before reading a row: the row fix, the losses that apply, their parameters."""
    if fix_rows not in (None, "", "none", *FIXES):
        raise ScoringError("loss", f"Unknown fix for rows {fix_rows!r}; choose normalise or softmax.")
    fix_rows = fix_rows if fix_rows in FIXES else None
    todo = plans(det, fix_rows, loss_names, custom)
    if not todo:
        raise ScoringError("loss", f"No loss applies to a {det.task} file with {det.pred_kind} predictions.")
    specs = {p.name: p.spec for p in todo if p.spec is not None}
    return fix_rows, todo, resolve_params([p.name for p in todo], params, specs)


def _arrays(frame: pd.DataFrame, det: Detection, first: int) -> tuple[np.ndarray, np.ndarray]:
    """A chunk's truth (class indexes for labels) and predictions as float arrays, NaN where missing."""
    if det.true_kind == "labels":
        t = _labels(frame[det.y_true[0]], det, first)
    else:
        t = _matrix(frame, det.y_true, first)
    return t, _matrix(frame, det.y_pred, first)


def _whole_labels(frame: pd.DataFrame, det: Detection) -> bool:
    """Whether the truth is labels read as integers or booleans (numpy's, with no NA): ``_labels`` maps each
    to a class index or refuses it, so the chunk's truth has no NaN and no infinity."""
    if det.true_kind != "labels":
        return False
    dtype = frame[det.y_true[0]].dtype
    return isinstance(dtype, np.dtype) and dtype.kind in "biu"


def _count_missing(tally: _Tally, det: Detection, t: np.ndarray, p: np.ndarray,
                   file_rows: Rows) -> np.ndarray:  # fmt: skip
    """The chunk's rows with a missing value (a mask); counts them and remembers the file's first one."""
    nan_t = np.isnan(t) if t.ndim == 1 else np.isnan(t).any(axis=1)
    nan_p = np.isnan(p) if p.ndim == 1 else np.isnan(p).any(axis=1)
    holes = nan_t | nan_p
    if holes.any():
        tally.missing += int(holes.sum())
        if tally.first_missing is None:
            i = int(np.flatnonzero(holes)[0])
            if nan_t[i]:
                j = 0 if t.ndim == 1 else int(np.flatnonzero(np.isnan(t[i]))[0])
                col = det.y_true[j]
            else:
                j = 0 if p.ndim == 1 else int(np.flatnonzero(np.isnan(p[i]))[0])
                col = det.y_pred[j]
            tally.first_missing = (int(file_rows[i]), col)
    return holes


def _read(frame: pd.DataFrame, first: int, det: Detection,
          tally: _Tally) -> tuple[np.ndarray, np.ndarray, Rows, np.ndarray | None]:  # fmt: skip
    """A chunk's cells as arrays (``_arrays``), its rows' file numbers, and its rows with a missing value,
    counted in ``tally`` (None: a sum or two proved there are none, and no infinity either)."""
    tally.rows_read += len(frame)
    file_rows: Rows = range(first, first + len(frame))
    t, p = _arrays(frame, det, first)
    # proof of no NaN and no infinity (a sum or two) spares the masks of both checks on most chunks
    clean = (_whole_labels(frame, det) or _all_finite(t)) and _all_finite(p)
    return t, p, file_rows, None if clean else _count_missing(tally, det, t, p, file_rows)


def _checked(frame: pd.DataFrame, t: np.ndarray, p: np.ndarray, file_rows: Rows, holes: np.ndarray | None,
             det: Detection, kind: str, fix_rows: str | None, tally: _Tally):  # fmt: skip
    """The chunk ready for the losses, ``(t, p, file_rows, frame)`` without its rows with a missing value
    (when they are dropped), infinities refused and predictions checked (rows normalised); None when no row
    is left."""
    if holes is not None and holes.any():
        keep = ~holes
        t, p, file_rows, frame = t[keep], p[keep], _row_array(file_rows)[keep], frame[keep]
    if len(t) == 0:
        return None
    if holes is not None:
        _nonfinite_check(t, det.y_true, file_rows)
        _nonfinite_check(p, det.y_pred, file_rows)
    p = _check_pred(p, det, kind, fix_rows, file_rows, tally.fixes)
    tally.rows_scored += len(t)
    return t, p, file_rows, frame


def _score_chunk(
    pool: Executor,
    tally: _Tally,
    chunk: _Chunk,
    kw: Mapping[str, dict[str, float]],
    file_rows: Rows,
    keep_rows: bool,
) -> dict[str, np.ndarray]:
    """Every loss not yet skipped, on one chunk: adds to the totals; returns the per-row values when
    ``keep_rows``. A loss whose inputs leave its domain is skipped from then on, with the row. The work is
    ``scoring.fused``'s: every loss on one span of rows at a time (conversions shared), spans in the pool.
    Custom losses (plans with their own spec) are computed here, on the whole chunk (they block by
    themselves), after the registry's."""
    from scoring import fused

    own = [p for p in tally.live() if p.spec is not None]
    if not own:
        return fused.score_chunk(pool, tally, chunk, kw, file_rows, keep_rows)
    # fused looks losses up in the registry: it gets a view of the tally without the custom plans (the
    # sums, counts and skipped are the same dicts, so what it adds is in ``tally``)
    registered = replace(tally, plans=[p for p in tally.plans if p.spec is None])
    values = fused.score_chunk(pool, registered, chunk, kw, file_rows, keep_rows) if registered.live() else {}
    for plan in own:
        try:
            t_in, p_in = chunk.true(plan.true_form), chunk.pred(plan.pred_form)
            got = (plan.spec.per_sample if keep_rows else plan.spec.total)(t_in, p_in, **kw[plan.name])
        except losses.LossInputError as error:
            tally.skipped[plan.name] = _custom_skip_reason(error, plan.spec, file_rows, chunk.det)
            continue
        if keep_rows:
            values[plan.name] = got
            got = (float(np.add.reduce(got)), len(got))
        tally.sums[plan.name] += got[0]
        tally.counts[plan.name] += got[1]
    return values


def _custom_skip_reason(error: losses.LossInputError, spec: losses.LossSpec, chunk_rows: Rows,
                        det: Detection) -> str:  # fmt: skip
    """The core's own message where a formula leaves its domain, with the file's row (it names the value
    and the inputs there); other refusals as a built-in's."""
    from losses.custom import FormulaValueError

    if isinstance(error, FormulaValueError) and 0 <= error.row < len(chunk_rows):
        return str(error.shifted(int(chunk_rows[error.row]) - error.row))
    return _skip_reason(error, spec, chunk_rows, det)


def _check_scored(tally: _Tally, fmt: CsvFormat, drop_missing: bool) -> None:
    """After the last chunk: an empty file, rows with missing values (unless dropped), or nothing left."""
    if tally.rows_read == 0:
        raise ScoringError("header_only" if fmt.header else "empty", "There is nothing to score in it.")
    missing, rows_read = tally.missing, tally.rows_read
    if missing and not drop_missing:
        row, col = tally.first_missing or (0, "")
        raise ScoringError(
            "missing",
            f"{missing} row{'s' if missing != 1 else ''} of {rows_read} ha{'ve' if missing != 1 else 's'} a "
            f"missing (empty or NaN) value, the first at row {row}, column {col!r}. Drop those rows to score "
            "the rest.",
            row=row,
            column=col,
            count=missing,
        )
    if tally.rows_scored == 0:
        raise ScoringError("missing", f"All {rows_read} rows have a missing value; nothing to score.",
                           count=missing)  # fmt: skip


def _row_notes(tally: _Tally, fix_rows: str | None) -> list[str]:
    """What the person should know about the rows: dropped, fixed to sum to 1, read as logits."""
    text_notes = []
    fixes = tally.fixes
    if tally.missing:
        text_notes.append(
            f"Dropped {tally.missing} row(s) with missing values (the first at row {tally.first_missing[0]})."
        )
    if fixes.get("rounded"):
        text_notes.append(
            f"{fixes['rounded']} row(s) of class probabilities summed to within {ROW_SUM_ROUNDING_TOL:g} "
            "of 1 (rounding in the CSV) and were divided by their sum."
        )
    if fixes.get("normalised"):
        text_notes.append(f"Normalised {fixes['normalised']} row(s) of class probabilities to sum to 1.")
    if fix_rows == "softmax":
        text_notes.append("Class columns read as logits (softmax turns them into probabilities).")
    return text_notes


def conversion_notes(todo: Iterable[Plan], name_of: Callable[[str], str] = str) -> list[str]:
    """What the losses computed on converted columns are computed on, each loss called ``name_of(name)``."""
    by_note: dict[str, list[str]] = {}
    for plan in todo:
        if plan.note:
            by_note.setdefault(plan.note, []).append(name_of(plan.name))
    return [f"{', '.join(names)} {'is' if len(names) == 1 else 'are'} computed {note}."
            for note, names in by_note.items()]  # fmt: skip


def score(
    source: Source,
    fmt: CsvFormat,
    det: Detection,
    *,
    loss_names: Iterable[str] | None = None,
    params: Mapping[str, Any] | None = None,
    custom: Iterable[losses.LossSpec] = (),
    drop_missing: bool = False,
    fix_rows: str | None = None,
    chunksize: int = CHUNK_ROWS,
    per_row: bool = False,
    per_row_out: TextIO | None = None,
    progress: Callable[[float], None] | None = None,
) -> Result:
    """Score ``source`` in chunks; every applicable loss (or ``loss_names``) with ``params``.

    ``per_row`` keeps a per-row frame (the row number, the id and input columns, one column per loss) in the
    result; ``per_row_out`` streams the same rows as a formula-safe CSV. Rows with a missing value raise a
    ``missing`` error that counts them, unless ``drop_missing``. ``progress`` gets the fraction of the file
    read after each chunk that was scored. ``custom``: losses that are not registered (``losses.custom``),
    scored beside the built-ins (after them; with an empty ``loss_names``, alone).
    """
    fix_rows, todo, kw = _setup(det, fix_rows, loss_names, params, custom)
    kind = effective_pred_kind(det, fix_rows)
    tally = _Tally.start(todo)
    sink = _RowSink(per_row, per_row_out, hidden=[p.name for p in todo if not has_rows(spec_of(p))])
    # spans of rows scored two at a time (scoring.fused); the parser's thread is light: pandas counts fields
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="lossx-score") as pool:
        for first, frame, frac in iter_chunks(source, fmt, usecols=det.columns, chunksize=chunksize,
                                              text=text_columns(det)):  # fmt: skip
            t, p, file_rows, holes = _read(frame, first, det, tally)
            if tally.missing and not drop_missing:
                continue  # keep counting; the error comes at the end with the total
            checked = _checked(frame, t, p, file_rows, holes, det, kind, fix_rows, tally)
            if checked is None:
                continue
            t, p, file_rows, frame = checked
            chunk = _Chunk(det, t, p)
            values = _score_chunk(pool, tally, chunk, kw, file_rows, sink.wanted)
            if sink.wanted:
                live = [q.name for q in tally.live()]
                chunk_rows = _per_row_frame(frame, file_rows, det, values, live,
                                            [q.name for q in todo if q.spec is not None])  # fmt: skip
                sink.add(chunk_rows, t, p, chunk.probabilities(kind))
            if progress is not None:
                progress(frac)
    _check_scored(tally, fmt, drop_missing)
    totals = {n: (tally.sums[n], tally.counts[n]) for n in tally.sums if n not in tally.skipped}
    if not totals:  # every loss left its domain: say why, rather than show an empty table
        raise ScoringError(
            "no_loss", " ".join(tally.skipped.values()) + " Check the columns chosen for y_true and y_pred.",
            count=len(tally.skipped),
        )  # fmt: skip
    row_notes = _row_notes(tally, fix_rows)
    result = Result(det, fmt, {n: kw[n] for n in totals}, totals, tally.skipped, tally.rows_read,
                    tally.rows_scored, tally.missing, [*row_notes, *conversion_notes(tally.live())],
                    tally.live(), sink.frame(tally.skipped) if per_row else None,
                    row_notes=row_notes)  # fmt: skip
    if per_row and sink.t:
        result.y_true = np.concatenate(sink.t)
        result.y_pred = np.concatenate(sink.p)
        if sink.q:
            result.probabilities = np.concatenate(sink.q)
    return result


def report_names(det: Detection, custom: Iterable[str] = ()) -> dict[str, str]:
    """Each input column's name in the per-row report: its own, or "input <name>" where it would take the
    place of the row number or a loss's column (an input named mse was overwritten by the MSE); ``custom``:
    the names of custom losses, whose columns are in the report too."""
    loss_names = {*losses.names(), *custom}
    taken = {"row", *loss_names, *det.columns}
    out = {}
    for c in det.columns:
        name = c
        if c == "row" or c in loss_names:
            name = f"input {c}"
            while name in taken:
                name = f"input {name}"
            taken.add(name)
        out[c] = name
    return out


def text_columns(det: Detection) -> list[str]:
    """The columns read with NA, null, ... kept as text: the id, and labels that are text (NA may be a class,
    or Namibia); in columns of numbers they are missing values."""
    out = [det.id_column] if det.id_column else []
    if det.true_kind == "labels" and any(isinstance(k, str) for k, _i in det.label_map):
        out.append(det.y_true[0])
    return out


def _per_row_frame(frame, file_rows: Rows, det: Detection, values, names, custom=()) -> pd.DataFrame:
    out = {"row": _row_array(file_rows)}
    for c, shown in report_names(det, custom).items():
        out[shown] = frame[c].to_numpy()
    for name in names:
        if name in values:
            out[name] = values[name]
    return pd.DataFrame(out)


# -- safe CSV ----------------------------------------------------------------------------------------
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A cell for a CSV that spreadsheets open: text starting with = + - @ tab or CR gets a leading quote
    so it is never run as a formula; numbers (and text that is exactly a number) stay as they are."""
    if value is None or isinstance(value, (bool, np.bool_)):
        return value
    if isinstance(value, (int, float, np.integer, np.floating)):
        return "" if isinstance(value, float) and math.isnan(value) else value
    text = str(value)
    if text.startswith(_DANGEROUS):
        try:
            float(text)
            if text.strip() == text:
                return text  # a plain number such as -1.5
        except ValueError:
            pass
        return "'" + text
    return text


def write_rows(writer, frame: pd.DataFrame) -> None:
    text_cols = [j for j, c in enumerate(frame.columns) if not pd.api.types.is_numeric_dtype(frame[c].dtype)]
    if not text_cols:
        writer.writerows(frame.itertuples(index=False, name=None))
        return
    for row in frame.itertuples(index=False, name=None):
        writer.writerow([safe_cell(v) if j in text_cols else v for j, v in enumerate(row)])


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """The whole per-row frame as formula-safe CSV bytes (UTF-8)."""
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([safe_cell(c) for c in frame.columns])
    write_rows(w, frame)
    return buf.getvalue().encode("utf-8")
