"""Detecting the task and the columns from a sample of the file, and saying why.

The detector looks at column names (``y_true``, ``prediction``, ``prob_cat``, ...) when there are any and at
the values always: a label column of two classes makes a binary task, a group of per-class columns a
multi-class one, two columns of real numbers a regression. Every choice can be overridden; an override is
checked against the file and a choice that cannot work is a ``ScoringError`` that says why.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from scoring.errors import ScoringError
from scoring.lazy import later
from scoring.reader import NA_TEXTS, CsvFormat, distinct_values, is_na_text, numeric, read_sample, sample_rows

pd = later("pandas", globals(), "pd")  # imported when a file is read: not for --help

TASKS = ("regression", "binary", "multiclass")
#: Rows of class probabilities that sum to within this of 1 are rounding in the CSV: they count as summing to
#: 1 (the scorer divides them by their sum, with a note); farther off is an error that offers a fix. Looser
#: than the core's losses.ROW_SUM_TOL, which such rows would fail as they are.
ROW_SUM_ROUNDING_TOL = 1e-3

_ID_NAMES = {"id", "index", "row", "row_id", "rowid", "idx", "unnamed: 0", "key", "sample", "sample_id", "#"}
_TRUE_NAMES = [
    "y_true", "ytrue", "y", "target", "label", "labels", "actual", "actuals", "truth", "ground_truth", "true",
    "observed", "class", "y_test", "outcome", "gold", "true_label", "true_value", "obs", "response",
]  # fmt: skip
_PRED_NAMES = [
    "y_pred", "ypred", "pred", "preds", "prediction", "predictions", "predicted", "yhat", "y_hat", "score",
    "scores", "prob", "proba", "probability", "logit", "logits", "output", "forecast", "estimate", "fitted",
    "p", "y_score", "y_prob", "y_proba", "pred_prob", "predicted_probability", "decision", "margin",
]  # fmt: skip
_PRED_PREFIXES = (
    "y_pred_",
    "prob_",
    "proba_",
    "probability_",
    "p_",
    "pred_",
    "score_",
    "logit_",
    "prob.",
    "p.",
)
_PRED_SUFFIXES = ("_prob", "_proba", "_probability", "_score", "_logit", "_pred")
_TRUE_PREFIXES = ("y_true_", "true_", "target_", "label_", "actual_", "onehot_", "y_")
_NUMBERED_STEMS = {"p", "prob", "proba", "pred", "score", "logit", "class", "c", "y_pred", "output", "out"}
_POSITIVE_WORDS = {"1", "true", "yes", "y", "t", "pos", "positive", "spam", "rain", "fraud", "churn", "sick",
                   "default", "success", "win", "event", "malignant", "abnormal", "+1"}  # fmt: skip


@dataclass(frozen=True)
class Detection:
    """What the file holds: the task, which columns are truth and prediction, and how to read them."""

    task: str
    y_true: tuple[str, ...]  # one label/target column, or k target-distribution columns
    y_pred: tuple[str, ...]  # one prediction column, or k per-class columns
    pred_kind: str  # "values" | "probabilities" | "logits"
    true_kind: str  # "values" | "labels" | "distributions"
    id_column: str | None = None
    classes: tuple[str, ...] = ()  # binary: (negative, positive); multiclass: one per y_pred column
    #: label value (a float, or a string) -> class index; binary 0/1, multiclass the y_pred column
    label_map: tuple[tuple[object, int], ...] = ()
    row_sums_ok: bool = True  # multiclass probabilities: rows of the sample sum to 1
    reasons: tuple[str, ...] = field(default=(), compare=False)
    ignored: tuple[str, ...] = field(default=(), compare=False)

    @property
    def columns(self) -> list[str]:
        truth = set(self.y_true)
        cols = list(self.y_true) + [c for c in self.y_pred if c not in truth]
        if self.id_column and self.id_column not in cols:
            cols.insert(0, self.id_column)
        return cols

    def to_dict(self) -> dict:
        return {
            "task": self.task,
            "y_true": list(self.y_true),
            "y_pred": list(self.y_pred),
            "pred_kind": self.pred_kind,
            "true_kind": self.true_kind,
            "id_column": self.id_column,
            "classes": list(self.classes),
            "label_map": [[k, v] for k, v in self.label_map],
            "row_sums_ok": self.row_sums_ok,
            "reasons": list(self.reasons),
            "ignored": list(self.ignored),
        }


# -- profiles ----------------------------------------------------------------------------------------
@dataclass
class _Col:
    name: str
    numeric: bool
    values: np.ndarray | None  # float64 with NaN for missing (numeric columns)
    texts: list[str]  # distinct non-missing texts (first 60), for text columns
    missing: int
    n: int
    raw: np.ndarray | None = None  # a text column's cells as read (to name a cell that is not a number)
    #: texts pandas reads as missing (NA, null, ...) seen in a text column: missing values, unless one names
    #: a class (a column prob_NA beside labels NA, US, DE)
    na_texts: list[str] = field(default_factory=list)
    whole: list[float] | None = None  # a numeric column's distinct values over the whole file

    @property
    def finite(self) -> np.ndarray:
        v = self.values
        return v[np.isfinite(v)] if v is not None else np.empty(0)

    def distinct(self, limit: int = 60) -> list:
        if self.numeric:
            if self.whole is not None:
                return self.whole[: limit + 1]
            u = np.unique(self.finite)
            return [float(x) for x in u[: limit + 1]]
        return self.texts[: limit + 1]

    @property
    def integral(self) -> bool:
        f = self.finite
        return self.numeric and f.size > 0 and bool(np.all(f == np.round(f)))

    @property
    def empty(self) -> bool:
        return self.missing == self.n


def label_key(value: object) -> object:
    """The key of a label value in ``Detection.label_map``: floats for numbers and booleans, else text."""
    if isinstance(value, (bool, np.bool_)):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    text = str(value).strip()
    low = text.lower()
    if low in ("true", "false"):
        return 1.0 if low == "true" else 0.0
    try:
        f = float(text)
    except ValueError:
        return text
    return f if math.isfinite(f) else text


def _show(key: object) -> str:
    if isinstance(key, float):
        return f"{key:g}"
    return str(key)


def _profile(frame: pd.DataFrame) -> dict[str, _Col]:
    """Each column of the sample: numeric or text, its values or distinct texts, its missing cells.

    The work is done on all the numeric columns at once and on all the text columns at once (one pandas call
    over every text cell, not one per column): a few calls whatever the number of columns.
    """
    n = len(frame)
    dtypes = frame.dtypes.tolist()
    names = list(frame.columns)
    is_num = [pd.api.types.is_bool_dtype(d) or pd.api.types.is_numeric_dtype(d) for d in dtypes]
    out: dict[str, _Col] = {}
    num_idx = [j for j, f in enumerate(is_num) if f]
    if num_idx:
        block = frame.iloc[:, num_idx].to_numpy(dtype=np.float64, na_value=np.nan)
        missing = np.isnan(block).sum(axis=0)
        for pos, j in enumerate(num_idx):
            out[j] = _Col(names[j], True, block[:, pos], [], int(missing[pos]), n)
    text_idx = [j for j, f in enumerate(is_num) if not f]
    if text_idx:
        cells_of = frame.iloc[:, text_idx].to_numpy(dtype=object)
        cells = cells_of.ravel(order="F")  # column after column
        text = pd.Series(cells, dtype="string").str.strip()
        conv = pd.to_numeric(text.str.lower().map({"true": "1", "false": "0"}).fillna(text), errors="coerce")
        na_like = text.isin(NA_TEXTS).to_numpy(dtype=bool, na_value=False).reshape(n, -1, order="F")
        present = (text.notna() & (text != "")).to_numpy(dtype=bool, na_value=False).reshape(n, -1, order="F")
        present &= ~na_like
        values = conv.to_numpy(dtype=np.float64, na_value=np.nan).reshape(n, -1, order="F")
        stripped = text.to_numpy(dtype=object, na_value=None).reshape(n, -1, order="F")
        counts, good = present.sum(axis=0), (present & ~np.isnan(values)).sum(axis=0)
        for pos, j in enumerate(text_idx):
            p = int(counts[pos])
            if p and good[pos] >= 0.9 * p:  # numbers with a stray bad cell: the scorer will name the cell
                out[j] = _Col(names[j], True, values[:, pos], [], n - p, n, cells_of[:, pos])
            else:
                distinct = list(pd.unique(stripped[present[:, pos], pos])[:61])
                na_texts = list(pd.unique(stripped[na_like[:, pos], pos])[:61])
                out[j] = _Col(names[j], False, None, distinct, n - p, n, cells_of[:, pos], na_texts)
    return {names[j]: out[j] for j in range(len(names))}


def _with_whole_file(profiles: dict[str, _Col], whole: Mapping[str, list]) -> None:
    """Each column's distinct values from the whole file (``reader.distinct_values``) in place of the
    sample's: the labels of a sorted file ("no" for 20,000 rows, then "yes") are all seen."""
    for c, values in whole.items():
        col = profiles.get(c)
        if col is None:
            continue
        if col.numeric:
            keys = {label_key(v) for v in values}
            col.whole = sorted(k for k in keys if isinstance(k, float))
        else:
            texts = [_show(v) if isinstance(v, float) else str(v) for v in values]
            col.texts = [t for t in texts if not is_na_text(t)]
            col.na_texts = [t for t in texts if is_na_text(t)]


