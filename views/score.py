"""Score your own predictions: upload a CSV (or pick an example), see what was detected, every applicable
loss, the rows that cost the most, and download a per-row report.

Load the file → controls → compute → render. Reading, detection and scoring: ``scoring`` (shared with
``python -m scoring``); data shaping: ``scoring.present``; figures: ``charts.scoring``; controls, link and
metrics: ``ui.kit``; a loss of your own: ``ui.own_loss``. File text is shown as plain text. Every choice
(source, example, format, task, parameters, your formula, loss, tab, log axis) is in the link."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path

import streamlit as st

import scoring
from charts import scoring as charts
from scenes.text import plain
from scenes.url import check_choice
from scoring import present as pr
from scoring.formats import UPLOAD_TYPES
from ui import kit, own_loss

EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "examples"
EXAMPLES = pr.EXAMPLES  # file name -> what it holds
SOURCES = {"example": "Bundled example", "upload": "Upload a file"}
TABS = ("Worst rows", "Charts")
LIMIT_MB = 50  # per upload; larger files: the command line streams any size
PROGRESS_BYTES = 3 * 2**20  # show a progress bar above this size
TABLE_ROWS = 500

page = kit.Page("score")


# -- cached work (keyed on the file's digest and the choices; the bytes themselves are not hashed) ----------
@st.cache_data(max_entries=16, show_spinner=False)  # small: a format and a detection
def _inspect(digest: str, choices: str, _data: bytes) -> dict:
    return pr.inspect(_data, json.loads(choices), LIMIT_MB * 2**20)


# Per-row values are large: one result per session, not copied per rerun, freed when the session closes
@st.cache_resource(scope="session", max_entries=1, show_spinner=False)
def _score(digest: str, choices: str, _data: bytes, _fmt, _det, _progress=None, _custom=()) -> dict:
    return pr.score_file(_data, _fmt, _det, json.loads(choices), _progress, _custom)


# -- controls the kit has no form of (kit.select checks a link against the options, not their shown text) ---
def select_shown(name: str, label: str, options: Sequence[str], shown: Callable[[str], str]) -> str:
    """A select bound to the link whose link value is the option as shown; a value it lacks is reported."""
    key = page.key(name)
    page.defaults[key] = options[0]
    page.warn(check_choice(page.url(name), [shown(o) for o in options], label.lower()))
    return st.selectbox(label, options, format_func=shown, key=key, bind="query-params")


def tabs(name: str, labels: Sequence[str]) -> Sequence:
    """Tabs bound to the link (the tab's label), kept across visits; a wrong label in the link is reported."""
    key = page.key(name)
    page.defaults[key] = labels[0]
    page.warn(check_choice(page.url(name), labels, "tab"))
    return st.tabs(labels, key=key, bind="query-params")


def show_error(err: dict, hint: str = "") -> None:
    st.error(f"**{err['title']}.** {plain(err['message'])}", icon=":material/error:")
    if hint or err["kind"] in pr.HINTS:
        st.caption(hint or pr.HINTS[err["kind"]])


# -- load ----------------------------------------------------------------------------------------------------
def load() -> tuple[str, bytes] | None:
    kind = page.choice("source", "Data", list(SOURCES), "example", format_func=SOURCES.get, required=True)
    if kind == "example":  # the link holds the file name: ?score_example=messy.csv
        name = page.select("example", "Example file", list(EXAMPLES), next(iter(EXAMPLES)))
        st.caption(EXAMPLES[name])
        return name, (EXAMPLES_DIR / name).read_bytes()
    up = st.file_uploader(
        "CSV file (comma, semicolon, tab or pipe separated; with or without a header; or compressed: .gz, "
        ".zst, .bz2, .xz), or a Parquet, Arrow or Feather file",
        type=UPLOAD_TYPES, key="score_upload", max_upload_size=LIMIT_MB,
        help=f"Told by its content, not its name. Up to {LIMIT_MB} MB here (decompressed, for a compressed "
        "CSV); for larger files or many files use the command line: python -m scoring FILE, or "
        "'folder/*.parquet'",
    )  # fmt: skip
    if up is None:
        st.info("Upload a file with a column of true values (or labels) and a column of predictions (or one "
                "per class).", icon=":material/upload_file:")  # fmt: skip
        return None
    return up.name, up.getvalue()


# -- controls ------------------------------------------------------------------------------------------------
def file_controls(digest: str, data: bytes) -> dict:
    """The format and the task (each "(auto)" unless chosen); the columns are the file's, so kept per file."""
    picked = []
    for cell, (name, label, options) in zip(st.columns(4), pr.FORMAT_CONTROLS, strict=True):
        with cell:
            picked.append(page.select(name, label, options, pr.AUTO))
    fmt_choices = pr.format_choices(*picked)
    first = _inspect(digest, json.dumps({**fmt_choices, **pr.UNFORCED}), data)
    columns = list(first["fmt"].columns) if first["fmt"] is not None else []
    a, b, c = st.columns(3)
    with a:
        task = page.select("task", "Task", [pr.AUTO, *scoring.TASKS], pr.AUTO)
    y_true = b.selectbox("True values / labels (y_true)", [pr.AUTO, *columns], key=f"score_y_true_{digest}")
    y_pred = c.multiselect("Predictions (y_pred; one per class for multi-class)", columns,
                           key=f"score_y_pred_{digest}", placeholder=pr.AUTO)  # fmt: skip
    d, e, _f = st.columns(3)
    with d:
        pred_kind = page.select("pred_kind", "Predictions are", pr.PRED_KINDS, pr.AUTO,
                                help="Probabilities lie in [0, 1]; logits or scores are any real number.")
    positive = pr.AUTO
    if first["det"] is not None and first["det"].task == "binary":
        classes = [pr.AUTO, *first["det"].classes]
        positive = e.selectbox("Positive class", classes, key=f"score_positive_{digest}")
    return {**fmt_choices, **pr.task_choices(task, y_true, y_pred, pred_kind, positive)}


def param_controls(plans) -> dict[str, float]:
    fields = pr.param_fields(plans)
    if not fields:
        st.caption("No loss that applies here takes a parameter.")
        return {}
    cells = st.columns(min(4, len(fields)))
    params = {}
    for i, f in enumerate(fields):
        with cells[i % len(cells)]:
            params[f.param] = page.number(f.name, f.label, f.low, f.high, f.default, step=f.step,
                                          format="%.3f", help=f.help)  # fmt: skip
    return params


# -- render --------------------------------------------------------------------------------------------------
def table(result, focus: str) -> None:
    report = result.report
    shown = pr.worst_first(report, focus, TABLE_ROWS)
    config = {n: st.column_config.NumberColumn(short, format="%.5g", help=title)
              for n, (short, title) in pr.loss_columns(report, result).items()}  # fmt: skip
    config["row"] = st.column_config.NumberColumn("row", help=pr.ROW_HELP)
    st.caption(pr.table_caption(len(shown), focus, result))
    st.dataframe(shown, hide_index=True, column_config=config, key="score_table", height=380)


def draw_charts(result, focus: str) -> None:
    """One under another, each the page's width: side by side they were too narrow at 150% zoom."""
    cd, det, name = pr.chart_data(result, focus), result.detection, pr.chart_name(focus, result)
    worst = charts.worst_rows(cd.values, 10)
    log_y = page.toggle("log", "Log scale for the row counts", help="The rows of a long tail stay visible")
    kit.plotly(charts.loss_histogram(cd.values, loss=focus, title=name, log_y=log_y), "score_hist")
    if det.task == "regression":
        t, p = cd.y_true, cd.y_pred
        kit.plotly(charts.predicted_vs_actual(t, p, cd.rows, worst, names=cd.names), "score_pva")
        kit.plotly(charts.residual_plot(t, p, cd.rows, worst, names=cd.names), "score_resid")
        st.caption(pr.RESIDUAL_NOTE)
        return
    prob, hit, what = cd.calibration
    kit.plotly(charts.calibration_plot(prob, hit, what=what), "score_calib")
    if cd.true_class is not None:
        p_true, cls, what = cd.true_class
        kit.plotly(charts.loss_vs_probability(p_true, cd.values, cls, cd.rows, loss=focus, title=name,
                                              class_names=det.classes, what=what), "score_lvp")  # fmt: skip
    st.caption(pr.PROBABILITY_NOTE)


def downloads(result, name: str) -> None:
    stem = Path(name).stem or "predictions"
    summary, report = result.to_json().encode(), result.report  # strict JSON: no Infinity
    with st.container(horizontal=True):  # wraps, so no label is cut off at any zoom; the CSV made on a click
        st.download_button("Per-row report (CSV)", lambda: scoring.to_csv_bytes(report), mime="text/csv",
                           file_name=f"{stem}_scored.csv", key="score_download_csv",
                           icon=":material/download:")  # fmt: skip
        st.download_button("Summary (JSON)", summary, file_name=f"{stem}_summary.json",
                           mime="application/json", key="score_download_json",
                           icon=":material/data_object:")  # fmt: skip


# -- the page ------------------------------------------------------------------------------------------------
def run() -> None:
    picked = load()
    if picked is None:
        return
    file_name, data = picked
    digest = hashlib.sha256(data).hexdigest()
    with st.expander("Columns, task and format (detected automatically; change anything here)"):
        choices = file_controls(digest, data)
    info = _inspect(digest, json.dumps(choices), data)
    if info["error"]:
        show_error(info["error"], pr.CHOOSE_HINT if info["fmt"] is not None else "")
        return
    fmt, det = info["fmt"], info["det"]
    st.text(pr.headline(file_name, det))
    # keyed by the file: a fix chosen for one file must not silently apply to the next one
    drop_key, fix_key = f"score_drop_missing_{digest}", f"score_fix_rows_{digest}"
    drop_missing, fix_rows = st.session_state.get(drop_key, False), st.session_state.get(fix_key)
    with st.expander("Loss parameters"):
        params = param_controls(scoring.plans(det, fix_rows if fix_rows in scoring.FIXES else None))
    typed = st.session_state.get(page.key("own_f")) or page.url("own_f")  # open when there is a formula
    with st.expander("Your own loss", expanded=bool(typed)):
        mine = own_loss.controls(page, det.task, label=f"A {det.task} loss as a formula, scored beside these")

    # compute
    custom = [mine] if mine is not None else []
    how = pr.score_key(params, drop_missing, fix_rows, custom)
    bar = st.progress(0.0, text="Scoring...") if len(data) > PROGRESS_BYTES else None
    tick = (lambda f: bar.progress(f, text=f"Scoring... {f:.0%}")) if bar else None
    scored = _score(digest + json.dumps(choices), how, data, fmt, det, tick, custom)
    if bar is not None:
        bar.empty()
    err = scored["error"]
    if err:
        show_error(err)
    if err and err["kind"] == "missing" or drop_missing:
        st.checkbox(f"Drop the rows with missing values ({(err or {}).get('count') or 'some'} found)",
                    key=drop_key)
    if err and err["kind"] == "row_sum" or fix_rows:
        st.radio("Rows of class probabilities that do not sum to 1", list(pr.FIXES), index=None, key=fix_key,
                 horizontal=True, captions=list(pr.FIXES.values()))  # fmt: skip
    if err:
        return

    # render
    result = scored["result"]
    with st.expander("What was detected, and why"):
        st.text(pr.detected_text(fmt, det, result))
    st.caption(f"{result.rows_scored:,} rows scored of {result.rows_read:,} read.")
    for why in result.skipped.values():
        st.info(plain(why), icon=":material/block:")
    values, titles, helps = pr.metric_texts(result)
    page.metrics(values, titles, helps=helps)
    focus = select_shown("focus", "Loss for the table and the charts", pr.focus_options(result),
                         lambda n: pr.title(n, result))  # fmt: skip
    rows_tab, charts_tab = tabs("tab", TABS)
    with rows_tab:
        table(result, focus)
    with charts_tab:
        draw_charts(result, focus)
    downloads(result, file_name)


st.title("Score your predictions")
st.caption("Bring a CSV or Parquet file exported from your model (pandas, scikit-learn, Keras, R, Excel): "
           "every loss that applies, the rows that cost the most, and a report to download. From a terminal: "
           "python -m scoring FILE")  # fmt: skip
page.warnings_here()
run()
with st.sidebar:
    page.reset_button()
page.done()
