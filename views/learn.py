"""How the loss shapes learning: the same model trained on the same data under different losses, animated.

Load the scene → controls → compute → render, for one of two parts. Regression: a line trained on the
regression page's scene (outliers and their URL form included) under the registry's fittable losses, beside
the best line ``losses.fitting`` finds. Classification: a linear classifier on a 2-D two-class scene under
the binary losses (and squared error after a sigmoid). Training is ``losses.descent`` (the core's gradients),
data shaping ``scenes.learn``, figures ``charts.learn`` (frames play in the browser), controls ``ui.kit``.

The classification part's controls live under their own page prefix (``learn_c``): both parts offer a
parameter named α (general robust's, focal's) with different ranges, and one key each keeps them apart.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

import losses
from charts import learn as charts
from charts.style import format_metric as fmt
from losses.fitting import LineFit, fit_line, fittable
from scenes import learn as sc
from scenes import regression as reg
from ui import kit

REG_OPTIONS = [n for n in losses.names(page="regression") if fittable(n)]
REG_DEFAULT = ["mse", "mae", "huber"]
CLS_OPTIONS = [*losses.names(page="binary"), "mse"]  # "mse" here: squared error after the sigmoid
CLS_DEFAULT = ["hinge", "sigmoid_cross_entropy", "mse"]
PARTS = ("Regression", "Classification")
MARGIN_POINTS = 150  # points per line on the margins chart

state = st.session_state
page = kit.Page("learn")
cpage = kit.Page("learn_c")  # the classification part's controls

# ---- load the scene: from the link on the first visit; as it was left on a return ---------------------
if page.first:
    outliers, warnings = reg.parse_outliers(page.url("out"))
    page.warn(warnings)
    state.learn_outliers = outliers


def _scene() -> reg.Scene:
    return reg.Scene("trend", int(state.get("learn_n", reg.N_DEFAULT)), int(state.get("learn_seed", 0)),
                     tuple(state.get("learn_outliers", ())))  # fmt: skip


def _add_outlier() -> None:
    magnitude = float(state.get("learn_mag", reg.MAGNITUDE_DEFAULT))
    state.learn_outliers = _scene().with_outlier(magnitude).outliers


def _remove_outliers() -> None:
    state.learn_outliers = ()


@st.cache_data(max_entries=64, show_spinner=False)
def _train(names: tuple, x, y, params: dict, training: sc.Training, model: str, init: tuple) -> dict:
    return sc.train(names, x, y, params, training, model=model, init=init)


@st.cache_data(max_entries=64, show_spinner=False)
def _fit(name: str, x, y, params: dict) -> LineFit:
    return fit_line(name, x, y, **params)


_surface = st.cache_data(max_entries=64, show_spinner=False)(sc.surface)


def training_controls(p: kit.Page, lr_log: float) -> sc.Training:
    """Learning rate (log slider), steps, optimizer and batch: one set per part, under its page's prefix."""
    st.subheader("Training")
    log = p.slider("lr", "Learning rate η", *sc.LR_LOG_RANGE, lr_log, sc.LR_LOG_STEP, format="10^%.1f")
    lr = sc.learning_rate(log)
    st.caption(f"η = {lr:g}")
    steps = p.slider("steps", "Steps", sc.STEPS_MIN, sc.STEPS_MAX, sc.STEPS_DEFAULT, 10)
    opt = p.choice("opt", "Optimizer", list(sc.OPTIMIZER_LABELS), "gd", format_func=sc.OPTIMIZER_LABELS.get)
    sgd = p.toggle("sgd", "Stochastic: a random mini-batch per step")
    batch = p.slider("batch", "Batch size", 1, sc.BATCH_MAX, 4, disabled=not sgd)
    seed = p.slider("sgd_seed", "Batch seed", 0, sc.SGD_SEED_MAX, 0, disabled=not sgd)
    return sc.Training(lr, steps, opt, batch if sgd else None, seed)


