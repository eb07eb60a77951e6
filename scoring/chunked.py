"""Scoring a file chunk by chunk with mergeable partial sums.

Each chunk is turned into the arrays the losses take (labels mapped once for the whole file, predictions
checked), then every applicable loss adds ``spec.total`` (sum of per-row losses, count) to its running
totals; ``spec.finish_cost`` turns the merged totals into the cost (RMSE takes its square root there). Memory
holds one chunk at a time unless per-row values are asked for. Every number comes from ``losses``.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TextIO

import numpy as np
import pandas as pd

import losses
from losses.multiclass import softmax
from scoring.detect import ROW_SUM_TOL, Detection, _show, label_key
from scoring.errors import ScoringError
from scoring.reader import CHUNK_ROWS, CsvFormat, Source, iter_chunks, numeric

FIXES = ("normalise", "softmax")
_CORE_ROW_TOL = 1e-6  # the core's tolerance on rows summing to 1 (losses.validation.ROW_SUM_TOL)
_LOGIT_EPS = 1e-15  # probabilities are clipped to [eps, 1 - eps] before taking log-odds


@dataclass(frozen=True)
class Plan:
    """One loss to compute, and the form of the inputs it takes."""

    name: str
    true_form: str  # values | labels01 | labels_pm1 | class_labels | onehot | distributions
    pred_form: str  # values | probabilities | log_odds | logits | probs | class_logits | softmax
    note: str = ""


def effective_pred_kind(det: Detection, fix_rows: str | None) -> str:
    if det.task == "multiclass" and det.pred_kind == "probabilities" and fix_rows == "softmax":
        return "logits"
    return det.pred_kind


def plans(det: Detection, fix_rows: str | None = None, only: Iterable[str] | None = None) -> list[Plan]:
    """The losses that apply to this file, each with the input forms it takes (registry order)."""
    out: list[Plan] = []
    kind = effective_pred_kind(det, fix_rows)
    for name in losses.names(det.task):
        spec = losses.get(name)
        plan = _plan_for(spec, det, kind)
        if plan is not None:
            out.append(plan)
    if only:
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


def _plan_for(spec, det: Detection, kind: str) -> Plan | None:
    yt, yp = spec.y_true, spec.y_pred
    if det.task == "regression":
        return Plan(spec.name, "values", "values")
    if det.task == "binary":
        if kind == "probabilities":
            if yp == "probabilities":
                return Plan(spec.name, yt, "probabilities")
            if spec.name == "sigmoid_cross_entropy":
                return None  # on log-odds it is binary_cross_entropy again
            return Plan(spec.name, yt, "log_odds", "on the log-odds log(p / (1 - p)) of the probabilities")
        if yp == "probabilities":
            return None  # sigmoid_cross_entropy is the same loss on logits
        return Plan(spec.name, yt, "logits")
    # multiclass
    labels = det.true_kind == "labels"
    if labels:
        if spec.name == "kl_divergence":
            return None  # KL(one-hot || q) is the cross-entropy again
        true_form = "class_labels" if yt == "class_labels" else "onehot"
    else:
        if yt == "class_labels":
            return None
        true_form = "distributions"
    if kind == "probabilities":
        if yp == "class_logits":
            return None  # softmax of log-probabilities: the cross-entropy again
        return Plan(spec.name, true_form, "probs")
    if yp == "distributions":
        if labels and spec.name == "sparse_categorical_cross_entropy":
            return None  # softmax_cross_entropy is the same on logits
        if labels and spec.name == "categorical_cross_entropy":
            return None
        return Plan(spec.name, true_form, "softmax", "on the softmax of the logits")
    return Plan(spec.name, true_form, "class_logits")


def resolve_params(names: Iterable[str], params: Mapping[str, Any] | None) -> dict[str, dict[str, float]]:
    """``{"delta": 2}`` (every loss with a delta) or ``{"huber.delta": 2}`` -> per-loss checked parameters."""
    names = list(names)
    out: dict[str, dict[str, float]] = {n: {} for n in names}
    used: set[str] = set()
    for key, value in (params or {}).items():
        loss, _, pname = key.rpartition(".")
        targets = [loss] if loss else names
        for n in targets:
            if n not in out:
                continue
            spec = losses.get(n)
            if any(p.name == pname for p in spec.params):
                out[n][pname] = value
                used.add(key)
    unknown = [k for k in (params or {}) if k not in used]
    if unknown:
        have = sorted({f"{n}.{p.name}" for n in names for p in losses.get(n).params})
        raise ScoringError(
            "loss",
            f"No loss being computed takes the parameter {unknown[0]!r}. Parameters here: "
            + (", ".join(have) or "none") + ".",
        )  # fmt: skip
    try:
        return {n: losses.get(n).resolve(kw) for n, kw in out.items()}
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

    @property
    def costs(self) -> dict[str, float]:
        return {n: losses.get(n).finish_cost(s, c) for n, (s, c) in self.totals.items() if c}

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
                }
                for n, c in self.costs.items()
            },
            "skipped": dict(self.skipped),
            "detection": self.detection.to_dict(),
            "format": self.fmt.to_dict(),
            "notes": list(self.notes),
        }


# -- per chunk ---------------------------------------------------------------------------------------
def _labels(series: pd.Series, det: Detection, first: int) -> np.ndarray:
    """Class indexes (float, NaN where missing) for the label column of one chunk."""
    col = det.y_true[0]
    mapping = dict(det.label_map)
    n_classes = len(det.classes) if det.task == "multiclass" else 2
    if pd.api.types.is_bool_dtype(series.dtype) or pd.api.types.is_numeric_dtype(series.dtype):
        v = series.to_numpy(dtype=np.float64, na_value=np.nan)
        keys = [k for k in mapping if isinstance(k, float)]
        # fast paths: labels that are an affine map of the index (0/1, -1/+1, 0..k-1, 1..k)
        for a, b in ((1.0, 0.0), (0.5, 0.5), (1.0, -1.0)):
            if keys and all(mapping[k] == a * k + b for k in keys) and len(keys) == n_classes:
                idx = a * v + b
                bad = ~np.isnan(v) & ((idx != np.round(idx)) | (idx < 0) | (idx > n_classes - 1))
                if bad.any():
                    _bad_label(series, np.flatnonzero(bad)[0], first, col, mapping)
                return idx
        idx = (
            pd.Series(v)
            .map({k: float(i) for k, i in mapping.items() if isinstance(k, float)})
            .to_numpy(dtype=np.float64, na_value=np.nan)
        )
    else:
        text = series.astype("string").str.strip()
        direct = {k: float(i) for k, i in mapping.items() if isinstance(k, str)}
        direct.update({_show(k): float(i) for k, i in mapping.items() if isinstance(k, float)})
        present = (text.notna() & (text != "")).to_numpy(dtype=bool, na_value=False)
        idx = text.map(direct).to_numpy(dtype=np.float64, na_value=np.nan)
        slow = present & np.isnan(idx)
        for i in np.flatnonzero(slow):  # spellings such as "1.0" or "TRUE": the label's canonical key
            idx[i] = float(mapping.get(label_key(text.iloc[i]), -1.0))
        v = np.where(present, 0.0, np.nan)
    bad = ~np.isnan(v) & (np.isnan(idx) | (idx < 0))
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


def _nonfinite_check(a: np.ndarray, cols: tuple[str, ...], rows: np.ndarray) -> None:
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
    """One chunk's inputs in every form some loss needs (computed on first use)."""

    def __init__(self, det: Detection, t: np.ndarray, p: np.ndarray, fix_rows: str | None):
        self.det, self.t, self.p, self.fix = det, t, p, fix_rows
        self._cache: dict[str, np.ndarray] = {}

    def true(self, form: str) -> np.ndarray:
        if form in ("values", "class_labels", "labels01", "distributions"):
            return self.t
        if form not in self._cache:
            if form == "labels_pm1":
                self._cache[form] = 2.0 * self.t - 1.0
            elif form == "onehot":
                k = len(self.det.y_pred)
                y = np.zeros((len(self.t), k))
                y[np.arange(len(self.t)), self.t.astype(np.intp)] = 1.0
                self._cache[form] = y
        return self._cache[form]

    def pred(self, form: str) -> np.ndarray:
        if form in ("values", "probabilities", "logits", "probs", "class_logits"):
            return self.p
        if form not in self._cache:
            if form == "log_odds":
                # a change of variable, not a loss: the score whose sigmoid is p
                q = np.clip(self.p, _LOGIT_EPS, 1.0 - _LOGIT_EPS)
                self._cache[form] = np.log(q) - np.log1p(-q)
            elif form == "softmax":
                self._cache[form] = softmax(self.p)
        return self._cache[form]