def _label_candidates(profiles: dict[str, _Col], limit: int = 16) -> list[str]:
    """Columns that may hold labels (integers or a few texts), those named like targets first: the ones
    whose distinct values ``detect_file`` reads from the whole file."""
    cols = [c for c, col in profiles.items() if not col.empty and _label_like(col)]
    cols.sort(key=lambda c: _norm(c) not in _TRUE_NAMES)
    return cols[:limit]


def detect_file(source, fmt: CsvFormat, **choices) -> Detection:
    """``detect`` on the file's sample, with the labels of the whole file when the sample is not all of it."""
    sample = read_sample(source, fmt)
    whole = None
    if len(sample) >= sample_rows(fmt):  # the file may go on: read its labels to the end
        cols = _label_candidates(_profile(sample))
        whole = distinct_values(source, fmt, cols) if cols else None
    return detect(sample, fmt, whole=whole, **choices)


#: At most this many distinct cells in each label column of the sample for its labels to be taken from the
#: sample alone (``detect_deferred``): far below ``distinct_values``' limit (61), which the whole-file pass
#: must not reach before every label of the sample is in it.
DEFER_MAX_LABELS = 20


class LabelCheck:
    """The labels ``detect_deferred`` took from the sample, checked in every chunk the scorer reads.

    ``keys``: each label column's labels in the sample (``label_key``: numbers as floats). A chunk with a
    label outside them (``see``) means the whole file's labels may not be the sample's: then the detection
    from the whole file (``detect_file``, the labels read to the end) is made, as it would have been before
    scoring. If it is the same as the sample's, scoring goes on (nothing it computes depends on the pass);
    if it raises, that error is the file's; if it differs, the file is refused with both detections, since
    the rows read so far were scored for the other one.
    """

    def __init__(self, keys: Mapping[str, frozenset], recheck, rows: int):
        self.keys, self.recheck, self.rows = dict(keys), recheck, rows
        self.settled = False  # the whole file's detection has been made: nothing more to check

    def see(self, frame: pd.DataFrame, first: int) -> None:
        """Check one chunk (``first``: its first row's number); may read the whole file's labels once."""
        if self.settled:
            return
        for c, keys in self.keys.items():
            if c in frame.columns and (new := _new_label(frame[c], keys)) is not None:
                self.settled = True
                self.recheck(c, new, first)
                return