def _diverged(runs: dict, titles: dict) -> None:
    note = sc.diverged_note(runs, titles)
    if note:
        st.warning(note, icon=":material/trending_up:")


# ---- regression ---------------------------------------------------------------------------------------
def regression_part() -> list[str]:
    with st.sidebar:
        st.subheader("Scene")
        page.slider("n", "Points", reg.N_MIN, reg.N_MAX, reg.N_DEFAULT)
        page.slider("seed", "Seed", 0, reg.SEED_MAX, 0)  # a slider, not an int number_input: ?seed=inf
        page.number("mag", "Outlier magnitude (× the data's spread)", 1.0, 100.0, reg.MAGNITUDE_DEFAULT,
                    step=1.0)  # fmt: skip
        c1, c2 = st.columns(2)
        c1.button("Add outlier", key="learn_add_outlier", on_click=_add_outlier, width="stretch",
                  disabled=len(state.learn_outliers) >= reg.MAX_OUTLIERS)  # fmt: skip
        c2.button("Remove all", key="learn_remove_outliers", on_click=_remove_outliers, width="stretch",
                  help="Remove every outlier", disabled=not state.learn_outliers)  # fmt: skip
        page.reset_button(then=_remove_outliers)
        st.subheader("Losses")
        names = page.loss_select("losses", "Train under", REG_OPTIONS, REG_DEFAULT) or REG_DEFAULT[:1]
        params = page.param_controls(names)
        training = training_controls(page, sc.REG_LR_LOG)
    titles = {n: losses.get(n).short for n in names}
    page.warnings_here()
    surface_of = page.select("surface", "Contours of the cost under", [titles[n] for n in names],
                             titles[names[0]], width=320)  # fmt: skip
    log_y = page.toggle("log", "Log scale for the cost")

    scene = _scene()
    x, y = scene.points()
    runs = _train(tuple(names), x, y, params, training, "line", sc.REG_START)
    fits = {n: _fit(n, x, y, params[n]) for n in names}
    steps = sc.frame_steps(training.steps)
    box = sc.surface_box(runs, fits)
    shown = next((n for n in names if titles[n] == surface_of), names[0])
    w_grid, b_grid, z = _surface(shown, x, y, params[shown], box)
    page.sync_url({"out": reg.format_outliers(scene.outliers) or None})

    page.metrics({n: float(runs[n].cost[-1]) for n in names}, {n: f"{titles[n]} at the end" for n in names},
                 helps={n: f"The cost of the trained line after {runs[n].steps_run} steps; the best line's "
                        f"is {fmt(fits[n].cost)}." for n in names})  # fmt: skip
    _diverged(runs, titles)
    fig = charts.learning_lines(
        x, y, scene.labels(), {n: sc.held(runs[n], steps) for n in names}, steps, titles,
        surface=(w_grid, b_grid, sc.contours(w_grid, b_grid, z)),
        surface_title=titles[shown], paths={n: runs[n].weights for n in names}, x_range=reg.X_RANGE,
        best={n: (f.slope, f.intercept) for n, f in fits.items()}, y_range=reg.y_range(y),
    )  # fmt: skip
    kit.plotly(fig, "learn_lines")
    st.caption("Press ▶ Play, or drag the step slider: the frames play in your browser. Stars mark the best "
               "line under each loss (losses.fitting); the contours are log-spaced.")  # fmt: skip
    st.markdown(sc.regression_sentence(runs, fits, titles, training.steps),
                help="Computed from the trained weights and the fits of the regression page.")  # fmt: skip
    st.markdown("**Cost against the step** (dotted: the lowest cost each loss can reach with a line)")
    kit.plotly(charts.cost_curves({n: r.cost for n, r in runs.items()}, {n: f.cost for n, f in fits.items()},
                                  titles, log_y=log_y), "learn_costs")  # fmt: skip
    st.caption("Squared error pulls the line toward an outlier with a force that grows with the distance; "
               "absolute error's pull is the same for every point, so the bulk of the data wins; Huber is "
               "squared near the line and absolute beyond δ.")  # fmt: skip
    return names