def _check_pred(p: np.ndarray, det: Detection, kind: str, fix: str | None, rows: np.ndarray, notes: dict):
    """Check predictions for the detected kind; returns them ready for the losses (rows normalised)."""
    cols = det.y_pred
    if kind != "probabilities" or det.task == "regression":
        return p
    bad = (p < 0) | (p > 1)
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
        zero = sums <= 0
        if zero.any():
            i = int(np.flatnonzero(zero)[0])
            raise ScoringError(
                "row_sum",
                f"Row {int(rows[i])}: every class probability is 0, so the row cannot be normalised.",
                row=int(rows[i]),
            )  # fmt: skip
        notes["normalised"] = notes.get("normalised", 0) + int((dev > _CORE_ROW_TOL).sum())
        return p / sums[:, None]
    far = dev > ROW_SUM_TOL
    if far.any():
        i = int(np.flatnonzero(far)[0])
        raise ScoringError(
            "row_sum",
            f"Row {int(rows[i])}: the class probabilities sum to {sums[i]:.6g}, not 1. Choose 'normalise' to "
            "divide each row by its sum, or 'softmax' to read the columns as logits.",
            row=int(rows[i]),
            value=float(sums[i]),
        )
    near = dev > _CORE_ROW_TOL
    if near.any():  # rounding in the CSV: within ROW_SUM_TOL of 1
        notes["rounded"] = notes.get("rounded", 0) + int(near.sum())
        return p / sums[:, None]
    return p


