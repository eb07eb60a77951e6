"""What the Score page shows, shaped from the scorer's results: no Streamlit (numpy and pandas only).

The page (views/score.py) reads "load → controls → compute → render"; everything between its widgets and
its figures lives here, unit-tested in tests/scoring/test_present.py: the choices as the scorer takes them,
the parameters' inputs, the metrics, the worst rows, and the charts' inputs. Every number comes from the
scoring result (so from ``losses``); every loss is shown by the core's title or short label, never its name.
A loss of the user's own (``losses.custom``) is not registered: it is looked up in the result
(``Result.spec``), so every function taking a result shows it beside the built-ins.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

import losses
from losses.custom import CustomLoss
from scoring.chunked import Plan, Result, has_rows, score, spec_of
from scoring.detect import Detection, detect_file
from scoring.errors import ScoringError
from scoring.reader import CsvFormat, sniff

AUTO = "(auto)"
#: The bundled example files (examples/), each with what it holds.
EXAMPLES = {
    "regression_outliers.csv": "Flat prices with a few outliers (regression)",
    "rain_tomorrow.csv": "Rain tomorrow: a year of forecasts (binary)",
    "species_multiclass.csv": "Three species, class probabilities (multi-class)",
    "messy.csv": "A messy export: BOM, semicolons, decimal commas, blanks",
}
#: The format choices as offered (the text shown, and so in the link) -> as the reader takes them.
DELIMITERS: dict[str, str | None] = {AUTO: None, ",": ",", ";": ";", "tab": "\t", "|": "|"}
HEADERS: dict[str, bool | None] = {AUTO: None, "yes": True, "no": False}
DECIMALS = (AUTO, ".", ",")
ENCODINGS = (AUTO, "utf-8", "latin-1")
#: The format controls in their order on the page: (name, label, options); see ``format_choices``.
FORMAT_CONTROLS = (("delimiter", "Delimiter", tuple(DELIMITERS)), ("header", "Header row", tuple(HEADERS)),
                   ("decimal", "Decimal mark", DECIMALS), ("encoding", "Encoding", ENCODINGS))  # fmt: skip
#: The fixes for rows of class probabilities that do not sum to 1 (``scoring.FIXES``), with what each does.
FIXES = {"normalise": "divide each row by its sum", "softmax": "read the columns as logits"}
RESIDUAL_NOTE = ("The residual is r = ŷ − y, as on the Regression page: above 0, the model predicted too "
                 "much. The 10 worst rows are marked with their row numbers.")  # fmt: skip
#: What to do next, by the kind of error (the message says what is wrong and where).
HINTS = {"probability_range": "Set 'Predictions are' to logits under 'Columns, task and format'."}
CHOOSE_HINT = "Choose the task and the columns yourself above, under 'Columns, task and format'."
ROW_HELP = "data row in the file (1 = the first row below a header)"
PROBABILITY_NOTE = ("Probabilities as the losses used them: the file's (its rows divided by their sums if "
                    "chosen), or the sigmoid or softmax of logits.")  # fmt: skip
PRED_KINDS = (AUTO, "probabilities", "logits")
#: The task as detection guesses it: nothing forced.
UNFORCED = {"task": None, "y_true": None, "y_pred": None, "positive": None, "pred_kind": None}
#: Longer titles are too wide for an axis title at 200% zoom: the charts name the loss by its short label.
CHART_NAME_CHARS = 40
#: A parameter's input shows three decimals: an open end of its valid range is moved in by that much.
RESOLUTION = 1e-3
#: An input's end where the valid range has none (δ up to ∞; α down to -∞, where -1e9 is Welsch already).
FAR = 1e9


def _spec(name: str, result: Result | None) -> losses.LossSpec:
    return result.spec(name) if result is not None else losses.get(name)


def title(name: str, result: Result | None = None) -> str:
    """A loss's title (``result``: where a custom loss of the result is found)."""
    return _spec(name, result).title


def chart_name(name: str, result: Result | None = None) -> str:
    """A loss as the charts' axis titles name it: its title, or its short label where the title is long."""
    spec = _spec(name, result)
    return spec.title if len(spec.title) <= CHART_NAME_CHARS else spec.short