def _new_label(series: pd.Series, keys: frozenset) -> object | None:
    """A label of ``series`` (as ``label_key`` makes it: a finite float) that is not in ``keys``, or None."""
    dtype = series.dtype
    if pd.api.types.is_integer_dtype(dtype) and isinstance(dtype, np.dtype):  # labels 0/1: two reductions
        if series.empty:
            return None
        lo, hi = int(series.min()), int(series.max())
        if hi - lo <= 64 and all(float(k) in keys for k in range(lo, hi + 1)):
            return None
    values = pd.unique(series.dropna())
    for v in values:
        k = label_key(v)
        if isinstance(k, float) and k not in keys:
            return k
    return None


def _sample_labels(sample: pd.DataFrame, cols: Sequence[str], profiles: Mapping[str, _Col]):
    """Each label column's labels in the sample (finite floats, as ``label_key`` makes them), or None when
    the sample cannot stand for the whole file's pass: a column of texts, or more than ``DEFER_MAX_LABELS``
    distinct cells."""
    out = {}
    for c in cols:
        if not profiles[c].numeric:
            return None
        cells = pd.unique(sample[c].dropna())
        if len(cells) > DEFER_MAX_LABELS:
            return None
        out[c] = frozenset(k for k in map(label_key, cells) if isinstance(k, float))
    return out


def detect_deferred(source, fmt: CsvFormat, **choices) -> tuple[CsvFormat, Detection]:
    """``detect_file`` without its pass over the whole file where the sample's labels can stand for it; the
    format returned checks them in the scorer's own read (``CsvFormat.labels``, a ``LabelCheck``).

    The pass read the label columns to the end (as long as parsing the file again: 1.1 s of a 3.2 s run on
    1e7 binary rows) only to find labels the sample has not seen. Where the label columns are numbers, few
    enough, and among the columns scoring reads, their labels are checked in each chunk instead; on the
    first one the sample has not seen, the pass is made then (see ``LabelCheck``). The detection is the one
    ``detect_file`` makes whenever the file has no such label.
    """
    sample = read_sample(source, fmt)
    if len(sample) < sample_rows(fmt):  # the sample is the whole file
        return fmt, detect(sample, fmt, **choices)
    profiles = _profile(sample)
    cols = _label_candidates(profiles)
    keys = _sample_labels(sample, cols, profiles) if cols else None
    if not keys:
        return fmt, detect(sample, fmt, whole=distinct_values(source, fmt, cols) if cols else None, **choices)
    try:
        det = detect(sample, fmt, whole={c: sorted(k) for c, k in keys.items()}, **choices)
    except ScoringError:
        det = None
    if det is None or not _stands_for_the_file(det, keys):  # the pass, as before
        return fmt, detect(sample, fmt, whole=distinct_values(source, fmt, cols), **choices)

    def recheck(column: str, label: float, first: int) -> None:
        full = detect_file(source, fmt, **choices)
        if full != det:
            raise ScoringError(
                "detect",
                f"Column {column!r} has the label {_show(label)} in rows {first:,} and after, which its "
                f"first {len(sample):,} rows do not have ({', '.join(map(_show, sorted(keys[column])))}). "
                f"Read to the end, the file is {_what(full)}, not {_what(det)} as its first rows say, and "
                "rows were scored for that. Choose the task and the columns yourself (task, y_true, y_pred).",
                column=column,
                value=label,
            )

    return replace(fmt, labels=LabelCheck(keys, recheck, len(sample))), det


def _stands_for_the_file(det: Detection, keys: Mapping[str, frozenset]) -> bool:
    """Whether the sample's labels may stand for the whole file's: a classifier's labels, every class seen
    in the sample (a sorted file shows one class for 20,000 rows), and every label column read by scoring
    (where ``LabelCheck`` sees it). A regression, a refusal or a class missing from the sample: the pass."""
    if det.task == "regression" or det.true_kind != "labels" or not set(keys) <= set(det.columns):
        return False
    mapped = {k for k, _i in det.label_map}
    return keys[det.y_true[0]] == mapped and len({i for _k, i in det.label_map}) == len(det.classes)


def _what(det: Detection) -> str:
    return f"{det.task} (y_true = {', '.join(det.y_true)}; y_pred = {', '.join(det.y_pred)})"


def _names(columns: Sequence[str], limit: int = 12) -> str:
    """Column names for a message: the first ``limit`` quoted, then how many more."""
    shown = ", ".join(repr(c) for c in columns[:limit])
    return shown + (f" and {len(columns) - limit:,} more" if len(columns) > limit else "")


def _norm(name: str) -> str:
    return re.sub(r"\s+", "_", name.strip().lower())


_TRUE_WORDS = {"true", "actual", "actuals", "target", "label", "truth", "observed", "measured", "gold"}
_PRED_WORDS = {
    "pred", "preds", "prediction", "predicted", "forecast", "estimate", "estimated", "fitted", "yhat", "prob",
    "proba", "probability", "score", "logit", "output",
}  # fmt: skip


