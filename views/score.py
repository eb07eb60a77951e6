"""Score your own predictions: upload a CSV (or pick an example), see what was detected, every applicable
loss, the rows that cost the most, and download a per-row report.

Reading, detection and scoring live in ``scoring`` (shared with ``python -m scoring``); the numbers come from
``losses``; the figures from ``charts.scoring``. Text from the file is shown as plain text only.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import streamlit as st

import losses
import scoring
from charts import scoring as charts
from losses.binary import sigmoid
from losses.multiclass import softmax
from scenes.text import plain

EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "examples"
EXAMPLES = {
    "regression_outliers.csv": "Flat prices with a few outliers (regression)",
    "rain_tomorrow.csv": "Rain tomorrow: a year of forecasts (binary)",
    "species_multiclass.csv": "Three species, class probabilities (multi-class)",
    "messy.csv": "A messy export: BOM, semicolons, decimal commas, blanks",
}
LIMIT_MB = 50  # per upload; larger files: the command line streams any size
PROGRESS_BYTES = 3 * 2**20  # show a progress bar above this size
TABLE_ROWS = 500
AUTO = "(auto)"


# -- cached work (keyed on the file's digest and the choices; the bytes themselves are not hashed) ----------
@st.cache_data(max_entries=16, show_spinner=False)
def _inspect(digest: str, choices: str, _data: bytes) -> dict:
    c = json.loads(choices)
    fmt = None
    try:
        fmt = scoring.sniff(
            _data,
            max_bytes=LIMIT_MB * 2**20,
            delimiter=c["delimiter"],
            header=c["header"],
            encoding=c["encoding"],
            decimal=c["decimal"],
        )
        sample = scoring.read_sample(_data, fmt)
        det = scoring.detect(
            sample,
            fmt,
            task=c["task"],
            y_true=c["y_true"],
            y_pred=c["y_pred"],
            positive=c["positive"],
            pred_kind=c["pred_kind"],
        )
        return {"fmt": fmt, "det": det, "error": None}
    except scoring.ScoringError as exc:
        return {"fmt": fmt, "det": None, "error": exc.to_dict()}


@st.cache_data(max_entries=8, show_spinner=False)
def _score(digest: str, choices: str, _data: bytes, _fmt, _det, _progress=None) -> dict:
    c = json.loads(choices)
    try:
        result = scoring.score(
            _data,
            _fmt,
            _det,
            params=c["params"],
            drop_missing=c["drop_missing"],
            fix_rows=c["fix_rows"],
            per_row=True,
            progress=_progress,
        )
    except scoring.ScoringError as exc:
        return {"result": None, "error": exc.to_dict()}
    return {"result": result, "error": None}


def _show_error(err: dict) -> None:
    st.error(f"**{err['title']}.** {plain(err['message'])}", icon=":material/error:")


def _source() -> tuple[str, bytes] | None:
    kind = st.segmented_control(
        "Data",
        options=["example", "upload"],
        format_func={"example": "Bundled example", "upload": "Upload a CSV"}.get,
        default="example",
        required=True,
        key="score_source",
        bind="query-params",
    )
    if kind == "example":
        name = st.selectbox(  # no format_func: the URL then holds the file name (?score_example=messy.csv)
            "Example file",
            options=list(EXAMPLES),
            key="score_example",
            bind="query-params",
        )
        st.caption(EXAMPLES[name])
        return name, (EXAMPLES_DIR / name).read_bytes()
    up = st.file_uploader(
        "CSV file (comma, semicolon, tab or pipe separated; with or without a header)",
        type=["csv", "tsv", "txt"],
        key="score_upload",
        max_upload_size=LIMIT_MB,
        help=f"Up to {LIMIT_MB} MB here; for larger files use the command line: python -m scoring FILE.csv",
    )
    if up is None:
        st.info(
            "Upload a CSV with a column of true values (or labels) and a column of predictions "
            "(or one per class).",
            icon=":material/upload_file:",
        )
        return None
    return up.name, up.getvalue()


def _format_controls(columns: list[str]) -> dict:
    a, b, c, d = st.columns(4)
    delimiter = a.selectbox(
        "Delimiter",
        [AUTO, ",", ";", "\t", "|"],
        key="score_delimiter",
        format_func=lambda v: {"\t": "tab"}.get(v, v),
    )
    header = b.selectbox("Header row", [AUTO, "yes", "no"], key="score_header")
    decimal = c.selectbox("Decimal mark", [AUTO, ".", ","], key="score_decimal")
    encoding = d.selectbox("Encoding", [AUTO, "utf-8", "latin-1"], key="score_encoding")
    return {
        "delimiter": None if delimiter == AUTO else delimiter,
        "header": {AUTO: None, "yes": True, "no": False}[header],
        "decimal": None if decimal == AUTO else decimal,
        "encoding": None if encoding == AUTO else encoding,
    }


def _task_controls(columns: list[str], digest: str, det) -> dict:
    a, b, c = st.columns(3)
    task = a.selectbox("Task", [AUTO, *scoring.TASKS], key="score_task")
    y_true = b.selectbox("True values / labels (y_true)", [AUTO, *columns], key=f"score_y_true_{digest[:12]}")
    y_pred = c.multiselect(
        "Predictions (y_pred; one per class for multi-class)",
        columns,
        key=f"score_y_pred_{digest[:12]}",
        placeholder="(auto)",
    )
    d, e, _f = st.columns(3)
    pred_kind = d.selectbox(
        "Predictions are",
        [AUTO, "probabilities", "logits"],
        key="score_pred_kind",
        help="Probabilities lie in [0, 1]; logits or scores are any real number.",
    )
    positive = None
    if det is not None and det.task == "binary":
        opts = [AUTO, *det.classes]
        pick = e.selectbox("Positive class", opts, key=f"score_positive_{digest[:12]}")
        positive = None if pick == AUTO else pick
    return {
        "task": None if task == AUTO else task,
        "y_true": None if y_true == AUTO else [y_true],
        "y_pred": y_pred or None,
        "pred_kind": None if pred_kind == AUTO else pred_kind,
        "positive": positive,
    }


def _param_controls(plans) -> dict:
    specs = [losses.get(p.name) for p in plans if losses.get(p.name).params]
    if not specs:
        return {}
    params: dict[str, float] = {}
    cells = st.columns(min(4, sum(len(s.params) for s in specs)))
    i = 0
    for spec in specs:
        for p in spec.params:
            with cells[i % len(cells)]:
                params[f"{spec.name}.{p.name}"] = st.number_input(
                    f"{spec.name}: {p.name}",
                    value=float(p.default),
                    step=0.05 if p.high <= 1 else 0.1,
                    format="%.3f",
                    key=f"score_param_{spec.name}_{p.name}",
                    help=f"{p.meaning}; range {p.describe_range()}",
                )
            i += 1
    return params


def _metrics(result) -> None:
    costs = result.costs
    per_line = 4
    names = list(costs)
    for start in range(0, len(names), per_line):
        cols = st.columns(per_line)
        for col, name in zip(cols, names[start : start + per_line], strict=False):
            spec = losses.get(name)
            note = next((p.note for p in result.plans if p.name == name), "")
            col.metric(
                spec.title,
                f"{costs[name]:.6g}",
                help=spec.summary + (f" Computed {note}." if note else ""),
                border=True,
            )


def _charts(result, focus: str, fix_rows: str | None) -> None:
    det = result.detection
    per = result.per_row
    values = per[focus].to_numpy()
    rows = per["row"].to_numpy()
    title = losses.get(focus).title
    worst = charts.worst_rows(values, 10)
    left, right = st.columns(2)
    left.plotly_chart(charts.loss_histogram(values, loss=focus, title=title), key="score_hist")
    t, p = result.y_true, result.y_pred
    if det.task == "regression":
        names = (det.y_true[0], det.y_pred[0])
        right.plotly_chart(charts.predicted_vs_actual(t, p, rows, worst, names=names), key="score_pva")
        st.plotly_chart(charts.residual_plot(t, p, rows, worst, names=names), key="score_resid")
        return
    if det.task == "binary":
        prob = p if det.pred_kind == "probabilities" else sigmoid(p)
        what = f"class {det.classes[1]}"
        right.plotly_chart(charts.calibration_plot(prob, t == 1, what=what), key="score_calib")
        st.plotly_chart(
            charts.loss_vs_probability(
                prob, values, t.astype(int), rows, loss=focus, title=title, class_names=det.classes, what=what
            ),
            key="score_lvp",
        )
        return
    # the probabilities the losses used: softmax of logits (or of rows read as logits), or rows normalised
    fix = fix_rows if fix_rows in scoring.FIXES else None
    if scoring.chunked.effective_pred_kind(det, fix) == "logits" or p.min() < 0:
        q = softmax(p)
    elif fix == "normalise":
        q = p / p.sum(axis=1, keepdims=True)
    else:
        q = p
    if det.true_kind == "labels":
        cls = t.astype(int)
        top = q.max(axis=1)
        hit = q.argmax(axis=1) == cls
        right.plotly_chart(charts.calibration_plot(top, hit, what="top class"), key="score_calib")
        st.plotly_chart(
            charts.loss_vs_probability(
                q[np.arange(len(cls)), cls],
                values,
                cls,
                rows,
                loss=focus,
                title=title,
                class_names=det.classes,
                what="true class",
            ),
            key="score_lvp",
        )
    else:
        right.plotly_chart(
            charts.calibration_plot(q.max(axis=1), t.argmax(axis=1) == q.argmax(axis=1), what="top class"),
            key="score_calib",
        )


def _table(result, focus: str) -> None:
    per = result.per_row
    order = np.argsort(-per[focus].to_numpy(), kind="stable")[:TABLE_ROWS]
    shown = per.iloc[order]
    loss_cols = list(result.costs)
    config = {c: st.column_config.NumberColumn(c, format="%.5g") for c in loss_cols}
    config["row"] = st.column_config.NumberColumn(
        "row", help="data row in the file (1 = first row below the header)"
    )
    st.caption(
        f"The {min(TABLE_ROWS, len(per))} rows with the largest {focus}, worst first. Click a header to sort."
    )
    st.dataframe(shown, hide_index=True, column_config=config, key="score_table", height=380)


def _downloads(result, name: str) -> None:
    stem = Path(name).stem or "predictions"
    a, b, _c = st.columns([1, 1, 2])
    a.download_button(
        "Per-row report (CSV)",
        scoring.to_csv_bytes(result.per_row),
        file_name=f"{stem}_scored.csv",
        mime="text/csv",
        key="score_download_csv",
        icon=":material/download:",
    )
    summary = json.dumps(result.summary(), indent=2, default=str).encode()
    b.download_button(
        "Summary (JSON)",
        summary,
        file_name=f"{stem}_summary.json",
        mime="application/json",
        key="score_download_json",
        icon=":material/data_object:",
    )


# -- the page ------------------------------------------------------------------------------------------------
st.title("Score your predictions")
st.caption(
    "Bring a CSV exported from your model (pandas, scikit-learn, Keras, R, Excel): every loss that applies, "
    "the rows that cost the most, and a report to download. From a terminal: python -m scoring FILE.csv"
)

picked = _source()
if picked is None:
    st.stop()
file_name, data = picked
digest = hashlib.sha256(data).hexdigest()

with st.expander("Columns, task and format (detected automatically; change anything here)", expanded=False):
    fmt_choices = _format_controls([])
    first = _inspect(
        digest,
        json.dumps(
            {**fmt_choices, "task": None, "y_true": None, "y_pred": None, "positive": None, "pred_kind": None}
        ),
        data,
    )
    columns = list(first["fmt"].columns) if first["fmt"] is not None else []
    task_choices = _task_controls(columns, digest, first["det"])

info = _inspect(digest, json.dumps({**fmt_choices, **task_choices}), data)
if info["error"]:
    _show_error(info["error"])
    if info["fmt"] is not None:
        st.caption("Choose the task and the columns yourself above, under 'Columns, task and format'.")
    st.stop()
fmt, det = info["fmt"], info["det"]

st.text(
    f"{file_name}: {det.task}; y_true = {', '.join(det.y_true)}; y_pred = {', '.join(det.y_pred)}"
    + (f" ({det.pred_kind})" if det.task != "regression" else "")
)

# keyed by the file: a fix chosen for one file must not silently apply to the next one
DROP_KEY, FIX_KEY = f"score_drop_missing_{digest[:12]}", f"score_fix_rows_{digest[:12]}"
drop_missing = st.session_state.get(DROP_KEY, False)
fix_rows = st.session_state.get(FIX_KEY)
plans = scoring.plans(det, fix_rows if fix_rows in scoring.FIXES else None)
with st.expander("Loss parameters", expanded=False):
    params = _param_controls(plans)

choices = json.dumps({"params": params, "drop_missing": drop_missing, "fix_rows": fix_rows}, sort_keys=True)
bar = st.progress(0.0, text="Scoring...") if len(data) > PROGRESS_BYTES else None
scored = _score(
    digest + json.dumps({**fmt_choices, **task_choices}),
    choices,
    data,
    fmt,
    det,
    (lambda f: bar.progress(f, text=f"Scoring... {f:.0%}")) if bar else None,
)
if bar is not None:
    bar.empty()

err = scored["error"]
if err and err["kind"] == "missing" or drop_missing:
    st.checkbox(
        f"Drop the rows with missing values ({(err or {}).get('count') or 'some'} found)",
        key=DROP_KEY,
    )
if err and err["kind"] == "row_sum" or fix_rows:
    st.radio(
        "Rows of class probabilities that do not sum to 1",
        ["normalise", "softmax"],
        index=None,
        key=FIX_KEY,
        horizontal=True,
        captions=["divide each row by its sum", "read the columns as logits"],
    )
if err:
    _show_error(err)
    if err["kind"] == "probability_range":
        st.caption("Set 'Predictions are' to logits under 'Columns, task and format'.")
    st.stop()

result = scored["result"]
with st.expander("What was detected, and why", expanded=False):
    st.text("\n".join([f"File: {fmt.describe()}", *fmt.notes, *det.reasons, *result.notes]))
st.caption(f"{result.rows_scored:,} rows scored of {result.rows_read:,} read.")
for why in result.skipped.values():
    st.info(plain(why), icon=":material/block:")
_metrics(result)

focus = st.selectbox(
    "Loss for the table and the charts",
    list(result.costs),
    key="score_focus",
    format_func=lambda n: losses.get(n).title,
)
tab_rows, tab_charts = st.tabs(["Worst rows", "Charts"])
with tab_rows:
    _table(result, focus)
with tab_charts:
    _charts(result, focus, fix_rows)
_downloads(result, file_name)