def _or_none(value: str) -> str | None:
    return None if value == AUTO else value


# -- the file ------------------------------------------------------------------------------------------
def format_choices(delimiter: str, header: str, decimal: str, encoding: str) -> dict:
    """The format controls' values (``AUTO``: let the reader guess) as ``scoring.sniff`` takes them."""
    return {"delimiter": DELIMITERS[delimiter], "header": HEADERS[header], "decimal": _or_none(decimal),
            "encoding": _or_none(encoding)}  # fmt: skip


def task_choices(task: str, y_true: str, y_pred: Iterable[str], pred_kind: str, positive: str) -> dict:
    """The task controls' values (``AUTO`` or empty: let detection guess) as ``scoring.detect`` takes them."""
    return {"task": _or_none(task), "y_true": None if y_true == AUTO else [y_true],
            "y_pred": list(y_pred) or None, "pred_kind": _or_none(pred_kind),
            "positive": _or_none(positive)}  # fmt: skip


def inspect(data: bytes, choices: Mapping, max_bytes: int) -> dict:
    """Sniff and detect with the choices: {"fmt", "det", "error"} (the format even when detection fails, so
    the page can offer the file's columns; the error as ``ScoringError.to_dict``)."""
    fmt = None
    try:
        fmt = sniff(data, max_bytes=max_bytes, **{k: choices[k] for k in ("delimiter", "header", "encoding",
                                                                        "decimal")})  # fmt: skip
        det = detect_file(data, fmt, **{k: choices[k] for k in UNFORCED})
        return {"fmt": fmt, "det": det, "error": None}
    except ScoringError as exc:
        return {"fmt": fmt, "det": None, "error": exc.to_dict()}


def score_file(data: bytes, fmt: CsvFormat, det: Detection, choices: Mapping,
               progress: Callable[[float], None] | None = None,
               custom: Iterable[losses.LossSpec] = ()) -> dict:  # fmt: skip
    """Score with per-row values: {"result", "error"}; ``custom``: losses of the user's own, beside."""
    try:
        result = score(data, fmt, det, params=choices["params"], drop_missing=choices["drop_missing"],
                       fix_rows=choices["fix_rows"], per_row=True, progress=progress,
                       custom=custom)  # fmt: skip
    except ScoringError as exc:
        return {"result": None, "error": exc.to_dict()}
    return {"result": result, "error": None}


def score_key(params: Mapping, drop_missing: bool, fix_rows: str | None,
              custom: Iterable[CustomLoss] = ()) -> str:  # fmt: skip
    """The choices ``score_file`` depends on, as text for a cache key: a custom loss by its formula, labels
    and parameters' values (a spec itself is not hashed)."""
    mine = [(c.source, c.y_true, c.defaults()) for c in custom]
    return json.dumps({"params": params, "drop_missing": drop_missing, "fix_rows": fix_rows, "custom": mine},
                      sort_keys=True)  # fmt: skip


def headline(file_name: str, det: Detection) -> str:
    kind = f" ({det.pred_kind})" if det.task != "regression" else ""
    cols = f"y_true = {', '.join(det.y_true)}; y_pred = {', '.join(det.y_pred)}"
    return f"{file_name}: {det.task}; {cols}{kind}"


def detected_text(fmt: CsvFormat, det: Detection, result: Result) -> str:
    """How the file was read and why, and how the numbers were made (losses by their titles)."""
    named = result.notes_naming(lambda n: title(n, result))
    return "\n".join([f"File: {fmt.describe()}", *fmt.notes, *det.reasons, *named])


# -- the parameters -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ParamField:
    """One number input for a loss's parameter."""

    name: str  # the control's name on the page: its key and URL name are score_<name>
    param: str  # as the scorer takes it: "huber.delta"
    label: str
    low: float
    high: float
    step: float
    default: float
    help: str


def _end(value: float, is_open: bool, inward: float) -> float:
    if math.isinf(value):
        return math.copysign(FAR, value)
    return value + inward if is_open else value