def _named(cols: Sequence[str], names: list[str]) -> str | None:
    """The column named like one of ``names`` (exactly), else one with a telling word in its name."""
    by = {_norm(c): c for c in cols}
    for n in names:
        if n in by:
            return by[n]
    words = _TRUE_WORDS if names is _TRUE_NAMES else _PRED_WORDS
    other = _PRED_WORDS if names is _TRUE_NAMES else _TRUE_WORDS
    for c in cols:
        tokens = set(re.split(r"[^a-z0-9]+", c.lower()))
        if tokens & words and not tokens & other:
            return c
    return None


def _strip_affix(name: str, prefixes: Sequence[str], suffixes: Sequence[str] = ()) -> str | None:
    low = name.strip().lower()
    for p in prefixes:
        if low.startswith(p) and len(low) > len(p):
            return name.strip()[len(p) :]
    for s in suffixes:
        if low.endswith(s) and len(low) > len(s):
            return name.strip()[: -len(s)]
    return None


def _group(cols: Sequence[str], profiles: dict[str, _Col], prefixes, suffixes=()) -> dict[str, str]:
    """Numeric columns named with one of the affixes: class suffix -> column (the largest group)."""
    best: dict[str, str] = {}
    for p in list(prefixes) + [None]:
        group: dict[str, str] = {}
        for c in cols:
            if not profiles[c].numeric:
                continue
            cls = _strip_affix(c, [p] if p else [], () if p else suffixes)
            if cls is not None and cls not in group:
                group[cls] = c
        if len(group) > len(best):
            best = group
    if len(best) < 2 and prefixes is _PRED_PREFIXES:  # p1, p2, p3 / class0, class1: a short stem and a number
        stems: dict[str, dict[str, str]] = {}
        for c in cols:
            m = re.match(r"^\s*([A-Za-z_]*?)[_ .]?(\d+)\s*$", c)
            if m and m.group(1).lower() in _NUMBERED_STEMS and profiles[c].numeric:
                stems.setdefault(m.group(1).lower(), {})[m.group(2)] = c
        for group in stems.values():
            if len(group) > len(best):
                best = group
    return best if len(best) >= 2 else {}


def _is_probish(name: str) -> bool:
    """A column named like probabilities (prob, proba, p_..., y_prob)."""
    low = _norm(name)
    return "prob" in low or low == "p" or low.startswith("p_") or low.endswith("_p")


#: Numbers as a spreadsheet or a report writes them, which CSV readers take as text.
_WRITTEN_NUMBER = re.compile(
    r"^[-+]?(?:\d+(?:[.,]\d+)?\s*%"  # 45%, 12.5 %
    r"|\d{1,3}(?:,\d{3})+(?:\.\d+)?"  # 1,000 / 12,345.6
    r"|0[xX][0-9a-fA-F]+"  # 0x10
    r"|[$€£¥]\s*\d[\d,]*(?:\.\d+)?|\d[\d,]*(?:\.\d+)?\s*[$€£¥])$"  # $1.50, 3 €
)


def _numbers_as_text(texts: Sequence[str]) -> str | None:
    """The first of ``texts`` when most of them are numbers written as text (45%, 1,000, 0x10, $1.50)."""
    hits = [t for t in texts if _WRITTEN_NUMBER.match(t.strip())]
    return hits[0] if texts and len(hits) >= 0.9 * len(texts) else None


def _is_scoreish(name: str) -> bool:
    """A column named like a classifier's scores or logits (score, logit, margin, decision, y_score)."""
    low = _norm(name)
    return any(w in low for w in ("score", "logit", "margin", "decision"))


def _is_id(col: _Col, position: int, fmt: CsvFormat) -> str | None:
    name = _norm(col.name)
    if name in _ID_NAMES or name.endswith("_id"):
        return f"{col.name!r} is named like an id"
    if name in _TRUE_NAMES or name in _PRED_NAMES or _is_probish(col.name):
        return None
    if position == 0 and fmt.header and col.name == "column 1":
        return "the first column has no name (a pandas index)"
    if col.numeric and position == 0 and col.n >= 5 and col.missing == 0 and col.integral:
        d = np.diff(col.values)
        if np.all(d == 1) and col.values[0] in (0.0, 1.0):
            return f"{col.name!r} counts 0, 1, 2, ... like a row index"
    if not col.numeric and col.n >= 20 and col.missing == 0 and len(col.texts) > 60:
        return f"{col.name!r} is text with a different value in every row"
    return None


def _check_cols(names: Sequence[str], fmt_cols: Sequence[str], what: str) -> tuple[str, ...]:
    have = set(fmt_cols)
    for n in names:
        if n not in have:
            raise ScoringError(
                "column",
                f"There is no column {n!r} to use as {what}. The columns are: " + _names(list(fmt_cols), 40)
                + ".",
                column=n,
            )  # fmt: skip
    return tuple(names)