def _skip_reason(exc: losses.LossInputError, spec, chunk_rows: np.ndarray, det: Detection) -> str:
    """Why a loss does not apply, with the file's row and column (the core's row is within the chunk)."""
    arg = getattr(exc, "argument", None)
    row = getattr(exc, "row", None)
    if arg in ("y_true", "y_pred") and row is not None and 0 <= row < len(chunk_rows):
        kind = spec.y_true if arg == "y_true" else spec.y_pred
        col = (det.y_true if arg == "y_true" else det.y_pred)[0]
        return (
            f"{spec.name} needs {losses.KINDS[kind]} in {arg}; row {int(chunk_rows[row])} of column {col!r} "
            "is outside that."
        )
    return f"{spec.name}: {exc}"


# -- the driver --------------------------------------------------------------------------------------
def score(
    source: Source,
    fmt: CsvFormat,
    det: Detection,
    *,
    loss_names: Iterable[str] | None = None,
    params: Mapping[str, Any] | None = None,
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
    ``missing`` error that counts them, unless ``drop_missing``.
    """
    if fix_rows not in (None, "", "none", *FIXES):
        raise ScoringError("loss", f"Unknown fix for rows {fix_rows!r}; choose normalise or softmax.")
    fix_rows = fix_rows if fix_rows in FIXES else None
    todo = plans(det, fix_rows, loss_names)
    if not todo:
        raise ScoringError("loss", f"No loss applies to a {det.task} file with {det.pred_kind} predictions.")
    kw = resolve_params([p.name for p in todo], params)
    kind = effective_pred_kind(det, fix_rows)
    specs = {p.name: losses.get(p.name) for p in todo}
    sums = {p.name: 0.0 for p in todo}
    counts = {p.name: 0 for p in todo}
    skipped: dict[str, str] = {}
    notes: dict[str, int] = {}
    usecols = det.columns
    rows_read = rows_scored = 0
    missing = 0
    first_missing: tuple[int, str] | None = None
    kept: list[pd.DataFrame] = []
    kept_t: list[np.ndarray] = []
    kept_p: list[np.ndarray] = []
    writer = None

    # Losses are independent and numpy releases the GIL: two at a time use the core the parser leaves idle.
    # (If scoring raises, the idle workers exit when the executor is collected.)
    pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="lossx-score")
    for first, frame, frac in iter_chunks(source, fmt, usecols=usecols, chunksize=chunksize):
        n = len(frame)
        rows_read += n
        file_rows = np.arange(first, first + n)
        if det.true_kind == "labels":
            t = _labels(frame[det.y_true[0]], det, first)
        else:
            t = _matrix(frame, det.y_true, first)
        p = _matrix(frame, det.y_pred, first)
        nan_t = np.isnan(t) if t.ndim == 1 else np.isnan(t).any(axis=1)
        nan_p = np.isnan(p) if p.ndim == 1 else np.isnan(p).any(axis=1)
        holes = nan_t | nan_p
        if holes.any():
            n_holes = int(holes.sum())
            missing += n_holes
            if first_missing is None:
                i = int(np.flatnonzero(holes)[0])
                if nan_t[i]:
                    tcols = det.y_true
                    j = 0 if t.ndim == 1 else int(np.flatnonzero(np.isnan(t[i]))[0])
                    col = tcols[j]
                else:
                    j = 0 if p.ndim == 1 else int(np.flatnonzero(np.isnan(p[i]))[0])
                    col = det.y_pred[j]
                first_missing = (int(file_rows[i]), col)
            if not drop_missing:
                continue  # keep counting; the error comes at the end with the total
            keep = ~holes
            t, p, file_rows, frame = t[keep], p[keep], file_rows[keep], frame[keep]
        if missing and not drop_missing:
            continue
        if len(t) == 0:
            continue
        _nonfinite_check(t, det.y_true, file_rows)
        _nonfinite_check(p, det.y_pred, file_rows)
        p = _check_pred(p, det, det.pred_kind if not fix_rows else kind, fix_rows, file_rows, notes)
        chunk = _Chunk(det, t, p, fix_rows)
        rows_scored += len(t)
        values: dict[str, np.ndarray] = {}
        live = [plan for plan in todo if plan.name not in skipped]
        inputs = {
            p.name: (chunk.true(p.true_form), chunk.pred(p.pred_form)) for p in live
        }  # cached here, once
        keep_rows = per_row or per_row_out is not None

        def one(plan: Plan, inputs=inputs, keep_rows=keep_rows):
            spec, (t_in, p_in) = specs[plan.name], inputs[plan.name]
            try:
                if keep_rows:
                    return spec.per_sample(t_in, p_in, **kw[plan.name]), None
                return spec.total(t_in, p_in, **kw[plan.name]), None
            except losses.LossInputError as error:
                return None, error

        for plan, (out, exc) in zip(live, pool.map(one, live), strict=True):
            name = plan.name
            if exc is not None:
                skipped[name] = _skip_reason(exc, specs[name], file_rows, det)
            elif keep_rows:
                values[name] = out
                sums[name] += float(np.add.reduce(out))
                counts[name] += len(out)
            else:
                sums[name] += out[0]
                counts[name] += out[1]
        if per_row or per_row_out is not None:
            out = _per_row_frame(
                frame, file_rows, det, values, [p.name for p in todo if p.name not in skipped]
            )
            if per_row:
                kept.append(out)
                kept_t.append(t)
                kept_p.append(p)
            if per_row_out is not None:
                if writer is None:
                    writer = csv.writer(per_row_out, lineterminator="\n")
                    writer.writerow([safe_cell(c) for c in out.columns])
                write_rows(writer, out)
        if progress is not None:
            progress(frac)

    if rows_read == 0:
        raise ScoringError("header_only" if fmt.header else "empty", "The file has no data rows.")
    if missing and not drop_missing:
        row, col = first_missing or (0, "")
        raise ScoringError(
            "missing",
            f"{missing} row{'s' if missing != 1 else ''} of {rows_read} ha{'ve' if missing != 1 else 's'} a "
            f"missing (empty or NaN) value, the first at row {row}, column {col!r}. Drop those rows to score "
            "the rest.",
            row=row,
            column=col,
            count=missing,
        )
    if rows_scored == 0:
        raise ScoringError("missing", f"All {rows_read} rows have a missing value; nothing to score.",
                           count=missing)  # fmt: skip
    text_notes = []
    if missing:
        text_notes.append(
            f"Dropped {missing} row(s) with missing values (the first at row {first_missing[0]})."
        )
    if notes.get("rounded"):
        text_notes.append(
            f"{notes['rounded']} row(s) of class probabilities summed to within {ROW_SUM_TOL:g} of 1 "
            "(rounding in the CSV) and were divided by their sum."
        )
    if notes.get("normalised"):
        text_notes.append(f"Normalised {notes['normalised']} row(s) of class probabilities to sum to 1.")
    if fix_rows == "softmax":
        text_notes.append("Class columns read as logits (softmax turns them into probabilities).")
    by_note: dict[str, list[str]] = {}
    for plan in todo:
        if plan.note and plan.name not in skipped:
            by_note.setdefault(plan.note, []).append(plan.name)
    for note, names in by_note.items():
        text_notes.append(f"{', '.join(names)} {'is' if len(names) == 1 else 'are'} computed {note}.")
    pool.shutdown(wait=True)
    totals = {n: (sums[n], counts[n]) for n in sums if n not in skipped}
    per = None
    if per_row:
        per = pd.concat(kept, ignore_index=True) if kept else None
        if per is not None:
            per = per.drop(columns=[c for c in skipped if c in per.columns])
    result = Result(det, fmt, {n: kw[n] for n in totals}, totals, skipped, rows_read, rows_scored, missing,
                    text_notes, [p for p in todo if p.name not in skipped], per)  # fmt: skip
    if per_row and kept_t:
        result.y_true = np.concatenate(kept_t)
        result.y_pred = np.concatenate(kept_p)
    return result


def _per_row_frame(frame, file_rows, det: Detection, values, names) -> pd.DataFrame:
    out = {"row": file_rows}
    for c in det.columns:
        out[c if c not in ("row",) else "input row"] = frame[c].to_numpy()
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