def param_fields(plans: Iterable[Plan]) -> list[ParamField]:
    """An input for each parameter of each loss that applies, inside the parameter's valid range."""
    out = []
    for plan in plans:
        spec = spec_of(plan)
        for p in spec.params:
            low, high = _end(p.low, p.low_open, RESOLUTION), _end(p.high, p.high_open, -RESOLUTION)
            step = p.step or (0.05 if high <= 1 else 0.1)
            out.append(ParamField(f"param_{spec.name}_{p.name}", f"{spec.name}.{p.name}",
                                  f"{p.shown_as} ({spec.short})", low, high, step, float(p.default),
                                  f"{p.meaning}; valid range {p.describe_range()}"))  # fmt: skip
    return out


# -- the numbers ----------------------------------------------------------------------------------------
def metric_texts(result: Result) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Each loss's cost (6 significant digits, as the command line prints them), title and explanation."""
    notes = {p.name: p.note for p in result.plans}
    values = {n: f"{c:.6g}" for n, c in result.costs.items()}
    helps = {n: result.spec(n).summary + (f" Computed {notes[n]}." if notes.get(n) else "") for n in values}
    return values, {n: title(n, result) for n in values}, helps


def focus_options(result: Result) -> list[str]:
    """The losses a table or chart can show row by row: those whose cost is a mean of per-row values."""
    return [n for n in result.costs if has_rows(result.spec(n))]


def worst_first(report: pd.DataFrame, focus: str, limit: int) -> pd.DataFrame:
    """The ``limit`` rows with the largest per-row ``focus`` loss, worst first (ties in file order)."""
    order = np.argsort(-report[focus].to_numpy(), kind="stable")[:limit]
    return report.iloc[order]


def table_caption(shown: int, focus: str, result: Result) -> str:
    left_out = [result.spec(n).short for n in result.costs if not has_rows(result.spec(n))]
    verb = "has" if len(left_out) == 1 else "have"
    why = (f" {', '.join(left_out)} {verb} no column, here or in the report: the cost is not a mean of "
           "per-row values (RMSE is the square root of the mean of the MSE column)."
           if left_out else "")  # fmt: skip
    worst = title(focus, result)
    return f"The {shown} rows with the largest {worst}, worst first. Click a header to sort.{why}"


def loss_columns(report: pd.DataFrame, result: Result) -> dict[str, tuple[str, str]]:
    """Each loss column of the report -> (its short label, its title) for the table's header and tooltip."""
    return {n: (result.spec(n).short, result.spec(n).title) for n in result.costs if n in report.columns}


# -- the charts' inputs ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class ChartData:
    """What the Score page's charts draw for the ``focus`` loss."""

    values: np.ndarray  # per-row focus loss
    rows: np.ndarray  # file row numbers
    #: regression: truth and prediction, with their columns' names
    y_true: np.ndarray | None = None
    y_pred: np.ndarray | None = None
    names: tuple[str, str] = ("", "")
    #: classifiers: the calibration plot's probability and whether the event happened, and what it is of
    calibration: tuple[np.ndarray, np.ndarray, str] | None = None
    #: classifiers with labels: each row's probability of its true class, the class index, and what it is
    true_class: tuple[np.ndarray, np.ndarray, str] | None = None


def chart_data(result: Result, focus: str) -> ChartData:
    """The charts' inputs from the probabilities the losses used (``Result.probabilities``)."""
    det, per = result.detection, result.per_row
    values, rows = per[focus].to_numpy(), per["row"].to_numpy()
    base = {"values": values, "rows": rows}
    t, q = result.y_true, result.probabilities
    if det.task == "regression":
        return ChartData(**base, y_true=t, y_pred=result.y_pred, names=(det.y_true[0], det.y_pred[0]))
    if det.task == "binary":
        what = f"class {det.classes[1]}"
        return ChartData(**base, calibration=(q, t == 1, what), true_class=(q, t.astype(int), what))
    top, guess = q.max(axis=1), q.argmax(axis=1)
    if det.true_kind == "labels":
        cls = t.astype(int)
        return ChartData(**base, calibration=(top, guess == cls, "top class"),
                         true_class=(q[np.arange(len(cls)), cls], cls, "true class"))  # fmt: skip
    return ChartData(**base, calibration=(top, guess == t.argmax(axis=1), "top class"))