# -- detection ---------------------------------------------------------------------------------------
def detect(
    sample: pd.DataFrame,
    fmt: CsvFormat,
    *,
    task: str | None = None,
    y_true: Sequence[str] | None = None,
    y_pred: Sequence[str] | None = None,
    id_column: str | None = None,
    positive: str | None = None,
    pred_kind: str | None = None,
    whole: Mapping[str, list] | None = None,
) -> Detection:
    """Detect the task and the columns from ``sample``; any argument given overrides that choice. ``whole``:
    some columns' distinct values over the whole file, which replace the sample's (see ``detect_file``)."""
    if task in ("auto", ""):
        task = None
    if task is not None and task not in TASKS:
        raise ScoringError("detect", f"Unknown task {task!r}; choose one of auto, {', '.join(TASKS)}.")
    if pred_kind in ("auto", ""):
        pred_kind = None
    if pred_kind is not None and pred_kind not in ("values", "probabilities", "logits"):
        raise ScoringError(
            "detect", f"Unknown prediction kind {pred_kind!r}; choose probabilities or logits."
        )
    cols = list(sample.columns)
    profiles = _profile(sample)
    if whole:
        _with_whole_file(profiles, whole)
    reasons: list[str] = []
    ignored: list[str] = []

    chosen = set(y_true or ()) | set(y_pred or ())
    ignored = [c for c in cols if profiles[c].empty and c not in chosen]
    if ignored:
        reasons.append("Ignored empty column(s): " + _names(ignored) + ".")
    skip = set(ignored)
    live = [c for c in cols if c not in skip]
    position = {c: i for i, c in enumerate(cols)}

    # the id column
    if id_column in ("", "none", None):
        id_col = None
        if id_column is None:
            for c in live:
                why = _is_id(profiles[c], position[c], fmt)
                if why and c not in chosen:
                    id_col = c
                    reasons.append(f"Id column: {c!r} ({why}); it is kept in the report, not scored.")
                    break
    else:
        id_col = _check_cols([id_column], cols, "the id column")[0]
        reasons.append(f"Id column: {id_col!r} (as chosen).")
    pool = [c for c in live if c != id_col]
    if len(pool) < 2 and not (y_true and y_pred):
        raise ScoringError(
            "one_column",
            "After setting aside the id column the file has only one column ("
            + _names(pool) + "). Scoring needs true values and predictions.",
        )  # fmt: skip
    if y_true:
        y_true = _check_cols(y_true, cols, "y_true")
    if y_pred:
        y_pred = _check_cols(y_pred, cols, "y_pred")

    if task is None:
        task, y_true, y_pred = _guess(pool, profiles, y_true, y_pred, reasons)
    else:
        reasons.append(f"Task: {task} (as chosen).")
        y_true, y_pred = _columns_for(task, pool, profiles, y_true, y_pred, reasons)

    for c in list(y_true) + list(y_pred):
        if c == id_col:
            raise ScoringError(
                "column", f"Column {c!r} is the id column; it cannot also be scored.", column=c
            )
    overlap = set(y_true) & set(y_pred)
    if overlap:
        c = sorted(overlap)[0]
        raise ScoringError("column", f"Column {c!r} is chosen as both y_true and y_pred.", column=c)
    used = set(y_true) | set(y_pred)
    extra = [c for c in pool if c not in used]
    if extra:
        reasons.append("Not used: " + _names(extra) + ".")

    if task == "regression":
        return _regression(y_true, y_pred, profiles, id_col, reasons, ignored)
    if task == "binary":
        return _binary(y_true, y_pred, profiles, id_col, positive, pred_kind, reasons, ignored)
    return _multiclass(y_true, y_pred, profiles, id_col, pred_kind, reasons, ignored)


def _label_like(col: _Col) -> bool:
    if col.numeric:
        return col.integral and len(col.distinct(60)) <= 60
    return 1 <= len(col.texts) <= 60


def _binary_labels(col: _Col) -> bool:
    d = col.distinct(3)
    if col.numeric:
        return len(d) <= 2 and set(d) <= {0.0, 1.0, -1.0} and not set(d) == {0.0, -1.0}
    keys = {label_key(t) for t in d}
    return len(d) == 2 or (len(d) <= 2 and keys <= {0.0, 1.0, -1.0})


def _exactly_named(pool, profiles) -> bool:
    """Whether a column is named exactly like a target (y_true, label, ...) and a numeric one exactly like a
    prediction (y_pred, p, ...): such names are meant, and win over per-class columns beside them."""
    names = {_norm(c) for c in pool}
    pred = next((c for c in pool if _norm(c) in _PRED_NAMES), None)
    return bool(names & set(_TRUE_NAMES)) and pred is not None and profiles[pred].numeric