# ---- classification -----------------------------------------------------------------------------------
def classification_part() -> list[str]:
    with st.sidebar:
        st.subheader("Scene")
        preset = cpage.choice("preset", "Points", list(sc.PRESETS), "outlier", format_func=sc.PRESETS.get)
        cpage.slider("seed", "Seed", 0, reg.SEED_MAX, 0)
        ox = cpage.number("ox", "Outlier x₁", -sc.BOX, sc.BOX, sc.OUTLIER_DEFAULT[0], step=0.1,
                          disabled=preset != "outlier")  # fmt: skip
        oy = cpage.number("oy", "Outlier x₂", -sc.BOX, sc.BOX, sc.OUTLIER_DEFAULT[1], step=0.1,
                          disabled=preset != "outlier")  # fmt: skip
        start = cpage.choice("start", "Start from", list(sc.STARTS), "weak", format_func=sc.STARTS.get)
        cpage.reset_button()
        st.subheader("Losses")
        names = cpage.loss_select("losses", "Train under", CLS_OPTIONS, CLS_DEFAULT) or CLS_DEFAULT[:1]
        st.caption("MSE here is squared error after the sigmoid: the loss of p = σ(s).")
        params = cpage.param_controls(names)
        training = training_controls(cpage, sc.CLS_LR_LOG)
    titles = {n: sc.classifier_title(n) for n in names}
    after = {n for n in names if losses.get(n).category != "binary"}
    cpage.warnings_here()
    log_y = cpage.toggle("log", "Log scale for the cost")

    two = sc.TwoClass(preset, int(state.get("learn_c_seed", 0)), (float(ox), float(oy)))
    X, t = two.points()
    runs = _train(tuple(names), X, t, params, training, "logistic", sc.START_WEIGHTS[start])
    steps = sc.frame_steps(training.steps)
    frames = {n: [sc.boundary(w) for w in sc.held(runs[n], steps)] for n in names}

    cpage.metrics({n: float(runs[n].cost[-1]) for n in names}, {n: f"{titles[n]} at the end" for n in names})
    _diverged(runs, titles)
    left, right = st.columns([3, 2], gap="medium")
    with left:
        kit.plotly(charts.boundaries(X, t, frames, steps, titles, box=sc.BOX, outlier=two.outlier_index(),
                                     after_sigmoid=after), "learn_c_boundaries")  # fmt: skip
    with right:
        st.markdown("**Cost against the step**")
        kit.plotly(charts.cost_curves({n: r.cost for n, r in runs.items()}, {}, titles, log_y=log_y,
                                      after_sigmoid=after), "learn_c_costs")  # fmt: skip
        st.caption("Each line is the decision boundary w·x + b = 0 of one loss's classifier: press ▶ Play.")
    st.markdown(sc.classification_sentence(runs, X, t, titles, two.outlier_index(), training.steps),
                help="Computed from the trained weights.")  # fmt: skip
    st.markdown("**Each point's margin m = t·(w·x + b) over the steps** (red: the outlier; dotted: m = 1)")
    at = np.arange(0, training.steps + 1, max(1, training.steps // MARGIN_POINTS))
    marg = {n: sc.margins_at(r, X, t, at) for n, r in runs.items()}
    kit.plotly(charts.margins(at, marg, t, titles, outlier=two.outlier_index()), "learn_c_margins")
    st.caption("Hinge and squared hinge stop pushing a point once its margin reaches 1; cross-entropy never "
               "quite stops. Squared error after σ barely moves a confidently wrong point: σ has flattened.")
    return names


# ---- the page -----------------------------------------------------------------------------------------
st.title("How the loss shapes learning")
st.caption("The same model, trained on the same data by gradient descent under different losses. Add an "
           "outlier, press ▶ Play, and watch which losses it drags.")  # fmt: skip
part = page.choice("part", "Model", PARTS, PARTS[0])
shown = regression_part() if part == PARTS[0] else classification_part()
kit.loss_notes(shown, expanded=False)
page.done()
cpage.done()