def _guess(pool, profiles, y_true, y_pred, reasons):
    """Choose the task and columns when the task is not given."""
    if y_true is None and y_pred is None and _exactly_named(pool, profiles):
        pred_group = {}
    else:
        pred_group = _group(
            [c for c in pool if c not in (y_true or ())], profiles, _PRED_PREFIXES, _PRED_SUFFIXES
        )
    if y_pred and len(y_pred) >= 2:
        reasons.append(f"Task: multiclass ({len(y_pred)} prediction columns were chosen).")
        return "multiclass", *_columns_for(
            "multiclass", pool, profiles, y_true, y_pred, reasons, announce=False
        )
    if y_pred is None and pred_group:
        names = ", ".join(repr(c) for c in pred_group.values())
        reasons.append(f"Task: multiclass (one prediction column per class: {names}).")
        return "multiclass", *_columns_for(
            "multiclass", pool, profiles, y_true, None, reasons, announce=False
        )
    # a label column whose values name other columns: the class columns
    numeric_by_name = {o.strip().lower(): o for o in pool if profiles[o].numeric}  # once, not per column
    named = y_true is None and y_pred is None and _exactly_named(pool, profiles)
    for c in pool if y_pred is None and not named else ():
        col = profiles[c]
        if y_true and c not in y_true:
            continue
        if not _label_like(col):
            continue
        keys = [_show(label_key(v)).lower() for v in col.distinct(60)]
        keys += [t.lower() for t in col.na_texts if numeric_by_name.get(t.lower()) not in (None, c)]
        if len(keys) >= 2 and all(numeric_by_name.get(k) not in (None, c) for k in keys):
            reasons.append(f"Task: multiclass (the labels in {c!r} name the other columns).")
            return "multiclass", *_columns_for(
                "multiclass", pool, profiles, (c,), None, reasons, announce=False
            )
    yt = y_true[0] if y_true else (_named(pool, _TRUE_NAMES) or None)
    # positional multi-class: integer labels 0..k-1 and k numeric columns besides
    if yt is None and y_pred is None:
        first = profiles[pool[0]]
        rest = [c for c in pool[1:] if profiles[c].numeric]
        if first.integral and len(rest) >= 3 and first.finite.min() >= 0 and first.finite.max() < len(rest):
            reasons.append(f"Task: multiclass (integer labels in {pool[0]!r}, {len(rest)} class columns).")
            return "multiclass", *_columns_for("multiclass", pool, profiles, (pool[0],), tuple(rest), reasons,
                                               announce=False)  # fmt: skip
    if yt is None:
        yt = pool[0]
    col = profiles[yt]
    rest_num = [c for c in pool if c != yt and profiles[c].numeric]
    pred = y_pred[0] if y_pred else (_named(rest_num, _PRED_NAMES) or (rest_num[0] if rest_num else None))
    probish = pred is not None and _is_probish(pred)
    if col.integral and len(col.distinct(10)) <= 10 and probish and not _binary_labels(col):
        reasons.append(
            f"Task: binary (the prediction column is named like probabilities; {yt!r} holds labels)."
        )
        return "binary", *_columns_for("binary", pool, profiles, (yt,), y_pred, reasons, announce=False)
    if col.integral and len(col.distinct(2)) == 2 and pred is not None and not _binary_labels(col):
        f = profiles[pred].finite
        why = ("named like scores" if _is_scoreish(pred) else
               "within [0, 1]" if f.size and f.min() >= 0 and f.max() <= 1 else "")  # fmt: skip
        if why:
            shown = ", ".join(_show(label_key(v)) for v in col.distinct(2))
            reasons.append(f"Task: binary ({yt!r} holds two integer labels, {shown}; {pred!r} is {why}).")
            return "binary", *_columns_for("binary", pool, profiles, (yt,), y_pred, reasons, announce=False)
    if _binary_labels(col):
        shown = ", ".join(_show(label_key(v)) for v in col.distinct(2))
        reasons.append(f"Task: binary ({yt!r} holds two classes: {shown}).")
        return "binary", *_columns_for("binary", pool, profiles, (yt,), y_pred, reasons, announce=False)
    if not col.numeric:
        written = _numbers_as_text(col.texts)
        if written:
            raise ScoringError(
                "non_numeric",
                f"Column {yt!r} holds numbers written as text, such as {written!r}: save them as plain "
                "numbers (45% as 0.45, 1,000 as 1000, 0x10 as 16, $1.50 as 1.5), or choose the columns "
                "yourself.",
                column=yt,
                value=written,
            )
        if len(col.texts) > 2:
            raise ScoringError(
                "detect",
                f"Column {yt!r} holds {len(col.texts)} class names but there is no column of "
                "probabilities or "
                "logits per class. Name them after the classes (for example prob_" + col.texts[0] + "), or "
                "choose the columns yourself.",
                column=yt,
            )
        raise ScoringError(
            "detect", f"Column {yt!r} holds text, so it cannot be a regression target.", column=yt
        )
    reasons.append(f"Task: regression ({yt!r} holds real numbers).")
    return "regression", *_columns_for("regression", pool, profiles, (yt,), y_pred, reasons, announce=False)


def _columns_for(task, pool, profiles, y_true, y_pred, reasons, announce=True):
    """Fill in whichever of y_true / y_pred is not given, for a known task."""
    if task == "multiclass":
        if y_pred is None:
            rest = [c for c in pool if c not in (y_true or ())]
            group = _group(rest, profiles, _PRED_PREFIXES, _PRED_SUFFIXES)
            if not group and y_true and len(y_true) == 1:
                col = profiles[y_true[0]]
                keys = {_show(label_key(v)).lower() for v in [*col.distinct(60), *col.na_texts]}
                group = {o: o for o in rest if profiles[o].numeric and o.strip().lower() in keys}
            if not group:
                targets = set(_group(rest, profiles, _TRUE_PREFIXES).values())
                group = {c: c for c in rest if profiles[c].numeric and c not in targets}
            if len(group) < 2:
                raise ScoringError(
                    "detect",
                    "A multi-class file needs one column of probabilities or logits per class "
                    "(at least two), "
                    "for example prob_cat, prob_dog, prob_bird.",
                )
            y_pred = tuple(group.values())
            reasons.append("Prediction columns: " + ", ".join(repr(c) for c in y_pred) + ".")
        if y_true is None:
            rest = [c for c in pool if c not in y_pred]
            tgroup = _group(rest, profiles, _TRUE_PREFIXES)
            pred_classes = [_class_name(c) for c in y_pred]
            if tgroup and len(tgroup) == len(y_pred):
                by = {k.lower(): v for k, v in tgroup.items()}
                if all(k.lower() in by for k in pred_classes):
                    y_true = tuple(by[k.lower()] for k in pred_classes)
                else:
                    y_true = tuple(tgroup.values())
                reasons.append("Targets: one column per class (" + ", ".join(repr(c) for c in y_true) + ").")
            else:
                yt = _named(rest, _TRUE_NAMES) or next((c for c in rest if _label_like(profiles[c])), None)
                if yt is None:
                    raise ScoringError(
                        "detect", "No column of class labels was found; choose y_true yourself."
                    )
                y_true = (yt,)
                reasons.append(f"Labels: {yt!r}.")
        return tuple(y_true), tuple(y_pred)
    if y_true is None:
        yt = _named([c for c in pool if c not in (y_pred or ())], _TRUE_NAMES)
        if yt is None:
            yt = next(c for c in pool if c not in (y_pred or ()))
            reasons.append(f"y_true: {yt!r} (the first column; no column is named like a target).")
        else:
            reasons.append(f"y_true: {yt!r} (by its name).")
        y_true = (yt,)
    else:
        reasons.append(f"y_true: {y_true[0]!r}" + (" (as chosen)." if announce else "."))
    if y_pred is None:
        rest = [c for c in pool if c not in y_true]
        yp = _named(rest, _PRED_NAMES) or next(
            (c for c in rest if profiles[c].numeric and _strip_affix(c, _PRED_PREFIXES, _PRED_SUFFIXES)), None
        )
        if yp is not None:
            reasons.append(f"y_pred: {yp!r} (by its name).")
        else:
            numeric = [c for c in rest if profiles[c].numeric]
            if not numeric:
                raise ScoringError(
                    "detect",
                    "No column of numeric predictions was found: " + ", ".join(
                        f"{c!r} holds text" for c in rest) + ". Choose y_pred yourself.",
                )  # fmt: skip
            yp = numeric[0]
            reasons.append(f"y_pred: {yp!r} (the first numeric column after y_true).")
        y_pred = (yp,)
    else:
        reasons.append(f"y_pred: {', '.join(repr(c) for c in y_pred)} (as chosen).")
    if len(y_true) != 1:
        raise ScoringError("column", f"A {task} task takes one y_true column; got {len(y_true)}.")
    if len(y_pred) != 1:
        raise ScoringError(
            "column", f"A {task} task takes one y_pred column; got {len(y_pred)}. For one column per class "
            "choose the task multiclass.",
        )  # fmt: skip
    return tuple(y_true), tuple(y_pred)


def _class_name(column: str) -> str:
    return _strip_affix(column, _PRED_PREFIXES, _PRED_SUFFIXES) or column.strip()


def _require_numeric(profiles, names, role):
    for c in names:
        if profiles[c].raw is not None:
            numeric(pd.Series(profiles[c].raw), c, 1)  # names the first cell that is not a number
        if not profiles[c].numeric:
            sample = profiles[c].texts[0] if profiles[c].texts else ""
            raise ScoringError(
                "non_numeric",
                f"Column {c!r} ({role}) holds text such as {sample[:40]!r}, not numbers.",
                column=c,
                value=sample,
            )


def _regression(y_true, y_pred, profiles, id_col, reasons, ignored) -> Detection:
    _require_numeric(profiles, list(y_true) + list(y_pred), "regression needs numbers")
    return Detection("regression", y_true, y_pred, "values", "values", id_col, reasons=tuple(reasons),
                     ignored=tuple(ignored))  # fmt: skip


def _pred_kind_binary(profiles, c, reasons, forced) -> str:
    f = profiles[c].finite
    if forced:
        reasons.append(f"Predictions: {forced} (as chosen).")
        return forced
    if f.size and f.min() >= 0 and f.max() <= 1:
        reasons.append(f"Predictions: probabilities ({c!r} lies within [0, 1]).")
        return "probabilities"
    lo, hi = (float(f.min()), float(f.max())) if f.size else (0.0, 0.0)
    inside = float(np.mean((f >= 0) & (f <= 1))) if f.size else 0.0
    if _is_probish(c) and inside >= 0.9:
        reasons.append(
            f"Predictions: probabilities ({c!r} is named like probabilities and mostly lies in [0, 1])."
        )
        return "probabilities"
    reasons.append(f"Predictions: logits or scores ({c!r} ranges from {lo:g} to {hi:g}, outside [0, 1]).")
    return "logits"


def _binary(y_true, y_pred, profiles, id_col, positive, pred_kind, reasons, ignored) -> Detection:
    yt, yp = y_true[0], y_pred[0]
    _require_numeric(profiles, [yp], "predictions")
    col = profiles[yt]
    keys = list(dict.fromkeys(label_key(v) for v in col.distinct(60)))
    if len(keys) > 2:
        shown = ", ".join(_show(k) for k in keys[:6]) + (", ..." if len(keys) > 6 else "")
        raise ScoringError(
            "labels",
            f"Column {yt!r} has {len(keys)} different labels ({shown}); a binary task needs two. "
            "Choose the task "
            "multiclass, or another y_true column.",
            column=yt,
        )
    if positive is not None and positive != "":
        pk = label_key(positive)
        if pk not in keys and len(keys) == 2:
            raise ScoringError(
                "labels", f"The positive class {positive!r} is not one of the labels in {yt!r}: "
                + ", ".join(_show(k) for k in keys) + ".", column=yt,
            )  # fmt: skip
        pos, why = pk, "as chosen"
    elif set(keys) <= {0.0, 1.0, -1.0}:
        pos, why = 1.0, "the greater of the two numeric labels, as scikit-learn takes it"
    elif keys and all(isinstance(k, float) for k in keys):  # numbers: never by a word ("1" is one)
        pos, why = max(keys), "the greater of the two numeric labels, as scikit-learn takes it"
    else:
        suffix = (_class_name(yp) or "").lower()
        hit = [k for k in keys if _show(k).lower() == suffix]
        words = [k for k in keys if _show(k).lower() in _POSITIVE_WORDS]
        if hit:
            pos, why = hit[0], f"the prediction column {yp!r} is named after it"
        elif len(words) == 1:
            pos, why = words[0], "its name"
        else:
            pos, why = sorted(keys, key=str)[-1], "the last in sorted order, as scikit-learn does"
    others = [k for k in keys if k != pos]
    if set(keys) <= {0.0, 1.0, -1.0} and pos == 1.0:
        neg = -1.0 if -1.0 in keys else 0.0
    else:
        neg = others[0] if others else ("not " + _show(pos))
    label_map = ((neg, 0), (pos, 1))

    def shown(k) -> str:
        return _show(k) if isinstance(k, float) else repr(_show(k))

    reasons.append(f"Positive class: {shown(pos)} ({why}); the other class is {shown(neg)}.")
    kind = _pred_kind_binary(profiles, yp, reasons, pred_kind)
    return Detection("binary", y_true, y_pred, kind, "labels", id_col, classes=(_show(neg), _show(pos)),
                     label_map=label_map, reasons=tuple(reasons), ignored=tuple(ignored))  # fmt: skip


def _multiclass(y_true, y_pred, profiles, id_col, pred_kind, reasons, ignored) -> Detection:
    _require_numeric(profiles, list(y_pred), "class predictions")
    k = len(y_pred)
    if k < 2:
        raise ScoringError(
            "column", "A multiclass task needs one prediction column per class (at least two)."
        )
    classes = tuple(_class_name(c) for c in y_pred)
    P = np.column_stack([profiles[c].values for c in y_pred])
    fin = P[np.all(np.isfinite(P), axis=1)]
    if pred_kind:
        kind = pred_kind
        reasons.append(f"Predictions: {kind} (as chosen).")
    elif fin.size and fin.min() >= 0 and fin.max() <= 1:
        kind = "probabilities"
    elif fin.size and all(_is_probish(c) for c in y_pred) and np.mean((fin >= 0) & (fin <= 1)) >= 0.9:
        kind = "probabilities"  # named like probabilities; the scorer names the cells outside [0, 1]
    else:
        kind = "logits"
    row_ok = True
    if kind == "probabilities":
        sums = fin.sum(axis=1) if fin.size else np.ones(1)
        worst = int(np.argmax(np.abs(sums - 1))) if sums.size else 0
        row_ok = bool(np.all(np.abs(sums - 1) <= ROW_SUM_ROUNDING_TOL))
        if not pred_kind:
            reasons.append(
                "Predictions: class probabilities (all within [0, 1]"
                + (
                    ", rows sum to 1)."
                    if row_ok
                    else f"; but rows do not all sum to 1, e.g. {sums[worst]:.4g})."
                )
            )
    elif not pred_kind:
        reasons.append(
            "Predictions: logits or scores (values outside [0, 1]); softmax turns them into probabilities."
        )
    if len(y_true) > 1:
        if len(y_true) != k:
            raise ScoringError(
                "column", f"There are {len(y_true)} target columns but {k} prediction columns; "
                "they must pair up "
                "one per class.",
            )  # fmt: skip
        _require_numeric(profiles, list(y_true), "per-class targets")
        return Detection("multiclass", y_true, y_pred, kind, "distributions", id_col, classes=classes,
                         row_sums_ok=row_ok, reasons=tuple(reasons), ignored=tuple(ignored))  # fmt: skip
    yt = y_true[0]
    col = profiles[yt]
    lower = {c.lower(): i for i, c in enumerate(classes)}
    named = [t for t in col.na_texts if t.lower() in lower]  # NA is a class where a column is named after it
    keys = list(dict.fromkeys([*(label_key(v) for v in col.distinct(60)), *named]))
    if keys and all(_show(kk).lower() in lower for kk in keys):
        label_map = tuple((kk, lower[_show(kk).lower()]) for kk in keys)
        # also map every class name, so labels seen later in the file are known
        mapped = dict(label_map)
        extra = tuple((label_key(c), i) for i, c in enumerate(classes) if label_key(c) not in mapped)
        label_map = label_map + extra
        reasons.append("Classes: labels matched to prediction columns by name.")
    elif keys and all(isinstance(kk, float) and kk.is_integer() for kk in keys):
        lo, hi = min(keys), max(keys)
        if lo >= 0 and hi <= k - 1:
            label_map = tuple((float(i), i) for i in range(k))
            reasons.append(f"Classes: integer labels 0..{k - 1} in column order.")
        elif lo >= 1 and hi <= k:
            label_map = tuple((float(i + 1), i) for i in range(k))
            reasons.append(f"Classes: integer labels 1..{k} read as the columns in order (1 is the first).")
        else:
            v = col.values
            rows = np.flatnonzero(np.isfinite(v) & ((v < 0) | (v > k - 1)))
            if rows.size:
                i = int(rows[0])
                where, row, bad = f"Row {i + 1}, column {yt!r}: the label", i + 1, float(v[i])
            else:  # only beyond the sample (the whole file's labels): no row to name
                bad = next(kk for kk in keys if kk < 0 or kk > k - 1)
                where, row = f"Column {yt!r}, after its first {len(v):,} rows: the label", None
            raise ScoringError(
                "labels",
                f"{where} {bad:g} is not a class. "
                f"With {k} class columns the labels must be 0..{k - 1} (or 1..{k}); "
                f"this column runs from {lo:g} to {hi:g}. Fix the label, or name the columns "
                "after the classes.",
                row=row,
                column=yt,
                value=bad,
            )
    else:
        unknown = [_show(kk) for kk in keys if _show(kk).lower() not in lower][:5]
        raise ScoringError(
            "labels",
            f"The labels in {yt!r} (such as {', '.join(repr(u) for u in unknown)}) do not match the class "
            f"columns ({', '.join(repr(c) for c in classes)}). Name the columns after the classes, e.g. "
            f"prob_{unknown[0] if unknown else 'cat'}.",
            column=yt,
        )
    return Detection("multiclass", y_true, y_pred, kind, "labels", id_col, classes=classes,
                     label_map=label_map,
                     row_sums_ok=row_ok, reasons=tuple(reasons), ignored=tuple(ignored))  # fmt: skip
